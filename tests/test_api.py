"""The public library API: validate, load_rules, Finding, Status, errors; immutability and sharing."""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import json
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest

import claimcheck
from claimcheck.refdata import shipped_code_sets
from tests.conftest import AS_OF, ROOT

GOOD_CLAIM = {
    "claim_id": "C1",
    "patient_sex": "F",
    "patient_birth_date": "1958-01-01",
    "payer": "Acme",
    "lines": [
        {
            "line_number": 1,
            "procedure_code": "0711T",
            "modifiers": ["26"],
            "diagnosis_codes": ["I70.213"],
            "rendering_taxonomy": "2085R0202X",
            "rendering_npi": "1234567893",
            "units": 1,
            "date_of_service": "2026-03-10",
            "place_of_service": "22",
        }
    ],
}


def test_validate_a_dict_gives_the_json_report_shape() -> None:
    report = claimcheck.validate(GOOD_CLAIM, as_of=AS_OF)
    data = report.to_dict()
    assert set(data) == {"summary", "lines"}
    assert data["summary"]["lines"] == 1
    assert data["summary"]["pass"] == 1 and data["summary"]["fail"] == 0 and data["summary"]["warn"] == 0
    assert data["summary"]["code_sets"]["icd10cm"] == "2026"
    assert data["summary"]["code_sets"]["nucc"] == "25.1"
    assert data["summary"]["rules_version"] == claimcheck.load_rules().version
    line = data["lines"][0]
    assert {k: line[k] for k in ("claim_id", "line_number", "procedure_code", "status")} == {
        "claim_id": "C1",
        "line_number": 1,
        "procedure_code": "0711T",
        "status": "pass",
    }
    finding = line["findings"][0]
    assert set(finding) == {"rule_id", "check", "status", "subject", "message", "source"}


def test_validate_a_claim_model_gives_the_same_report() -> None:
    claim = claimcheck.Claim.model_validate(GOOD_CLAIM)
    assert claimcheck.validate(claim, as_of=AS_OF) == claimcheck.validate(GOOD_CLAIM, as_of=AS_OF)


@pytest.mark.parametrize("garbage", [None, [], "x", 42, {"claim_id": "C9"}, {"claim_id": "C9", "lines": "no"}])
def test_a_wrong_claim_never_raises(garbage: object) -> None:
    report = claimcheck.validate(garbage, as_of=AS_OF)
    assert len(report.lines) == 1
    assert report.lines[0].status is claimcheck.Status.FAIL
    assert {f.check for f in report.lines[0].findings} == {claimcheck.Check.INPUT}


def test_finding_is_a_small_immutable_sortable_value() -> None:
    report = claimcheck.validate(GOOD_CLAIM, as_of=AS_OF)
    findings = report.lines[0].findings
    with pytest.raises(dataclasses.FrozenInstanceError):
        findings[0].status = claimcheck.Status.FAIL  # type: ignore[misc]
    assert len(set(findings)) == len(findings)
    assert sorted(findings, reverse=True)[::-1] == sorted(findings)
    assert findings[0].to_dict()["status"] == "pass"
    assert claimcheck.Status("warn") is claimcheck.Status.WARN and str(claimcheck.Status.FAIL) == "fail"


def test_a_finding_made_with_plain_text_holds_the_members() -> None:
    made = claimcheck.Finding("modifier", "modifier.profile", "GN", "fail", "GN does not apply")  # type: ignore[arg-type]
    assert made.check is claimcheck.Check.MODIFIER and made.status is claimcheck.Status.FAIL
    assert made.to_dict()["status"] == "fail" and sorted([made, made]) == [made, made]
    with pytest.raises(ValueError, match="'maybe' is not a valid Status"):
        claimcheck.Finding(claimcheck.Check.MODIFIER, "modifier.profile", "GN", "maybe", "?")  # type: ignore[arg-type]


