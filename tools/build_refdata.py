"""Regenerate the code set files shipped in src/claimcheck/refdata/data/.

    python tools/build_refdata.py [--source ../shared/refdata] [--out src/claimcheck/refdata/data]

Reads the reference files described in the source directory's SOURCES.md, writes compact derived
files and manifest.json. The same input always gives byte-identical output (sorted rows, gzip
mtime 0), so a rebuild shows up in review only when the data changed.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import sys
from collections.abc import Callable, Mapping, Sized
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "refdata"
DEFAULT_OUT = REPO_ROOT / "src" / "claimcheck" / "refdata" / "data"

# The parsers and loaders are the package's own, so the build checks exactly what users will load;
# the repo's src/ goes first so a stale installed copy cannot be picked up instead.
sys.path.insert(0, str(REPO_ROOT / "src"))

from claimcheck.errors import ClaimCheckError  # noqa: E402
from claimcheck.refdata.icd10cm import load_icd10cm  # noqa: E402
from claimcheck.refdata.icd10cm_formats import COMPACT_HEADER, parse_icd10cm  # noqa: E402
from claimcheck.refdata.info import CodeSetInfo  # noqa: E402
from claimcheck.refdata.modifiers import load_modifiers  # noqa: E402
from claimcheck.refdata.places import load_places_of_service  # noqa: E402
from claimcheck.refdata.taxonomy import load_taxonomy  # noqa: E402

MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class Derived:
    content: bytes
    rows: int
    notes: Mapping[str, object]


@dataclass(frozen=True)
class Release:
    name: str
    title: str
    version: str
    label: str
    publisher: str
    source: str
    terms: str
    source_file: str
    file: str
    derive: Callable[[Path], Derived]
    load: Callable[[Path, CodeSetInfo], Sized]


def _csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def derive_icd10cm(path: Path) -> Derived:
    text = path.read_text(encoding="utf-8-sig")
    records = parse_icd10cm(str(path), text)
    source_rows = len(_read_csv(path))
    lines = [COMPACT_HEADER]
    lines += [
        f"{code}\t{'Y' if code in records.billable else 'N'}\t{parent or ''}"
        for code, parent in sorted(records.parents.items())
    ]
    content = gzip.compress(("\n".join(lines) + "\n").encode("ascii"), compresslevel=9, mtime=0)
    notes = {
        "columns": "code_nodot, billable (Y/N), parent as published (dotted code or block)",
        "source_rows": source_rows,
        "duplicate_rows_dropped": source_rows - len(records.parents),
        "fixes": "a category whose block has the same code (e.g. B20) is listed with itself as "
        "parent in the source; the parent is written as the block, e.g. B20-B20",
    }
    return Derived(content, len(records.parents), notes)


def derive_nucc(path: Path) -> Derived:
    # Definitions and notes are NUCC's licensed text; only the code and its names are shipped.
    rows = [
        [
            row["Code"].strip(),
            row["Grouping"].strip(),
            row["Classification"].strip(),
            row["Specialization"].strip(),
        ]
        for row in _read_csv(path)
    ]
    header = ["code", "grouping", "classification", "specialization"]
    return Derived(_csv_bytes(header, rows), len(rows), {"columns": ", ".join(header)})


def derive_modifiers(path: Path) -> Derived:
    columns = [
        "modifier",
        "code_set",
        "short_description",
        "effective_date",
        "termination_date",
        "status",
    ]
    source_rows = _read_csv(path)
    sources_by_code_set: dict[str, str] = {}
    for row in source_rows:
        known = sources_by_code_set.setdefault(row["code_set"], row["source"])
        if known != row["source"]:
            # The manifest keeps one source per code set; a mixed set would lose provenance.
            raise ClaimCheckError(f"{path}: code set {row['code_set']} has several sources; keep the column")
    rows = [[row[column] for column in columns] for row in source_rows]
    notes = {
        "columns": ", ".join(columns),
        "source_column_dropped": "the per-row source text, recorded here by code set",
        "sources_by_code_set": dict(sorted(sources_by_code_set.items())),
    }
    return Derived(_csv_bytes(columns, rows), len(rows), notes)


def derive_places_of_service(path: Path) -> Derived:
    content = path.read_bytes()
    return Derived(content, len(_read_csv(path)), {"columns": "pos_code, name, status"})


RELEASES = (
    Release(
        name="icd10cm",
        title="ICD-10-CM",
        version="2026",
        label="FY2026 (April 1 2026 update)",
        publisher="CDC/NCHS",
        source="CDC/NCHS ICD-10-CM FY2026, April 1 2026 update; generated from the data files of "
        "the simple-icd-10-cm 1.5.0 package (code-list-April-2026.txt, "
        "icd10c-tabular-April-1-2026.xml), which derive from the CDC/NCHS release files",
        terms="ICD-10-CM is published by CDC/NCHS for free use; the underlying ICD-10 is (c) WHO",
        source_file="icd10cm_2026_april_codes.csv",
        file="icd10cm_2026.tsv.gz",
        derive=derive_icd10cm,
        load=load_icd10cm,
    ),
    Release(
        name="nucc",
        title="NUCC Health Care Provider Taxonomy",
        version="25.1",
        label="v25.1 (July 2025 release, effective 2025-10-01)",
        publisher="National Uniform Claim Committee (NUCC)",
        source="NUCC Health Care Provider Taxonomy v25.1 CSV as published by NUCC (nucc.org)",
        terms="(c) American Medical Association on behalf of NUCC; free to use; commercial use "
        "(sales or licensing) needs a licence from NUCC. Definitions and notes are not shipped",
        source_file="nucc_taxonomy_251.csv",
        file="nucc_taxonomy_251_codes.csv",
        derive=derive_nucc,
        load=load_taxonomy,
    ),
    Release(
        name="modifiers",
        title="Procedure modifiers (HCPCS Level II and CPT Level I)",
        version="2026-10",
        label="HCPCS Level II October 2026 with CPT Level I titles",
        publisher="CMS (HCPCS Level II); AMA (CPT Level I titles)",
        source="HCPCS Level II modifiers from the CMS HCPCS alpha-numeric file, October 2026; "
        "CPT Level I modifier titles compiled from commonly republished CPT Appendix A titles "
        "(verify against licensed CPT)",
        terms="HCPCS Level II: CMS, US Government work. CPT modifier titles: (c) AMA",
        source_file="modifiers.csv",
        file="modifiers_2026-10.csv",
        derive=derive_modifiers,
        load=load_modifiers,
    ),
    Release(
        name="pos",
        title="CMS Place of Service codes",
        version="2026-10-08",
        label="CMS place of service code set as retrieved 2026-10-08",
        publisher="CMS",
        source="CMS Place of Service code set page, unassigned ranges expanded to single codes",
        terms="CMS, US Government work",
        source_file="place_of_service.csv",
        file="place_of_service_2026-10-08.csv",
        derive=derive_places_of_service,
        load=load_places_of_service,
    ),
)


def build(source_dir: Path, out_dir: Path) -> list[Path]:
    """Write every derived file and the manifest into ``out_dir``; return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    code_sets: dict[str, dict[str, object]] = {}
    written: list[Path] = []
    for release in RELEASES:
        source = source_dir / release.source_file
        derived = release.derive(source)
        target = out_dir / release.file
        target.write_bytes(derived.content)
        written.append(target)
        _check_loads(release, target, derived.rows)
        code_sets[release.name] = {
            "name": release.name,
            "title": release.title,
            "version": release.version,
            "label": release.label,
            "publisher": release.publisher,
            "source": release.source,
            "terms": release.terms,
            "source_file": release.source_file,
            "source_sha256": hashlib.sha256(source.read_bytes()).hexdigest(),
            "file": release.file,
            "rows": derived.rows,
            **derived.notes,
        }
    manifest = out_dir / MANIFEST_NAME
    text = json.dumps({"format": 1, "code_sets": code_sets}, indent=2, ensure_ascii=False)
    manifest.write_text(text + "\n", encoding="utf-8")
    written.append(manifest)
    return written


def _check_loads(release: Release, target: Path, rows: int) -> None:
    info = CodeSetInfo(release.name, release.version, release.label, release.source, str(target))
    loaded = release.load(target, info)
    if len(loaded) != rows:
        raise ClaimCheckError(f"{target}: wrote {rows} rows but {len(loaded)} load")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="shared refdata dir")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="package data dir")
    args = parser.parse_args(argv)
    try:
        written = build(args.source, args.out)
    except KeyError as exc:
        print(f"build_refdata: a source file lacks the column {exc}", file=sys.stderr)
        return 2
    except (OSError, ClaimCheckError) as exc:
        print(f"build_refdata: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
