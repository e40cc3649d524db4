"""FHIR R4 Claim input: a lone Claim resource, a Bundle whose entries hold Claims, NDJSON (one
resource per line, as FHIR Bulk Data exports write Claim.ndjson, or one Bundle per line), or a
JSON array of resources (as ``jq -s`` writes them).

Each Claim item becomes one claim line (``_claim`` holds the mapping). Patient, Organization,
Practitioner and PractitionerRole resources, contained in the Claim or entries of the Bundle,
fill in sex, birth date, payer and rendering NPI when the Claim refers to them; other entries
are ignored. A Claim that does not validate as R4 yields ``input`` findings, one line per item,
and the other Claims of its Bundle are read as usual.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from claimcheck.io.readers.fhir._claim import map_claim
from claimcheck.io.readers.fhir._invalid import invalid_claim
from claimcheck.io.readers.fhir._lines import looks_like_fhir, opens_resource_array, resource_type_past_head
from claimcheck.io.readers.fhir._modifiers import modifier_problems
from claimcheck.io.readers.fhir._references import BundleIndex, References, repeated_contained_ids
from claimcheck.io.readers.fhir._repeats import SeenIds
from claimcheck.io.readers.fhir._resources import BundleEntry, ClaimResource, UnreadableLine
from claimcheck.io.readers.fhir._source import load
from claimcheck.io.readers.fhir._types import MODEL_ERRORS, R4_ONLY, model_class
from claimcheck.io.readers.fhir._undecoded import not_utf8
from claimcheck.models.parse import InputProblem, ParsedClaim, ParsedLine, parse_claim

__all__ = ["looks_like_fhir", "opens_resource_array", "read_fhir", "resource_type_past_head"]


def _explained(parsed: tuple[InputProblem, ...], own: list[InputProblem]) -> tuple[InputProblem, ...]:
    """``parsed`` without its bare "is required" for a field the FHIR mapping has said more about
    (an item billed by revenue code alone has no procedure code, and a warning says why)."""
    fields = {problem.field for problem in own}
    return tuple(p for p in parsed if not (p.field in fields and p.message == "is required"))


def _read_claim(resource: ClaimResource, claim: Any, references: References) -> ParsedClaim:
    mapped = map_claim(claim, references)
    claim_modifiers, item_modifiers = modifier_problems(resource.raw)
    mapped.claim_problems.extend(
        claim_modifiers + references.modifier_problems() + repeated_contained_ids(resource.raw)
    )
    for problems, modifiers in zip(mapped.line_problems, item_modifiers, strict=True):
        problems.extend(modifiers)
    sequences = [line["line_number"] for line in mapped.fields["lines"]]
    if not sequences:
        problem = InputProblem("item", "is missing: the Claim has no items to check")
        line = ParsedLine(None, None, None, (problem,), resource.origin(None), resource.location(None))
        return ParsedClaim(mapped.fields.get("claim_id"), (line,), problems=tuple(mapped.claim_problems))
    parsed = parse_claim(mapped.fields, [resource.origin(sequence) for sequence in sequences])
    # Each line gets its place in the file and the problems only the FHIR mapping can find.
    lines = tuple(
        replace(line, problems=_explained(line.problems, extra) + tuple(extra), location=resource.location(sequence))
        for line, extra, sequence in zip(parsed.lines, mapped.line_problems, sequences, strict=True)
    )
    return replace(parsed, lines=lines, problems=parsed.problems + tuple(mapped.claim_problems))


def read_fhir(path: Path) -> Iterator[ParsedClaim]:
    """The claims of a FHIR JSON file, in file order; ``InputError`` only when the file is not
    JSON, or holds neither a Claim nor a Bundle with one (nor, as NDJSON, a line with one)."""
    seen = SeenIds()
    for resource, claim in _claims(path):
        place = seen.first(claim.claim_id, resource.line, resource.entry) if claim.claim_id else None
        if place is None:
            yield claim
            continue
        where = " ".join(
            f"{name} {value}" for name, value in zip(("line", "entry"), place, strict=True) if value is not None
        )
        # A Claim sent twice, or two that the report (and a payer) cannot tell apart by id.
        message = f"{claim.claim_id} is also the claim id of the Claim at {where}; each Claim in a file needs its own"
        yield replace(claim, problems=(*claim.problems, InputProblem("claim_id", message)))


def _claims(path: Path) -> Iterator[tuple[ClaimResource | UnreadableLine, ParsedClaim]]:
    claim_model = model_class("Claim")
    # The Claims of one Bundle come one after another: its index is built once for them all.
    entries: tuple[BundleEntry, ...] | None = None
    bundle: BundleIndex | None = None
    for resource in load(path).claims:
        if isinstance(resource, UnreadableLine):
            problem = InputProblem("resource", resource.problem)
            line = ParsedLine(None, None, None, (problem,), resource.origin, resource.location)
            read = ParsedClaim(None, (line,))
        else:
            if resource.bundle is not entries:
                entries = resource.bundle
                bundle = BundleIndex(entries) if entries is not None else None
            try:
                claim = claim_model.model_validate(_readable(resource.raw))
            except MODEL_ERRORS as error:
                read = invalid_claim(resource, error)
            else:
                read = _read_claim(resource, claim, References(bundle, claim.contained))
            if undecoded := not_utf8(resource, bundle):
                # Its items are still checked, each told which elements held the bytes.
                read = replace(read, problems=(undecoded, *read.problems))
        yield resource, replace(read, problems=read.problems + resource.notes) if resource.notes else read


def _readable(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    """``raw`` without its contained resources of the R4 types R4B dropped, which the R4B models
    cannot read (a KeyError refused the whole Claim) and which nothing a line needs can be: its
    patient, providers and conditions are other types."""
    contained = raw.get("contained")
    if not isinstance(contained, list):
        return raw
    kept = [
        resource
        for resource in contained
        if not (isinstance(resource, dict) and resource.get("resourceType") in R4_ONLY)
    ]
    if len(kept) == len(contained):
        return raw
    readable = {key: value for key, value in raw.items() if key != "contained"}
    return {**readable, "contained": kept} if kept else readable
