"""The rule set in service, loaded at start and swapped whole on reload.

A request reads ``RulesHolder.current`` once and uses that rule set to the end, so it never sees
half of an old pack and half of a new one. A reload builds the new ``RuleSet`` completely (it is
immutable) and only then replaces the one reference; a pack that does not load raises and leaves
the old one in service.
"""

from __future__ import annotations

import contextlib
import logging
import threading

from claimcheck.engine.ruleset import RuleSet, load_rules
from claimcheck.errors import ClaimCheckError
from claimcheck.service.logs import EVENT_LOGGER
from claimcheck.service.metrics import Metrics
from claimcheck.service.settings import Settings

__all__ = ["RulesHolder"]

_log = logging.getLogger(EVENT_LOGGER)


class RulesHolder:
    """The rules in service. ``metrics``, when given, learn what is loaded and how reloads go;
    ``reloading`` says that this load at start is a reload (a worker replacing one on SIGHUP)."""

    def __init__(self, settings: Settings, metrics: Metrics | None = None, *, reloading: bool = False) -> None:
        self._settings = settings
        self._metrics = metrics
        # Two reloads at once would both work, but the later to finish would win whatever its start.
        self._reloading = threading.Lock()
        try:
            self.current: RuleSet = self._load()
        except ClaimCheckError:
            if reloading and metrics is not None:
                metrics.rules_reloaded(ok=False)
            raise
        if metrics is not None:
            metrics.rules_in_service(self.current)
            if reloading:
                metrics.rules_reloaded(ok=True)

    def _load(self) -> RuleSet:
        settings = self._settings
        return load_rules(
            settings.rules_dir,
            code_sets=dict(settings.code_sets) or None,
            ptp=list(settings.ptp) or None,
            mue=settings.mue,
        )

    def reload(self, *, count_success: bool = True) -> RuleSet:
        """Load the rules again from the same places and put them in service.

        Raises ``RuleFileError`` or ``CodeSetError`` (and keeps the old rules) when they do not
        load; the refusal is logged and counted too, so that operators see it whoever asked for
        the reload. ``count_success=False`` leaves a success uncounted, for a caller that has every
        worker replaced next, each replacement counting it.
        """
        with self._reloading:
            previous = self.current.version
            try:
                fresh = self._load()
            except ClaimCheckError as exc:
                _log.error(
                    "rules reload refused; the previous rules stay in service",
                    extra={"fields": {"error": str(exc), "rules_version": previous}},
                )
                if self._metrics is not None:
                    self._metrics.rules_reloaded(ok=False)
                raise
            self.current = fresh
            if self._metrics is not None:
                self._metrics.rules_in_service(fresh)
                if count_success:
                    self._metrics.rules_reloaded(ok=True)
        _log.info("rules reloaded", extra={"fields": {"rules_version": fresh.version, "previous": previous}})
        return fresh

    def reload_logged(self) -> None:
        """``reload`` for a signal handler, which has no one to answer but the log ``reload`` writes."""
        with contextlib.suppress(ClaimCheckError):
            self.reload()
