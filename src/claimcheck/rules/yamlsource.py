"""Read a rule file into plain values, keeping the line of every key.

PyYAML's resolvers follow YAML 1.1, where ``26`` is an int, ``NO`` is False and ``0711`` may be
octal: every one of those is a code to us. So we stop at the node graph (``yaml.compose`` with
the SafeLoader: nothing is constructed, no tag can run code) and build the values ourselves,
keeping every scalar as the string that was written. The pydantic schema then types them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from claimcheck.errors import RuleFileError

__all__ = ["KeyPath", "LocatedDocument", "ValueExcerpt", "excerpt", "read_yaml", "render_key_path"]

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class LocatedDocument:
    """A YAML document as plain values, and the 1-based line of each key path in it."""

    file: str
    data: Any
    lines: dict[KeyPath, int]

    def line_of(self, path: KeyPath) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


# Values built through aliases, at most: nine aliases of nine aliases ... (a "billion laughs")
# expand to more values than memory holds from a few lines of YAML. A pack reuses a source block
# a few hundred times at most.
_MAX_ALIAS_VALUES = 100_000
# Nesting deeper than this is no rule file; PyYAML and _build recurse once per level.
_MAX_DEPTH = 100


@dataclass(slots=True)
class _Walk:
    """One document's walk: where each key is, the collections being built (an alias to one of
    them is a cycle), and how many values each built collection expanded to (an alias repeats
    that many)."""

    file: str
    lines: dict[KeyPath, int] = field(default_factory=dict)
    open: set[int] = field(default_factory=set)
    sizes: dict[int, int] = field(default_factory=dict)
    values: int = 0
    alias_values: int = 0
    in_alias: bool = False


def _build(node: yaml.Node, path: KeyPath, walk: _Walk) -> Any:
    walk.lines.setdefault(path, node.start_mark.line + 1)
    walk.values += 1
    if isinstance(node, yaml.ScalarNode):
        # An empty plain scalar (``key:``) means "no value"; a quoted "" is an empty string.
        if node.value == "" and node.style is None:
            return None
        if node.style is None and node.value in ("~", "null", "Null", "NULL"):
            return None
        return node.value
    # An alias's node carries the anchor's line; the nearest key above it is where it is used.
    used_at = next((walk.lines[path[:end]] for end in range(len(path) - 1, -1, -1) if path[:end] in walk.lines), None)
    where = {"line": used_at, "key_path": _render(path)}
    if id(node) in walk.open:
        raise RuleFileError(walk.file, "an alias refers to the list or mapping that holds it: it never ends", **where)
    if len(path) > _MAX_DEPTH:
        raise RuleFileError(walk.file, f"nested more than {_MAX_DEPTH} levels deep", line=node.start_mark.line + 1)
    repeated = id(node) in walk.sizes and not walk.in_alias
    if repeated:
        walk.alias_values += walk.sizes[id(node)]
        if walk.alias_values > _MAX_ALIAS_VALUES:
            problem = f"aliases expand to more than {_MAX_ALIAS_VALUES:,} values; write the values out"
            raise RuleFileError(walk.file, problem, **where)
        walk.in_alias = True
    walk.open.add(id(node))
    before = walk.values
    try:
        return _build_collection(node, path, walk)
    finally:
        walk.open.discard(id(node))
        walk.sizes.setdefault(id(node), walk.values - before + 1)
        if repeated:
            walk.in_alias = False


def _build_collection(node: yaml.Node, path: KeyPath, walk: _Walk) -> Any:
    file = walk.file
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, index), walk) for index, item in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise RuleFileError(file, "keys must be plain text", line=key_node.start_mark.line + 1)
            key = key_node.value
            if key_node.tag == "tag:yaml.org,2002:merge":
                # Read as a plain key it was "unknown", and the keys it was meant to bring in "missing".
                raise RuleFileError(
                    file,
                    "merge keys are not supported",
                    line=key_node.start_mark.line + 1,
                    key_path=_render((*path, key)),
                    allowed="the keys written out; an alias (*name) may stand for a whole value",
                )
            if key in result:
                raise RuleFileError(
                    file,
                    "key appears twice in the same mapping",
                    line=key_node.start_mark.line + 1,
                    key_path=_render((*path, key)),
                )
            walk.lines[(*path, key)] = key_node.start_mark.line + 1
            result[key] = _build(value_node, (*path, key), walk)
        return result
    raise RuleFileError(file, "unsupported YAML node", line=node.start_mark.line + 1)


def _render(path: KeyPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def render_key_path(path: KeyPath) -> str:
    """``("modifiers", 2, "status")`` → ``modifiers[2].status``."""
    return _render(path)


class ValueExcerpt(str):
    """A list or mapping from a rule file, in short flow YAML (``[pass]``, ``{code: 26}``).

    Error messages quote a bad scalar with ``repr``; an excerpt shows as written instead.
    """

    def __repr__(self) -> str:
        return str(self)


_EXCERPT_LENGTH = 60


def excerpt(value: Any) -> Any:
    """``value`` itself when it is a short scalar; a long text, a list or a mapping as a ``ValueExcerpt``."""
    if isinstance(value, str) and len(value) > _EXCERPT_LENGTH:  # a paragraph where a code belongs
        return ValueExcerpt(repr(value[: _EXCERPT_LENGTH - 1] + "…"))
    if not isinstance(value, (list, dict)):
        return value
    text = _flow(value)
    if len(text) > _EXCERPT_LENGTH:
        text = text[: _EXCERPT_LENGTH - 1] + "…"
    return ValueExcerpt(text)


def _flow(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_flow(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_flow(item)}" for key, item in value.items()) + "}"
    return "null" if value is None else str(value)


# Where PyYAML was when it failed ("while parsing a flow mapping"), as the author wrote it.
_OPENED = {
    "while parsing a flow mapping": "the {{ opened on line {line}",
    "while parsing a flow sequence": "the [ opened on line {line}",
    "while scanning a quoted scalar": "the quote opened on line {line}",
    "while parsing a block mapping": "the keys from line {line}",
    "while parsing a block collection": "the list from line {line}",
    "while scanning a simple key": "the key on line {line}",
}


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    problem = str(exc.problem or exc.context)
    # PyYAML's words for a tab ("found character '\t' that cannot start any token") say what it
    # could not do, not that an editor put a tab where YAML takes spaces only.
    if "'\\t'" in problem or "tab character" in problem:
        return "a tab where YAML allows only spaces; indent and separate with spaces"
    if problem == "but found another document":
        return "a second document (---) begins here; a rule file holds one"
    if problem == "mapping values are not allowed here":
        problem += " (a text value holding ': ' needs quotes, or a key is indented differently from the keys around it)"
    # The mistake is often where the bracket, quote or block began (left open), not where
    # PyYAML noticed: name that line too.
    opened, problem_line = exc.context_mark, exc.problem_mark.line if exc.problem_mark else None
    if exc.problem and exc.context and opened is not None and opened.line != problem_line:
        where = _OPENED.get(exc.context, exc.context + " on line {line}").format(line=opened.line + 1)
        problem += f" (in {where})"
    return problem


def read_yaml(path: Path) -> LocatedDocument:
    """Parse one YAML file; bad YAML raises ``RuleFileError`` with the line of the problem."""
    file = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        if path.is_symlink() and not path.exists():  # ls lists it: "no such file" puzzles
            raise RuleFileError(file, f"is a link to {os.readlink(path)}, which does not exist") from None
        raise RuleFileError(file, f"cannot read the file ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Say where: an editor that saved one word (café) in Latin-1 leaves the rest readable.
        raise RuleFileError(
            file,
            f"is not UTF-8 text (byte 0x{raw[exc.start]:02x})",
            line=raw.count(b"\n", 0, exc.start) + 1,
            allowed="UTF-8 text; save the file as UTF-8",
        ) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        # PyYAML recurses once per level of nesting: a few hundred [[[... exhaust the stack.
        raise RuleFileError(file, f"invalid YAML: nested more than {_MAX_DEPTH} levels deep") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise RuleFileError(file, f"invalid YAML: {_yaml_problem(exc)}", line=line) from None
    except yaml.YAMLError as exc:
        raise RuleFileError(file, f"invalid YAML: {exc}") from None
    walk = _Walk(file)
    data = None if node is None else _build(node, (), walk)
    return LocatedDocument(file, data, walk.lines)
