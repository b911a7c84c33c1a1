"""Two refreshes at once: one waits or skips, never a duplicate; the lock survives crashes. Real processes."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from fake_eutils import FakeEutils
from sqlalchemy import insert
from tracking_helpers import no_duplicates, point_at, state, subprocess_env

from littrack.db import make_engine
from littrack.models import AppLock
from littrack.models.base import utcnow
from littrack.tracking.lock import ProcessLock
from littrack.tracking.refresh import LOCK_NAME


@pytest.fixture
def fake(fake_eutils: FakeEutils, monkeypatch: pytest.MonkeyPatch) -> FakeEutils:
    return point_at(fake_eutils, monkeypatch)


def start(url: str, fake: FakeEutils, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "littrack", "refresh", *args], env=subprocess_env(fake, url),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def slow_corpus(fake: FakeEutils) -> None:
    """Enough records for three EFetch batches, each answered slowly, so two refreshes overlap."""
    fake.corpus.add_clones(440)
    fake.fail("efetch", "timeout", times=6, delay=0.7)  # slow but inside the 2 s client timeout


def test_two_refreshes_at_once_one_waits_no_duplicates(invoke, db_url: str, fake: FakeEutils) -> None:
    slow_corpus(fake)
    invoke(db_url, "search", "add", "trd", "--query", "all")
    procs = [start(db_url, fake, "--wait", "120") for _ in range(2)]
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert sum("another refresh is running" in err and "waiting up to 120 s" in err for _, err in outs) == 1
    n = len(fake.corpus)
    stdouts = sorted(out for out, _ in outs)
    # The one that waited searched from the watermark the first one set: nothing new, nothing twice.
    assert any(f"trd: ok, {n} found, {n} new" in out for out in stdouts)
    assert any("trd: ok, 0 found, 0 new" in out for out in stdouts)
    s = state(db_url)
    assert s["pmids"] == set(fake.corpus.pmids) and s["hits"] == n and s["locks"] == 0
    assert [r[0] for r in s["runs"]] == ["success", "success"]
    no_duplicates(s)


def test_two_refreshes_at_once_one_skips(invoke, db_url: str, fake: FakeEutils) -> None:
    slow_corpus(fake)
    invoke(db_url, "search", "add", "trd", "--query", "all")
    procs = [start(db_url, fake, "--since", "1900-01-01") for _ in range(2)]
    outs = [p.communicate(timeout=180) for p in procs]
    assert sorted(p.returncode for p in procs) == [0, 75], outs
    skipped = next(err for p, (_, err) in zip(procs, outs, strict=False) if p.returncode == 75)
    assert "refresh skipped: another refresh is running (pid " in skipped
    s = state(db_url)
    assert s["pmids"] == set(fake.corpus.pmids) and [r[0] for r in s["runs"]] == ["success"]
    no_duplicates(s)


def test_a_held_lock_skips_and_writes_nothing(invoke, db_url: str, fake: FakeEutils) -> None:
    invoke(db_url, "search", "add", "trd", "--query", "all")
    engine = make_engine(db_url)
    lock = ProcessLock(engine, LOCK_NAME)
    lock.acquire()
    try:
        result = invoke(db_url, "refresh")
        assert result.exit_code == 75 and result.stdout == ""
        assert f"refresh skipped: another refresh is running (pid {os.getpid()}" in result.stderr
        assert fake.count("esearch") == 0
        s = state(db_url)
        assert s["publications"] == 0 and s["runs"] == [] and s["locks"] == 1
        dry = invoke(db_url, "refresh", "--dry-run")  # writes nothing, so it needs no lock
        assert dry.exit_code == 0
    finally:
        lock.release()
    engine.dispose()
    assert invoke(db_url, "refresh").exit_code == 0
    assert state(db_url)["locks"] == 0


def test_an_expired_or_orphaned_lock_is_taken_over(invoke, db_url: str, fake: FakeEutils) -> None:
    invoke(db_url, "search", "add", "trd", "--query", "all")
    engine = make_engine(db_url)
    with engine.begin() as conn:  # a refresh on another machine that died an hour ago
        conn.execute(insert(AppLock).values(name=LOCK_NAME, owner="elsewhere:4242:dead", acquired_at=utcnow(),
                                            expires_at=utcnow() - dt.timedelta(minutes=5)))
    assert invoke(db_url, "refresh").exit_code == 0
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    import socket

    with engine.begin() as conn:  # a refresh on this machine whose process is gone
        conn.execute(insert(AppLock).values(name=LOCK_NAME, owner=f"{socket.gethostname()}:{dead.stdout.strip()}:x",
                                            acquired_at=utcnow(), expires_at=utcnow() + dt.timedelta(hours=1)))
    assert invoke(db_url, "refresh").exit_code == 0
    engine.dispose()
    assert state(db_url)["locks"] == 0


def test_the_heartbeat_keeps_a_long_refresh_locked(db_url: str) -> None:
    engine = make_engine(db_url)
    first = ProcessLock(engine, "x", ttl=1.0, heartbeat=0.2)
    first.acquire()
    import time

    time.sleep(1.5)  # longer than the ttl: only the heartbeat keeps the row alive
    second = ProcessLock(engine, "x")
    assert second.try_acquire() is not None
    first.check()
    first.release()
    assert second.try_acquire() is None
    second.release()
    engine.dispose()
