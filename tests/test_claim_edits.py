"""Dated rules, the CMS PTP/MUE tables through the library and the CLI, and claim edits in every format."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import claimcheck
from claimcheck.cli import main
from claimcheck.rules.loader import shipped_pack_path
from tests.conftest import AS_OF, ROOT

NCCI = ROOT / "fixtures" / "ncci"
PTP = NCCI / "ptp_sample.txt"
MUE = NCCI / "mue_sample.csv"


def _line(number: int, code: str, day: str = "2026-03-10", **extra: object) -> dict[str, object]:
    return {
        "line_number": number,
        "procedure_code": code,
        "diagnosis_codes": ["I73.9"],
        "date_of_service": day,
        **extra,
    }


def _findings(report: claimcheck.Report, rule_id: str) -> list[claimcheck.Finding]:
    return [f for line in report.lines for f in line.findings if f.rule_id == rule_id]


def test_cms_ptp_table_findings_name_the_table_line_and_version() -> None:
    rules = claimcheck.load_rules(ptp=PTP)
    claim = {"claim_id": "P1", "lines": [_line(1, "71250"), _line(2, "0721T")]}
    # The pack has this pair too; the file's row replaces it (one finding per pair, not one per source).
    (cms_finding,) = _findings(claimcheck.validate(claim, rules=rules, as_of=AS_OF), "pair.ptp")
    assert cms_finding.source is not None and cms_finding.source.table.startswith("ptp_sample.txt line ")
    assert cms_finding.status is claimcheck.Status.FAIL
    assert rules.code_set_versions()["ptp"] == "ptp_sample"
    (pack_finding,) = _findings(claimcheck.validate(claim, as_of=AS_OF), "pair.ptp")
    assert pack_finding.source is not None and pack_finding.source.table == "general/pair.yaml"


def _ptp_file(path: Path, *rows: str) -> Path:
    path.write_text("Column 1\tColumn 2\n" + "".join(f"{row}\n" for row in rows))
    return path


def test_a_pair_the_ptp_file_lists_is_judged_by_the_file_alone(tmp_path: Path) -> None:
    # The pack says 71250/0721T is indicator 1 from 2022-07-01; the file, the newer edition, says
    # indicator 0, and deletes 0710T/0711T from 2026-01-01; 0623T/0624T it does not list.
    ptp = _ptp_file(
        tmp_path / "ptp.txt",
        "71250\t0721T\t\t20220701\t*\t0\tnewer",
        "0710T\t0711T\t\t20220701\t20260101\t0\tdeleted",
        "74150\t0721T\t\t20220701\t*\t9\tnot applicable",
    )
    rules = claimcheck.load_rules(ptp=ptp)
    claim = {
        "claim_id": "F",
        "lines": [
            _line(1, "71250"),
            _line(2, "0721T", modifiers=["59"]),
            _line(3, "0710T"),
            _line(4, "0711T"),
            _line(5, "0623T", "2025-03-10"),
            _line(6, "0624T", "2025-03-10"),
            _line(7, "74150", "2026-03-11"),
            _line(8, "0721T", "2026-03-11"),
        ],
    }
    found = [
        (f.subject, f.status.value, f.source.table if f.source else None)
        for f in _findings(claimcheck.validate(claim, rules=rules, as_of=AS_OF), "pair.ptp")
    ]
    assert found == [
        ("71250 0721T", "fail", "ptp.txt line 2"),
        ("0623T 0624T", "fail", "general/pair.yaml"),
    ]
    claim["lines"] = [_line(1, "0710T", "2025-12-31"), _line(2, "0711T", "2025-12-31")]
    (last_day,) = _findings(claimcheck.validate(claim, rules=rules, as_of=AS_OF), "pair.ptp")
    assert last_day.source is not None and last_day.source.table == "ptp.txt line 3"


@pytest.mark.parametrize(
    "options",
    [["--format", "json"], ["--format", "jsonl"], ["--format", "jsonl", "--jobs", "2"], ["--engine", "durable"]],
    ids=["per-line", "batch", "batch-jobs", "durable"],
)
def test_one_pair_finding_when_the_pack_and_the_ptp_file_list_the_pair(
    tmp_path: Path, options: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if "durable" in options:
        pytest.importorskip("durable", reason="durable-rules is not installed")
    from tests.conftest import use_workers

    use_workers(monkeypatch)
    claims = tmp_path / "claims.csv"
    claims.write_text(
        "claim_id,line_number,procedure_code,modifiers,diagnosis_codes,date_of_service,units\n"
        "C1,1,0710T,,I70.213,2026-03-01,1\n"
        "C1,2,0711T,,I70.213,2026-03-01,1\n"
    )
    args = ["check", str(claims), "--ptp", str(PTP), "--as-of", "2026-11-22", "--quiet", *options]
    if "--format" not in options:
        args += ["--format", "json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.stderr
    if "jsonl" in args:
        lines = [json.loads(row) for row in result.stdout.splitlines()]
    else:
        lines = json.loads(result.stdout)["lines"]
    pairs = [f for line in lines for f in line["findings"] if f["rule_id"] == "pair.ptp"]
    assert [(f["subject"], f["status"], f["source"]["table"]) for f in pairs] == [
        ("0710T 0711T", "fail", "ptp_sample.txt line 9")
    ]


def test_a_deleted_cms_edit_is_not_applied_after_its_deletion_date() -> None:
    rules = claimcheck.load_rules(ptp=PTP)
    edits = rules.ptp.edits("75574", "75571") if rules.ptp else ()
    assert edits and edits[0].deletion is not None
    after = edits[0].deletion.isoformat()
    claim = {"claim_id": "P2", "lines": [_line(1, "75574", after), _line(2, "75571", after)]}
    assert _findings(claimcheck.validate(claim, rules=rules, as_of=AS_OF), "pair.ptp") == []
    last_day = (edits[0].deletion - timedelta(days=1)).isoformat()
    claim = {"claim_id": "P3", "lines": [_line(1, "75574", last_day), _line(2, "75571", last_day)]}
    (finding,) = _findings(claimcheck.validate(claim, rules=rules, as_of=AS_OF), "pair.ptp")
    assert finding.source is not None and finding.source.expires == last_day  # inclusive, as in the packs


@pytest.fixture()
def dated_pack(tmp_path: Path) -> Path:
    pack = tmp_path / "rules"
    shutil.copytree(shipped_pack_path(), pack)
    units = pack / "general" / "units.yaml"
    units.write_text(
        units.read_text().replace("    kind: positive_units\n", "    kind: positive_units\n    effective: 2026-01-01\n")
    )
    profile = pack / "procedures" / "75571.yaml"
    profile.write_text(profile.read_text().replace("    status: pass\n", "    status: pass\n    expires: 2025-12-31\n"))
    return pack


def test_a_dated_rule_applies_only_on_dates_it_is_in_force(dated_pack: Path) -> None:
    rules = claimcheck.load_rules(dated_pack)
    before = claimcheck.validate(
        {"claim_id": "D", "lines": [_line(1, "99213", "2025-12-31", units=0)]}, rules=rules, as_of=AS_OF
    )
    after = claimcheck.validate(
        {"claim_id": "D", "lines": [_line(1, "99213", "2026-01-01", units=0)]}, rules=rules, as_of=AS_OF
    )
    assert _findings(before, "units.positive") == []
    (finding,) = _findings(after, "units.positive")
    assert finding.status is claimcheck.Status.FAIL
    assert finding.source is not None and finding.source.effective == "2026-01-01"


def test_an_expired_profile_entry_no_longer_matches(dated_pack: Path) -> None:
    rules = claimcheck.load_rules(dated_pack)
    line = {"modifiers": ["26"]}
    in_force = claimcheck.validate(
        {"claim_id": "E", "lines": [_line(1, "75571", "2025-12-31", **line)]}, rules=rules, as_of=AS_OF
    )
    expired = claimcheck.validate(
        {"claim_id": "E", "lines": [_line(1, "75571", "2026-01-01", **line)]}, rules=rules, as_of=AS_OF
    )
    (listed,) = _findings(in_force, "modifier.profile")
    (unlisted,) = _findings(expired, "modifier.profile")
    assert (
        listed.status is claimcheck.Status.PASS and listed.source is not None and listed.source.expires == "2025-12-31"
    )
    assert unlisted.status is claimcheck.Status.WARN


def test_an_expired_specialty_entry_leaves_the_line_to_its_listed_classification(tmp_path: Path) -> None:
    # 0721T lists 363A00000X, which covers 363AM0700X; an own entry for 363AM0700X that has
    # expired hid it, and the line warned "not a specialty listed" beside a listing that covers it.
    pack = tmp_path / "rules"
    shutil.copytree(shipped_pack_path(), pack)
    profile = pack / "procedures" / "0721T.yaml"
    profile.write_text(
        profile.read_text()
        + "  - code: 363AM0700X\n    name: Physician Assistant / Medical\n    expires: 2025-12-31\n"
        + "    source: {document: 001_4dc8b7a89db6f43d.txt, section: Coding Specifications (taxonomy table)}\n"
    )
    rules = claimcheck.load_rules(pack)
    lines = [
        _line(n, "0721T", day, rendering_taxonomy="363AM0700X") for n, day in ((1, "2025-12-31"), (2, "2026-03-10"))
    ]
    report = claimcheck.validate({"claim_id": "S", "lines": lines}, rules=rules, as_of=AS_OF)
    own, covered = _findings(report, "specialty.profile")
    assert own.status is claimcheck.Status.PASS and own.source is not None and own.source.expires == "2025-12-31"
    assert covered.status is claimcheck.Status.PASS
    assert "covered by 363A00000X" in covered.message


def test_expires_before_effective_is_a_rule_file_error(dated_pack: Path) -> None:
    units = dated_pack / "general" / "units.yaml"
    units.write_text(
        units.read_text().replace("    effective: 2026-01-01\n", "    effective: 2026-01-01\n    expires: 2025-01-01\n")
    )
    with pytest.raises(claimcheck.RuleFileError, match=r"expires: .2025-01-01.: is before effective \(2026-01-01\)"):
        claimcheck.load_rules(dated_pack)


@pytest.mark.parametrize("output_format", ["json", "jsonl", "csv", "text"])
def test_claim_edits_appear_in_every_output_format(tmp_path: Path, output_format: str) -> None:
    path = tmp_path / "claims.jsonl"
    claims = [
        {"claim_id": "A", "lines": [_line(1, "0710T"), _line(2, "0711T")]},
        {"claim_id": "B", "lines": [_line(1, "0722T")]},
        {"claim_id": "C", "lines": [_line(1, "71250"), _line(2, "71250")]},
        {
            "claim_id": "D",
            "lines": [_line(1, "36415"), _line(2, "36415", modifiers=["91"]), _line(3, "36415", modifiers=["91"])],
        },
    ]
    path.write_text("\n".join(json.dumps(c) for c in claims) + "\n")
    result = CliRunner().invoke(
        main,
        ["check", str(path), "--mue", str(MUE), "--ptp", str(PTP), "--format", output_format, "--as-of", "2026-11-22"],
        env={"COLUMNS": "250"},
    )
    assert result.exit_code == 1, result.stderr
    out = result.stdout
    if output_format == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        failing = {(r["claim_id"], r["rule_id"]) for r in rows if r["status"] == "fail"}
        assert {("A", "pair.ptp"), ("B", "pair.addon"), ("C", "duplicate.line"), ("D", "units.mue")} <= failing
    else:
        for rule_id in ("pair.ptp", "pair.addon", "duplicate.line", "units.mue"):
            assert rule_id in out


def test_units_of_a_line_edit_are_not_summed() -> None:
    rules = claimcheck.load_rules(mue=MUE)
    claim = {
        "claim_id": "U",
        "lines": [
            _line(1, "77011", units=1),
            _line(2, "77011", date(2026, 3, 10).isoformat(), units=1, modifiers=["76"]),
        ],
    }
    assert [f.status for f in _findings(claimcheck.validate(claim, rules=rules, as_of=AS_OF), "units.mue")] == [
        claimcheck.Status.PASS,
        claimcheck.Status.PASS,
    ]


def test_cms_rows_without_a_rationale_give_messages_without_a_dangling_colon(tmp_path: Path) -> None:
    # The PTP loader takes a row whose rationale was cut off; the MUE rationale column is optional.
    ptp = tmp_path / "ptp.txt"
    ptp.write_text("Column 1\tColumn 2\n71250\t0721T\t\t20220701\t*\t0\n74150\t0721T\t\t20220701\t*\t1\n")
    mue = tmp_path / "mue.csv"
    mue.write_text("HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator\n77011,1,1 Line Edit\n")
    rules = claimcheck.load_rules(ptp=ptp, mue=mue)
    claim = {
        "claim_id": "R",
        "lines": [
            _line(1, "71250"),
            _line(2, "74150", modifiers=["59"]),
            _line(3, "0721T"),
            _line(4, "77011", units=2),
        ],
    }
    report = claimcheck.validate(claim, rules=rules, as_of=AS_OF)
    cms = [f for f in _findings(report, "pair.ptp") if f.source is not None and f.source.table.startswith("ptp.txt")]
    messages = [f.message for f in cms] + [f.message for f in _findings(report, "units.mue")]
    assert [f.status for f in cms] == [claimcheck.Status.FAIL, claimcheck.Status.PASS]
    assert messages == [
        "0721T is not billed with 71250 (line 1) on 2026-03-10 (modifier indicator 0: no modifier allows the pair)",
        "0721T with 74150 (line 2) on 2026-03-10 is allowed by modifier 59 on line 2",
        "2 units of 77011 on this line; MUE 1 per line is exceeded",
    ]


def test_a_claim_of_many_lines_of_a_pair_gets_one_pair_finding_per_column_2_line() -> None:
    # Pairing every two lines gave each column-2 line one finding per column-1 line: a million
    # findings and 9 s for this claim, and a 5 MB request to the service could exhaust memory.
    lines = [_line(n, "0710T" if n % 2 else "0711T") for n in range(1, 2001)]
    lines += [_line(n, "0722T") for n in range(2001, 3001)]
    report = claimcheck.validate({"claim_id": "BIG", "lines": lines}, as_of=AS_OF)
    assert len(_findings(report, "pair.ptp")) == 1000
    assert len(_findings(report, "pair.addon")) == 1000


@pytest.fixture()
def bypass_lookups(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times pair.ptp looked for a bypass modifier (one counter, reset by the test):
    counted, not timed, to keep tests of linear work exact."""
    from claimcheck.engine.claim_checks.pairs import ProcedurePairs

    calls = [0]
    bypass = ProcedurePairs._bypass

    def counted(self: ProcedurePairs, ref: object) -> str | None:
        calls[0] += 1
        return bypass(self, ref)  # type: ignore[arg-type]

    monkeypatch.setattr(ProcedurePairs, "_bypass", counted)
    return calls


