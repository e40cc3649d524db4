"""Starting the ``claimcheck`` CLI: the installed command is the launcher, Ctrl-C while it loads ends with
130, and ``python -m claimcheck`` runs on all cores."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_runs import AS_OF, GOOD, SRC, claims_csv


def test_the_command_is_the_launcher_which_runs_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib.metadata import entry_points

    from claimcheck import launch

    (script,) = [point for point in entry_points(group="console_scripts") if point.name == "claimcheck"]
    assert script.value == "claimcheck.launch:run"
    monkeypatch.setattr(sys, "argv", ["claimcheck", "--version"])
    with pytest.raises(SystemExit) as ended:
        launch.run()
    assert ended.value.code == 0


def test_a_ctrl_c_while_the_cli_loads_ends_with_130_and_no_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import builtins

    from claimcheck import launch

    real_import = builtins.__import__

    def interrupted(name: str, *args: object, **kwargs: object) -> object:
        if name == "claimcheck.cli":
            raise KeyboardInterrupt
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", interrupted)
    with pytest.raises(SystemExit) as ended:
        launch.run()
    assert ended.value.code == 130
    assert capsys.readouterr().err == "claimcheck: interrupted\n"


def test_python_dash_m_claimcheck_runs_the_cli_on_all_cores(tmp_path: Path) -> None:
    # `python -m claimcheck` is how a user without the venv's bin on PATH runs it, workers included.
    report = tmp_path / "report.csv"
    args = ["check", str(claims_csv(tmp_path, GOOD)), "--format", "csv", "-o", str(report), "--jobs", "2", *AS_OF]
    done = subprocess.run(
        [sys.executable, "-m", "claimcheck", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (
        "python -m claimcheck"
        in subprocess.run(
            [sys.executable, "-m", "claimcheck", "--help"],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(SRC)},
            timeout=60,
            check=True,
        ).stdout
    )
    rows = report.read_text().splitlines()
    assert rows[0].startswith("claim_id,line_number,")
    assert {row.split(",")[0] for row in rows[1:]} == {"C1"}
