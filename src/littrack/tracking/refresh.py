"""The refresh job: per saved search, ESearch the Entrez-date window, EFetch in batches, store each batch in its
own short transaction, record the run; the watermark moves only when every batch is stored.

Unlike most core functions this one owns its transactions (one per batch, plus the run record), because a
long refresh must neither hold a write lock while it waits on NCBI nor lose finished batches to a late fault.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, cast
from urllib.parse import urlsplit

from sqlalchemy import CursorResult, Engine, Table, func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from littrack.db import dialect_insert, in_chunks, make_sessionmaker
from littrack.errors import ConfigError, EutilsError, LittrackError
from littrack.http import Retryable
from littrack.models import Publication, SavedSearch, SearchHit, SearchRun
from littrack.models.base import utcnow
from littrack.pubmed.eutils import EutilsClient
from littrack.pubmed.parse import iter_pubmed
from littrack.pubmed.records import DeletedCitation, PubmedRecord
from littrack.pubmed.store import upsert_records
from littrack.tracking.lock import Holder, ProcessLock
from littrack.tracking.searches import is_due, resolve_search

logger = logging.getLogger("littrack.refresh")

# Records enter searches a day or two after their Entrez date, and NCBI's day is US Eastern: look back a bit.
OVERLAP_DAYS = 3
BATCH_SIZE = 200
LOCK_NAME = "refresh"
# A declarative model's __table__ is a Table; SQLAlchemy types it as the wider FromClause.
HITS = cast(Table, SearchHit.__table__)

Notify = Callable[[str], None]


@dataclass
class RunSummary:
    """One search's outcome, for the summary line on stdout."""

    name: str
    status: str  # success | failed | dry-run
    mindate: dt.date | None = None
    found: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    new_hits: int = 0
    requests: int = 0
    error: str | None = None

    def line(self) -> str:
        window = f"entrez date from {self.mindate}" if self.mindate else "all dates"
        if self.status == "dry-run":
            return (f"{self.name}: dry run, {self.found} found ({window}), {self.new} not stored yet, "
                    f"{self.new_hits} new to this search; nothing fetched or written ({_requests(self.requests)})")
        counts = (f"{self.found} found, {self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
                  f"{self.new_hits} new to this search ({window}; {_requests(self.requests)})")
        if self.status == "success":
            return f"{self.name}: ok, {counts}"
        return f"{self.name}: FAILED, {counts}: {self.error}"


def _requests(n: int) -> str:
    return f"{n} request" + ("" if n == 1 else "s")


def _env_float(name: str) -> float | None:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return None
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number") from None


def _loopback(url: str | None) -> bool:
    host = urlsplit(url or "").hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def client_from_env(email: str | None = None) -> EutilsClient:
    """An E-utilities client with NCBI-polite defaults; LITTRACK_EUTILS_TIMEOUT/RETRIES/BACKOFF tune it.

    LITTRACK_EUTILS_RATE is obeyed only for a server on this machine (tests): NCBI's limits always hold for NCBI.
    """
    url = os.environ.get("LITTRACK_EUTILS_URL") or None
    options: dict[str, Any] = {}  # only what the environment sets: the client's defaults stay in one place
    for key, env in (("timeout", "LITTRACK_EUTILS_TIMEOUT"), ("backoff", "LITTRACK_EUTILS_BACKOFF"),
                     ("max_retries", "LITTRACK_EUTILS_RETRIES")):
        value = _env_float(env)
        if value is not None:
            options[key] = int(value) if key == "max_retries" else value
    rate = _env_float("LITTRACK_EUTILS_RATE")
    if rate is not None and _loopback(url):
        options["rate"] = rate
    return EutilsClient(url, email=email, **options)


def _quiet(_: str) -> None:
    pass


def select_searches(session: Session, names: Sequence[str], due: bool, notify: Notify) -> list[SavedSearch]:
    """The searches to run: the named ones (else every unpaused one), only the due ones with --due."""
    if names:
        chosen = [resolve_search(session, n) for n in dict.fromkeys(names)]
    else:
        chosen = []
        for s in session.scalars(select(SavedSearch).order_by(SavedSearch.name)):
            if s.paused and not due:
                notify(f"{s.name}: paused, skipped (`littrack search resume {s.name}`)")
            else:
                chosen.append(s)
    if due:
        now = utcnow()
        for s in [s for s in chosen if not is_due(s, now)]:
            notify(f"{s.name}: not due" + (" (paused)" if s.paused else ""))
        chosen = [s for s in chosen if is_due(s, now)]
    return chosen