def test_line_status_is_the_worst_finding() -> None:
    claim = {**GOOD_CLAIM, "lines": [{**GOOD_CLAIM["lines"][0], "modifiers": ["78"]}]}
    assert claimcheck.validate(claim, as_of=AS_OF).lines[0].status is claimcheck.Status.WARN
    claim = {**GOOD_CLAIM, "lines": [{**GOOD_CLAIM["lines"][0], "modifiers": ["GN", "78"]}]}
    assert claimcheck.validate(claim, as_of=AS_OF).lines[0].status is claimcheck.Status.FAIL


def test_rule_set_is_loaded_once_and_immutable() -> None:
    rules = claimcheck.load_rules()
    assert claimcheck.load_rules() is rules
    with pytest.raises(dataclasses.FrozenInstanceError):
        rules.checks = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        rules.profiles["X"] = rules.profiles["0711T"]  # type: ignore[index]
    for check in (*rules.checks, *rules.claim_checks):  # the shared, cached rules, whose fields would leak
        with pytest.raises(AttributeError, match="read-only"):
            check.status = claimcheck.Status.PASS


def test_a_rule_set_is_safe_to_share_across_threads() -> None:
    rules = claimcheck.load_rules()
    demo = ROOT / "fixtures" / "demo" / "claims.csv"
    expected = claimcheck.validate_file(demo, rules=rules, as_of=AS_OF)
    with ThreadPoolExecutor(max_workers=8) as pool:
        reports = list(pool.map(lambda _: claimcheck.validate_file(demo, rules=rules, as_of=AS_OF), range(16)))
    assert all(report == expected for report in reports)


def test_public_names_resolve() -> None:
    for name in claimcheck.__all__:
        assert getattr(claimcheck, name) is not None
    with pytest.raises(AttributeError):
        claimcheck.no_such_name  # noqa: B018
    assert issubclass(claimcheck.RuleFileError, claimcheck.ClaimCheckError)
    assert issubclass(claimcheck.InputError, claimcheck.ClaimCheckError)
    assert (ROOT / "src" / "claimcheck" / "py.typed").is_file()


def test_public_names_and_their_methods_have_docstrings() -> None:
    import inspect

    missing = []
    for name in claimcheck.__all__:
        value = getattr(claimcheck, name)
        if not inspect.getdoc(value):
            missing.append(name)
        if isinstance(value, type) and value.__module__.startswith("claimcheck."):
            for attr, member in vars(value).items():
                if attr.startswith("_") or not (callable(member) or isinstance(member, (property, classmethod))):
                    continue
                if not inspect.getdoc(getattr(value, attr)):
                    missing.append(f"{name}.{attr}")
    assert missing == []
    assert "as_of" in (claimcheck.validate.__doc__ or "") and "rules" in (claimcheck.validate.__doc__ or "")


def test_type_hints_of_public_names_resolve() -> None:
    # Type checkers and tools such as typer/pydantic call get_type_hints on what we export.
    import typing

    unresolved = []
    for name in claimcheck.__all__:
        value = getattr(claimcheck, name)
        members = [value] if not isinstance(value, type) else [value, *vars(value).values()]
        for member in members:
            if not (callable(member) or isinstance(member, type)):
                continue
            try:
                typing.get_type_hints(member)
            except NameError as error:
                unresolved.append(f"{name}: {error}")
    assert unresolved == []


