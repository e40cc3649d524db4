"""``serve``: run the service with uvicorn, in this process or in ``workers`` processes."""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from uvicorn.supervisors import Multiprocess

from claimcheck.service.app import create_app
from claimcheck.service.logs import EVENT_LOGGER, log_config
from claimcheck.service.metrics import MULTIPROC_ENV, discard_stale_gauges
from claimcheck.service.rules import RulesHolder
from claimcheck.service.settings import RELOADING_ENV, SETTINGS_ENV, ServiceConfigError, Settings

__all__ = ["serve"]

_BACKLOG = 2048  # uvicorn's default


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
    when the rules do not load, ``ServiceConfigError`` when the host and port cannot be bound.

    One worker runs in this process and reloads its rules on SIGHUP. Several workers run under
    uvicorn's supervisor, which answers SIGHUP by replacing them one at a time; a replacement
    that cannot load the rules is not started and the old worker keeps serving.
    """
    _check_metrics_dir()
    if settings.workers == 1:
        discard_stale_gauges()
        app = create_app(dataclasses.replace(settings, reload_on_sighup=True))
        with _listening_socket(settings.host, settings.port) as listener:
            config = uvicorn.Config(
                app, host=settings.host, port=settings.port, log_config=log_config(), access_log=False
            )
            server = uvicorn.Server(config)
            _log_listening(listener, settings.workers)
            try:
                server.run(sockets=[listener])
            except KeyboardInterrupt:
                # uvicorn stops on Ctrl-C, then raises it again once it has put the handlers back.
                return
        if not server.started:
            raise ServiceConfigError("the server did not start; its log above says why")
        return
    RulesHolder(settings)  # load once here: a broken pack stops serve with its message, before any worker
    with _listening_socket(settings.host, settings.port) as listener, _shared_metrics_dir():
        listener.set_inheritable(True)
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
        _log_listening(listener, settings.workers)
        _Supervisor(config, sockets=[listener]).run()


class _Supervisor(Multiprocess):
    """uvicorn's supervisor, which tells the workers it starts on SIGHUP that they are a reload."""

    def restart_all(self) -> None:
        # Workers are started with this process's environment; only SIGHUP restarts them all.
        os.environ[RELOADING_ENV] = "1"
        try:
            super().restart_all()
        finally:
            del os.environ[RELOADING_ENV]


def _check_metrics_dir() -> None:
    """Raises ``ServiceConfigError`` when the operator's ``PROMETHEUS_MULTIPROC_DIR`` cannot take
    the metrics: prometheus_client fails at the first metric, in every worker, with a traceback."""
    directory = os.environ.get(MULTIPROC_ENV)
    if directory and not (os.path.isdir(directory) and os.access(directory, os.W_OK | os.X_OK)):
        raise ServiceConfigError(f"{MULTIPROC_ENV}={directory}: not a directory the service can write its metrics in")


def _log_listening(listener: socket.socket, workers: int) -> None:
    """Say where the service listens, with the port the system chose for ``--port 0``: uvicorn
    says nothing of the address when it is handed a socket (and the logging is set up by now)."""
    host, port = listener.getsockname()[:2]
    url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    logging.getLogger(EVENT_LOGGER).info(f"listening on {url}", extra={"fields": {"url": url, "workers": workers}})


def _listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port``; raises ``ServiceConfigError`` when it cannot be bound.

    Bound here rather than by uvicorn, which logs a failure as JSON and exits with status 3: the
    command line's convention is one ``claimcheck: error:`` line and status 2. The protocol is
    given as IPPROTO_TCP because asyncio sets TCP_NODELAY only on accepted sockets that say so;
    without it every keep-alive response waits about 40 ms for the client's delayed ACK
    (uvicorn issue #3149, where uvicorn binds with protocol 0).
    """
    try:
        family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    except OSError as exc:
        raise ServiceConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    except UnicodeError:
        # A label that is empty (a..b) or over 63 characters fails its IDNA encoding before any lookup.
        raise ServiceConfigError(f"cannot listen on {host}:{port}: not a host name or IP address") from None
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(_BACKLOG)  # connections wait in the backlog until the workers accept them
    except OSError as exc:
        listener.close()
        raise ServiceConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return listener