@pytest.mark.parametrize("column_1_modifiers", [[], ["59"]], ids=["no bypass", "bypass on column 1"])
def test_an_indicator_1_pair_is_judged_in_time_linear_in_the_claim(
    bypass_lookups: list[int], column_1_modifiers: list[str]
) -> None:
    # Each 0721T line scanned every 71250 line of its day for one without a bypass: a claim of
    # 16,000 such lines took 38 s. Modifier look-ups are counted, not time, to keep this exact.

    def lookups(size: int) -> int:
        bypass_lookups[0] = 0
        lines = [_line(n, "71250", modifiers=column_1_modifiers) for n in range(1, size + 1)]
        lines += [_line(n, "0721T") for n in range(size + 1, 2 * size + 1)]
        report = claimcheck.validate({"claim_id": "BIG", "lines": lines}, as_of=AS_OF)
        assert len(_findings(report, "pair.ptp")) == size
        return bypass_lookups[0]

    assert lookups(400) <= 2.5 * lookups(200)


def test_ptp_files_may_be_given_as_a_generator() -> None:
    rules = claimcheck.load_rules(ptp=(path for path in [PTP]))
    assert rules.ptp is not None and len(rules.ptp) == len(claimcheck.load_rules(ptp=[PTP]).ptp or ())


