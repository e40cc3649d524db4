"""The batch pipeline in tests: running ``claimcheck check`` on a file, the demo claims, and a generated
file of several Arrow blocks."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.generate import generate
from click.testing import CliRunner

from claimcheck.cli import main
from tests.conftest import ROOT

__all__ = ["AS_OF", "DEMO", "_check", "generated_fixture"]


DEMO = ROOT / "fixtures" / "demo" / "claims.csv"
AS_OF = ["--as-of", "2026-11-22", "--fail-on", "never", "--quiet"]


def _check(path: Path, output: Path, *args: str) -> bytes:
    result = CliRunner().invoke(main, ["check", str(path), "-o", str(output), *AS_OF, *args])
    assert result.exit_code == 0, result.stderr
    return output.read_bytes()


@pytest.fixture(name="generated", scope="module")
def generated_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Several Arrow blocks' worth, with the generator's bad rows.
    return generate(tmp_path_factory.mktemp("claims") / "claims.csv", 20_000, seed=21)
