"""Triage of the papers saved searches found: list, show, mark a status, link one to a study."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, or_, select
from sqlalchemy.orm import Session, selectinload

from littrack.db import in_chunks
from littrack.errors import NotFound, ValidationError
from littrack.models import (
    Change,
    Publication,
    SavedSearch,
    SearchHit,
    Study,
    StudyPublication,
    Triage,
)
from littrack.models.base import utcnow
from littrack.queries import resolve_study
from littrack.suggest import unknown
from littrack.tracking.searches import resolve_search
from littrack.values import iso
from littrack.vocab import LINK_ROLES, TRIAGE_STATUSES


def resolve_paper(session: Session, pmid: int) -> Publication:
    pub = session.scalar(select(Publication).where(Publication.pmid == pmid))
    if pub is None:
        raise NotFound(f"no stored paper with PMID {pmid}: `littrack refresh` stores what saved searches find "
                       "(see `littrack papers list`)")
    return pub


def _searches_of(session: Session, pub_ids: Sequence[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for part in in_chunks(pub_ids):
        rows = session.execute(select(SearchHit.publication_id, SavedSearch.name)
                               .join(SavedSearch, SavedSearch.id == SearchHit.search_id)
                               .where(SearchHit.publication_id.in_(part)).order_by(SavedSearch.name))
        for pid, name in rows:
            out[pid].append(name)
    return out


def list_papers(session: Session, *, search: str | None = None, status: str | None = None,
                since: dt.date | None = None, include_deleted: bool = False,
                limit: int | None = None) -> list[dict[str, Any]]:
    """Papers found by saved searches (or already triaged), newest Entrez date first."""
    if status is not None and status not in TRIAGE_STATUSES:
        raise ValidationError(unknown("status", status, TRIAGE_STATUSES, "use one of " + ", ".join(TRIAGE_STATUSES)))
    hits = select(SearchHit.publication_id, func.min(SearchHit.first_seen_at).label("first_seen"))
    if search is not None:
        hits = hits.where(SearchHit.search_id == resolve_search(session, search).id)
    seen = hits.group_by(SearchHit.publication_id).subquery()
    state = func.coalesce(Triage.status, "new")
    stmt = (select(Publication, state.label("status"), Triage.note, seen.c.first_seen)
            .outerjoin(seen, seen.c.publication_id == Publication.id)
            .outerjoin(Triage, Triage.publication_id == Publication.id)
            .options(selectinload(Publication.authors)))
    if search is not None:
        stmt = stmt.where(seen.c.first_seen.is_not(None))
    else:
        stmt = stmt.where(or_(seen.c.first_seen.is_not(None), Triage.publication_id.is_not(None)))
    if status is not None:
        stmt = stmt.where(state == status)
    if since is not None:
        stmt = stmt.where(seen.c.first_seen >= dt.datetime.combine(since, dt.time(), dt.UTC))
    if not include_deleted:
        stmt = stmt.where(Publication.pubmed_deleted_at.is_(None))
    stmt = stmt.order_by(Publication.entrez_date.desc().nulls_last(), Publication.pmid.desc().nulls_last())
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = session.execute(stmt).all()
    names = _searches_of(session, [r[0].id for r in rows])
    return [
        {"pmid": pub.pmid, "title": pub.title, "journal": pub.journal_iso or pub.journal, "year": pub.year,
         "doi": pub.doi, "authors": pub.author_names(), "status": state_, "searches": names.get(pub.id, []),
         "note": note, "entrez_date": iso(pub.entrez_date), "first_seen": iso(first_seen),
         "retracted": pub.is_retracted, "preprint": pub.is_preprint, "deleted_from_pubmed": iso(pub.pubmed_deleted_at)}
        for pub, state_, note, first_seen in rows
    ]


def paper_record(session: Session, pmid: int) -> dict[str, Any]:
    """One paper whole: bibliographic record, abstract, MeSH, triage, searches and studies."""
    pub = resolve_paper(session, pmid)
    triage = session.get(Triage, pub.id)
    hits = session.execute(select(SavedSearch.name, SearchHit.first_seen_at, SearchHit.last_seen_at)
                           .join(SavedSearch, SavedSearch.id == SearchHit.search_id)
                           .where(SearchHit.publication_id == pub.id).order_by(SavedSearch.name)).all()
    links = session.execute(select(Study.key, StudyPublication.role)
                            .join(Study, Study.id == StudyPublication.study_id)
                            .where(StudyPublication.publication_id == pub.id).order_by(Study.key)).all()
    versions = session.scalars(select(Publication.pmid).where(Publication.preprint_of_id == pub.id)).all()
    return {
        "pmid": pub.pmid, "pmid_version": pub.pmid_version, "doi": pub.doi, "pmcid": pub.pmcid, "title": pub.title,
        "vernacular_title": pub.vernacular_title, "journal": pub.journal, "journal_iso": pub.journal_iso,
        "issn": pub.issn, "volume": pub.volume, "issue": pub.issue, "pages": pub.pages, "language": pub.language,
        "pub_date": pub.pub_date_text, "year": pub.year, "epub_date": iso(pub.epub_date),
        "entrez_date": iso(pub.entrez_date), "authors": [
            {"name": a.display_name, "fore_name": a.fore_name, "orcid": a.orcid, "affiliations": a.affiliations}
            for a in pub.authors],
        "abstract": pub.abstract, "abstract_sections": pub.abstract_sections,
        "mesh": [{"descriptor": m.descriptor, "ui": m.descriptor_ui, "major": m.major, "qualifiers": m.qualifiers}
                 for m in pub.mesh_headings],
        "publication_types": pub.publication_types, "keywords": pub.keywords, "preprint": pub.is_preprint,
        "retracted": pub.is_retracted, "deleted_from_pubmed": iso(pub.pubmed_deleted_at),
        "preprint_of": pub.preprint_of.pmid if pub.preprint_of else None, "preprints": list(versions),
        "status": triage.status if triage else "new", "note": triage.note if triage else None,
        "triaged_by": triage.curator if triage else None, "triaged_at": iso(triage.updated_at) if triage else None,
        "searches": [{"name": n, "first_seen": iso(f), "last_seen": iso(last)} for n, f, last in hits],
        "studies": [{"study": k, "role": r} for k, r in links], "origin": pub.origin,
    }


def _set_status(session: Session, pub: Publication, status: str, note: str | None, curator: str) -> str:
    row = session.get(Triage, pub.id)
    before = row.status if row else "new"
    if row is None:
        session.add(Triage(publication_id=pub.id, status=status, note=note, curator=curator))
    else:
        row.status, row.curator, row.updated_at = status, curator, utcnow()
        if note is not None:
            row.note = note
    return before


def put_on_triage_list(session: Session, publication_ids: Sequence[int], curator: str) -> int:
    """Give papers without a triage decision a 'new' row, so `papers list` shows them; returns how many.

    Papers already on the list keep their status, note and curator.
    """
    wanted = set(publication_ids)
    if not wanted:
        return 0
    listed = {pid for part in in_chunks(wanted)
              for pid in session.scalars(select(Triage.publication_id).where(Triage.publication_id.in_(part)))}
    fresh = sorted(wanted - listed)
    if fresh:
        now = utcnow()
        session.execute(insert(Triage), [{"publication_id": i, "status": "new", "note": None, "curator": curator,
                                          "updated_at": now} for i in fresh])
    return len(fresh)


def mark_papers(session: Session, pmids: Sequence[int], status: str, note: str | None,
                curator: str) -> list[dict[str, Any]]:
    """Set the triage status (and note) of papers; every PMID must be stored, else nothing changes."""
    if status not in TRIAGE_STATUSES:
        raise ValidationError(unknown("status", status, TRIAGE_STATUSES, "use one of " + ", ".join(TRIAGE_STATUSES)))
    pubs = {p.pmid: p for part in in_chunks(set(pmids))
            for p in session.scalars(select(Publication).where(Publication.pmid.in_(part)))}
    missing = [p for p in dict.fromkeys(pmids) if p not in pubs]
    if missing:
        raise NotFound(f"no stored paper with PMID {', '.join(map(str, missing))}; nothing was marked "
                       "(see `littrack papers list`)")
    return [{"pmid": p, "from": _set_status(session, pubs[p], status, note, curator), "to": status}
            for p in dict.fromkeys(pmids)]


def link_paper(session: Session, pmid: int, study_key: str, role: str, curator: str) -> dict[str, Any]:
    """Make a paper one of a study's publications and mark it 'included'."""
    if role not in LINK_ROLES:
        raise ValidationError(unknown("role", role, LINK_ROLES, "use one of " + ", ".join(LINK_ROLES)))
    pub = resolve_paper(session, pmid)
    study = resolve_study(session, study_key)
    link = session.get(StudyPublication, (study.id, pub.id))
    created = link is None
    if link is None:
        position = session.scalar(select(func.max(StudyPublication.position))
                                  .where(StudyPublication.study_id == study.id))
        session.add(StudyPublication(study_id=study.id, publication_id=pub.id, role=role,
                                     position=(position if position is not None else -1) + 1))
        session.add(Change(entity="publication", entity_id=pub.id, study_key=study.key, action="update",
                           curator=curator, before=None, after={"study": study.key, "role": role}))
    before = _set_status(session, pub, "included", None, curator)
    return {"pmid": pmid, "study": study.key, "role": link.role if link is not None else role,
            "linked": created, "status_before": before}
