"""``claimcheck serve``: the pre-submission scrubbing service, started from the command line."""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any

import click

from claimcheck.cli_options import ExistingFile, code_set_option, mue_option, ptp_option, reports_errors, rules_option

__all__ = ["serve"]


def _interrupt_ends_130(function: Any) -> Any:
    """Ctrl-C before the server takes SIGINT over (while the rules load) ends with the shell's
    130, as `check` does, not click's "Aborted!" and 1, the status of failing lines. Once it
    serves, Ctrl-C is a clean stop."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except KeyboardInterrupt:
            click.echo("claimcheck: interrupted", err=True)
            sys.exit(130)

    return wrapper


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes, at most one per core (more is cut to the cores, with a note on stderr).",
)
@click.option(
    "--api-keys",
    "api_keys_file",
    type=ExistingFile(),
    help="File of API keys, one a line (blank lines and # comments ignored); default: the "
    "CLAIMCHECK_API_KEYS environment variable (comma-separated).",
)
@click.option(
    "--admin-keys",
    "admin_keys_file",
    type=ExistingFile(),
    help="File of admin keys, one a line: when given (or the CLAIMCHECK_ADMIN_KEYS environment variable, "
    "comma-separated), only these keys may POST /v1/rules:reload; they are taken everywhere else too.",
)
@click.option("--insecure-no-auth", is_flag=True, help="Serve without API keys, on 127.0.0.1 only (local testing).")
@click.option(
    "--max-body-bytes",
    type=click.IntRange(min=1),
    default=5_000_000,
    show_default=True,
    help="Largest request body accepted, in bytes; larger ones get 413.",
)
@rules_option
@code_set_option
@ptp_option
@mue_option
@reports_errors
@_interrupt_ends_130
def serve(
    host: str,
    port: int,
    workers: int,
    api_keys_file: Path | None,
    admin_keys_file: Path | None,
    insecure_no_auth: bool,
    max_body_bytes: int,
    rules_dir: Path | None,
    code_sets: dict[str, str],
    ptp: tuple[Path, ...],
    mue: Path | None,
) -> None:
    """Run the pre-submission scrubbing service (HTTP API; pip install 'claimcheck[service]').

    SIGHUP or POST /v1/rules:reload loads the rules again; a broken pack is refused and the old
    rules stay in service.
    """
    from claimcheck.io.workers import usable_jobs
    from claimcheck.service.settings import Settings

    cores = usable_jobs(workers)
    if cores < workers:
        # Each worker loads the rules (100+ MB); past the cores they only take memory.
        click.echo(
            f"claimcheck: --workers {workers} is more than the {cores} cores this service may use: "
            f"it runs {cores} workers",
            err=True,
        )
        workers = cores
    settings = Settings.from_options(
        api_keys_file=api_keys_file,
        admin_keys_file=admin_keys_file,
        insecure_no_auth=insecure_no_auth,
        host=host,
        port=port,
        workers=workers,
        max_body_bytes=max_body_bytes,
        rules_dir=rules_dir,
        code_sets=code_sets,
        ptp=ptp,
        mue=mue,
    )
    try:
        from claimcheck.service.server import serve as run_service
    except ModuleNotFoundError as exc:
        click.echo(
            f"claimcheck: error: serve needs the service extra: pip install 'claimcheck[service]' ({exc})", err=True
        )
        sys.exit(2)
    run_service(settings)
