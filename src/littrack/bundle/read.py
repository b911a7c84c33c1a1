"""Read a study bundle (study.toml + effects.csv) and report every problem as file:row:field."""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from littrack.bundle.effects import COLUMN_NAMES, REQUIRED, EffectSpec, check_effect_row
from littrack.errors import ValidationError
from littrack.models.base import DATASET_ROLES, SOURCE_KINDS, TRAIT_KINDS
from littrack.values import BadValue, normalize_doi, parse_date, parse_pmcid, parse_pmid

FORMAT = "littrack-study-bundle/1"
STUDY_FILE = "study.toml"
EFFECTS_FILE = "effects.csv"

# section -> (required keys, optional keys)
SECTIONS: dict[str, tuple[set[str], set[str]]] = {
    "study": ({"key", "title"}, {"design", "exposures", "outcomes", "description", "notes"}),
    "publications": (
        {"ref", "title"},
        {"role", "pmid", "doi", "pmcid", "journal", "journal_iso", "issn", "volume", "issue", "pages", "language",
         "pub_date", "year", "epub_date", "abstract", "authors", "publication_types", "keywords", "preprint_of"},
    ),
    "sources": ({"key", "kind", "citation"}, {"publication", "primary", "publisher", "url", "date", "notes"}),
    "cohorts": ({"name"}, {"country", "description", "url"}),
    "datasets": ({"label", "role"}, {"cohort", "genotyping", "ancestry", "n_total", "groups", "description", "source"}),
    "phenotypes": ({"name"}, {"full_name", "definition"}),
    "comparisons": ({"name", "kind"}, {"case", "reference", "description"}),
    "domains": ({"name"}, {"description"}),
    "traits": ({"name"}, {"kind", "domains", "synonyms", "members", "ontology_id", "description"}),
}
PUBLICATION_ROLES = ("primary", "preprint", "companion", "erratum", "other")
COMPARISON_KINDS = ("case-control", "progression", "unspecified")


@dataclass
class Bundle:
    path: Path
    study: dict[str, Any]
    publications: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    cohorts: list[dict[str, Any]] = field(default_factory=list)
    datasets: list[dict[str, Any]] = field(default_factory=list)
    phenotypes: list[dict[str, Any]] = field(default_factory=list)
    comparisons: list[dict[str, Any]] = field(default_factory=list)
    domains: list[dict[str, Any]] = field(default_factory=list)
    traits: list[dict[str, Any]] = field(default_factory=list)
    effects: list[EffectSpec] = field(default_factory=list)
    effect_rows: dict[str, int] = field(default_factory=dict)  # finding_key -> CSV line, for later messages


def _decode(path: Path, problems: list[str]) -> str | None:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(f"{path.name}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8")
        return None


def _resolve_paths(path: Path) -> tuple[Path, Path]:
    if path.is_dir():
        return path / STUDY_FILE, path / EFFECTS_FILE
    if path.name == STUDY_FILE:
        return path, path.with_name(EFFECTS_FILE)
    raise ValidationError(f"{path}: not a study bundle (give a folder holding {STUDY_FILE} and {EFFECTS_FILE})")


def read_bundle(path: str | Path) -> Bundle:
    """Read and validate a bundle; raise ValidationError listing every problem found."""
    path = Path(path)
    if not path.exists():
        raise ValidationError(f"{path}: no such file or folder")
    study_path, effects_path = _resolve_paths(path)
    problems: list[str] = []
    if not study_path.exists():
        raise ValidationError(f"{study_path}: missing; a bundle needs {STUDY_FILE} (run `littrack template DIR` for one)")
    doc = _read_toml(study_path, problems)
    bundle = Bundle(path=study_path.parent, study={})
    if doc is not None:
        _check_sections(doc, bundle, problems)
    if effects_path.exists():
        _read_effects(effects_path, bundle, problems)
    if problems:
        raise ValidationError(problems)
    return bundle


def _read_toml(path: Path, problems: list[str]) -> dict[str, Any] | None:
    text = _decode(path, problems)
    if text is None:
        return None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{path.name}:{getattr(exc, 'lineno', '?')}: not valid TOML ({getattr(exc, 'msg', exc)})")
        return None
    fmt = doc.get("format")
    if fmt != FORMAT:
        problems.append(f"{path.name}:format: not a littrack study bundle; expected format = \"{FORMAT}\" ({fmt})")
        return None
    return doc


