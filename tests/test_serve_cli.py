"""``claimcheck serve`` refuses to start in unsafe ways, with a message and exit 2."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimcheck.cli import main


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ([], "no API key configured"),
        (["--insecure-no-auth", "--host", "0.0.0.0"], "127.0.0.1"),
        (["--insecure-no-auth", "--rules", "/no/such/pack"], "not found"),
    ],
)
def test_serve_refuses_to_start(arguments: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["serve", *arguments], env={"CLAIMCHECK_API_KEYS": ""})
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_with_a_key_file_that_holds_no_key_names_the_file(tmp_path: Path) -> None:
    keys = tmp_path / "keys.txt"
    keys.write_text("# service keys\n\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["serve", "--api-keys", str(keys)], env={"CLAIMCHECK_API_KEYS": ""})
    assert result.exit_code == 2
    assert f"{keys}: the API key file holds no key" in result.stderr
    assert "give --api-keys" not in result.stderr


def test_serve_limits_bodies_to_5_mb_by_default() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"], terminal_width=200)
    assert "default: 5000000" in result.output


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_on_a_port_in_use_says_so_and_exits_2(workers: str) -> None:
    pytest.importorskip("uvicorn")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        arguments = ["serve", "--insecure-no-auth", "--port", str(port), "--workers", workers]
        result = CliRunner().invoke(main, arguments, env={"CLAIMCHECK_API_KEYS": ""})
    assert result.exit_code == 2
    assert result.stderr == f"claimcheck: error: cannot listen on 127.0.0.1:{port}: Address already in use\n"


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize("host", ["a..b", "x" * 64 + ".example"])
def test_serve_on_a_host_that_is_no_host_name_says_so_and_exits_2(workers: str, host: str) -> None:
    # An empty or over-long label fails the host name's IDNA encoding: that was a UnicodeError traceback, exit 1.
    pytest.importorskip("uvicorn")
    arguments = ["serve", "--host", host, "--port", "0", "--workers", workers]
    result = CliRunner().invoke(main, arguments, env={"CLAIMCHECK_API_KEYS": "k1"})
    assert result.exit_code == 2
    assert result.stderr == f"claimcheck: error: cannot listen on {host}:0: not a host name or IP address\n"


def test_serve_logs_where_it_listens_with_the_port_the_system_chose(tmp_path) -> None:
    pytest.importorskip("uvicorn")
    import json
    import subprocess
    import sys
    import time
    import urllib.request

    keys = tmp_path / "keys.txt"
    keys.write_text("k1\n", encoding="utf-8")
    command = [sys.executable, "-m", "claimcheck.cli", "serve", "--port", "0", "--api-keys", str(keys)]
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        deadline, url = time.monotonic() + 60, None
        while url is None and time.monotonic() < deadline:
            record = json.loads(server.stderr.readline() or "{}")  # type: ignore[union-attr]
            url = record.get("url")
        assert url is not None and not url.endswith(":0")
        with urllib.request.urlopen(f"{url}/healthz", timeout=10) as response:
            assert json.load(response) == {"status": "ok"}
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_with_a_metrics_directory_that_is_not_one_says_so_and_exits_2(tmp_path: Path, workers: str) -> None:
    # prometheus_client writes each worker's metrics there: a missing directory was a traceback
    # from the first metric (one worker), or from every worker while the supervisor gave up (two).
    pytest.importorskip("uvicorn")
    import os
    import subprocess
    import sys

    missing = tmp_path / "no-such-dir"
    command = [
        sys.executable,
        "-m",
        "claimcheck.cli",
        "serve",
        "--insecure-no-auth",
        "--port",
        "0",
        "--workers",
        workers,
    ]
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(missing), "CLAIMCHECK_API_KEYS": ""}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 2
    assert result.stderr == (
        f"claimcheck: error: PROMETHEUS_MULTIPROC_DIR={missing}: not a directory the service can write its metrics in\n"
    )


def test_serve_runs_no_more_workers_than_cores_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("uvicorn")
    import claimcheck.io.workers as workers
    import claimcheck.service.server as server

    started = []
    monkeypatch.setattr(workers, "default_jobs", lambda: 2)
    monkeypatch.setattr(server, "serve", started.append)
    arguments = ["serve", "--insecure-no-auth", "--workers", "500"]
    result = CliRunner().invoke(main, arguments, env={"CLAIMCHECK_API_KEYS": ""})
    assert result.exit_code == 0, result.stderr
    assert [settings.workers for settings in started] == [2]
    assert result.stderr == (
        "claimcheck: --workers 500 is more than the 2 cores this service may use: it runs 2 workers\n"
    )
    started.clear()
    result = CliRunner().invoke(
        main, ["serve", "--insecure-no-auth", "--workers", "2"], env={"CLAIMCHECK_API_KEYS": ""}
    )
    assert [settings.workers for settings in started] == [2] and result.stderr == ""


def test_serve_without_the_service_extra_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    for name in [name for name in sys.modules if name.startswith("claimcheck.service.") or name == "fastapi"]:
        if name != "claimcheck.service.settings":
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "fastapi", None)  # as if not installed: importing it fails
    result = CliRunner().invoke(main, ["serve", "--insecure-no-auth"], env={"CLAIMCHECK_API_KEYS": ""})
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "claimcheck: error: serve needs the service extra: pip install 'claimcheck[service]'"
    )
    assert "Traceback" not in result.stderr


def test_serve_interrupted_while_it_starts_ends_with_130_as_check_does(monkeypatch: pytest.MonkeyPatch) -> None:
    # Ctrl-C while the rules load was click's "Aborted!" and status 1, which claimcheck gives to failing lines.
    pytest.importorskip("uvicorn")
    import claimcheck.service.server as server

    def interrupted(_settings: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(server, "serve", interrupted)
    result = CliRunner().invoke(main, ["serve", "--insecure-no-auth"], env={"CLAIMCHECK_API_KEYS": ""})
    assert result.exit_code == 130
    assert result.stderr == "claimcheck: interrupted\n"
