"""The four reference code sets: the shipped releases, or user-supplied newer files.

A newer release (e.g. FY2027 ICD-10-CM) needs no code change::

    load_code_sets(overrides={"icd10cm": "icd10cm-order-2027.txt"})
    load_code_sets(overrides={"nucc": ("taxonomy.csv", "26.1")})
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sized
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, Union, cast

from claimcheck.errors import CodeSetError
from claimcheck.refdata._reading import file_label, file_stem
from claimcheck.refdata.icd10cm import Icd10cm, load_icd10cm
from claimcheck.refdata.info import CodeSetInfo
from claimcheck.refdata.modifiers import Modifiers, load_modifiers
from claimcheck.refdata.places import PlacesOfService, load_places_of_service
from claimcheck.refdata.taxonomy import Taxonomy, load_taxonomy

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = [
    "CODE_SET_NAMES",
    "CodeSets",
    "OverrideSource",
    "load_code_sets",
    "shipped_code_sets",
    "shipped_through",
]

CODE_SET_NAMES = ("icd10cm", "nucc", "modifiers", "pos")

MANIFEST_NAME = "manifest.json"

# A path, or (path, version) when the file name does not carry the version.
OverrideSource = Union[str, "os.PathLike[str]", tuple[Union[str, "os.PathLike[str]"], str]]

_CodeSet = TypeVar("_CodeSet")
_Loader = Callable[["Traversable", CodeSetInfo], _CodeSet]

# How each publisher puts the version in its file names: icd10cm-order-2027.txt,
# nucc_taxonomy_261.csv (v26.1), modifiers_2026-10.csv, place_of_service_2026-10-08.csv.
_VERSION_IN_FILE_NAME: dict[str, tuple[re.Pattern[str], str]] = {
    "icd10cm": (re.compile(r"(?<!\d)(20\d\d)(?!\d)"), "{0}"),
    "nucc": (re.compile(r"(?<!\d)(\d\d)[._]?(\d)(?!\d)"), "{0}.{1}"),
    "modifiers": (re.compile(r"(?<!\d)(20\d\d)[-_]?(0[1-9]|1[0-2])(?!\d)"), "{0}-{1}"),
    "pos": (re.compile(r"(?<!\d)(20\d\d)-(\d\d)-(\d\d)(?!\d)"), "{0}-{1}-{2}"),
}


_WHAT = {
    "icd10cm": "ICD-10-CM codes",
    "nucc": "taxonomy codes",
    "modifiers": "modifiers",
    "pos": "place-of-service codes",
}


@dataclass(frozen=True, slots=True)
class CodeSets:
    """The code sets one validation run uses; immutable and safe to share across threads."""

    icd10cm: Icd10cm
    nucc: Taxonomy
    modifiers: Modifiers
    pos: PlacesOfService

    def versions(self) -> dict[str, str]:
        """``{"icd10cm": "2026", "nucc": "25.1", ...}`` for reports."""
        return {
            "icd10cm": self.icd10cm.info.version,
            "nucc": self.nucc.info.version,
            "modifiers": self.modifiers.info.version,
            "pos": self.pos.info.version,
        }


def load_code_sets(overrides: Mapping[str, OverrideSource] | None = None) -> CodeSets:
    """The shipped code sets, with any named set read from a user-supplied file instead."""
    if not overrides:
        return shipped_code_sets()
    for name, value in overrides.items():
        if name not in CODE_SET_NAMES:
            raise CodeSetError(
                _describe(value),
                f"unknown code set {name!r}; allowed: {', '.join(CODE_SET_NAMES)}",
            )
    return _assemble(overrides)


@functools.cache
def shipped_code_sets() -> CodeSets:
    """The releases shipped inside the package, loaded once per process."""
    return _assemble({})


def _assemble(overrides: Mapping[str, OverrideSource]) -> CodeSets:
    return CodeSets(
        icd10cm=_load_set("icd10cm", load_icd10cm, overrides),
        nucc=_load_set("nucc", load_taxonomy, overrides),
        modifiers=_load_set("modifiers", load_modifiers, overrides),
        pos=_load_set("pos", load_places_of_service, overrides),
    )


def _load_set(name: str, loader: _Loader[_CodeSet], overrides: Mapping[str, OverrideSource]) -> _CodeSet:
    if name in overrides:
        path, info = _override_source(name, overrides[name])
        loaded = loader(path, info)
        # A header with no rows (a download cut short) read as a set without codes, and every
        # line failed as unknown: the place of service on each, or, for the other sets, the
        # shipped rule pack's codes, which blamed the pack for the file.
        if not len(cast(Sized, loaded)):
            raise CodeSetError(str(path), f"holds no {_WHAT[name]}: a header and no rows")
        return loaded
    # Cached per set so that overriding one set still shares the other shipped ones.
    return cast(_CodeSet, _shipped_set(name, loader))


_YEAR_IN_VERSION = re.compile(r"20\d\d")


def shipped_through(names: Iterable[str] = CODE_SET_NAMES) -> tuple[date, dict[str, str]] | None:
    """The last day of the latest year the shipped releases of ``names`` are for (2026-12-31 for
    ICD-10-CM 2026 and the October 2026 modifiers), and their versions; None when no version
    names a year. Read from the manifest, without loading the sets."""
    manifest = _manifest()
    versions = {}
    for name in names:
        entry = manifest.get(name)
        if isinstance(entry, dict) and isinstance(entry.get("version"), str):
            versions[name] = entry["version"]
    years = [int(found.group()) for version in versions.values() if (found := _YEAR_IN_VERSION.match(version))]
    return (date(max(years), 12, 31), versions) if years else None


def version_from_file_name(name: str, path: Path) -> str:
    """The version a file name states, else the file name without its extensions."""
    pattern, template = _VERSION_IN_FILE_NAME[name]
    match = pattern.search(path.name)
    if match:
        return template.format(*match.groups())
    return file_stem(path)


def _describe(value: object) -> str:
    target = value[0] if isinstance(value, tuple) and value else value
    return os.fspath(target) if isinstance(target, (str, os.PathLike)) else repr(value)


def _override_source(name: str, value: OverrideSource) -> tuple[Path, CodeSetInfo]:
    if isinstance(value, tuple):
        if len(value) != 2 or not isinstance(value[1], str) or not value[1].strip():
            raise CodeSetError(_describe(value), "override must be a path or (path, version)")
        path, version = Path(value[0]), value[1].strip()
    elif isinstance(value, (str, os.PathLike)):
        path = Path(value)
        version = version_from_file_name(name, path)
    else:
        raise CodeSetError(_describe(value), "override must be a path or (path, version)")
    info = CodeSetInfo(
        name=name,
        version=version,
        label=f"{version} (user-supplied {file_label(path)})",
        source=f"user-supplied file {path}",
        path=str(path),
    )
    return path, info


@functools.cache
def _shipped_set(name: str, loader: _Loader[object]) -> object:
    data = _shipped_data()
    entry = _manifest().get(name)
    if not isinstance(entry, dict):
        raise CodeSetError(str(data / MANIFEST_NAME), f"no entry for code set {name!r}")
    try:
        source = data / entry["file"]
        info = CodeSetInfo(
            name=name,
            version=entry["version"],
            label=entry["label"],
            source=entry["source"],
            path=str(source),
        )
    except (KeyError, TypeError) as exc:
        raise CodeSetError(str(data / MANIFEST_NAME), f"entry {name!r} lacks or mistypes {exc}") from None
    return loader(source, info)


@functools.cache
def _manifest() -> dict[str, Any]:
    manifest = _shipped_data() / MANIFEST_NAME
    try:
        content = json.loads(manifest.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CodeSetError(str(manifest), f"cannot read manifest: {exc}") from None
    except json.JSONDecodeError as exc:
        raise CodeSetError(str(manifest), f"bad JSON: {exc.msg}", line=exc.lineno) from None
    code_sets = content.get("code_sets") if isinstance(content, dict) else None
    if not isinstance(code_sets, dict):
        raise CodeSetError(str(manifest), "no 'code_sets' object")
    return code_sets


def _shipped_data() -> Traversable:
    # Imported here: importlib.resources costs more to import than the rest of this package.
    from importlib.resources import files

    return files(__package__) / "data"
