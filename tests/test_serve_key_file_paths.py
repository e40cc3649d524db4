"""``serve --api-keys`` and ``--admin-keys`` read '~' as check's file options do."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from claimcheck.cli import main


@pytest.mark.parametrize("option", ["--api-keys", "--admin-keys"])
def test_a_key_file_after_equals_is_found_under_home(
    option: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The shell expands '~' only at the start of a word: '--api-keys=~/keys' reached serve as it
    # was typed, which was 'does not exist', where '--ptp=~/...' is found.
    pytest.importorskip("uvicorn")
    import claimcheck.service.server as server

    started = []
    monkeypatch.setattr(server, "serve", started.append)
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "keys").write_text("a-key-of-the-file\n", encoding="utf-8")
    arguments = ["serve", f"{option}=~/keys"]
    if option == "--admin-keys":
        arguments.append(f"--api-keys={tmp_path / 'keys'}")
    result = CliRunner().invoke(main, arguments, env={"CLAIMCHECK_API_KEYS": "", "CLAIMCHECK_ADMIN_KEYS": ""})
    assert result.exit_code == 0, result.stderr
    (settings,) = started
    kind = "api_keys" if option == "--api-keys" else "admin_keys"
    assert getattr(settings, kind) == ("a-key-of-the-file",)
    assert getattr(settings, f"{kind}_file") == tmp_path / "keys"
