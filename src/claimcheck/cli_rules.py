"""``claimcheck rules list`` and ``claimcheck rules show``: print what the engine will apply."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from claimcheck.cli_choices import did_you_mean
from claimcheck.engine.claim_checks.units import MUE_SCOPES
from claimcheck.engine.ruleset import RuleSet
from claimcheck.io.writers.console import ReportConsole
from claimcheck.models.finding import Status
from claimcheck.rules.schema import PROCEDURE_CODE

__all__ = ["print_rule_detail", "print_rule_list"]

_STYLE = {Status.PASS: "green", Status.WARN: "yellow", Status.FAIL: "bold red"}


def _document_code(code: object) -> str:
    if code is None:
        return ""
    return ", ".join(code) if isinstance(code, (list, tuple)) else str(code)


def _in_force(entry: Any) -> str:
    """When a dated rule or entry applies ("from 2026-01-01 to 2026-12-31"); "" when always."""
    parts = []
    if entry.effective is not None:
        parts.append(f"from {entry.effective.isoformat()}")
    if entry.expires is not None:
        parts.append(f"to {entry.expires.isoformat()}")
    return " ".join(parts)


def _cited(entry: Any) -> str:
    return f"{entry.source.document} / {entry.source.section}"


def _cites_elsewhere(profile: Any, entries: Any) -> bool:
    """Whether an entry cites another document than its profile (a payer's policy in a pack of
    one's own): then each entry's source is shown, as its findings give it."""
    return any(entry.source.document != profile.source.document for entry in entries or ())


def _console() -> Console:
    # Piped output has no terminal width; wide enough that rule ids and codes are never cut.
    console = ReportConsole()
    return console if console.is_terminal else ReportConsole(width=200)


def print_rule_list(ruleset: RuleSet, console: Console | None = None) -> None:
    console = console or _console()
    manifest = ruleset.pack.manifest
    versions = ", ".join(f"{k} {v}" for k, v in ruleset.code_set_versions().items())
    console.print(f"[bold]{escape(manifest.name)}[/] {manifest.version} ({escape(ruleset.pack.path)})")
    console.print(f"code sets: {versions}")

    profiles = Table(title="procedure profiles")
    profiles.add_column("code", no_wrap=True, min_width=5)
    for column in ("title", "modifiers", "diagnoses", "specialties", "source"):
        profiles.add_column(column, overflow="fold")
    for code, compiled in ruleset.profiles.items():
        profile = compiled.profile
        profiles.add_row(
            code,
            escape(profile.title),
            str(len(profile.modifiers)),
            "-" if profile.diagnoses is None else str(len(profile.diagnoses)),
            "-" if profile.specialties is None else str(len(profile.specialties)),
            escape(profile.source.document),
        )
    console.print(profiles)

    general = Table(title="general rules (every line)")
    # On a narrow terminal the ids, which 'rules show ID' takes, keep their width; the other
    # columns fold rather than end in "…".
    widest = max((len(loaded.rule.id) for loaded in ruleset.pack.rules), default=7)
    general.add_column("rule id", no_wrap=True, min_width=widest)
    for column in ("check", "kind", "when broken", "summary"):
        general.add_column(column, overflow="fold")
    for loaded in ruleset.pack.rules:
        rule = loaded.rule
        general.add_row(
            rule.id,
            rule.check.value,
            rule.kind,
            f"[{_STYLE[rule.status]}]{rule.status.value}[/]",
            escape(rule.summary),
        )
    console.print(general)


def _print_general_rule(ruleset: RuleSet, rule_id: str, console: Console) -> bool:
    for loaded in ruleset.pack.rules:
        rule = loaded.rule
        if rule_id.lower() in (rule.id, *(alias.lower() for alias in rule.aliases)):
            console.print(f"[bold]{rule.id}[/] ({rule.check.value}, {rule.kind}; {rule.status.value} when broken)")
            console.print(escape(rule.summary))
            console.print(f"[dim]why:[/] {escape(rule.why)}")
            console.print(f"[dim]source:[/] {escape(rule.source.document)} / {escape(rule.source.section or '')}")
            console.print(f"[dim]file:[/] {escape(loaded.file)}:{loaded.line}")
            if rule.dated:
                console.print(f"[dim]in force:[/] {_in_force(rule)}")
            _print_params(rule.params, console)
            _print_cms_table(ruleset, rule.kind, console)
            return True
    return False


def _flow(value: object) -> str:
    """A params value as the pack writes it, in YAML flow style: [26, TC], {code: 77011, ...}."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key}: {_flow(item)}" for key, item in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_flow(item) for item in value) + "]"
    return str(value)


