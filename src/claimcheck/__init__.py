"""claimcheck: scrub medical claim lines against CPT/HCPCS, ICD-10-CM and NUCC rules.

The public API::

    import claimcheck
    report = claimcheck.validate({"claim_id": "C1", "lines": [...]})
    report.to_dict()                      # the JSON report shape
    rules = claimcheck.load_rules("my-rules/", code_sets={"icd10cm": "icd10cm-order-2027.txt"})
    findings = claimcheck.validate_batch(table)          # a pyarrow Table or RecordBatch in, findings out
    other = claimcheck.load_rules("other-rules/", code_sets=rules.code_sets, ptp=rules.ptp)  # shared, not reread

Everything else is private and may change. Heavy modules (pydantic models, the engine, rich)
load on first use, so ``import claimcheck`` stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from claimcheck.errors import ClaimCheckError, CodeSetError, InputError, OutputError, RuleFileError
from claimcheck.models.finding import Check, Finding, Source, Status

if TYPE_CHECKING:
    from claimcheck.engine.ruleset import RuleSet, load_rules
    from claimcheck.engine.run import validate, validate_many
    from claimcheck.io.batch import validate_batch
    from claimcheck.io.files import validate_file, validate_files
    from claimcheck.io.readers.layouts import ColumnLayout
    from claimcheck.models.claim import Claim, ClaimLine
    from claimcheck.models.report import LineResult, Report
    from claimcheck.refdata.codesets import CodeSets
    from claimcheck.refdata.ncci import MueTable, PtpTable

__all__ = [
    "Check",
    "Claim",
    "ClaimCheckError",
    "ClaimLine",
    "CodeSetError",
    "CodeSets",
    "ColumnLayout",
    "Finding",
    "InputError",
    "LineResult",
    "MueTable",
    "OutputError",
    "PtpTable",
    "Report",
    "RuleFileError",
    "RuleSet",
    "Source",
    "Status",
    "load_rules",
    "validate",
    "validate_batch",
    "validate_file",
    "validate_files",
    "validate_many",
]

_LAZY = {
    "Claim": "claimcheck.models.claim",
    "ClaimLine": "claimcheck.models.claim",
    "CodeSets": "claimcheck.refdata.codesets",
    "ColumnLayout": "claimcheck.io.readers.layouts",
    "LineResult": "claimcheck.models.report",
    "MueTable": "claimcheck.refdata.ncci",
    "PtpTable": "claimcheck.refdata.ncci",
    "Report": "claimcheck.models.report",
    "RuleSet": "claimcheck.engine.ruleset",
    "load_rules": "claimcheck.engine.ruleset",
    "validate": "claimcheck.engine.run",
    "validate_many": "claimcheck.engine.run",
    "validate_batch": "claimcheck.io.batch",
    "validate_file": "claimcheck.io.files",
    "validate_files": "claimcheck.io.files",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'claimcheck' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
