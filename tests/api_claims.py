"""The public library API in tests: a good claim to validate, an ICD-10-CM order file with codes added."""

from __future__ import annotations

import gzip
from pathlib import Path

from tests.conftest import ROOT

__all__ = ["GOOD_CLAIM", "_write_order_file"]


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


def _write_order_file(path: Path, extra: dict[str, bool]) -> None:
    """An ICD-10-CM order file (the CDC layout) holding the shipped codes plus ``extra``."""
    data = ROOT / "src" / "claimcheck" / "refdata" / "data" / "icd10cm_2026.tsv.gz"
    rows = [line.split("\t") for line in gzip.decompress(data.read_bytes()).decode().splitlines()[1:]]
    codes = {code: flag == "Y" for code, flag, _ in rows} | extra
    with path.open("w", encoding="ascii") as stream:
        for order, code in enumerate(sorted(codes), start=1):
            stream.write(f"{order:05d} {code:<7} {int(codes[code])} {'short':<60} long title\n")