def _print_params(params: Mapping[str, object], console: Console) -> None:
    """A rule's params, one list item or mapping key a line, so an edit to them can be checked."""
    if params:
        console.print("[dim]params:[/]")
    for key, value in params.items():
        if isinstance(value, Mapping) and value:
            console.print(f"  {escape(key)}:")
            for name, item in value.items():
                console.print(f"    {escape(str(name))}: {escape(_flow(item))}", soft_wrap=True)
        elif isinstance(value, tuple) and value and all(isinstance(item, (Mapping, tuple)) for item in value):
            console.print(f"  {escape(key)}:")
            for item in value:
                console.print(f"    - {escape(_flow(item))}", soft_wrap=True)
        else:
            console.print(f"  {escape(key)}: {escape(_flow(value))}", soft_wrap=True)


def _print_cms_table(ruleset: RuleSet, kind: str, console: Console) -> None:
    """The --ptp or --mue table a rule of ``kind`` applies besides its own entries."""
    if kind == "ptp_pairs" and ruleset.ptp is not None:
        info, size, unit = ruleset.ptp.info, len(ruleset.ptp), "rows"
        replaces = "for a pair it lists, its rows replace this rule's entries"
    elif kind == "mue_units" and ruleset.mue is not None:
        info, size, unit = ruleset.mue.info, len(ruleset.mue), "limits"
        replaces = "for a code it lists, its limit replaces this rule's"
    else:
        return
    console.print(f"[dim]table:[/] {escape(info.label)}: {size:,} {unit} ({escape(info.source)}); {replaces}")


def _ptp_in_force(effective: date, deletion: date | None) -> str:
    # CMS's deletion date is the first day without the edit; shown as the last day with it, as
    # the pack's `expires` and the findings' sources give it.
    if deletion is None:
        return f"from {effective.isoformat()}"
    if deletion <= effective:
        return f"never (deleted {deletion.isoformat()}, the day it took effect)"
    return f"from {effective.isoformat()} to {(deletion - timedelta(days=1)).isoformat()}"


def _print_cms_rows(ruleset: RuleSet, code: str, console: Console) -> None:
    """The rows of the --ptp and --mue tables that name ``code``: what a run given them applies."""
    if ruleset.ptp is not None:
        label, edits = escape(ruleset.ptp.info.label), ruleset.ptp.naming(code)
        if not edits:
            console.print(f"{label}: no pair names {code}")
        else:
            table = Table(title=f"{label}: pairs naming {code} (for a pair listed here, these rows replace the pack's)")
            for column in ("column 1", "column 2", "in force", "modifier indicator", "rationale", "row"):
                table.add_column(column, overflow="fold")
            for edit in edits:
                cells = (edit.column1, edit.column2, _ptp_in_force(edit.effective, edit.deletion))
                where = f"{edit.table} line {edit.line}"
                table.add_row(*cells, str(edit.modifier_indicator), escape(edit.rationale), escape(where))
            console.print(table)
    if ruleset.mue is not None:
        label, limit = escape(ruleset.mue.info.label), ruleset.mue.get(code)
        if limit is None:
            console.print(f"{label}: no MUE for {code}")
        else:
            why = escape(f"{limit.indicator_text}; {limit.rationale}" if limit.rationale else limit.indicator_text)
            where = escape(f"{limit.table} line {limit.line}")
            console.print(f"{label}: MUE {limit.limit} {MUE_SCOPES[limit.indicator]} ({why}; {where})")


def _flat(value: object) -> str:
    return " ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)


