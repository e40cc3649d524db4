"""FHIR input in tests: the fixture files, writing a variant of one, reading its lines and their problems."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import claimcheck
from claimcheck.io import readers
from claimcheck.io.files import validate_file
from claimcheck.io.readers.fhir import read_fhir
from claimcheck.models.parse import ParsedLine
from tests.conftest import AS_OF, ROOT

__all__ = ["FIXTURES", "check", "fhir_registered", "fixture", "lines_of", "problems", "write"]


FIXTURES = ROOT / "fixtures" / "fhir"


def lines_of(path: Path) -> list[ParsedLine]:
    return [line for claim in read_fhir(path) for line in claim.lines]


def problems(line: ParsedLine) -> list[tuple[str, str]]:
    return [(problem.field, problem.message) for problem in line.problems]


def write(tmp_path: Path, data: Any, name: str = "claim.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


@pytest.fixture
def fhir_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``input_format="fhir"`` work whether or not the registry has been wired yet."""
    monkeypatch.setitem(readers.READERS, "fhir", read_fhir)


def check(path: Path, ruleset: claimcheck.RuleSet) -> claimcheck.Report:
    return validate_file(path, rules=ruleset, as_of=AS_OF, input_format="fhir")
