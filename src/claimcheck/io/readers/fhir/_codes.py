"""Code systems, and choosing the one code of a CodeableConcept that a claim line carries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qs

__all__ = [
    "ABSENT_SYSTEMS",
    "DIAGNOSIS_SYSTEMS",
    "HIPPS_SYSTEMS",
    "ICD9_SYSTEMS",
    "ICD10CM_SYSTEMS",
    "NPI_SYSTEMS",
    "PLACE_OF_SERVICE_SYSTEMS",
    "PROCEDURE_SYSTEMS",
    "TAXONOMY_SYSTEMS",
    "code_from",
    "npi_in_search",
    "npi_of",
    "only_in",
]


def _system_key(system: str | None) -> str:
    """Compare systems loosely: senders vary case and add ``.html`` (the HL7 Claim-MED-00050
    example writes the CMS place-of-service URL in lower case with ``.html``), and write https
    for http or back (THO names HCPCS with http, CMS's own site and many senders with https)."""
    key = (system or "").strip().lower().removesuffix(".html").rstrip("/")
    return key.removeprefix("https://").removeprefix("http://")


def _systems(*urls: str) -> frozenset[str]:
    return frozenset(_system_key(url) for url in urls)


# Each system also by its OID (urn:oid:…), as FHIR converted from C-CDA or HL7 v2 names it.
PROCEDURE_SYSTEMS = _systems(
    "http://www.ama-assn.org/go/cpt",
    "urn:oid:2.16.840.1.113883.6.12",
    "https://bluebutton.cms.gov/resources/codesystem/hcpcs",
    "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    "http://terminology.hl7.org/CodeSystem/HCPCS",
    "urn:oid:2.16.840.1.113883.6.285",
    "urn:oid:2.16.840.1.113883.6.14",
)
# ICD-10-CM first: WHO's ICD-10 is read only without it (its codes are often CM categories).
ICD10CM_SYSTEMS = _systems("http://hl7.org/fhir/sid/icd-10-cm", "urn:oid:2.16.840.1.113883.6.90")
DIAGNOSIS_SYSTEMS = ICD10CM_SYSTEMS | _systems("http://hl7.org/fhir/sid/icd-10", "urn:oid:2.16.840.1.113883.6.3")
# ICD-9-CM diagnoses (its FHIR URI, an older spelling, its OID): many have the shape of an ICD-10-CM
# code (V70.0, E849.0), so they are reported as not supported rather than read as one.
ICD9_SYSTEMS = _systems(
    "http://hl7.org/fhir/sid/icd-9-cm", "http://hl7.org/fhir/sid/icd-9", "urn:oid:2.16.840.1.113883.6.103"
)
# CMS's code set by its THO URL and OID, and by CMS Blue Button's URL for the claim line's code.
PLACE_OF_SERVICE_SYSTEMS = _systems(
    "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set",
    "urn:oid:2.16.840.1.113883.6.50",
    "https://bluebutton.cms.gov/resources/variables/line_place_of_srvc_cd",
)
# What the US claim product-or-service value sets allow besides CPT and HCPCS: a HIPPS rate code,
# and a data-absent-reason (not-applicable) on an institutional item billed by revenue code alone.
HIPPS_SYSTEMS = _systems(
    "https://www.cms.gov/Medicare/Medicare-Fee-for-Service-Payment/ProspMedicareFeeSvcPmtGen/HIPPSCodes"
)
ABSENT_SYSTEMS = _systems("http://terminology.hl7.org/CodeSystem/data-absent-reason")
TAXONOMY_SYSTEMS = _systems("http://nucc.org/provider-taxonomy", "urn:oid:2.16.840.1.113883.6.101")
NPI_SYSTEMS = _systems("http://hl7.org/fhir/sid/us-npi", "urn:oid:2.16.840.1.113883.4.6")


def _codings(concept: Any) -> list[Any]:
    return [coding for coding in (concept.coding or ()) if coding.code] if concept is not None else []


def code_from(concept: Any, systems: frozenset[str], *, only: bool = False) -> str | None:
    """The code of ``concept`` from one of ``systems``; else, unless ``only``, its first code.

    Falling back to any code keeps oral, vision and pharmacy codes (ADA, RxNorm…) on the line,
    where the rules say what is wrong with them instead of the reader hiding them.
    """
    codings = _codings(concept)
    preferred = [coding for coding in codings if _system_key(coding.system) in systems]
    chosen = preferred or ([] if only else codings)
    return chosen[0].code if chosen else None


def only_in(concept: Any, systems: frozenset[str], others: frozenset[str]) -> bool:
    """Whether ``concept`` has a code from ``systems`` and none from ``others``."""
    found = {_system_key(coding.system) for coding in _codings(concept)}
    return bool(found & systems) and not found & others


def npi_in_search(reference: str | None) -> str | None:
    """The NPI a conditional reference searches by (``Practitioner?identifier=<NPI system>|<NPI>``,
    as Synthea writes them)."""
    _, mark, query = (reference or "").partition("?")
    for value in parse_qs(query).get("identifier", []) if mark else []:
        system, bar, npi = value.rpartition("|")
        if bar and npi and _system_key(system) in NPI_SYSTEMS:
            return npi
    return None


def npi_of(identifiers: Iterable[Any] | None) -> str | None:
    """The value of the first NPI among ``identifiers``."""
    for identifier in identifiers or ():
        if identifier.value and _system_key(identifier.system) in NPI_SYSTEMS:
            return str(identifier.value)
    return None
