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
from claimcheck.service.settings import Settings

__all__ = ["RulesHolder"]

_log = logging.getLogger(EVENT_LOGGER)


class RulesHolder:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        # Two reloads at once would both work, but the later to finish would win whatever its start.
        self._reloading = threading.Lock()
        self.current: RuleSet = self._load()

    def _load(self) -> RuleSet:
        settings = self._settings
        return load_rules(
            settings.rules_dir,
            code_sets=dict(settings.code_sets) or None,
            ptp=list(settings.ptp) or None,
            mue=settings.mue,
        )

    def reload(self) -> RuleSet:
        """Load the rules again from the same places and put them in service.

        Raises ``RuleFileError`` or ``CodeSetError`` (and keeps the old rules) when they do not
        load; the refusal is logged too, so that operators see it whoever asked for the reload.
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
                raise
            self.current = fresh
        _log.info("rules reloaded", extra={"fields": {"rules_version": fresh.version, "previous": previous}})
        return fresh

    def reload_logged(self) -> None:
        """``reload`` for a signal handler, which has no one to answer but the log ``reload`` writes."""
        with contextlib.suppress(ClaimCheckError):
            self.reload()