def _check_sections(doc: dict[str, Any], bundle: Bundle, problems: list[str]) -> None:
    name = STUDY_FILE
    for key in doc:
        if key != "format" and key not in SECTIONS:
            problems.append(f"{name}:{key}: unknown section (known: {', '.join(SECTIONS)})")
    study = doc.get("study")
    if not isinstance(study, dict):
        problems.append(f"{name}:study: missing [study] table")
    else:
        bundle.study = _check_entry(name, "study", study, problems)
    for section in SECTIONS:
        if section == "study":
            continue
        entries = doc.get(section, [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            problems.append(f"{name}:{section}: must be an array of tables ([[{section}]])")
            continue
        checked = [_check_entry(name, f"{section}[{i + 1}]", e, problems, section) for i, e in enumerate(entries)]
        setattr(bundle, section, checked)
        _check_unique(name, section, checked, problems)
    _check_references(name, bundle, problems)


def _check_entry(
    name: str, where: str, entry: dict[str, Any], problems: list[str], section: str = "study"
) -> dict[str, Any]:
    required, optional = SECTIONS[section]
    for key in sorted(required - entry.keys()):
        problems.append(f"{name}:{where}:{key}: missing required field")
    for key in sorted(entry.keys() - required - optional):
        problems.append(f"{name}:{where}:{key}: unknown field")
    out = dict(entry)

    def bad(key: str, problem: str) -> None:
        problems.append(f"{name}:{where}:{key}: {problem} ({entry.get(key)!r})")

    for key, value in entry.items():
        if key in ("authors", "groups", "domains", "synonyms", "members", "publication_types", "keywords",
                   "n_total", "pmid", "primary", "year", "epub_date", "pub_date"):
            continue
        if not isinstance(value, str):
            bad(key, "must be text")
    converters = {"pmid": parse_pmid, "doi": normalize_doi, "pmcid": parse_pmcid, "epub_date": parse_date}
    for key, conv in converters.items():
        if key in entry:
            try:
                out[key] = conv(entry[key])
            except (BadValue, TypeError) as exc:
                bad(key, str(exc))
    if "pub_date" in entry:
        out["pub_date"] = str(entry["pub_date"])
    for key in ("n_total", "year"):
        if key in entry and (not isinstance(entry[key], int) or isinstance(entry[key], bool) or entry[key] < 0):
            bad(key, "must be a whole number >= 0")
    for key in ("domains", "synonyms", "members", "publication_types", "keywords"):
        if key in entry and not (isinstance(entry[key], list) and all(isinstance(v, str) for v in entry[key])):
            bad(key, "must be a list of text")
    if "groups" in entry:
        groups = entry["groups"]
        if not isinstance(groups, dict) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in groups.values()
        ):
            bad("groups", "must map group names to counts >= 0, e.g. { TRD = 4177 }")
        elif isinstance(entry.get("n_total"), int) and sum(groups.values()) > entry["n_total"]:
            bad("groups", f"group counts add up to {sum(groups.values())}, more than n_total {entry['n_total']}")
    if "authors" in entry:
        authors = entry["authors"]
        if not isinstance(authors, list) or not all(isinstance(a, (str, dict)) for a in authors):
            bad("authors", "must be a list of 'Last, Fore' names or author tables")
    vocab = {"role": DATASET_ROLES if section == "datasets" else PUBLICATION_ROLES, "kind": {
        "sources": SOURCE_KINDS, "traits": TRAIT_KINDS, "comparisons": COMPARISON_KINDS}.get(section)}
    for key, allowed in vocab.items():
        if allowed and key in entry and entry[key] not in allowed:
            bad(key, "must be one of " + ", ".join(allowed))
    if section == "sources" and entry.get("kind") in ("publication", "preprint") and "publication" not in entry:
        problems.append(f"{name}:{where}:publication: a {entry['kind']} source must name its publication ref")
    if "primary" in entry and not isinstance(entry["primary"], bool):
        bad("primary", "must be true or false")
    return out


def _check_unique(name: str, section: str, entries: list[dict[str, Any]], problems: list[str]) -> None:
    key = {"publications": "ref", "sources": "key", "datasets": "label"}.get(section, "name")
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries, start=1):
        value = entry.get(key)
        if not isinstance(value, str):
            continue
        folded = " ".join(value.split()).casefold()
        if folded in seen:
            problems.append(f"{name}:{section}[{i}]:{key}: duplicate of {section}[{seen[folded]}] ({value!r})")
        else:
            seen[folded] = i


def _check_references(name: str, bundle: Bundle, problems: list[str]) -> None:
    refs = {p.get("ref") for p in bundle.publications}
    for i, p in enumerate(bundle.publications, start=1):
        if "preprint_of" in p and p["preprint_of"] not in refs:
            problems.append(f"{name}:publications[{i}]:preprint_of: no publication with that ref ({p['preprint_of']!r})")
    for i, s in enumerate(bundle.sources, start=1):
        if "publication" in s and s["publication"] not in refs:
            problems.append(f"{name}:sources[{i}]:publication: no publication with that ref ({s['publication']!r})")


def _read_effects(path: Path, bundle: Bundle, problems: list[str]) -> None:
    text = _decode(path, problems)
    if text is None:
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        problems.append(f"{path.name}:1: empty file; it needs a header row (run `littrack template DIR`)")
        return
    except csv.Error as exc:
        problems.append(f"{path.name}:1: not CSV ({exc})")
        return
    header = [h.strip() for h in header]
    for col in header:
        if col not in COLUMN_NAMES:
            problems.append(f"{path.name}:1:{col}: unknown column (known: {', '.join(COLUMN_NAMES)})")
    missing = sorted(REQUIRED - set(header))
    for col in missing:
        problems.append(f"{path.name}:1:{col}: missing required column")
    if missing:
        return
    seen_keys: dict[str, int] = {}
    seen_rows: dict[tuple[str, ...], int] = {}
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
                continue
            if len(cells) != len(header):
                problems.append(f"{path.name}:{line}: has {len(cells)} cells, the header has {len(header)}")
                continue
            raw = dict(zip(header, cells))
            spec, row_problems = check_effect_row(raw, lambda col, line=line: f"{path.name}:{line}:{col}")
            problems.extend(row_problems)
            key = raw.get("finding_key", "").strip()
            content = tuple(v.strip() for k, v in raw.items() if k != "finding_key")
            if key and key in seen_keys:
                problems.append(f"{path.name}:{line}:finding_key: duplicate of row {seen_keys[key]} ({key})")
            elif content in seen_rows:
                problems.append(f"{path.name}:{line}: duplicate of row {seen_rows[content]} (same values)")
            else:
                seen_keys[key] = line
                seen_rows[content] = line
                if spec is not None:
                    bundle.effects.append(spec)
                    bundle.effect_rows[spec.finding_key] = line
    except csv.Error as exc:
        problems.append(f"{path.name}:{reader.line_num}: not CSV ({exc})")
