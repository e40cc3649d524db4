"""The claimcheck scrubbing service (``claimcheck serve``; needs the ``service`` extra).

``create_app(Settings(...))`` builds the FastAPI app; ``serve(settings)`` runs it with uvicorn.
Endpoints: ``POST /v1/claims:validate``, ``POST /v1/x12:validate``, ``GET /v1/rules``,
``POST /v1/rules:reload``, ``GET /healthz``, ``GET /metrics``, ``GET /openapi.json`` and ``GET /``,
an index of them.

``Settings`` needs only the standard library, so the command line can check its options (and
``claimcheck --help`` stay quick) without FastAPI; ``create_app`` and ``serve`` load it on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from claimcheck.service.settings import ServiceConfigError, Settings

if TYPE_CHECKING:
    from claimcheck.service.app import create_app
    from claimcheck.service.server import serve

__all__ = ["ServiceConfigError", "Settings", "create_app", "serve"]

_LAZY = {"create_app": "claimcheck.service.app", "serve": "claimcheck.service.server"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'claimcheck.service' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
