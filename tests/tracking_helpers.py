"""Shared pieces of the saved-search, refresh, store and triage tests: the fake's environment and DB probes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fake_eutils
import pytest
from fake_eutils import TEST_API_KEY, TEST_EMAIL, FakeEutils
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from littrack.db import make_engine
from littrack.models import Publication, SavedSearch, SearchHit, SearchRun
from littrack.pubmed.parse import iter_pubmed
from littrack.pubmed.records import PubmedRecord

# Fast and patient enough for a loopback server; production keeps NCBI-polite defaults.
FAST_CLIENT_ENV = {
    "LITTRACK_EUTILS_BACKOFF": "0.001",
    "LITTRACK_EUTILS_RATE": "1000",
    "LITTRACK_EUTILS_RETRIES": "2",
    "LITTRACK_EUTILS_TIMEOUT": "2",
}


def point_at(fake: FakeEutils, monkeypatch: pytest.MonkeyPatch) -> FakeEutils:
    """Point littrack's refresh (environment-configured, as in production) at the fake server."""
    monkeypatch.setenv("LITTRACK_EUTILS_URL", fake.url)
    monkeypatch.setenv("NCBI_EMAIL", TEST_EMAIL)
    monkeypatch.setenv("NCBI_API_KEY", TEST_API_KEY)
    for key, value in FAST_CLIENT_ENV.items():
        monkeypatch.setenv(key, value)
    return fake


def subprocess_env(fake: FakeEutils, url: str) -> dict[str, str]:
    import os

    env = dict(os.environ)
    env.update(FAST_CLIENT_ENV)
    env.update({"LITTRACK_EUTILS_URL": fake.url, "NCBI_EMAIL": TEST_EMAIL, "NCBI_API_KEY": TEST_API_KEY,
                "LITTRACK_DATABASE_URL": url})
    return env


def parsed(fake: FakeEutils, pmid: int) -> PubmedRecord:
    """The record as the parser reads the fake's own EFetch XML of it."""
    records = [r for r in iter_pubmed(fake.corpus.render([pmid])) if isinstance(r, PubmedRecord)]
    assert len(records) == 1
    return records[0]


def fixture_files() -> list[Path]:
    return sorted(fake_eutils.DATA_DIR.rglob("*.xml"))


def state(url: str) -> dict[str, Any]:
    """Counts that show duplicates or half-written batches at a glance."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            out = {
                "publications": conn.scalar(select(func.count()).select_from(Publication)),
                "distinct_pmids": conn.scalar(select(func.count(func.distinct(Publication.pmid)))),
                "hits": conn.scalar(select(func.count()).select_from(SearchHit)),
                "distinct_hits": conn.scalar(text(
                    "SELECT count(*) FROM (SELECT DISTINCT search_id, publication_id FROM search_hits) AS d")),
                "authors": conn.scalar(text("SELECT count(*) FROM publication_authors")),
                "mesh": conn.scalar(text("SELECT count(*) FROM publication_mesh")),
                "runs": [tuple(r) for r in conn.execute(
                    select(SearchRun.status, SearchRun.n_found, SearchRun.n_new, SearchRun.n_updated)
                    .order_by(SearchRun.id))],
                "watermarks": dict(conn.execute(select(SavedSearch.name, SavedSearch.watermark)).all()),
                "locks": conn.scalar(text("SELECT count(*) FROM app_locks")),
                "orphan_children": conn.scalar(text(
                    "SELECT count(*) FROM publication_authors a LEFT JOIN publications p ON p.id = a.publication_id"
                    " WHERE p.id IS NULL")),
            }
            out["pmids"] = set(conn.scalars(select(Publication.pmid)))
            out["last_error"] = conn.scalar(select(SearchRun.error).order_by(SearchRun.id.desc()).limit(1))
    finally:
        engine.dispose()
    return out


def no_duplicates(s: dict[str, Any]) -> None:
    assert s["publications"] == s["distinct_pmids"]
    assert s["hits"] == s["distinct_hits"]
    assert s["orphan_children"] == 0


def pub(session: Session, pmid: int) -> Publication:
    p = session.scalar(select(Publication).where(Publication.pmid == pmid))
    assert p is not None, pmid
    return p


def assert_stored(session: Session, rec: PubmedRecord) -> None:
    """Every field of the record is in the database as the record has it."""
    p = pub(session, rec.pmid)
    expected = {
        "pmid_version": rec.version, "doi": rec.doi.lower() if rec.doi else None, "pmcid": rec.pmcid,
        "title": rec.title, "vernacular_title": rec.vernacular_title, "abstract": rec.abstract,
        "abstract_sections": [{"label": s.label, "category": s.category, "text": s.text}
                              for s in rec.abstract_sections] or None,
        "journal": rec.journal, "journal_iso": rec.journal_iso, "issn": rec.issn, "volume": rec.volume,
        "issue": rec.issue, "pages": rec.pages, "language": "; ".join(rec.languages) or None,
        "pub_date_text": rec.pub_date_text or None, "pub_year": rec.pub_year, "pub_month": rec.pub_month,
        "pub_day": rec.pub_day, "sort_date": rec.sort_date, "epub_date": rec.epub_date,
        "entrez_date": rec.entrez_date, "publication_types": list(rec.publication_types),
        "keywords": list(rec.keywords), "is_preprint": rec.is_preprint, "is_retracted": rec.is_retracted,
        "pubmed_deleted_at": None,
    }
    assert {k: getattr(p, k) for k in expected} == expected, rec.pmid
    assert [(a.last_name, a.fore_name, a.initials, a.suffix, a.collective_name, a.orcid, a.affiliations)
            for a in p.authors] == [
        (a.last_name, a.fore_name, a.initials, a.suffix, a.collective_name, a.orcid, list(a.affiliations))
        for a in rec.authors if a.last_name or a.collective_name]
    assert [(m.descriptor, m.descriptor_ui, m.major, m.qualifiers) for m in p.mesh_headings] == [
        (m.descriptor, m.ui, m.major, [{"name": q.name, "ui": q.ui, "major": q.major} for q in m.qualifiers])
        for m in rec.mesh]
