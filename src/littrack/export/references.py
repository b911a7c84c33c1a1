"""Publications for reference managers: BibTeX, RIS and CSL-JSON, keeping DOI, PMID and PMCID.

BibTeX and CSL-JSON ids are the citation keys of littrack.citations.
Preprints are CSL type "article" (CSL 1.0.2's type for preprints) and carry note "Preprint" elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, selectinload

from littrack.citations import citation_keys, one_line
from littrack.errors import NotFound, ValidationError
from littrack.formats import json_text
from littrack.models import Author, Publication, SavedSearch, SearchHit, StudyPublication, Triage
from littrack.queries import resolve_study
from littrack.suggest import unknown
from littrack.vocab import TRIAGE_STATUSES

FORMATS = ("bibtex", "ris", "csljson")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


# ---- which papers -----------------------------------------------------------------------------------

def select_papers(session: Session, *, search: str | None = None, statuses: Sequence[str] = (),
                  study: str | None = None) -> list[Publication]:
    """Publications of a saved search, a triage status and/or a study (all publications when none is given)."""
    stmt = select(Publication).options(selectinload(Publication.authors))
    if search:
        found = session.scalar(select(SavedSearch).where(func.lower(SavedSearch.name) == search.lower()))
        if found is None:
            raise NotFound(unknown("saved search", search, session.scalars(select(SavedSearch.name)),
                                   "see `littrack search list`"))
        stmt = stmt.where(Publication.id.in_(select(SearchHit.publication_id).where(SearchHit.search_id == found.id)))
    if statuses:
        bad = [s for s in statuses if s not in TRIAGE_STATUSES]
        if bad:
            raise ValidationError("--status: " + unknown("triage status", bad[0], TRIAGE_STATUSES,
                                                         "use one of " + ", ".join(TRIAGE_STATUSES), problem=True))
        stmt = stmt.outerjoin(Triage, Triage.publication_id == Publication.id).where(
            func.coalesce(Triage.status, "new").in_(list(statuses)))
    if study:
        s = resolve_study(session, study)
        stmt = stmt.join(StudyPublication, and_(StudyPublication.publication_id == Publication.id,
                                                StudyPublication.study_id == s.id)).order_by(StudyPublication.position)
    return list(session.scalars(stmt.order_by(Publication.id)).unique())


# ---- shared pieces ----------------------------------------------------------------------------------

def page_range(pages: str | None) -> tuple[str | None, str | None]:
    """'505-13' -> ('505', '513'): MEDLINE abbreviates last pages; 'e123' -> ('e123', None)."""
    if not pages:
        return None, None
    first, _, last = (p.strip() for p in pages.strip().partition("-"))
    if not last:
        return first or None, None
    if first.isdigit() and last.isdigit() and len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    return first, last


def _year(pub: Publication) -> int | None:
    return pub.year


def _notes(pub: Publication) -> list[str]:
    return [n for n, flag in (("Preprint", pub.is_preprint), ("Retracted publication", pub.is_retracted)) if flag]


# ---- BibTeX ---------------------------------------------------------------------------------------

_LATEX = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "%": r"\%", "#": r"\#",
    "_": r"\_", "^": r"\^{}", "~": r"\textasciitilde{}", "<": r"\textless{}", ">": r"\textgreater{}",
}


def latex_escape(text: str) -> str:
    return "".join(_LATEX.get(ch, ch) for ch in one_line(text))


def bibtex_title(text: str) -> str:
    """Escaped, with words whose inner capitals matter (TRD, mRNA, GWAS) braced so styles keep their case."""
    out = []
    for word in one_line(text).split(" "):
        escaped = latex_escape(word)
        out.append("{" + escaped + "}" if any(ch.isupper() for ch in word[1:]) else escaped)
    return " ".join(out)


def _bibtex_name(a: Author) -> str:
    if a.collective_name:
        return "{" + latex_escape(a.collective_name) + "}"
    last = latex_escape(a.last_name or "")
    if " and " in f" {last} " or "," in last:
        last = "{" + last + "}"
    parts = [last]
    if a.suffix:
        parts.append(latex_escape(a.suffix))
    if a.fore_name or a.initials:
        parts.append(latex_escape(a.fore_name or a.initials or ""))
    return ", ".join(parts)


def bibtex_entry(pub: Publication, key: str) -> str:
    first, last = page_range(pub.pages)
    fields: list[tuple[str, str | None]] = [
        ("author", " and ".join(_bibtex_name(a) for a in pub.authors) or None),
        ("title", bibtex_title(pub.title)),
        ("journal", latex_escape(pub.journal) if pub.journal else None),
        ("year", str(_year(pub)) if _year(pub) else None),
        ("volume", latex_escape(pub.volume) if pub.volume else None),
        ("number", latex_escape(pub.issue) if pub.issue else None),
        ("pages", latex_escape(f"{first}--{last}" if last else first) if first else None),
        ("doi", latex_escape(pub.doi) if pub.doi else None),
        ("pmid", str(pub.pmid) if pub.pmid else None),
        ("pmcid", pub.pmcid),
        ("issn", pub.issn),
        ("language", latex_escape(pub.language) if pub.language else None),
        ("keywords", latex_escape(", ".join(pub.keywords)) if pub.keywords else None),
        ("abstract", latex_escape(pub.abstract) if pub.abstract else None),
        ("note", "; ".join(_notes(pub)) or None),
    ]
    lines = [f"@article{{{key},"]
    for name, value in fields:
        if value:
            lines.append(f"  {name} = {{{value}}},")
        if name == "year" and pub.pub_month:
            lines.append(f"  month = {MONTHS[pub.pub_month - 1]},")
    lines.append("}")
    return "\n".join(lines) + "\n"


# ---- RIS ------------------------------------------------------------------------------------------

def ris_record(pub: Publication) -> str:
    first, last = page_range(pub.pages)
    tags: list[tuple[str, str | None]] = [("TY", "JOUR")]
    for a in pub.authors:
        if a.collective_name:
            tags.append(("AU", a.collective_name))
        else:
            name = ", ".join(p for p in (a.last_name, a.fore_name or a.initials, a.suffix) if p)
            tags.append(("AU", name))
    year = _year(pub)
    date = None
    if year and pub.pub_month:
        date = f"{year}/{pub.pub_month:02d}/{f'{pub.pub_day:02d}' if pub.pub_day else ''}/"
    tags += [
        ("TI", pub.title), ("T2", pub.journal), ("J2", pub.journal_iso), ("PY", str(year) if year else None),
        ("DA", date), ("VL", pub.volume), ("IS", pub.issue), ("SP", first), ("EP", last), ("DO", pub.doi),
        ("AN", str(pub.pmid) if pub.pmid else None), ("C2", pub.pmcid), ("SN", pub.issn), ("LA", pub.language),
    ]
    tags += [("KW", k) for k in pub.keywords or []]
    tags += [("AB", pub.abstract), ("N1", "; ".join(_notes(pub)) or None),
             ("UR", f"https://doi.org/{pub.doi}" if pub.doi else
              f"https://pubmed.ncbi.nlm.nih.gov/{pub.pmid}/" if pub.pmid else None)]
    lines = [f"{tag}  - {one_line(value)}" for tag, value in tags if value]
    lines.append("ER  - ")
    return "\n".join(lines) + "\n"


# ---- CSL-JSON ---------------------------------------------------------------------------------------

def _csl_name(a: Author) -> dict[str, str]:
    if a.collective_name:
        return {"literal": a.collective_name}
    name = {"family": a.last_name or ""}
    if a.fore_name or a.initials:
        name["given"] = a.fore_name or a.initials or ""
    if a.suffix:
        name["suffix"] = a.suffix
    return name


def csl_item(pub: Publication, key: str) -> dict[str, Any]:
    item: dict[str, Any] = {"id": key, "type": "article" if pub.is_preprint else "article-journal",
                            "title": one_line(pub.title)}
    if pub.authors:
        item["author"] = [_csl_name(a) for a in pub.authors]
    year = _year(pub)
    if year:
        parts = [year] + ([pub.pub_month] if pub.pub_month else []) + ([pub.pub_day] if pub.pub_month and pub.pub_day else [])
        item["issued"] = {"date-parts": [parts]}
    elif pub.pub_date_text:
        item["issued"] = {"literal": pub.pub_date_text}
    if pub.epub_date:
        e = pub.epub_date
        item["available-date"] = {"date-parts": [[e.year, e.month, e.day]]}
    first, last = page_range(pub.pages)
    optional = {
        "container-title": one_line(pub.journal) or None, "container-title-short": pub.journal_iso,
        "volume": pub.volume, "issue": pub.issue, "page": f"{first}-{last}" if last else first,
        "DOI": pub.doi, "PMID": str(pub.pmid) if pub.pmid else None, "PMCID": pub.pmcid, "ISSN": pub.issn,
        "language": pub.language, "abstract": pub.abstract, "keyword": ", ".join(pub.keywords) if pub.keywords else None,
        "note": "; ".join(_notes(pub)) or None,
        "URL": f"https://doi.org/{pub.doi}" if pub.doi else f"https://pubmed.ncbi.nlm.nih.gov/{pub.pmid}/" if pub.pmid else None,
    }
    item.update({k: v for k, v in optional.items() if v})
    return item


def render_papers(session: Session, pubs: Sequence[Publication], fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValidationError(f"--format: use one of {', '.join(FORMATS)} ({fmt})")
    keys = citation_keys(session) if pubs else {}
    if fmt == "bibtex":
        return "\n".join(bibtex_entry(p, keys[p.id]) for p in pubs)
    if fmt == "ris":
        return "\n".join(ris_record(p) for p in pubs)
    return json_text([csl_item(p, keys[p.id]) for p in pubs]) + "\n"
