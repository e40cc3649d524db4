"""Reference code sets shipped with claimcheck: ICD-10-CM, NUCC taxonomy, modifiers, place of service.

Importing this package reads nothing; the data files load on the first call to
:func:`shipped_code_sets` or :func:`load_code_sets`. Loaded sets are immutable and can be shared
across threads.
"""

from __future__ import annotations

from claimcheck.refdata.codesets import (
    CODE_SET_NAMES,
    CodeSets,
    OverrideSource,
    load_code_sets,
    shipped_code_sets,
)
from claimcheck.refdata.icd10cm import Icd10cm, IcdCode
from claimcheck.refdata.info import CodeSetInfo
from claimcheck.refdata.modifiers import Modifier, Modifiers
from claimcheck.refdata.places import PlaceOfService, PlacesOfService
from claimcheck.refdata.taxonomy import Taxonomy, TaxonomyCode

__all__ = [
    "CODE_SET_NAMES",
    "CodeSetInfo",
    "CodeSets",
    "Icd10cm",
    "IcdCode",
    "Modifier",
    "Modifiers",
    "OverrideSource",
    "PlaceOfService",
    "PlacesOfService",
    "Taxonomy",
    "TaxonomyCode",
    "load_code_sets",
    "shipped_code_sets",
]
