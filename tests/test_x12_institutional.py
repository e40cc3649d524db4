"""X12 837I (SV2) lines and the procedure composite's qualifier, in 837I and 837P files."""

from __future__ import annotations

from pathlib import Path

import pytest

import claimcheck
from claimcheck.io.readers.x12 import read_x12
from claimcheck.models.parse import ParsedLine
from tests.conftest import AS_OF, ROOT

FIXTURES = ROOT / "fixtures" / "x12"
HC_LINE = "SV2*0450*HC:99284:25*500*UN*1~"  # the institutional fixture's first line


def institutional(tmp_path: Path, first_line: str, name: str = "i.837") -> Path:
    text = (FIXTURES / "institutional.837").read_text()
    assert HC_LINE in text
    path = tmp_path / name
    path.write_text(text.replace(HC_LINE, first_line))
    return path


def lines_of(path: Path) -> list[ParsedLine]:
    return [line for claim in read_x12(path) for line in claim.lines]


def problems(line: ParsedLine) -> list[str]:
    return [f"{p.field} {p.message}" for p in line.problems]


# The qualifier of the procedure composite (SV202-1, SV101-1).


def test_a_hipps_rate_code_is_one_input_finding_naming_sv202_1_not_a_cpt_format_failure(tmp_path: Path) -> None:
    path = institutional(tmp_path, "SV2*0022*HP:1AA1D*500*UN*1~", "snf.837")
    report = claimcheck.validate_file(path, input_format="x12", as_of=AS_OF)
    first, second = report.lines
    assert [f.rule_id for f in first.findings if f.status is not claimcheck.Status.PASS] == ["input.field"]
    (finding,) = first.findings
    assert finding.subject == "procedure_code"
    assert "SV202-1 qualifier HP" in finding.message and "HIPPS" in finding.message
    assert "not a CPT/HCPCS code" in finding.message and "segment 27" in finding.message
    assert "revenue code 0022 in SV201" in finding.message
    assert not any(f.rule_id == "procedure.format" for f in first.findings)
    # The other line of the claim is read and checked as before.
    assert [p for p in problems(lines_of(path)[1])] == [
        "procedure_code is missing: SV202 at segment 30 has no procedure code (revenue code 0300 in SV201)"
    ]
    assert (second.line_number, second.status) == (2, claimcheck.Status.FAIL)


@pytest.mark.parametrize(
    ("qualifier", "meaning"),
    [
        ("ER", "jurisdiction-specific procedure or supply code"),
        ("IV", "Home Infusion EDI Coalition (HIEC) product/service code"),
        ("WK", "Advanced Billing Concepts (ABC) code"),
    ],
)
def test_other_qualifiers_the_837i_allows_say_what_the_code_is(tmp_path: Path, qualifier: str, meaning: str) -> None:
    (line, _) = lines_of(institutional(tmp_path, f"SV2*0450*{qualifier}:99284*500*UN*1~"))
    assert line.line is None
    (message,) = problems(line)
    assert message.startswith(f"procedure_code is not checked: SV202-1 qualifier {qualifier} at segment 27")
    assert meaning in message


def test_a_qualifier_the_837i_does_not_allow_is_reported_not_checked_as_cpt(tmp_path: Path) -> None:
    # The de-identified 837I samples write "XX|99999": 99999 has the form of a CPT code and passed.
    (line, _) = lines_of(institutional(tmp_path, "SV2*0450*XX:99999*500*UN*1~"))
    assert line.line is None
    assert problems(line) == [
        "procedure_code is not checked: SV202-1 qualifier XX at segment 27 is not one the 5010 837I allows "
        "(ER, HC, HP, IV, WK), so what SV202-2 holds is unknown; claimcheck checks only CPT/HCPCS codes, "
        "which have qualifier HC (revenue code 0450 in SV201)"
    ]


def test_an_empty_qualifier_is_reported(tmp_path: Path) -> None:
    (line, _) = lines_of(institutional(tmp_path, "SV2*0450*:99284*500*UN*1~"))
    assert line.line is None
    assert problems(line)[0].startswith("procedure_code is not checked: SV202-1 qualifier (empty) at segment 27")


def test_the_837p_qualifiers_are_those_of_the_837p(tmp_path: Path) -> None:
    text = (FIXTURES / "professional.837").read_text()
    text = text.replace("SV1*HC:0711T:26*", "SV1*HP:0711T:26*").replace("SV1*HC:0711T:GN*", "SV1*IV:0711T:GN*")
    path = tmp_path / "p.837"
    path.write_text(text)
    first, second, third = lines_of(path)
    assert problems(first) == [
        "procedure_code is not checked: SV101-1 qualifier HP at segment 24 is not one the 5010 837P allows "
        "(ER, HC, IV, WK), so what SV101-2 holds is unknown; claimcheck checks only CPT/HCPCS codes, "
        "which have qualifier HC"
    ]
    assert problems(second)[0].startswith("procedure_code is not checked: SV101-1 qualifier IV at segment 27")
    assert third.line is not None and not third.problems
