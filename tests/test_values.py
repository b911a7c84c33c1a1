"""One ISO formatter for dates and times, and one way to chunk long IN lists."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from littrack.db import IN_CHUNK, SQLITE_MAX_PARAMETERS, in_chunks
from littrack.errors import NotFound
from littrack.history import jsonable
from littrack.tracking.triage import mark_papers
from littrack.values import iso, parse_datetime

EXACT = dt.datetime(2026, 11, 25, 15, 7, 10, 123456, tzinfo=dt.UTC)
WHOLE = dt.datetime(2026, 11, 25, 15, 7, 10, tzinfo=dt.UTC)


def test_iso_forms() -> None:
    assert iso(None) is None
    assert iso(dt.date(2024, 7, 5)) == "2024-07-05"
    assert iso(EXACT) == "2026-11-25T15:07:10Z"  # listings: whole seconds
    assert iso(EXACT, exact=True) == "2026-11-25T15:07:10.123456Z"  # bundles
    assert iso(WHOLE, exact=True) == "2026-11-25T15:07:10Z"
    assert iso(EXACT, exact=True, utc="+00:00") == "2026-11-25T15:07:10.123456+00:00"  # change log, effects query
    assert jsonable(EXACT) == "2026-11-25T15:07:10.123456+00:00"
    assert jsonable(dt.date(2024, 7, 5)) == "2024-07-05"


def test_iso_writes_utc_and_exact_reads_back() -> None:
    eastern = EXACT.astimezone(dt.timezone(dt.timedelta(hours=-5)))
    assert iso(eastern) == "2026-11-25T15:07:10Z"
    assert iso(EXACT.replace(tzinfo=None)) == "2026-11-25T15:07:10Z"  # naive: UTC, as littrack stores every time
    assert parse_datetime(iso(eastern, exact=True) or "") == EXACT


def test_in_chunks() -> None:
    assert list(in_chunks([], 2)) == []
    assert list(in_chunks(range(5), 2)) == [[0, 1], [2, 3], [4]]
    assert [len(c) for c in in_chunks(iter(range(1001)))] == [IN_CHUNK, IN_CHUNK, 1]


def test_an_id_list_past_every_engines_parameter_limit(engine) -> None:  # type: ignore[no-untyped-def]
    if engine.dialect.name == "sqlite":  # some builds raise SQLite's default limit (Debian's: 250,000); not all do
        engine.dispose()
        event.listen(engine, "connect", lambda conn, _record: conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER,
                                                                            SQLITE_MAX_PARAMETERS))
    pmids = list(range(1, 70_001))  # past SQLite's 32,766 and PostgreSQL's 65,535 parameters per statement
    with Session(engine) as session, pytest.raises(NotFound, match=r"^no stored paper with PMID 1, 2, 3, .* 70000; "):
        mark_papers(session, pmids, "relevant", None, "tester")
