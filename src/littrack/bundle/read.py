"""Read a study bundle (study.toml + effects.csv) and report every problem as file:row:field."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from littrack.bundle.effects import COLUMN_NAMES, REQUIRED, EffectSpec, check_effect_row
from littrack.errors import ValidationError
from littrack.values import (
    ORCID_RE,
    BadValue,
    has_undecodable,
    normalize_doi,
    parse_date,
    parse_pmcid,
    parse_pmid,
    show_value,
)
from littrack.vocab import (
    COMPARISON_KINDS,
    DATASET_ROLES,
    MAX_COUNT,
    PUBLICATION_ORIGINS,
    PUBLICATION_ROLES,
    SOURCE_KINDS,
    TRAIT_KINDS,
)

FORMAT = "littrack-study-bundle/1"
STUDY_FILE = "study.toml"
EFFECTS_FILE = "effects.csv"

# section -> (required keys, optional keys)
SECTIONS: dict[str, tuple[set[str], set[str]]] = {
    "study": ({"key", "title"}, {"design", "exposures", "outcomes", "description", "notes"}),
    "publications": (
        {"ref", "title"},
        {"role", "pmid", "doi", "pmcid", "journal", "journal_iso", "issn", "volume", "issue", "pages", "language",
         "pub_date", "year", "month", "day", "sort_date", "epub_date", "entrez_date", "abstract", "abstract_sections",
         "vernacular_title", "authors", "publication_types", "keywords", "mesh", "retracted", "preprint_of",
         "origin", "pmid_version"},
    ),
    "sources": ({"key", "kind", "citation"}, {"publication", "primary", "publisher", "url", "date", "notes"}),
    "cohorts": ({"name"}, {"country", "description", "url"}),
    "datasets": ({"label", "role"}, {"cohort", "genotyping", "ancestry", "n_total", "groups", "description", "source"}),
    "phenotypes": ({"name"}, {"full_name", "definition"}),
    "comparisons": ({"name", "kind"}, {"case", "reference", "description"}),
    "domains": ({"name"}, {"description"}),
    "traits": ({"name"}, {"kind", "domains", "synonyms", "members", "ontology_id", "description"}),
}
LISTS_OF_TEXT = ("domains", "synonyms", "members", "publication_types", "keywords")
WHOLE_NUMBERS = ("n_total", "year", "month", "day", "pmid_version")
DATES = ("epub_date", "entrez_date", "sort_date")
NOT_TEXT = {"authors", "groups", "pmid", "primary", "retracted", "abstract_sections", "mesh", "pub_date",
            *LISTS_OF_TEXT, *WHOLE_NUMBERS, *DATES}
AUTHOR_KEYS = {"last_name", "fore_name", "initials", "suffix", "collective_name", "orcid", "affiliations"}
STUDY_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


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
    raw_rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # every data row, valid or not


# ---- bytes to text, and files that are not what they claim ---------------------------------------

def _sniff(name: str, data: bytes, what: str) -> str | None:
    """Why these bytes are not a text file of the kind `what`, or None."""
    if data.startswith(b"PK\x03\x04"):
        return f"{name}:1: not {what}: it is a ZIP archive, e.g. an Excel workbook (.xlsx); save it as {what}"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return f"{name}:1: not {what}: it is an old Excel workbook (.xls); save it as {what}"
    if data.startswith(b"%PDF"):
        return f"{name}:1: not {what}: it is a PDF document"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return f"{name}:1: not UTF-8 text: it is UTF-16 (Excel's 'Unicode text'); save it as UTF-8"
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        return f"{name}:{line}: not {what}: it holds binary data (NUL bytes)"
    return None


def _decode(path: Path, what: str, problems: list[str]) -> tuple[str, bool] | None:
    """The file's text (a UTF-8 BOM dropped) and whether it was valid UTF-8; None when it is no text at all.

    Bytes that are not UTF-8 survive as surrogate escapes, so each field holding one can be named.
    """
    data = path.read_bytes()
    sniffed = _sniff(path.name, data, what)
    if sniffed:
        problems.append(sniffed)
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), True
    except UnicodeDecodeError:
        return data.decode("utf-8", "surrogateescape"), False


def _resolve_paths(path: Path) -> tuple[Path, Path]:
    if path.is_dir():
        return path / STUDY_FILE, path / EFFECTS_FILE
    if path.name == STUDY_FILE:
        return path, path.with_name(EFFECTS_FILE)
    raise ValidationError(f"{path}: not a study bundle (give a folder holding {STUDY_FILE} and {EFFECTS_FILE})")


def parse_bundle(path: str | Path) -> tuple[Bundle, list[str]]:
    """Read a bundle and list every problem found in it; raise only when there is no bundle at all."""
    path = Path(path)
    if not path.exists():
        raise ValidationError(f"{path}: no such file or folder")
    study_path, effects_path = _resolve_paths(path)
    if not study_path.exists():
        raise ValidationError(f"{study_path}: missing; a bundle needs {STUDY_FILE} (run `littrack template DIR` for one)")
    problems: list[str] = []
    doc = _read_toml(study_path, problems)
    bundle = Bundle(path=study_path.parent, study={})
    if doc is not None:
        _check_sections(doc, bundle, problems)
    if effects_path.exists():
        _read_effects(effects_path, bundle, problems)
    return bundle, problems


def read_bundle(path: str | Path) -> Bundle:
    """Read and validate a bundle; raise ValidationError listing every problem found."""
    bundle, problems = parse_bundle(path)
    if problems:
        raise ValidationError(problems)
    return bundle


# ---- study.toml -----------------------------------------------------------------------------------

_TOML_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def _read_toml(path: Path, problems: list[str]) -> dict[str, Any] | None:
    decoded = _decode(path, "TOML text", problems)
    if decoded is None:
        return None
    text, _ = decoded
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = _TOML_AT.search(message)
        line = at.group(1) if at else "1"
        message = _TOML_AT.sub(f" at column {at.group(2)}" if at else "", message)
        hint = "; it looks like JSON" if text.lstrip().startswith(("{", "[{")) else ""
        problems.append(f"{path.name}:{line}: not valid TOML: {message}{hint}")
        return None
    fmt = doc.get("format")
    if fmt != FORMAT:
        shown = "missing" if fmt is None else show_value(fmt)
        problems.append(f"{path.name}:format: not a littrack study bundle; expected format = \"{FORMAT}\" ({shown})")
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


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT


def _check_entry(
    name: str, where: str, entry: dict[str, Any], problems: list[str], section: str = "study"
) -> dict[str, Any]:
    required, optional = SECTIONS[section]
    # An empty text is no value: a template's blanks read as missing, not as empty names.
    entry = {k: v for k, v in entry.items() if not (isinstance(v, str) and not v.strip())}
    for key in sorted(required - entry.keys()):
        problems.append(f"{name}:{where}:{key}: missing required field")
    for key in sorted(entry.keys() - required - optional):
        problems.append(f"{name}:{where}:{key}: unknown field")
    out = {k: (v.strip() if isinstance(v, str) and k not in ("abstract", "description", "notes", "definition") else v)
           for k, v in entry.items()}

    def bad(key: str, problem: str, value: Any = ...) -> None:
        shown = entry.get(key) if value is ... else value
        problems.append(f"{name}:{where}:{key}: {problem} ({show_value(shown)})")

    for key, value in entry.items():
        if key not in NOT_TEXT and not isinstance(value, str):
            bad(key, "must be text")
            out.pop(key)
        for text in _texts(value):
            if has_undecodable(text):
                bad(key, "not UTF-8 text; save the file as UTF-8", text)
                break
    converters = {"pmid": parse_pmid, "doi": normalize_doi, "pmcid": parse_pmcid}
    for key, conv in converters.items():
        if key in entry:
            try:
                out[key] = conv(entry[key])
            except (BadValue, TypeError, AttributeError) as exc:
                bad(key, str(exc) if isinstance(exc, BadValue) else "must be text")
                out.pop(key)  # a bad identifier must not be looked up later
    for key in DATES:
        if key in entry:
            try:
                out[key] = parse_date(entry[key])
            except (BadValue, AttributeError):
                bad(key, "not a date (YYYY-MM-DD)")
                out.pop(key)
    if "pub_date" in entry:
        if isinstance(entry["pub_date"], (str, int, dt.date)) and not isinstance(entry["pub_date"], bool):
            out["pub_date"] = str(entry["pub_date"])
        else:
            bad("pub_date", "must be text, e.g. \"2024 Jul 5\"")
    for key in WHOLE_NUMBERS:
        if key in entry and not _is_count(entry[key]):
            bad(key, "must be a whole number >= 0")
    if "month" in entry and _is_count(entry["month"]) and not 1 <= entry["month"] <= 12:
        bad("month", "must be 1-12")
    if "day" in entry and _is_count(entry["day"]) and not 1 <= entry["day"] <= 31:
        bad("day", "must be 1-31")
    for key in LISTS_OF_TEXT:
        if key in entry and not (isinstance(entry[key], list) and all(isinstance(v, str) for v in entry[key])):
            bad(key, "must be a list of text")
    if "groups" in entry:
        groups = entry["groups"]
        if not isinstance(groups, dict) or not all(_is_count(v) for v in groups.values()):
            bad("groups", "must map group names to counts >= 0, e.g. { TRD = 4177 }")
        elif _is_count(entry.get("n_total")) and sum(groups.values()) > entry["n_total"]:
            bad("groups", f"group counts add up to {sum(groups.values())}, more than n_total {entry['n_total']}")
    if "authors" in entry:
        _check_authors(entry["authors"], lambda problem, value: bad("authors", problem, value))
    if "mesh" in entry and not (isinstance(entry["mesh"], list) and all(
            isinstance(m, dict) and isinstance(m.get("descriptor"), str) for m in entry["mesh"])):
        bad("mesh", "must be a list of tables with a descriptor, e.g. { descriptor = \"Depression\", major = true }")
    if "abstract_sections" in entry and not (isinstance(entry["abstract_sections"], list) and all(
            isinstance(a, dict) and isinstance(a.get("text"), str) for a in entry["abstract_sections"])):
        bad("abstract_sections", "must be a list of tables with a text, e.g. { label = \"RESULTS\", text = \"...\" }")
    vocab = {"role": DATASET_ROLES if section == "datasets" else PUBLICATION_ROLES, "kind": {
        "sources": SOURCE_KINDS, "traits": TRAIT_KINDS, "comparisons": COMPARISON_KINDS}.get(section)}
    if section == "publications":
        vocab["origin"] = PUBLICATION_ORIGINS
    for key, allowed in vocab.items():
        if allowed and key in entry and entry[key] not in allowed:
            bad(key, "must be one of " + ", ".join(allowed))
    if section == "study" and isinstance(entry.get("key"), str) and not STUDY_KEY_RE.match(entry["key"].strip()):
        bad("key", "a study key is letters, digits, '_', '.' or '-', starting with a letter or digit")
        out.pop("key")
    if section == "sources" and entry.get("kind") in ("publication", "preprint") and "publication" not in entry:
        problems.append(f"{name}:{where}:publication: a {entry['kind']} source must name its publication ref")
    for key in ("primary", "retracted"):
        if key in entry and not isinstance(entry[key], bool):
            bad(key, "must be true or false")
    return out


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    return []


def _check_authors(authors: Any, bad: Any) -> None:
    if not isinstance(authors, list):
        bad("must be a list of 'Last, Fore' names or author tables", authors)
        return
    for i, a in enumerate(authors, start=1):
        if isinstance(a, str):
            if not a.strip():
                bad(f"author {i} is empty", a)
        elif isinstance(a, dict):
            unknown = sorted(set(a) - AUTHOR_KEYS)
            if unknown:
                bad(f"author {i}: unknown key {unknown[0]} (known: {', '.join(sorted(AUTHOR_KEYS))})", a)
            elif not (isinstance(a.get("last_name"), str) or isinstance(a.get("collective_name"), str)):
                bad(f"author {i} needs last_name or collective_name", a)
            elif "orcid" in a and not (isinstance(a["orcid"], str) and ORCID_RE.match(a["orcid"])):
                bad(f"author {i}: not an ORCID (0000-0000-0000-000X)", a["orcid"])
            elif "affiliations" in a and not (isinstance(a["affiliations"], list)
                                              and all(isinstance(x, str) for x in a["affiliations"])):
                bad(f"author {i}: affiliations must be a list of text", a["affiliations"])
        else:
            bad(f"author {i} must be a 'Last, Fore' name or an author table", a)


def _check_unique(name: str, section: str, entries: list[dict[str, Any]], problems: list[str]) -> None:
    key = {"publications": "ref", "sources": "key", "datasets": "label"}.get(section, "name")
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries, start=1):
        value = entry.get(key)
        if not isinstance(value, str):
            continue
        folded = " ".join(value.split()).casefold()
        if folded in seen:
            problems.append(f"{name}:{section}[{i}]:{key}: duplicate of {section}[{seen[folded]}] ({show_value(value)})")
        else:
            seen[folded] = i
    if section == "publications":
        for ident in ("pmid", "doi", "pmcid"):
            seen_id: dict[Any, int] = {}
            for i, entry in enumerate(entries, start=1):
                value = entry.get(ident)
                if isinstance(value, (int, str)) and value in seen_id:
                    problems.append(f"{name}:publications[{i}]:{ident}: same {ident} as publications[{seen_id[value]}]"
                                    f" ({value})")
                elif isinstance(value, (int, str)):
                    seen_id[value] = i


def _check_references(name: str, bundle: Bundle, problems: list[str]) -> None:
    refs = {p.get("ref") for p in bundle.publications}
    for i, p in enumerate(bundle.publications, start=1):
        if "preprint_of" in p and p["preprint_of"] not in refs:
            problems.append(f"{name}:publications[{i}]:preprint_of: no publication with that ref ({show_value(p['preprint_of'])})")
        elif "preprint_of" in p and p["preprint_of"] == p.get("ref"):
            problems.append(f"{name}:publications[{i}]:preprint_of: a publication cannot be its own preprint "
                            f"({show_value(p['preprint_of'])})")
    for i, s in enumerate(bundle.sources, start=1):
        if "publication" in s and s["publication"] not in refs:
            problems.append(f"{name}:sources[{i}]:publication: no publication with that ref ({show_value(s['publication'])})")


# ---- effects.csv ----------------------------------------------------------------------------------

def _read_effects(path: Path, bundle: Bundle, problems: list[str]) -> None:
    decoded = _decode(path, "CSV text", problems)
    if decoded is None:
        return
    text, _ = decoded
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        problems.append(f"{path.name}:1: empty file; it needs a header row (run `littrack template DIR`)")
        return
    except csv.Error as exc:
        problems.append(f"{path.name}:1: not CSV ({exc})")
        return
    header = [h.strip() for h in header]
    if len(header) == 1 and any(sep in header[0] for sep in ("\t", ";")):
        sep = "tabs" if "\t" in header[0] else "semicolons"
        problems.append(f"{path.name}:1: not comma-separated: the header is one cell split by {sep}; "
                        "save the file as CSV with commas")
        return
    if header and header[0].startswith(("{", "[", "<")):
        problems.append(f"{path.name}:1: not CSV: it starts like JSON, XML or HTML ({show_value(header[0][:40])})")
        return
    for col in header:
        if col not in COLUMN_NAMES:
            problems.append(f"{path.name}:1:{col}: unknown column (known: {', '.join(COLUMN_NAMES)})")
    seen_cols: set[str] = set()
    for col in header:
        if col in seen_cols:
            problems.append(f"{path.name}:1:{col}: column given twice")
        seen_cols.add(col)
    missing = [c for c in COLUMN_NAMES if c in REQUIRED - set(header)]
    for col in missing:
        problems.append(f"{path.name}:1:{col}: missing required column")
    if missing:
        return
    seen_keys: dict[str, int] = {}
    seen_rows: dict[tuple[str, ...], int] = {}
    end = reader.line_num
    try:
        for cells in reader:
            # A quoted cell may span lines: a row is named by the line it starts on.
            line, end = end + 1, reader.line_num
            if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
                continue
            if len(cells) != len(header):
                problems.append(f"{path.name}:{line}: has {len(cells)} cells, the header has {len(header)}")
                continue
            raw = dict(zip(header, cells, strict=False))
            bundle.raw_rows.append((line, raw))
            def where(col: str, line: int = line) -> str:
                return f"{path.name}:{line}:{col}"

            spec, row_problems = check_effect_row(raw, where)
            problems.extend(row_problems)
            key = raw.get("finding_key", "").strip()
            content = tuple(v.strip() for k, v in raw.items() if k != "finding_key")
            if key and key.casefold() in seen_keys:
                problems.append(f"{path.name}:{line}:finding_key: duplicate of row {seen_keys[key.casefold()]} ({key})")
            elif content in seen_rows:
                problems.append(f"{path.name}:{line}: duplicate of row {seen_rows[content]} (same values, "
                                f"finding_key {key})")
            else:
                seen_keys[key.casefold()] = line
                seen_rows[content] = line
                if spec is not None:
                    bundle.effects.append(spec)
                    bundle.effect_rows[spec.finding_key] = line
    except csv.Error as exc:
        problems.append(f"{path.name}:{end + 1}: not CSV ({exc})")
