"""A bundle's publication entries and the rows they stand for, both ways: column values, authors and MeSH.

Authors are written 'Last, Fore' (initials derived as PubMed derives them), a group name (no comma), or a table
of fields when a string would not read back to the same row; `studies add --authors` takes the same notation.
"""

from __future__ import annotations

from typing import Any

from littrack.models import Author, MeshHeading, Publication


def publication_values(spec: dict[str, Any]) -> dict[str, Any]:
    """Publication column values for the keys a bundle entry gives (absent keys leave columns alone)."""
    values: dict[str, Any] = {}
    for key in ("pmid", "doi", "pmcid", "title", "journal", "journal_iso", "issn", "volume", "issue", "pages",
                "language", "abstract", "abstract_sections", "vernacular_title", "epub_date", "entrez_date",
                "sort_date", "pmid_version", "keywords", "origin"):
        if key in spec:
            values[key] = spec[key]
    for key, column in (("pub_date", "pub_date_text"), ("year", "pub_year"), ("month", "pub_month"),
                        ("day", "pub_day"), ("retracted", "is_retracted")):
        if key in spec:
            values[column] = spec[key]
    if "publication_types" in spec:
        values["publication_types"] = spec["publication_types"]
        values["is_preprint"] = "Preprint" in spec["publication_types"]
    return values


def publication_entry(pub: Publication, ref: str, role: str, refs: dict[int, str]) -> dict[str, Any]:
    """A stored publication as a bundle's [[publications]] entry (None values are left out when written)."""
    entry: dict[str, Any] = {
        "ref": ref, "role": role, "pmid": pub.pmid, "pmid_version": pub.pmid_version, "doi": pub.doi,
        "pmcid": pub.pmcid, "title": pub.title, "vernacular_title": pub.vernacular_title, "journal": pub.journal,
        "journal_iso": pub.journal_iso, "issn": pub.issn, "volume": pub.volume, "issue": pub.issue,
        "pages": pub.pages, "language": pub.language, "pub_date": pub.pub_date_text, "year": pub.pub_year,
        "month": pub.pub_month, "day": pub.pub_day, "sort_date": pub.sort_date, "epub_date": pub.epub_date,
        "entrez_date": pub.entrez_date, "abstract": pub.abstract,
        "abstract_sections": [{k: v for k, v in s.items() if v is not None} for s in pub.abstract_sections or []] or None,
        "authors": [author_spec(a) for a in pub.authors] or None,
        "publication_types": list(pub.publication_types or []) or None,
        "keywords": list(pub.keywords or []) or None,
        "mesh": [{"descriptor": m.descriptor, "ui": m.descriptor_ui, "major": m.major,
                  "qualifiers": list(m.qualifiers or [])} for m in pub.mesh_headings] or None,
        "retracted": True if pub.is_retracted else None,
        "preprint_of": refs.get(pub.preprint_of_id) if pub.preprint_of_id else None,
        "origin": pub.origin if pub.origin != "bundle" else None,
    }
    return entry


def author_spec(a: Author) -> str | dict[str, Any]:
    """An author in bundle notation: 'Last, Fore' (or a group name) when that reads back to the same row, else a table."""
    simple = not (a.suffix or a.orcid or a.affiliations)
    if simple and a.collective_name and not a.last_name and "," not in a.collective_name and not a.fore_name:
        return a.collective_name
    if (simple and a.last_name and not a.collective_name and "," not in a.last_name and a.fore_name
            and a.initials == author_initials(a.fore_name)):
        return f"{a.last_name}, {a.fore_name}"
    table = {"last_name": a.last_name, "fore_name": a.fore_name, "initials": a.initials, "suffix": a.suffix,
             "collective_name": a.collective_name, "orcid": a.orcid}
    out: dict[str, Any] = {k: v for k, v in table.items() if v is not None}
    out["affiliations"] = list(a.affiliations or [])
    return out


def author_rows(authors: list[Author], names_only: bool = False) -> list[tuple[Any, ...]]:
    """What two author lists are compared by; names only for 'Last, Fore' strings, which carry no more."""
    if names_only:
        return [(a.last_name, a.fore_name, a.collective_name) for a in authors]
    return [(a.last_name, a.fore_name, a.initials, a.suffix, a.collective_name, a.orcid, list(a.affiliations or []))
            for a in authors]


def mesh_rows(mesh: list[MeshHeading]) -> list[tuple[Any, ...]]:
    """What two MeSH heading lists are compared by."""
    return [(m.descriptor, m.descriptor_ui, m.major, list(m.qualifiers or [])) for m in mesh]


def author_initials(fore_name: str) -> str | None:
    """Initials as PubMed writes them: 'Jane Ann' -> 'JA', 'Jean-Luc' -> 'JL'."""
    return "".join(w[0] for w in fore_name.replace("-", " ").split() if w) or None


def author_from_spec(position: int, spec: str | dict[str, Any]) -> Author:
    """An author from its bundle notation: 'Last, Fore', a group name (no comma), or a table of fields."""
    if isinstance(spec, dict):
        return Author(position=position, last_name=spec.get("last_name"), fore_name=spec.get("fore_name"),
                      initials=spec.get("initials"), suffix=spec.get("suffix"),
                      collective_name=spec.get("collective_name"), orcid=spec.get("orcid"),
                      affiliations=list(spec.get("affiliations", [])))
    if "," in spec:
        last, fore = (p.strip() for p in spec.split(",", 1))
        return Author(position=position, last_name=last, fore_name=fore or None,
                      initials=author_initials(fore) if fore else None, affiliations=[])
    return Author(position=position, collective_name=spec.strip(), affiliations=[])


def mesh_from_spec(position: int, spec: dict[str, Any]) -> MeshHeading:
    """A MeSH heading from its bundle table (descriptor, ui, major, qualifiers)."""
    return MeshHeading(position=position, descriptor=spec["descriptor"], descriptor_ui=spec.get("ui"),
                       major=bool(spec.get("major", False)), qualifiers=list(spec.get("qualifiers", [])))