def _entries_naming(ruleset: RuleSet, code: str) -> list[tuple[str, str]]:
    """(rule id, entry) for each entry of a general rule's tables that names ``code``: its
    effective date, its pair edits, an add-on's primaries, a unit limit of the pack."""
    found = []
    for loaded in ruleset.pack.rules:
        for table in loaded.rule.params.values():
            for entry in table if isinstance(table, tuple) else ():
                if not isinstance(entry, Mapping):
                    continue
                fields = {key: value for key, value in entry.items() if key != "source"}
                if any(code == value or (isinstance(value, tuple) and code in value) for value in fields.values()):
                    text = "; ".join(f"{key} {_flat(value)}" for key, value in fields.items())
                    source = entry.get("source")
                    if isinstance(source, Mapping):
                        text += f" ({_flat(source.get('document', ''))} / {_flat(source.get('section', ''))})"
                    found.append((loaded.rule.id, text))
    return found


def _print_entries_naming(ruleset: RuleSet, code: str, console: Console) -> None:
    entries = _entries_naming(ruleset, code)
    if entries:
        console.print(f"general rule entries that name {escape(code)}:")
    for rule_id, text in entries:
        console.print(f"  [bold]{rule_id}[/]: {escape(text)}")


def print_rule_detail(ruleset: RuleSet, code: str, console: Console | None = None) -> None:
    console = console or _console()
    wanted = code.strip().upper()
    compiled = ruleset.profiles.get(wanted)
    if compiled is None:
        if _print_general_rule(ruleset, code.strip(), console):
            return
        if not PROCEDURE_CODE.match(wanted):
            # A mistyped rule id is not a code without a profile: "only the general rules apply"
            # would mislead.
            ids = [loaded.rule.id for loaded in ruleset.pack.rules]
            meant = did_you_mean(code, [*ids, *ruleset.profiles])
            raise click.UsageError(
                f"{code!r} is neither a rule id nor a procedure code (CPT or HCPCS Level II form){meant}; "
                f"rule ids: {', '.join(ids)}"
            )
        console.print(f"No profile for {escape(wanted)}: only the general rules apply (see 'claimcheck rules list').")
        _print_entries_naming(ruleset, wanted, console)
        _print_cms_rows(ruleset, wanted, console)
        return
    profile = compiled.profile
    console.print(f"[bold]{profile.procedure}[/] {escape(profile.title)}")
    console.print(f"[dim]source:[/] {escape(profile.source.document)}   [dim]file:[/] {escape(compiled.file)}")
    for note in profile.notes:
        console.print(f"[dim]note:[/] {escape(note)}")

    modifiers = Table(
        title=f"modifiers ({'none listed: any modifier warns' if not profile.modifiers else len(profile.modifiers)})"
    )
    # Dated entries (a pack of one's own may date any) say when they apply: an expired one is
    # not applied, whatever its verdict.
    dated = any(entry.dated for entry in profile.modifiers)
    cited = _cites_elsewhere(profile, profile.modifiers)
    for column in ("modifier", "verdict", "meaning", "reason", *(("in force",) if dated else ())):
        modifiers.add_column(column)
    if cited:
        modifiers.add_column("source")
    for entry in profile.modifiers:
        status = f"[{_STYLE[entry.status]}]{entry.status.value}[/]"
        cells = [entry.code, status, escape(entry.meaning), escape(entry.reason)]
        cells += [*((_in_force(entry),) if dated else ()), *((escape(_cited(entry)),) if cited else ())]
        modifiers.add_row(*cells)
    console.print(modifiers)

    rules = (
        (
            "diagnoses",
            profile.diagnoses,
            "at least one line diagnosis must be one of these or under a listed header, else warn",
        ),
        (
            "specialties",
            profile.specialties,
            "the rendering taxonomy must be one of these or of a listed classification, else warn",
        ),
    )
    for title, entries, rule in rules:
        if entries is None:
            console.print(f"{title}: none listed; the support check is skipped")
            continue
        table = Table(title=f"{title} ({rule})")
        dated, cited = any(entry.dated for entry in entries), _cites_elsewhere(profile, entries)
        for column in ("code", "name", "document's code", "note", *(("in force",) if dated else ())):
            table.add_column(column)
        if cited:
            table.add_column("source")
        for entry in entries:
            name = getattr(entry, "title", None) or getattr(entry, "name", "")
            cells = [entry.code, escape(name), _document_code(entry.document_code), escape(entry.note or "")]
            cells += [*((_in_force(entry),) if dated else ()), *((escape(_cited(entry)),) if cited else ())]
            table.add_row(*cells)
        console.print(table)
    _print_entries_naming(ruleset, wanted, console)
    _print_cms_rows(ruleset, wanted, console)
