"""One mapping from a parsed PubMed record to the rows storing writes: publication values, author and MeSH rows."""

from __future__ import annotations

import json
import logging
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import String

from littrack.models import Author, MeshHeading, Publication
from littrack.models.base import Base
from littrack.pubmed.records import MeshQualifier, PubmedRecord

logger = logging.getLogger("littrack.store")

PUB = Base.metadata.tables[Publication.__tablename__]
AUTH = Base.metadata.tables[Author.__tablename__]
MESH = Base.metadata.tables[MeshHeading.__tablename__]

# The JSON columns of authors and MeSH are written as text (what SQLAlchemy's JSON type writes: json.dumps)
# and compared as text, which skips building and decoding a million small lists per baseline file.
encode_json = json.JSONEncoder().encode
_quote = json.encoder.encode_basestring_ascii
_QUALIFIER_JSON: dict[MeshQualifier, str] = {}  # frozen Structs hash by value
# Varchar limits PostgreSQL enforces (SQLite does not): clip rather than lose the whole batch to one odd value.
_LIMITS = {
    table.name: {c.name: c.type.length for c in table.columns if isinstance(c.type, String) and c.type.length}
    for table in (PUB, AUTH, MESH)
}
_NO_LIMIT = 1 << 30
_INITIALS_MAX = _LIMITS["publication_authors"].get("initials", _NO_LIMIT)
_SUFFIX_MAX = _LIMITS["publication_authors"].get("suffix", _NO_LIMIT)
_ORCID_MAX = _LIMITS["publication_authors"].get("orcid", _NO_LIMIT)
_UI_MAX = _LIMITS["publication_mesh"].get("descriptor_ui", _NO_LIMIT)
PUB_FIELDS = (
    "pmid", "pmid_version", "doi", "pmcid", "title", "vernacular_title", "abstract", "abstract_sections", "journal",
    "journal_iso", "issn", "volume", "issue", "pages", "language", "pub_date_text", "pub_year", "pub_month", "pub_day",
    "sort_date", "epub_date", "entrez_date", "publication_types", "keywords", "is_preprint", "is_retracted",
    "pubmed_deleted_at",
)
INSERT_COLUMNS = (*PUB_FIELDS, "origin", "created_at", "updated_at")
JSON_COLUMNS = frozenset({"abstract_sections", "publication_types", "keywords"})
ROW_GETTER = itemgetter(*INSERT_COLUMNS)
AUTHOR_FIELDS = ("position", "last_name", "fore_name", "initials", "suffix", "collective_name", "orcid", "affiliations")
MESH_FIELDS = ("position", "descriptor", "descriptor_ui", "major", "qualifiers")


class Prepared(NamedTuple):
    """What storing needs of a record: its publication values, author rows and MeSH rows, built once."""

    pmid: int
    version: int
    is_preprint: bool
    related: tuple[tuple[str, int], ...]
    values: dict[str, Any]
    authors: list[tuple[Any, ...]]
    mesh: list[tuple[Any, ...]]


def _clip(table: str, column: str, value: str | None, pmid: int) -> str | None:
    limit = _LIMITS[table].get(column)
    if value is None or limit is None or len(value) <= limit:
        return value
    logger.warning("PMID %d: %s.%s longer than %d characters; stored cut short", pmid, table, column, limit)
    return value[:limit]


def _clip_values(values: dict[str, Any], p: int) -> dict[str, Any]:
    for key in _LIMITS["publications"]:
        if isinstance(values.get(key), str):
            values[key] = _clip("publications", key, values[key], p)
    return values


def prepare(r: PubmedRecord) -> Prepared:
    """What storing needs of a record: its publication values, author rows and MeSH rows."""
    p = r.pmid
    doi = r.doi
    sections = [{"label": s.label, "category": s.category, "text": s.text} for s in r.abstract_sections]
    values: dict[str, Any] = {
        "pmid": p,
        "pmid_version": r.version,
        "doi": doi.strip().lower() if doi else None,
        "pmcid": r.pmcid or None,
        "title": r.title or "",
        "vernacular_title": r.vernacular_title,
        "abstract": r.abstract,
        "abstract_sections": sections or None,
        "journal": r.journal,
        "journal_iso": r.journal_iso,
        "issn": r.issn,
        "volume": r.volume,
        "issue": r.issue,
        "pages": r.pages,
        "language": "; ".join(r.languages) or None,
        "pub_date_text": r.pub_date_text or None,
        "pub_year": r.pub_year,
        "pub_month": r.pub_month,
        "pub_day": r.pub_day,
        "sort_date": r.sort_date,
        "epub_date": r.epub_date,
        "entrez_date": r.entrez_date,
        "publication_types": list(r.publication_types),
        "keywords": list(r.keywords),
        "is_preprint": bool(r.is_preprint),
        "is_retracted": bool(r.is_retracted),
        "pubmed_deleted_at": None,
    }
    _clip_values(values, p)
    authors: list[tuple[Any, ...]] = []
    for a in r.authors:
        last_name, collective_name = a.last_name, a.collective_name
        if not (last_name or collective_name):
            continue
        initials, suffix, orcid = a.initials, a.suffix, a.orcid
        if ((initials is not None and len(initials) > _INITIALS_MAX) or (suffix is not None and len(suffix) > _SUFFIX_MAX)
                or (orcid is not None and len(orcid) > _ORCID_MAX)):
            initials = _clip("publication_authors", "initials", initials, p)
            suffix = _clip("publication_authors", "suffix", suffix, p)
            orcid = _clip("publication_authors", "orcid", orcid, p)
        authors.append((len(authors), last_name, a.fore_name, initials, suffix, collective_name, orcid,
                        _json_strings(a.affiliations)))
    mesh: list[tuple[Any, ...]] = []
    get = _QUALIFIER_JSON.get
    for i, m in enumerate(r.mesh):
        ui, qualifiers = m.ui, m.qualifiers
        if ui is not None and len(ui) > _UI_MAX:
            ui = _clip("publication_mesh", "descriptor_ui", ui, p)
        qualifiers_json = ("[" + ", ".join([get(q) or _qualifier_json(q) for q in qualifiers]) + "]"
                           if qualifiers else "[]")
        mesh.append((i, m.descriptor, ui, m.major, qualifiers_json))
    return Prepared(p, r.version, r.is_preprint, r.related, values, authors, mesh)


def _json_strings(values: tuple[str, ...] | list[str]) -> str:
    """json.dumps of a list of strings, byte for byte, without its per-call overhead."""
    return "[" + ", ".join(map(_quote, values)) + "]" if values else "[]"


def _qualifier_json(key: MeshQualifier) -> str:
    """The JSON of a qualifier; a small vocabulary (about 80 qualifiers): each encoded once."""
    part: str = encode_json({"name": key.name, "ui": key.ui, "major": bool(key.major)})
    if len(_QUALIFIER_JSON) < 10_000:
        _QUALIFIER_JSON[key] = part
    return part
