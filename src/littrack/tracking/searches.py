"""Saved PubMed searches: add, list, show with recent runs, edit, pause, resume, remove."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from littrack.errors import NotFound, ValidationError
from littrack.models import SavedSearch, SearchHit, SearchRun
from littrack.models.base import utcnow
from littrack.suggest import unknown
from littrack.values import iso

DEFAULT_EVERY = "7d"
_EVERY_RE = re.compile(r"^\s*(\d+)\s*([hdw])\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"h": 3600, "d": 86400, "w": 7 * 86400}
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# An hourly cron must not drift by an hour each cycle because the last run finished a little past the hour.
DUE_SLACK = dt.timedelta(minutes=10)


def parse_every(text: str) -> int:
    """'1d', '7d', '30d', '12h', '2w' -> seconds."""
    m = _EVERY_RE.match(text)
    if not m or int(m.group(1)) == 0:
        raise ValidationError(f"--every {text!r}: give a number and a unit h, d or w, e.g. 1d, 7d or 30d")
    return int(m.group(1)) * _UNIT_SECONDS[m.group(2).lower()]


def format_every(seconds: int) -> str:
    """Seconds as people say an interval: '7d' rather than '1w'."""
    if seconds % 86400 == 0:
        return f"{seconds // 86400}d"
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    return f"{seconds}s"


def _check_name(name: str) -> str:
    if not _NAME_RE.match(name) or len(name) > 100:
        raise ValidationError(
            f"search name {name!r}: use letters, digits, '.', '_' or '-' (at most 100, no spaces), e.g. trd-pgs"
        )
    return name


def _check_query(query: str) -> str:
    query = " ".join(query.split())
    if not query:
        raise ValidationError("--query is empty: give a PubMed query, e.g. 'polygenic AND depression'")
    return query


def resolve_search(session: Session, name: str) -> SavedSearch:
    search = session.scalar(select(SavedSearch).where(SavedSearch.name == name))
    if search is None:
        raise NotFound(unknown("saved search", name, session.scalars(select(SavedSearch.name)),
                               "see `littrack search list`"))
    return search


def add_search(session: Session, name: str, query: str, every: str = DEFAULT_EVERY) -> SavedSearch:
    _check_name(name)
    if session.scalar(select(SavedSearch.id).where(SavedSearch.name == name)) is not None:
        raise ValidationError(f"a saved search named {name!r} exists: change it with `littrack search edit {name}`")
    search = SavedSearch(name=name, query=_check_query(query), interval_seconds=parse_every(every), paused=False)
    session.add(search)
    session.flush()
    return search


def edit_search(session: Session, name: str, *, query: str | None = None, every: str | None = None,
                new_name: str | None = None) -> tuple[SavedSearch, list[str]]:
    """Change a search; a new query forgets the watermark (the next run starts afresh). Returns notes."""
    search = resolve_search(session, name)
    notes: list[str] = []
    if new_name is not None and new_name != search.name:
        _check_name(new_name)
        if session.scalar(select(SavedSearch.id).where(SavedSearch.name == new_name)) is not None:
            raise ValidationError(f"cannot rename {name!r}: a saved search named {new_name!r} exists")
        notes.append(f"renamed {search.name} -> {new_name}")
        search.name = new_name
    if query is not None and _check_query(query) != search.query:
        search.query = _check_query(query)
        if search.watermark is not None:
            notes.append(f"query changed: watermark {search.watermark} cleared, so the next refresh searches "
                         "all of PubMed for the new query (or from --since)")
        search.watermark = None
    if every is not None:
        search.interval_seconds = parse_every(every)
    if query is None and every is None and new_name is None:
        raise ValidationError("nothing to change: give --query, --every or --name")
    session.flush()
    return search, notes


def set_paused(session: Session, name: str, paused: bool) -> SavedSearch:
    search = resolve_search(session, name)
    search.paused = paused
    return search


def remove_search(session: Session, name: str) -> dict[str, int]:
    """Delete a search with its runs and hits; the papers it found stay."""
    search = resolve_search(session, name)
    counts = {
        "runs": session.scalar(select(func.count()).where(SearchRun.search_id == search.id)) or 0,
        "hits": session.scalar(select(func.count()).where(SearchHit.search_id == search.id)) or 0,
    }
    session.delete(search)
    session.flush()
    return counts


def next_due(search: SavedSearch) -> dt.datetime | None:
    """When --due will next run the search (None: at the next chance)."""
    if search.last_success_at is None:
        return None
    return search.last_success_at + dt.timedelta(seconds=search.interval_seconds)


def is_due(search: SavedSearch, now: dt.datetime | None = None) -> bool:
    if search.paused:
        return False
    due = next_due(search)
    return due is None or due <= (now or utcnow()) + DUE_SLACK


def _last_runs(session: Session, search_ids: list[int]) -> dict[int, SearchRun]:
    latest = (select(SearchRun.search_id, func.max(SearchRun.id).label("id"))
              .where(SearchRun.search_id.in_(search_ids)).group_by(SearchRun.search_id).subquery())
    runs = session.scalars(select(SearchRun).join(latest, SearchRun.id == latest.c.id))
    return {r.search_id: r for r in runs}


def run_row(run: SearchRun) -> dict[str, Any]:
    return {
        "id": run.id, "started_at": iso(run.started_at), "finished_at": iso(run.finished_at), "status": run.status,
        "mindate": iso(run.mindate), "maxdate": iso(run.maxdate), "found": run.n_found, "new": run.n_new,
        "updated": run.n_updated, "requests": run.n_requests, "error": run.error,
    }


def list_searches(session: Session) -> list[dict[str, Any]]:
    searches = list(session.scalars(select(SavedSearch).order_by(SavedSearch.name)))
    ids = [s.id for s in searches]
    hits = dict(session.execute(select(SearchHit.search_id, func.count()).where(SearchHit.search_id.in_(ids))
                                .group_by(SearchHit.search_id)).all()) if ids else {}
    last = _last_runs(session, ids) if ids else {}
    now = utcnow()
    rows = []
    for s in searches:
        run = last.get(s.id)
        due = next_due(s)
        rows.append({
            "name": s.name, "query": s.query, "every": format_every(s.interval_seconds), "paused": s.paused,
            "watermark": iso(s.watermark), "last_run": iso(s.last_run_at),
            "last_status": run.status if run else None, "last_success": iso(s.last_success_at),
            "next_due": "paused" if s.paused else (iso(due) if due and due > now else "now"),
            "papers": hits.get(s.id, 0),
        })
    return rows


def search_record(session: Session, name: str, runs: int = 10) -> dict[str, Any]:
    s = resolve_search(session, name)
    row = next(r for r in list_searches(session) if r["name"] == s.name)
    row["created_at"] = iso(s.created_at)
    recent = session.scalars(select(SearchRun).where(SearchRun.search_id == s.id)
                             .order_by(SearchRun.id.desc()).limit(runs))
    row["runs"] = [run_row(r) for r in recent]
    return row
