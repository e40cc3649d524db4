"""The public library API's names: they resolve, have docstrings and type hints that resolve, the types
their signatures name are exported, and importing claimcheck loads neither pydantic nor the engine."""

from __future__ import annotations

import subprocess
import sys

import pytest

import claimcheck
from tests.conftest import ROOT


def test_public_names_resolve() -> None:
    for name in claimcheck.__all__:
        assert getattr(claimcheck, name) is not None
    with pytest.raises(AttributeError):
        claimcheck.no_such_name  # noqa: B018
    assert issubclass(claimcheck.RuleFileError, claimcheck.ClaimCheckError)
    assert issubclass(claimcheck.InputError, claimcheck.ClaimCheckError)
    assert (ROOT / "src" / "claimcheck" / "py.typed").is_file()


def test_public_names_and_their_methods_have_docstrings() -> None:
    import inspect

    missing = []
    for name in claimcheck.__all__:
        value = getattr(claimcheck, name)
        if not inspect.getdoc(value):
            missing.append(name)
        if isinstance(value, type) and value.__module__.startswith("claimcheck."):
            for attr, member in vars(value).items():
                if attr.startswith("_") or not (callable(member) or isinstance(member, (property, classmethod))):
                    continue
                if not inspect.getdoc(getattr(value, attr)):
                    missing.append(f"{name}.{attr}")
    assert missing == []
    assert "as_of" in (claimcheck.validate.__doc__ or "") and "rules" in (claimcheck.validate.__doc__ or "")


def test_type_hints_of_public_names_resolve() -> None:
    # Type checkers and tools such as typer/pydantic call get_type_hints on what we export.
    import typing

    unresolved = []
    for name in claimcheck.__all__:
        value = getattr(claimcheck, name)
        members = [value] if not isinstance(value, type) else [value, *vars(value).values()]
        for member in members:
            if not (callable(member) or isinstance(member, type)):
                continue
            try:
                typing.get_type_hints(member)
            except NameError as error:
                unresolved.append(f"{name}: {error}")
    assert unresolved == []


def test_import_claimcheck_does_not_load_pydantic_or_the_engine() -> None:
    code = (
        "import sys, claimcheck; heavy = ('pydantic', 'yaml', 'rich', 'click'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m.startswith('claimcheck.engine')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_types_public_signatures_name_are_exported() -> None:
    # A caller annotating what it passes to load_rules, or what a RuleSet hands back, needs to
    # import those types from claimcheck, not from its private modules.
    import typing

    def named_classes(hint: object) -> set[type]:
        found = {hint} if isinstance(hint, type) else set()
        for arg in typing.get_args(hint):
            found |= named_classes(arg)
        return found

    calls = ("load_rules", "validate", "validate_many", "validate_file", "validate_files")
    members: list[object] = [getattr(claimcheck, name) for name in calls]
    members += [claimcheck.RuleSet.code_sets.fget, claimcheck.RuleSet.code_set_versions]
    named = set()
    for member in members:
        for hint in typing.get_type_hints(member).values():
            named |= {c for c in named_classes(hint) if c.__module__.startswith("claimcheck")}
    exported = {getattr(claimcheck, name) for name in claimcheck.__all__}
    assert sorted(c.__name__ for c in named - exported) == []
    rules = claimcheck.load_rules()
    assert isinstance(rules.code_sets, claimcheck.CodeSets)
    assert claimcheck.load_rules(code_sets=rules.code_sets).code_sets is rules.code_sets
