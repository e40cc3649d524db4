"""Service settings: where the rules and API keys come from, and the checks made before starting.

A ``Settings`` that exists is one the service may start with: no API key means refusing to start
unless ``insecure_no_auth`` is set, and then only on 127.0.0.1, so an unauthenticated scrubber
(which sees patient data) can never listen on a network interface by mistake.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimcheck.errors import ClaimCheckError

__all__ = [
    "ADMIN_KEYS_ENV",
    "API_KEYS_ENV",
    "DEFAULT_MAX_BODY_BYTES",
    "LOOPBACK",
    "RELOADING_ENV",
    "SETTINGS_ENV",
    "ServiceConfigError",
    "Settings",
    "load_api_keys",
]

API_KEYS_ENV = "CLAIMCHECK_API_KEYS"
# Optional: when set, only these keys may reload the rules (they are taken everywhere else too).
ADMIN_KEYS_ENV = "CLAIMCHECK_ADMIN_KEYS"
# Worker processes started by uvicorn get their settings here (they cannot be handed objects).
SETTINGS_ENV = "CLAIMCHECK_SERVICE_SETTINGS"
# Set while serve's supervisor replaces the workers on SIGHUP: the load of a worker started then is
# a reload, which the metrics count (a worker started with the server, or after a crash, is none).
RELOADING_ENV = "CLAIMCHECK_SERVICE_RELOADING"
DEFAULT_MAX_BODY_BYTES = 5_000_000  # 5 MB
LOOPBACK = "127.0.0.1"


class ServiceConfigError(ClaimCheckError):
    """The service cannot start with these settings (no API key, a non-loopback insecure host, …)."""


def load_api_keys(
    file: Path | None, environ: Mapping[str, str] | None = None, variable: str = API_KEYS_ENV
) -> tuple[str, ...]:
    """The keys from ``file`` (one per line; blank lines and ``#`` comments ignored) when given,
    else from the environment ``variable`` (comma-separated; ``CLAIMCHECK_API_KEYS`` by default).
    Raises ``ServiceConfigError`` when the file cannot be read."""
    if file is not None:
        try:
            # utf-8-sig: Windows editors start a file with a byte-order mark, which is no part of a key.
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            kind = "admin" if variable == ADMIN_KEYS_ENV else "API"
            raise ServiceConfigError(f"{file}: cannot read the {kind} key file ({exc})") from None
        keys = (line.strip() for line in text.splitlines())
        return tuple(key for key in keys if key and not key.startswith("#"))
    raw = (os.environ if environ is None else environ).get(variable, "")
    return tuple(key.strip() for key in raw.split(",") if key.strip())


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service needs to start; checked on construction."""

    api_keys: tuple[str, ...] = ()
    # Where the keys were read from, so that worker processes read them again themselves
    # instead of receiving them through the environment.
    api_keys_file: Path | None = None
    # Keys that may also reload the rules; when there are none, every API key may.
    admin_keys: tuple[str, ...] = ()
    admin_keys_file: Path | None = None
    insecure_no_auth: bool = False
    host: str = LOOPBACK
    port: int = 8000
    workers: int = 1
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    rules_dir: Path | None = None
    code_sets: Mapping[str, str] = field(default_factory=dict)
    ptp: tuple[Path, ...] = ()
    mue: Path | None = None
    # Only the process that owns the event loop's main thread may install a signal handler.
    reload_on_sighup: bool = False

    def __post_init__(self) -> None:
        for name in ("api_keys", "admin_keys"):
            if isinstance(getattr(self, name), (str, bytes)):
                # Iterated, one key given as text made each of its characters a key, and itself none.
                raise TypeError(f"{name} must be a tuple of keys, not one key as text: Settings({name}=(key,))")
        if self.admin_keys_file is not None and not self.admin_keys:
            raise ServiceConfigError(
                f"{self.admin_keys_file}: the admin key file holds no key (one a line; blank lines and "
                "# comments are ignored)"
            )
        if self.admin_keys and self.insecure_no_auth:
            raise ServiceConfigError("admin keys are configured and --insecure-no-auth is given; choose one")
        if self.api_keys and self.insecure_no_auth:
            raise ServiceConfigError("API keys are configured and --insecure-no-auth is given; choose one")
        if not self.api_keys and not self.insecure_no_auth:
            if self.api_keys_file is not None:  # "give --api-keys FILE" would not help: it was given
                raise ServiceConfigError(
                    f"{self.api_keys_file}: the API key file holds no key (one a line; blank lines and "
                    "# comments are ignored)"
                )
            raise ServiceConfigError(
                f"no API key configured: give --api-keys FILE or set {API_KEYS_ENV} "
                "(--insecure-no-auth serves without keys, on 127.0.0.1 only)"
            )
        if self.insecure_no_auth and self.host != LOOPBACK:
            raise ServiceConfigError(
                f"--insecure-no-auth only binds to {LOOPBACK}; refusing host {self.host!r} (configure API keys instead)"
            )
        if self.workers < 1:
            raise ServiceConfigError(f"--workers must be at least 1, not {self.workers}")
        if not 0 <= self.port <= 65535:
            raise ServiceConfigError(f"--port must be between 0 and 65535, not {self.port}")
        if self.max_body_bytes < 1:
            raise ServiceConfigError(f"--max-body-bytes must be positive, not {self.max_body_bytes}")

    @classmethod
    def from_options(
        cls, *, api_keys_file: Path | None = None, admin_keys_file: Path | None = None, **options: Any
    ) -> Settings:
        """Settings from command-line options, reading the keys from the files or the environment."""
        return cls(
            api_keys=load_api_keys(api_keys_file),
            api_keys_file=api_keys_file,
            admin_keys=load_api_keys(admin_keys_file, variable=ADMIN_KEYS_ENV),
            admin_keys_file=admin_keys_file,
            **options,
        )

    def to_env(self) -> str:
        """These settings without the keys, as JSON for ``SETTINGS_ENV``."""
        data = dataclasses.asdict(self)
        del data["api_keys"], data["admin_keys"]
        return json.dumps(data, default=str)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings a parent process put in ``SETTINGS_ENV``, with the keys read again."""
        env = os.environ if environ is None else environ
        data = json.loads(env[SETTINGS_ENV])
        for name in ("api_keys_file", "admin_keys_file", "rules_dir", "mue"):
            data[name] = Path(data[name]) if data[name] is not None else None
        data["ptp"] = tuple(Path(p) for p in data["ptp"])
        return cls(
            api_keys=load_api_keys(data["api_keys_file"], env),
            admin_keys=load_api_keys(data["admin_keys_file"], env, ADMIN_KEYS_ENV),
            **data,
        )
