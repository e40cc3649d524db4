"""``serve``: run the service with uvicorn, in this process or in ``workers`` processes."""

from __future__ import annotations

import dataclasses
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from uvicorn.supervisors import Multiprocess

from claimcheck.service.app import create_app
from claimcheck.service.logs import log_config
from claimcheck.service.metrics import MULTIPROC_ENV
from claimcheck.service.rules import RulesHolder
from claimcheck.service.settings import SETTINGS_ENV, Settings

__all__ = ["serve"]


@contextmanager
def _shared_metrics_dir() -> Iterator[None]:
    """A directory where every worker writes its metrics (unless the operator chose one)."""
    if os.environ.get(MULTIPROC_ENV):
        yield
        return
    directory = tempfile.mkdtemp(prefix="claimcheck-metrics-")
    os.environ[MULTIPROC_ENV] = directory
    try:
        yield
    finally:
        del os.environ[MULTIPROC_ENV]
        shutil.rmtree(directory, ignore_errors=True)


def serve(settings: Settings) -> None:
    """Serve until SIGINT or SIGTERM. Raises ``RuleFileError``/``CodeSetError`` before listening
    when the rules do not load.

    One worker runs in this process and reloads its rules on SIGHUP. Several workers run under
    uvicorn's supervisor, which answers SIGHUP by replacing them one at a time; a replacement
    that cannot load the rules is not started and the old worker keeps serving.
    """
    if settings.workers == 1:
        app = create_app(dataclasses.replace(settings, reload_on_sighup=True))
        uvicorn.run(app, host=settings.host, port=settings.port, log_config=log_config(), access_log=False)
        return
    RulesHolder(settings)  # load once here: a broken pack stops serve with its message, before any worker
    with _shared_metrics_dir():
        os.environ[SETTINGS_ENV] = settings.to_env()
        config = uvicorn.Config(
            "claimcheck.service.app:app_from_env",
            factory=True,
            workers=settings.workers,
            host=settings.host,
            port=settings.port,
            log_config=log_config(),
            access_log=False,
        )
        _run_workers(config)


def _run_workers(config: uvicorn.Config) -> None:
    """What ``uvicorn.run`` does for several workers, with a listening socket that says it is TCP.

    uvicorn binds it with protocol 0, and asyncio sets TCP_NODELAY only on accepted sockets whose
    protocol is IPPROTO_TCP; without it every keep-alive response waits about 40 ms for the
    client's delayed ACK (uvicorn issue #3149). One worker binds through asyncio and is not hit.
    """
    bound = config.bind_socket()
    listener = socket.socket(bound.family, bound.type, socket.IPPROTO_TCP, fileno=bound.detach())
    listener.set_inheritable(True)
    with listener:
        Multiprocess(config, sockets=[listener]).run()
