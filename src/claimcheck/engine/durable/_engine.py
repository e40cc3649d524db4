"""Loading durable-rules lazily, and the one kind of host the executor uses.

durable-rules is an optional C extension that does not build on Python 3.13, so nothing here
imports it until an executor is made, and a missing install becomes a ``ClaimCheckError``.
"""

from __future__ import annotations

import itertools
import os
import threading
from types import ModuleType
from typing import Any

from claimcheck.errors import ClaimCheckError

__all__ = ["MISSING_MESSAGE", "load_engine", "new_host", "unique_name"]

MISSING_MESSAGE = "the durable executor needs the extra: pip install 'claimcheck[durable]' (Python < 3.13)"

_names = itertools.count(1)
_host_class: type[Any] | None = None
_host_class_lock = threading.Lock()


def load_engine() -> ModuleType:
    """``durable.engine``, or a ``ClaimCheckError`` telling how to install it."""
    try:
        from durable import engine
    except ImportError as exc:
        raise ClaimCheckError(MISSING_MESSAGE) from exc
    return engine


def unique_name(prefix: str, length: int) -> str:
    """A ruleset name no other executor of this process uses (durable keys rulesets by name),
    padded to ``length`` characters (see ``DurableExecutor`` for why the length matters)."""
    return f"{prefix}_{os.getpid()}_{next(_names)}_".ljust(length, "x")


def _synchronous_host_class(engine: ModuleType) -> type[Any]:
    global _host_class
    with _host_class_lock:
        if _host_class is None:

            class SynchronousHost(engine.Host):  # type: ignore[name-defined,misc]
                """A host that runs actions only inside ``assert_fact``/``retract_fact``, in the caller's thread.

                ``Host.__init__`` calls ``_run``, which starts two timer threads that re-arm forever
                and call ``Ruleset.dispatch``: that picks up pending actions of any state and runs them
                on the timer thread, racing the thread that asserted the fact (findings recorded late or
                on the wrong claim), and the threads are never stopped. We never use timers or async
                actions, so nothing needs dispatching: every action of an assert is run by that assert.
                """

                def _run(self) -> None:
                    return None

            _host_class = SynchronousHost
        return _host_class


def new_host(engine: ModuleType, definitions: dict[str, dict[str, Any]]) -> Any:
    """A host of its own for one executor, holding ``definitions`` (ruleset name -> rules)."""
    return _synchronous_host_class(engine)(definitions)
