"""Load and check a rule pack; any problem raises ``RuleFileError`` naming file, line and key path."""

from __future__ import annotations

import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path

from pydantic import BaseModel

from claimcheck.errors import RuleFileError
from claimcheck.refdata import CodeSets
from claimcheck.rules.codes import check_profile_codes, check_rule_modifiers
from claimcheck.rules.kinds import KIND_CHECK, KIND_PARAMS
from claimcheck.rules.params import ModifierCodeSetParams
from claimcheck.rules.schema import (
    GeneralFile,
    GeneralRule,
    PackManifest,
    ProcedureProfile,
)
from claimcheck.rules.validation import validate_document
from claimcheck.rules.yamlsource import KeyPath, LocatedDocument, read_yaml, render_key_path

__all__ = ["LoadedRule", "RulePack", "load_pack", "shipped_pack_path"]


@dataclass(frozen=True, slots=True)
class LoadedRule:
    """A general rule with its validated parameters and where it was written."""

    rule: GeneralRule
    params: BaseModel
    file: str
    line: int | None


@dataclass(frozen=True, slots=True)
class RulePack:
    """A validated rule pack and the code sets it was checked against."""

    path: str
    manifest: PackManifest
    rules: tuple[LoadedRule, ...]
    profiles: Mapping[str, ProcedureProfile]
    profile_files: Mapping[str, str]
    code_sets: CodeSets


def shipped_pack_path() -> Path:
    """The rule pack that ships inside the package."""
    return Path(__file__).resolve().parent.parent / "rulepack"


def _near_miss(folder: Path, name: str, present: set[str]) -> str:
    """Why the file the manifest names is not there, when one like it is."""
    if (folder / f"{name}.yml").is_file():
        return f" ({name}.yml is there: rule files end in .yaml)"
    stem = Path(name).stem if name.endswith((".yaml", ".yml")) else Path(name).name
    if stem != name and stem in present:  # units.yaml, general/units.yaml
        return f" (list it as {stem}: a file's name without its folder and .yaml)"
    other = next((stem for stem in sorted(present) if stem.upper() == name.upper()), None)
    if other is None:
        return ""
    if folder.name == "procedures":
        return f" ({other}.yaml is there: a profile's file is named by its code in capitals)"
    return f" ({other}.yaml is there: file names are case-sensitive)"


def _check_listed(folder: Path, listed: Sequence[str], manifest: LocatedDocument, key: str) -> None:
    present = {p.stem for p in folder.glob("*.yaml")} if folder.is_dir() else set()
    first: dict[str, int] = {}
    for index, name in enumerate(listed):
        # 0711t reads as 0711T: listed again, its profile silently replaced the first.
        if first.setdefault(name, index) != index:
            raise RuleFileError(
                manifest.file,
                f"listed twice (also {key}[{first[name]}]); list each file once",
                line=manifest.line_of((key, index)),
                key_path=render_key_path((key, index)),
                value=manifest.data[key][index],
            )
        if name not in present:
            raise RuleFileError(
                manifest.file,
                f"no file {folder.name}/{name}.yaml in the pack{_near_miss(folder, name, present)}",
                line=manifest.line_of((key, index)),
                key_path=render_key_path((key, index)),
                value=manifest.data[key][index],  # as written: 0711t, which reads as 0711T
                allowed=", ".join(sorted(present)) or f"(no files in {folder.name}/)",
            )
    # The fix is usually to list the file, so point at the list rather than at the file.
    for name in sorted(present - set(listed)):
        raise RuleFileError(
            manifest.file,
            f"{folder.name}/{name}.yaml is in the pack but not listed here, so it would be ignored; "
            "list it or remove the file",
            line=manifest.line_of((key,)),
            key_path=key,
            value=name,
        )