def refresh(
    engine: Engine,
    client: EutilsClient,
    *,
    names: Sequence[str] = (),
    due: bool = False,
    since: dt.date | None = None,
    dry_run: bool = False,
    wait: float = 0.0,
    notify: Notify = _quiet,
) -> list[RunSummary]:
    """Refresh saved searches under the process-wide refresh lock; one summary per search run.

    A second refresh waits up to `wait` seconds for the lock, then raises ConcurrencyError.
    """
    factory = make_sessionmaker(engine)
    if dry_run:
        with factory() as session:
            searches = [(s.id, s.name, s.query, s.watermark) for s in select_searches(session, names, due, notify)]
        return [_dry_run(factory, client, *s, since=since, notify=notify) for s in searches]
    lock = ProcessLock(engine, LOCK_NAME)

    def waiting(holder: Holder) -> None:
        notify(f"another refresh is running ({holder.describe()}); waiting up to {wait:g} s")

    with lock.held(wait, on_wait=waiting):
        _close_stale_runs(factory, notify)
        # Chosen under the lock: a refresh we waited for may just have run them (--due then skips them).
        with factory() as session:
            searches = [(s.id, s.name, s.query, s.watermark) for s in select_searches(session, names, due, notify)]
        if not searches:
            notify("no saved search to refresh" + (" is due" if due else
                   ": add one with `littrack search add NAME --query '...'`"))
        return [_run(factory, client, lock, *s, since=since, notify=notify) for s in searches]


def _close_stale_runs(factory: sessionmaker[Session], notify: Notify) -> None:
    """Runs left 'running' by a refresh that was killed: we hold the lock, so none is really running."""
    with factory.begin() as session:
        # An UPDATE's result is a CursorResult (it has rowcount); execute() is typed with the wider Result.
        stale = cast(CursorResult[Any], session.execute(update(SearchRun).where(SearchRun.status == "running").values(
            status="failed", finished_at=utcnow(), error="interrupted: the refresh process ended during the run")))
    if stale.rowcount:
        notify(f"marked {stale.rowcount} run(s) of an interrupted refresh as failed")


def _window(name: str, watermark: dt.date | None, since: dt.date | None, notify: Notify) -> dt.date | None:
    if since is not None:
        notify(f"{name}: searching records with an Entrez date from {since} (--since)")
        return since
    if watermark is None:
        notify(f"{name}: first run, so fetching every record PubMed has for this query, whatever its date "
               "(to start later, pass --since YYYY-MM-DD)")
        return None
    start = watermark - dt.timedelta(days=OVERLAP_DAYS)
    notify(f"{name}: searching records with an Entrez date from {start} "
           f"(last complete run reached {watermark}; {OVERLAP_DAYS} days overlap because Entrez dates lag)")
    return start


def _search(client: EutilsClient, name: str, query: str, mindate: dt.date | None, notify: Notify) -> list[int]:
    result = client.search(query, mindate=mindate)
    for message in result.errors:
        notify(f"{name}: PubMed reported: {message} (check the query with `littrack search show {name}`)")
    for message in result.warnings:
        if "No items found" not in message:
            notify(f"{name}: PubMed warned: {message}")
    return result.ids


def _dry_run(factory: sessionmaker[Session], client: EutilsClient, search_id: int, name: str, query: str,
             watermark: dt.date | None, *, since: dt.date | None, notify: Notify) -> RunSummary:
    summary = RunSummary(name, "dry-run")
    before = client.requests_made
    try:
        summary.mindate = _window(name, watermark, since, notify)
        ids = _search(client, name, query, summary.mindate, notify)
    except LittrackError as exc:
        summary.status, summary.error = "failed", str(exc)
        summary.requests = client.requests_made - before
        return summary
    summary.found = len(ids)
    stored: set[int] = set()
    hit: set[int] = set()
    with factory() as session:
        for part in in_chunks(ids):
            stored.update(session.scalars(select(Publication.pmid).where(Publication.pmid.in_(part))))
            hit.update(session.scalars(select(Publication.pmid).join(SearchHit, SearchHit.publication_id == Publication.id)
                                       .where(SearchHit.search_id == search_id, Publication.pmid.in_(part))))
    summary.new = len(ids) - len(stored)
    summary.new_hits = len(ids) - len(hit)
    summary.requests = client.requests_made - before
    return summary


def record_hits(session: Session, search_id: int, run_id: int, publication_ids: Sequence[int]) -> None:
    """Link publications to the search: first seen now (this run), or last seen now when already linked."""
    if not publication_ids:
        return
    now = utcnow()
    ins = dialect_insert(session, HITS)
    stmt = ins.on_conflict_do_update(index_elements=[HITS.c.search_id, HITS.c.publication_id],
                                     set_={"last_seen_at": ins.excluded.last_seen_at})
    session.execute(stmt, [{"search_id": search_id, "publication_id": pid, "first_run_id": run_id,
                            "first_seen_at": now, "last_seen_at": now} for pid in publication_ids])