def test_import_claimcheck_does_not_load_pydantic_or_the_engine() -> None:
    code = (
        "import sys, claimcheck; heavy = ('pydantic', 'yaml', 'rich', 'click'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m.startswith('claimcheck.engine')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def _write_order_file(path: Path, extra: dict[str, bool]) -> None:
    """An ICD-10-CM order file (the CDC layout) holding the shipped codes plus ``extra``."""
    data = ROOT / "src" / "claimcheck" / "refdata" / "data" / "icd10cm_2026.tsv.gz"
    rows = [line.split("\t") for line in gzip.decompress(data.read_bytes()).decode().splitlines()[1:]]
    codes = {code: flag == "Y" for code, flag, _ in rows} | extra
    with path.open("w", encoding="ascii") as stream:
        for order, code in enumerate(sorted(codes), start=1):
            stream.write(f"{order:05d} {code:<7} {int(codes[code])} {'short':<60} long title\n")


def test_a_newer_icd10cm_release_needs_no_code_change(tmp_path: Path) -> None:
    order_file = tmp_path / "icd10cm-order-2027.txt"
    _write_order_file(order_file, {"I7027": False, "I70271": True})  # invented FY2027-style additions
    rules = claimcheck.load_rules(code_sets={"icd10cm": order_file})
    claim = {**GOOD_CLAIM, "lines": [{**GOOD_CLAIM["lines"][0], "diagnosis_codes": ["I70.271"]}]}
    report = claimcheck.validate(claim, rules=rules, as_of=date(2027, 1, 5))
    assert report.summary()["code_sets"]["icd10cm"] == "2027"
    assert report.lines[0].status is claimcheck.Status.PASS
    shipped = claimcheck.validate(claim, as_of=date(2027, 1, 5))
    assert shipped.lines[0].status is claimcheck.Status.FAIL


def test_the_readmes_library_example_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Its last call validated a ``claim`` the block never defined: a NameError for anyone pasting it.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = next(block for block in readme.split("```python\n")[1:] if "claimcheck.load_rules(" in block)
    example = example.split("```")[0]
    shutil.copytree(ROOT / "src" / "claimcheck" / "rulepack", tmp_path / "my-rules")
    shutil.copy(ROOT / "fixtures" / "demo" / "claims.csv", tmp_path / "claims.csv")
    _write_order_file(tmp_path / "icd10cm-order-2027.txt", {})
    monkeypatch.chdir(tmp_path)
    names: dict[str, object] = {"AS_OF": AS_OF}
    exec(example.replace("validate(claim", "validate(claim, as_of=AS_OF"), names)
    assert names["report"].lines[0].status is claimcheck.Status.PASS  # type: ignore[attr-defined]
    rules = names["rules"]
    assert rules.code_set_versions()["icd10cm"] == "2027"  # type: ignore[attr-defined]
    again = claimcheck.validate(names["claim"], rules=rules, as_of=AS_OF)  # type: ignore[arg-type]
    assert again.lines[0].status is claimcheck.Status.PASS


def test_code_sets_object_can_be_passed_directly() -> None:
    rules = claimcheck.load_rules(code_sets=shipped_code_sets())
    assert rules.code_set_versions() == claimcheck.load_rules().code_set_versions()


def test_the_shipped_json_fixtures_read_the_same_as_json_and_jsonl() -> None:
    folder = ROOT / "fixtures" / "json"
    as_json = claimcheck.validate_file(folder / "claims.json", as_of=AS_OF)
    as_jsonl = claimcheck.validate_file(folder / "claims.jsonl", as_of=AS_OF)
    assert as_json == as_jsonl
    assert [(ln.claim_id, ln.line_number, ln.status.value) for ln in as_json.lines] == [
        ("J1", 1, "pass"),
        ("J1", 2, "fail"),
        ("J2", 1, "warn"),
    ]


def test_a_wrong_argument_to_the_api_is_a_type_error_saying_what_to_pass() -> None:
    import pyarrow as pa

    pack = str(ROOT / "rules")
    batch = pa.record_batch({"claim_id": ["C1"], "line_number": [1], "procedure_code": ["0711T"]})
    demo = ROOT / "fixtures" / "demo" / "claims.csv"
    calls = [
        (lambda: claimcheck.validate(GOOD_CLAIM, rules=pack), r"rules must be a RuleSet .*load_rules\(path\)"),
        (lambda: claimcheck.validate_file(demo, rules=pack), "rules must be a RuleSet"),
        (lambda: claimcheck.validate_batch(batch, rules=pack), "rules must be a RuleSet"),
        (lambda: claimcheck.validate_batch({"claim_id": ["C1"]}), "RecordBatch or Table, not dict"),
        (lambda: claimcheck.validate_many(GOOD_CLAIM), r"iterable of claims, not one claim \(dict\)"),
        (lambda: claimcheck.validate_many("C1"), "not a file name or text"),
        # A path was told 'validate(claim) checks one', which reads it as a claim.
        (lambda: claimcheck.validate_many(str(demo)), r"not a file name .*validate_file\(path\)"),
        (lambda: claimcheck.validate_many(demo), r"not a file name .*validate_file\(path\)"),
        (lambda: claimcheck.validate_files(str(demo)), r"not one path .*validate_file\(path\)"),
        (lambda: claimcheck.load_rules(code_sets="icd10cm-order-2027.txt"), "code_sets must be a CodeSets or"),
        (lambda: claimcheck.load_rules(ptp=5), r"ptp must be a CMS PTP file, a list of them or a PtpTable, not int"),
        (lambda: claimcheck.load_rules(ptp=[demo, 5]), r"ptp must be .*, not list"),
        (lambda: claimcheck.load_rules(ptp=b"ptp.txt"), r"ptp must be .*, not bytes"),
        (lambda: claimcheck.load_rules(mue=5), r"mue must be a CMS MUE file or a MueTable, not int"),
        (lambda: claimcheck.load_rules(mue=[demo]), r"mue must be .*, not list"),
        (lambda: claimcheck.load_rules(ptp={"f1": "ptp.txt"}), r"ptp must be .*, not dict"),
    ]
    for call, message in calls:
        with pytest.raises(TypeError, match=message):
            call()


def test_an_unknown_input_format_is_a_wrong_argument_as_an_unknown_engine_is() -> None:
    # It was an InputError, the error of a file that cannot be read, naming the file.
    demo = ROOT / "fixtures" / "demo" / "claims.csv"
    with pytest.raises(ValueError, match="unknown input_format 'xml'; input formats: csv, json"):
        claimcheck.validate_file(demo, input_format="xml")
    with pytest.raises(ValueError, match="unknown engine 'fast'"):
        claimcheck.validate_file(demo, engine="fast")


@pytest.mark.parametrize("library", ["pandas", "polars"])
def test_validate_many_of_a_dataframe_points_to_validate_batch(library: str) -> None:
    # A DataFrame iterates over its column names: each was taken for a claim, and the report held
    # one failing line per column instead of the table's lines.
    module = pytest.importorskip(library)
    frame = module.DataFrame({"claim_id": ["C1"], "line_number": [1], "procedure_code": ["0711T"]})
    with pytest.raises(TypeError, match=r"not a table \(DataFrame\); .* goes to validate_batch"):
        claimcheck.validate_many(frame)


@pytest.mark.parametrize("kind", ["Table", "RecordBatch"])
def test_validate_many_of_arrow_data_points_to_validate_batch(kind: str) -> None:
    # Iterated, a pyarrow Table or RecordBatch gives its columns: each was taken for a claim, and
    # the report held one failing line per column instead of the table's lines.
    import pyarrow as pa

    table = pa.table({"claim_id": ["C1"], "line_number": ["1"], "procedure_code": ["0711T"]})
    data = table if kind == "Table" else table.to_batches()[0]
    with pytest.raises(TypeError, match=rf"not a table \({kind}\); .* goes to validate_batch"):
        claimcheck.validate_many(data)


def test_line_results_hash_with_their_location() -> None:
    report = claimcheck.validate_file(ROOT / "fixtures" / "x12" / "professional.837", as_of=AS_OF)
    assert report.lines[0].location is not None
    assert len(set(report.lines)) == len(report.lines)
    again = claimcheck.validate_file(ROOT / "fixtures" / "x12" / "professional.837", as_of=AS_OF)
    assert hash(again.lines[0]) == hash(report.lines[0]) and again.lines[0] == report.lines[0]


def test_a_report_is_immutable_hashable_and_picklable_with_its_code_sets_and_locations() -> None:
    import pickle

    report = claimcheck.validate(GOOD_CLAIM, as_of=AS_OF)
    with pytest.raises(TypeError):
        report.code_sets["icd10cm"] = "1999"  # type: ignore[index]
    assert report.summary()["code_sets"]["icd10cm"] == "2026"
    assert hash(report) == hash(claimcheck.validate(GOOD_CLAIM, as_of=AS_OF))
    assert pickle.loads(pickle.dumps(report)) == report
    assert report.code_sets == claimcheck.load_rules().code_set_versions()
    x12 = claimcheck.validate_file(ROOT / "fixtures" / "x12" / "professional.837", as_of=AS_OF)
    line = x12.lines[0]
    assert line.location is not None
    before = hash(line)
    with pytest.raises(TypeError):
        line.location["file"] = "elsewhere.837"  # type: ignore[index]
    assert hash(line) == before and pickle.loads(pickle.dumps(x12)) == x12


def test_the_types_public_signatures_name_are_exported() -> None:
    # A caller annotating what it passes to load_rules, or what a RuleSet hands back, needs to
    # import those types from claimcheck, not from its private modules.
    import typing

    def named_classes(hint: object) -> set[type]:
        found = {hint} if isinstance(hint, type) else set()
        for arg in typing.get_args(hint):
            found |= named_classes(arg)
        return found

    calls = ("load_rules", "validate", "validate_many", "validate_file", "validate_files")
    members: list[object] = [getattr(claimcheck, name) for name in calls]
    members += [claimcheck.RuleSet.code_sets.fget, claimcheck.RuleSet.code_set_versions]
    named = set()
    for member in members:
        for hint in typing.get_type_hints(member).values():
            named |= {c for c in named_classes(hint) if c.__module__.startswith("claimcheck")}
    exported = {getattr(claimcheck, name) for name in claimcheck.__all__}
    assert sorted(c.__name__ for c in named - exported) == []
    rules = claimcheck.load_rules()
    assert isinstance(rules.code_sets, claimcheck.CodeSets)
    assert claimcheck.load_rules(code_sets=rules.code_sets).code_sets is rules.code_sets


def test_a_finding_compared_with_something_else_is_a_type_error() -> None:
    made = claimcheck.Finding(claimcheck.Check.MODIFIER, "modifier.profile", "GN", claimcheck.Status.FAIL, "m")
    for compare in (lambda: made < 1, lambda: made >= "x", lambda: sorted([made, None])):
        with pytest.raises(TypeError, match="not supported between instances of"):
            compare()


def test_validate_file_takes_the_options_of_validate_files() -> None:
    # Its docstring says "options as for validate_files"; engine= was refused as unexpected.
    import inspect

    one = inspect.signature(claimcheck.validate_file).parameters
    many = inspect.signature(claimcheck.validate_files).parameters
    assert list(one)[1:] == list(many)[1:]
    with pytest.raises(ValueError, match="unknown engine 'fast'"):
        claimcheck.validate_file(ROOT / "fixtures" / "demo" / "claims.csv", engine="fast")


def test_a_report_built_by_hand_from_lists_holds_tuples() -> None:
    # The classes are public (merging the reports of several calls); a list kept as given left a
    # frozen report open to change and unhashable.
    made = claimcheck.validate(GOOD_CLAIM, as_of=AS_OF)
    line = made.lines[0]
    rebuilt = claimcheck.LineResult(line.claim_id, line.line_number, line.procedure_code, list(line.findings))  # type: ignore[arg-type]
    report = claimcheck.Report([rebuilt], made.rules_version, dict(made.code_sets))  # type: ignore[arg-type]
    assert type(rebuilt.findings) is tuple and type(report.lines) is tuple
    assert report == made and hash(report) == hash(made)


def test_a_rule_set_pickles_as_the_files_it_was_loaded_from(tmp_path: Path) -> None:
    # ProcessPoolExecutor.map(partial(validate, rules=rules), claims) pickles the rules; a rule
    # set failed with "cannot pickle 'mappingproxy' object".
    import pickle

    shipped = claimcheck.load_rules()
    assert pickle.loads(pickle.dumps(shipped)) is shipped
    order_file = tmp_path / "icd10cm-order-2027.txt"
    _write_order_file(order_file, {"I7027": False, "I70271": True})
    ptp = ROOT / "fixtures" / "ncci" / "ptp_sample.txt"
    custom = claimcheck.load_rules(ROOT / "rules", code_sets={"icd10cm": order_file}, ptp=[ptp])
    again = pickle.loads(pickle.dumps(custom))
    assert again.code_set_versions() == custom.code_set_versions() and again.version == custom.version
    claim = {**GOOD_CLAIM, "lines": [{**GOOD_CLAIM["lines"][0], "diagnosis_codes": ["I70.271"]}]}
    assert claimcheck.validate(claim, rules=again, as_of=AS_OF) == claimcheck.validate(claim, rules=custom, as_of=AS_OF)
    from_tables = claimcheck.load_rules(code_sets=shipped.code_sets, ptp=custom.ptp)
    with pytest.raises(TypeError, match=r"load_rules\(\.\.\.\) in each process"):
        pickle.dumps(from_tables)


def test_claims_text_passed_for_claims_or_paths_is_not_quoted_in_the_error() -> None:
    # json.dumps(claim) or a file's content handed over by mistake: the TypeError, which an
    # integrator's error tracker keeps, quoted the patient data in it.
    text = json.dumps({"claim_id": "C1", "patient_name": "Jane Roe", "member_id": "W123456789"})
    calls = [
        (lambda: claimcheck.validate_many(text), r"not a file name or text \(text of \d+ characters\)"),
        (lambda: claimcheck.validate_files(text), r"not one path \(text of \d+ characters\)"),
        (lambda: claimcheck.validate_files(text.encode()), r"not one path \(bytes, \d+ of them\)"),
    ]
    for call, message in calls:
        with pytest.raises(TypeError, match=message) as raised:
            call()
        assert "Jane" not in str(raised.value) and "W123" not in str(raised.value)
    # A file's name is what the caller needs to see, and is shown.
    demo = str(ROOT / "fixtures" / "demo" / "claims.csv")
    for call in (lambda: claimcheck.validate_many(demo), lambda: claimcheck.validate_files(demo)):
        with pytest.raises(TypeError, match=re.escape(repr(demo))):
            call()


def test_columns_of_a_wrong_type_is_a_type_error_and_any_path_like_names_a_map(tmp_path: Path) -> None:
    demo = ROOT / "fixtures" / "demo" / "claims.csv"
    # An int (a column count?) failed with "'int' object has no attribute 'delimiter'".
    with pytest.raises(
        TypeError, match=r"columns must be a layout name, a columns map file or a ColumnLayout, not int"
    ):
        claimcheck.validate_file(demo, columns=5)  # type: ignore[arg-type]

    class MapPath:  # an os.PathLike that is no pathlib.Path (a cloud or test path object)
        def __fspath__(self) -> str:
            return str(ROOT / "fixtures" / "csv" / "wide_export_columns.yaml")

    wide = ROOT / "fixtures" / "csv" / "wide_export.psv"
    by_path = claimcheck.validate_file(wide, columns=MapPath(), as_of=AS_OF)  # type: ignore[arg-type]
    assert by_path == claimcheck.validate_file(wide, columns=str(MapPath().__fspath__()), as_of=AS_OF)


def test_a_pipe_given_to_validate_file_is_an_input_error_saying_to_save_it_first(tmp_path: Path) -> None:
    # The readers open a file more than once (its format, its header, its lines): a pipe was
    # "cannot read the file (None)".
    import os
    import threading

    fifo = tmp_path / "claims.csv"
    os.mkfifo(fifo)

    def feed() -> None:
        with contextlib.suppress(OSError), fifo.open("wb") as stream:
            stream.write((ROOT / "fixtures" / "demo" / "claims.csv").read_bytes())

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    with pytest.raises(claimcheck.InputError, match="is a pipe or device, not a file") as raised:
        claimcheck.validate_file(fifo)
    assert "None" not in str(raised.value)
    with contextlib.suppress(OSError):  # let the writer go, had the run not opened the pipe
        os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
    writer.join(5)