def _load_general(doc: LocatedDocument, seen: dict[str, str]) -> list[LoadedRule]:
    general = validate_document(GeneralFile, doc)
    loaded = []
    for index, rule in enumerate(general.rules):
        where: KeyPath = ("rules", index)
        named = [((*where, "id"), rule.id)] + [((*where, "aliases", n), alias) for n, alias in enumerate(rule.aliases)]
        for path, rule_id in named:
            place = f"{doc.file}:{doc.line_of(path)} ({render_key_path(path)})"
            if rule_id in seen:
                raise RuleFileError(
                    doc.file,
                    f"rule id is already used in {seen[rule_id]}",
                    line=doc.line_of(path),
                    key_path=render_key_path(path),
                    value=rule_id,
                )
            seen[rule_id] = place
        params_model = KIND_PARAMS.get(rule.kind)
        if params_model is None:
            raise RuleFileError(
                doc.file,
                "unknown rule kind"
                + "".join(f" (did you mean {k!r}?)" for k in get_close_matches(rule.kind, KIND_PARAMS, 1)),
                line=doc.line_of((*where, "kind")),
                key_path=render_key_path((*where, "kind")),
                value=rule.kind,
                allowed=sorted(KIND_PARAMS),
            )
        if rule.check is not KIND_CHECK[rule.kind]:
            raise RuleFileError(
                doc.file,
                f"a {rule.kind} rule makes {KIND_CHECK[rule.kind].value} findings",
                line=doc.line_of((*where, "check")),
                key_path=render_key_path((*where, "check")),
                value=rule.check.value,
                allowed=repr(KIND_CHECK[rule.kind].value),
            )
        # The rule holds its params frozen; validate what the file says, so errors quote it.
        written = doc.data["rules"][index].get("params", {})
        params = validate_document(params_model, doc, written, (*where, "params"))
        loaded.append(LoadedRule(rule, params, doc.file, doc.line_of(where)))
    return loaded


def _pack_nearby(root: Path) -> str:
    """The pack the user probably meant: a folder of it (general/), or one copied into root."""
    if (root.parent / "pack.yaml").is_file():
        return f" (the pack is {root.parent})"
    inner = sorted(path.parent for path in root.glob("*/pack.yaml"))
    return f" ({inner[0]} holds one: pass that)" if len(inner) == 1 else ""


def load_pack(path: str | Path | None = None, *, code_sets: CodeSets) -> RulePack:
    """Read, validate and cross-check the pack at ``path`` (the shipped pack when None)."""
    root = Path(path) if path is not None else shipped_pack_path()
    manifest_path = root / "pack.yaml"
    if root.is_file():
        meant = f"; the pack is its directory, {root.parent}" if root.name == "pack.yaml" else ""
        if not meant and (root.parent.parent / "pack.yaml").is_file():  # my-rules/procedures/0711T.yaml
            meant = f"; the pack is {root.parent.parent}"
        raise RuleFileError(root, f"is a file, not a rule pack directory (a directory holding pack.yaml){meant}")
    if not root.is_dir():
        found = root.exists()  # a device or a pipe (/dev/null) is there, and is no directory either
        raise RuleFileError(root, "is not a rule pack directory" if found else "rule pack directory not found")
    if not manifest_path.is_file():
        raise RuleFileError(
            manifest_path, "missing: a rule pack needs pack.yaml listing its files" + _pack_nearby(root)
        )
    manifest_doc = read_yaml(manifest_path)
    manifest = validate_document(PackManifest, manifest_doc)
    _check_listed(root / "general", manifest.general, manifest_doc, "general")
    _check_listed(root / "procedures", manifest.procedures, manifest_doc, "procedures")

    seen: dict[str, str] = {}
    rules: list[LoadedRule] = []
    general: list[tuple[LocatedDocument, list[BaseModel]]] = []
    for name in manifest.general:
        doc = read_yaml(root / "general" / f"{name}.yaml")
        loaded = _load_general(doc, seen)
        rules.extend(loaded)
        general.append((doc, [rule.params for rule in loaded]))
    check_rule_modifiers(general, code_sets)
    beyond_file = [rule.params for rule in rules if isinstance(rule.params, ModifierCodeSetParams)]

    profiles: dict[str, ProcedureProfile] = {}
    files: dict[str, str] = {}
    for code in manifest.procedures:
        doc = read_yaml(root / "procedures" / f"{code}.yaml")
        profile = validate_document(ProcedureProfile, doc)
        if profile.procedure != code:
            raise RuleFileError(
                doc.file,
                "must equal the file name (one profile per procedure code)",
                line=doc.line_of(("procedure",)),
                key_path="procedure",
                value=profile.procedure,
                allowed=code,
            )
        check_profile_codes(profile, doc, code_sets, beyond_file)
        profiles[code] = profile
        files[code] = doc.file
    return RulePack(
        str(root),
        manifest,
        tuple(rules),
        types.MappingProxyType(profiles),
        types.MappingProxyType(files),
        code_sets,
    )