def _run(factory: sessionmaker[Session], client: EutilsClient, lock: ProcessLock, search_id: int, name: str,
         query: str, watermark: dt.date | None, *, since: dt.date | None, notify: Notify) -> RunSummary:
    summary = RunSummary(name, "running")
    summary.mindate = _window(name, watermark, since, notify)
    today = utcnow().date()
    with factory.begin() as session:
        run = SearchRun(search_id=search_id, status="running", mindate=summary.mindate, maxdate=today)
        session.add(run)
        session.execute(update(SavedSearch).where(SavedSearch.id == search_id).values(last_run_at=utcnow()))
        session.flush()
        run_id = run.id
    before = client.requests_made
    try:
        ids = _search(client, name, query, summary.mindate, notify)
        summary.found = len(ids)
        batches = -(-len(ids) // BATCH_SIZE)
        notify(f"{name}: {len(ids)} record(s) found; fetching in {batches} batch(es) of up to {BATCH_SIZE}")
        with factory.begin() as session:
            session.execute(update(SearchRun).where(SearchRun.id == run_id).values(n_found=len(ids)))
        for number, (batch, body) in enumerate(client.fetch_batches(ids, BATCH_SIZE), start=1):
            records = list(iter_pubmed(body))  # parse the whole batch first: a bad body writes nothing
            records += _refetch_missing(client, name, batch, records, notify)
            lock.check()
            with factory.begin() as session:
                stored = upsert_records(session, records)
                record_hits(session, search_id, run_id, list(stored.ids.values()))
                session.execute(update(SearchRun).where(SearchRun.id == run_id).values(
                    n_new=SearchRun.n_new + stored.new, n_updated=SearchRun.n_updated + stored.updated,
                    n_requests=client.requests_made - before))
            summary.new += stored.new
            summary.updated += stored.updated
            summary.unchanged += stored.unchanged
            notify(f"{name}: batch {number}/{batches}: {len(stored.pmids)} stored "
                   f"({stored.new} new, {stored.updated} updated, {stored.unchanged} unchanged)")
        with factory.begin() as session:
            summary.new_hits = session.scalar(select(func.count()).where(HITS.c.first_run_id == run_id)) or 0
            summary.requests = client.requests_made - before
            session.execute(update(SearchRun).where(SearchRun.id == run_id).values(
                status="success", finished_at=utcnow(), n_requests=summary.requests))
            search = session.get(SavedSearch, search_id)
            assert search is not None
            # A --since later than the watermark left a gap: keep the old watermark so the next run fills it.
            if search.watermark is None or summary.mindate is None or summary.mindate <= search.watermark:
                search.watermark = today
            search.last_success_at = utcnow()
        summary.status = "success"
    except (LittrackError, SQLAlchemyError, KeyboardInterrupt) as exc:
        summary.status = "failed"
        summary.error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if isinstance(exc, SQLAlchemyError):
            summary.error = f"database error: {summary.error}"
        summary.requests = client.requests_made - before
        _record_failure(factory, run_id, summary, notify)
        if isinstance(exc, KeyboardInterrupt):
            raise
    return summary


def _refetch_missing(client: EutilsClient, name: str, batch: list[int], records: list[PubmedRecord | DeletedCitation],
                     notify: Notify) -> list[PubmedRecord | DeletedCitation]:
    """Ask again (as often as the client retries) for PMIDs ESearch listed but EFetch left out; raise if still missing.

    Failing keeps the watermark, so the next refresh asks again; a record PubMed withdrew meanwhile
    drops out of that refresh's ESearch, so this does not block a search for good.
    """
    got = {r.pmid for r in records if isinstance(r, PubmedRecord)}
    missing = [p for p in batch if p not in got]
    extra: list[PubmedRecord | DeletedCitation] = []
    if not missing:
        return extra

    def ask_again() -> list[PubmedRecord | DeletedCitation]:
        nonlocal missing
        notify(f"{name}: EFetch left out {len(missing)} of {len(batch)} PMID(s); asking again")
        answer = list(iter_pubmed(client.efetch(missing)))
        extra.extend(answer)
        got.update(r.pmid for r in answer if isinstance(r, PubmedRecord))
        missing = [p for p in missing if p not in got]
        if missing:
            listed = ", ".join(map(str, missing[:10])) + (" ..." if len(missing) > 10 else "")
            raise Retryable(f"PubMed listed {len(missing)} PMID(s) that EFetch did not return ({listed}); "
                            "nothing of this batch was stored", error=EutilsError)
        return extra

    # The client's policy (its backoff, its sleep), with one attempt fewer: the batch's own EFetch was the first.
    policy = replace(client.retry, max_retries=max(0, client.max_retries - 1))
    return policy.call(ask_again, what=f"{name}: EFetch of left-out PMIDs", logger=logger,
                       give_up=lambda failure: failure.error(failure.reason))


def _record_failure(factory: sessionmaker[Session], run_id: int, summary: RunSummary, notify: Notify) -> None:
    try:
        with factory.begin() as session:
            session.execute(update(SearchRun).where(SearchRun.id == run_id).values(
                status="failed", finished_at=utcnow(), n_requests=summary.requests, error=summary.error))
            summary.new_hits = session.scalar(select(func.count()).where(HITS.c.first_run_id == run_id)) or 0
    except SQLAlchemyError as exc:
        notify(f"{summary.name}: could not record the failed run: {exc}")
    notify(f"{summary.name}: failed: {summary.error}; the watermark did not move, so the next refresh fetches "
           "what this one missed")