def test_a_pair_the_ptp_file_lists_the_other_way_round_is_judged_by_the_file_alone(tmp_path: Path) -> None:
    # The pack has 0710T/0711T; a file whose edition lists the pair as 0711T/0710T (indicator 1)
    # replaces it as well: the same two lines got the file's pass and the pack's fail.
    ptp = _ptp_file(tmp_path / "ptp.txt", "0711T\t0710T\t\t20220101\t*\t1\treversed")
    rules = claimcheck.load_rules(ptp=ptp)
    claim = {
        "claim_id": "R",
        "lines": [_line(1, "0710T", "2022-08-01"), _line(2, "0711T", "2022-08-01", modifiers=["59"])],
    }
    found = [
        (f.subject, f.status.value, f.source.table if f.source else None)
        for f in _findings(claimcheck.validate(claim, rules=rules, as_of=AS_OF), "pair.ptp")
    ]
    assert found == [("0711T 0710T", "pass", "ptp.txt line 2")]


def test_an_add_on_is_judged_beside_a_denied_primary_in_time_linear_in_the_claim(
    bypass_lookups: list[int],
) -> None:
    # Whether 0722T's primary is payable is pair.ptp judged again on the primary lines: each
    # column-1 code's lines are read once a day, not once per primary line.
    rules = claimcheck.load_rules(ptp=PTP)

    def lookups(size: int) -> int:
        bypass_lookups[0] = 0
        lines = [_line(n, "71275" if n % 2 else "71250") for n in range(1, 2 * size + 1)]
        lines += [_line(n, "0722T") for n in range(2 * size + 1, 3 * size + 1)]
        report = claimcheck.validate({"claim_id": "BIG", "lines": lines}, rules=rules, as_of=AS_OF)
        assert {f.status for f in _findings(report, "pair.addon")} == {claimcheck.Status.WARN}
        return bypass_lookups[0]

    assert lookups(400) <= 2.5 * lookups(200)


def test_without_a_ptp_rule_in_the_pack_an_add_on_passes_with_its_primary(tmp_path: Path) -> None:
    pack = tmp_path / "rules"
    shutil.copytree(shipped_pack_path(), pack)
    pair = pack / "general" / "pair.yaml"
    doc = yaml.safe_load(pair.read_text())
    doc["rules"] = [rule for rule in doc["rules"] if rule["kind"] != "ptp_pairs"]
    pair.write_text(yaml.safe_dump(doc))
    claim = {"claim_id": "N", "lines": [_line(1, "71275"), _line(2, "71250"), _line(3, "0722T")]}
    report = claimcheck.validate(claim, rules=claimcheck.load_rules(pack), as_of=AS_OF)
    (finding,) = _findings(report, "pair.addon")
    assert finding.status is claimcheck.Status.PASS and "(line 2)" in finding.message
