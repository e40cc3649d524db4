"""Running the ``claimcheck`` CLI in tests: invoke, a claims CSV of good, warning and failing lines, a
broken copy of the rule pack."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from click.testing import CliRunner, Result

from claimcheck.cli import main

__all__ = [
    "AS_OF",
    "FAIL",
    "GOOD",
    "HEADER",
    "RULEPACK",
    "SRC",
    "WARN",
    "WIDE",
    "broken_pack",
    "check_json",
    "claims_csv",
    "invoke",
]


SRC = Path(__file__).resolve().parent.parent / "src"
RULEPACK = SRC / "claimcheck" / "rulepack"
HEADER = (
    "claim_id,line_number,procedure_code,modifiers,diagnosis_codes,rendering_taxonomy,rendering_npi,units,"
    "date_of_service,place_of_service"
)
GOOD = "C1,1,0711T,26,I70.213,2085R0202X,1234567893,1,2026-03-10,22"
WARN = "C2,1,0711T,78,I70.213,2085R0202X,1234567893,1,2026-03-10,22"
FAIL = "C3,1,0711T,GN,I70.213,2085R0202X,1234567893,1,2026-03-10,22"
AS_OF = ["--as-of", "2026-11-22"]
WIDE = {"COLUMNS": "250"}


def invoke(*args: str | Path, env: dict[str, str] | None = None, input: str | bytes | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env=env, input=input)


def claims_csv(tmp_path: Path, *rows: str, name: str = "claims.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def check_json(*args: str | Path) -> dict:
    result = invoke("check", *args, "--format", "json", *AS_OF)
    assert result.exit_code in (0, 1), result.output + result.stderr
    return json.loads(result.stdout)


def broken_pack(tmp_path: Path) -> tuple[Path, Path, int]:
    """A copy of the shipped pack whose 0711T profile gives modifiers[0] the status ``maybe``."""
    pack = tmp_path / "rules"
    shutil.copytree(RULEPACK, pack)
    profile = pack / "procedures" / "0711T.yaml"
    lines = profile.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, text in enumerate(lines) if re.match(r"\s+status: pass\s*$", text))
    lines[number] = lines[number].replace("status: pass", "status: maybe")
    profile.write_text("".join(lines), encoding="utf-8")
    return pack, profile, number + 1
