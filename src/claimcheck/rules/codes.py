"""Cross-check a rule pack against the code sets: every code must exist in its set.

The seed documents carry wrong codes. A profile lists the right code and records the document's
wrong one under ``document_code``; a code that is itself not in the set stops the load. The
modifiers named in general rules' parameters are checked the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pydantic import BaseModel

from claimcheck.errors import RuleFileError
from claimcheck.refdata import CodeSetInfo, CodeSets
from claimcheck.rules.params import ModifierCodeSetParams, modifier_codes
from claimcheck.rules.schema import ProcedureProfile
from claimcheck.rules.yamlsource import LocatedDocument, excerpt, render_key_path

__all__ = ["check_profile_codes", "check_rule_modifiers"]

_WRONG_CODE_HINT = "; a code from the document that is wrong goes under document_code"


def _label(title: str, info: CodeSetInfo) -> str:
    """``ICD-10-CM 2027 (user-supplied icd10cm-order-2027.txt)``: a pack code missing from a
    release the user loaded is the release's doing, not the document's."""
    return f"{title} {info.label if info.source.startswith('user-supplied') else info.version}"


def _hint(info: CodeSetInfo) -> str:
    if info.source.startswith("user-supplied"):
        return (
            f"; {info.path} lacks it: list the code that release uses in a rule pack of your own"
            " (a copy of this one), or load a release that has it"
        )
    return _WRONG_CODE_HINT


def _beyond_file(params: Sequence[ModifierCodeSetParams]) -> str:
    """What the ``modifier_code_set`` rules accept beyond the modifier file, for "allowed"."""
    text = ""
    if any(p.ambulance_locations for p in params):
        text += " or ambulance origin/destination pairs of the modifier_code_set rule"
    listed = sorted({code for p in params for code in p.category_ii_modifiers})
    if listed:
        text += f" or the CPT Category II modifiers it lists ({', '.join(listed)})"
    return text


def _above(code: str) -> list[str]:
    """The ICD-10-CM codes ``code`` falls under if it is one, nearest first: I70.2139 → I70.213, …, I70."""
    bare = code.replace(".", "")
    return [bare[:end] if end == 3 else f"{bare[:3]}.{bare[3:end]}" for end in range(len(bare) - 1, 2, -1)]


def _check_section(
    doc: LocatedDocument,
    section: str,
    entries: Sequence[object] | None,
    exists: Callable[[str], bool],
    set_label: str,
    hint: str = _WRONG_CODE_HINT,
    beyond: str = "",
) -> None:
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries or ()):
        code: str = entry.code  # type: ignore[attr-defined]
        path = (section, index, "code")
        # The code as written (I7099), not as normalised (I70.99): the author looks for that.
        where = {
            "line": doc.line_of(path),
            "key_path": render_key_path(path),
            "value": doc.data[section][index]["code"],
        }
        if code in seen:
            raise RuleFileError(doc.file, f"listed twice (also {section}[{seen[code]}]); list each code once", **where)
        seen[code] = index
        if not exists(code):
            near = next((above for above in _above(code) if exists(above)), None) if section == "diagnoses" else None
            problem = f"is not a code in {set_label}" + (f"; the nearest code above it is {near}" if near else "")
            raise RuleFileError(doc.file, problem, allowed=f"codes of {set_label}{beyond}{hint}", **where)
        document_code = getattr(entry, "document_code", None)
        document_codes = document_code if isinstance(document_code, tuple) else (document_code,)
        if code in document_codes:
            doc_path = (section, index, "document_code")
            raise RuleFileError(
                doc.file,
                "equals code; document_code records only a document's wrong code",
                line=doc.line_of(doc_path),
                key_path=render_key_path(doc_path),
                value=excerpt(document_code),
            )


def check_profile_codes(
    profile: ProcedureProfile,
    doc: LocatedDocument,
    code_sets: CodeSets,
    beyond_file: Sequence[ModifierCodeSetParams] = (),
) -> None:
    """Raise ``RuleFileError`` for the first profile code that is not in its code set.

    ``beyond_file`` are the params of the pack's ``modifier_code_set`` rules: a modifier they
    accept (an ambulance pair, a Category II modifier) is one on claims, so a profile may list it.
    """
    icd, nucc, modifiers = code_sets.icd10cm, code_sets.nucc, code_sets.modifiers
    _check_section(
        doc,
        "modifiers",
        profile.modifiers,
        lambda c: c in modifiers or any(p.is_ambulance_pair(c) or c in p.category_ii_modifiers for p in beyond_file),
        f"the modifier code set ({_label('', modifiers.info).strip()})",
        _hint(modifiers.info),
        _beyond_file(beyond_file),
    )
    _check_section(
        doc, "diagnoses", profile.diagnoses, lambda c: c in icd, _label("ICD-10-CM", icd.info), _hint(icd.info)
    )
    _check_section(
        doc,
        "specialties",
        profile.specialties,
        lambda c: c in nucc,
        _label("the NUCC taxonomy", nucc.info),
        _hint(nucc.info),
    )


def check_rule_modifiers(general: Sequence[tuple[LocatedDocument, Sequence[BaseModel]]], code_sets: CodeSets) -> None:
    """Raise ``RuleFileError`` for the first modifier in a rule's params that no check would accept.

    ``general`` pairs each general file with the params of its rules, in file order. Ambulance
    origin/destination pairs (``RH``) are not in the HCPCS file one by one; they count as
    modifiers when the pack's ``modifier_code_set`` rule accepts them, as it does on claims; so do
    the CPT Category II modifiers (``8P``) that rule lists.
    """
    modifiers = code_sets.modifiers
    ambulance = [p for _, rules in general for p in rules if isinstance(p, ModifierCodeSetParams)]
    set_label = f"the modifier code set ({modifiers.info.version})"
    allowed = f"modifiers of {set_label}{_beyond_file(ambulance)}"
    for doc, rules in general:
        for index, params in enumerate(rules):
            for path, code in modifier_codes(params, ("rules", index, "params")):
                if code in modifiers or any(
                    p.is_ambulance_pair(code) or code in p.category_ii_modifiers for p in ambulance
                ):
                    continue
                raise RuleFileError(
                    doc.file,
                    f"is not a modifier in {set_label}",
                    line=doc.line_of(path),
                    key_path=render_key_path(path),
                    value=code,
                    allowed=allowed,
                )
