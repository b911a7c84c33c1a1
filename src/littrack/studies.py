"""Studies as records: a list with counts, and one whole study with its publications, data sets and effects."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from littrack.fastread import EffectFilter, find_effects
from littrack.models import Dataset, EffectSize, Publication, Study, StudyPublication
from littrack.queries import resolve_study
from littrack.values import iso


def publication_summary(pub: Publication) -> dict[str, Any]:
    return {
        "pmid": pub.pmid, "doi": pub.doi, "pmcid": pub.pmcid, "title": pub.title, "journal": pub.journal,
        "year": pub.year, "pub_date": pub.pub_date_text, "epub_date": iso(pub.epub_date),
        "volume": pub.volume, "issue": pub.issue, "pages": pub.pages, "authors": pub.author_names(),
        "publication_types": pub.publication_types, "is_preprint": pub.is_preprint, "is_retracted": pub.is_retracted,
        "preprint_of": (pub.preprint_of.pmid or pub.preprint_of.doi) if pub.preprint_of else None,
    }


def list_studies(session: Session) -> list[dict[str, Any]]:
    effects = dict(session.execute(select(EffectSize.study_id, func.count()).group_by(EffectSize.study_id)).all())
    datasets = dict(session.execute(select(Dataset.study_id, func.count()).group_by(Dataset.study_id)).all())
    studies = session.scalars(
        select(Study).options(selectinload(Study.publication_links).selectinload(StudyPublication.publication))
        .order_by(Study.key)
    ).all()
    rows = []
    for s in studies:
        primary = next((link.publication for link in s.publication_links if link.role == "primary"), None)
        rows.append({
            "key": s.key, "title": s.title,
            "journal": primary.journal if primary else None, "year": primary.year if primary else None,
            "pmid": primary.pmid if primary else None, "doi": primary.doi if primary else None,
            "publications": len(s.publication_links), "datasets": datasets.get(s.id, 0), "effects": effects.get(s.id, 0),
        })
    return rows


def study_record(session: Session, key: str) -> dict[str, Any]:
    s = resolve_study(session, key)
    return {
        "key": s.key, "title": s.title, "design": s.design, "exposures": s.exposures, "outcomes": s.outcomes,
        "description": s.description, "notes": s.notes,
        "publications": [dict(role=link.role, **publication_summary(link.publication)) for link in s.publication_links],
        "sources": [
            {"key": src.key, "kind": src.kind, "primary": src.is_primary, "citation": src.citation,
             "publisher": src.publisher, "date": src.date_text, "notes": src.notes}
            for src in s.sources
        ],
        "datasets": [
            {"label": d.label, "role": d.role, "cohort": d.cohort.name if d.cohort else None,
             "genotyping": d.genotyping, "ancestry": d.ancestry, "n_total": d.n_total,
             "groups": {g.name: g.n for g in d.groups}, "description": d.description, "source": d.source_note}
            for d in s.datasets
        ],
        "effects": find_effects(session, EffectFilter(study=s.key, sort="study")),
    }
