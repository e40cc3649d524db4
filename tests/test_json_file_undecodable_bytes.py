"""A ``.json`` claims file holding bytes that are not UTF-8: its claims are read as a ``.jsonl``
file's are, each line told which keys held the bytes, where the whole file used to be refused
(one bad byte in a payer's name lost every claim of the file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimcheck import InputError, load_rules
from claimcheck.engine.run import check_claims
from claimcheck.io.readers import read_claims
from tests.conftest import AS_OF

RULES = load_rules()
LINE = b'{"line_number": %d, "procedure_code": "%s", "diagnosis_codes": ["I70.213"], "date_of_service": "2026-03-10"}'
REPLACED = "(the bytes that could not be read were replaced)"


def _input_messages(path: Path) -> list[tuple[str, str, list[str]]]:
    return [
        (str(line.claim_id), str(line.line_number), [f.message for f in line.findings if f.check.value == "input"])
        for line in check_claims(read_claims(path), RULES, AS_OF)
    ]


def test_the_claims_of_a_json_file_with_bad_bytes_keep_their_lines(tmp_path: Path) -> None:
    bad = b'{"claim_id": "C1", "payer": "Ac\xe9me", "lines": [' + LINE % (1, b"0711T") + b"," + LINE % (2, b"07\xff1T")
    clean = b'{"claim_id": "C2", "lines": [' + LINE % (1, b"0711T") + b"]}"
    path = tmp_path / "claims.json"
    path.write_bytes(b"[" + bad + b"]}, " + clean + b"]\n")
    found = _input_messages(path)
    assert [(claim, number) for claim, number, _ in found] == [("C1", "1"), ("C1", "2"), ("C2", "1")]
    said = f"claim is not UTF-8 text in payer, lines[1].procedure_code {REPLACED}"
    assert all(any(said in message for message in messages) for _, _, messages in found[:2])
    assert not any("UTF-8" in message for message in found[2][2])  # a clean claim of the file says nothing


def test_a_json_file_that_does_not_parse_once_its_bytes_are_replaced_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "claims.json"
    path.write_bytes(b'{"claim_id": "C1", "lines": [\xff')
    with pytest.raises(InputError, match="not UTF-8 text"):
        list(read_claims(path))


def test_a_utf16_json_file_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "claims.json"
    path.write_bytes('{"claim_id": "C1", "lines": []}'.encode("utf-16"))
    with pytest.raises(InputError):
        list(read_claims(path))
