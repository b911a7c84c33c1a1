"""Each fault the fake E-utilities server injects: retried to success, or a clean failure that a rerun completes."""

from __future__ import annotations

import time

import pytest
from fake_eutils import FakeEutils
from tracking_helpers import no_duplicates, point_at, state

from littrack.db import make_engine
from littrack.tracking import refresh as refresh_module
from littrack.tracking.refresh import client_from_env, refresh

COMMON = ["429", "500", "502", "503", "drop", "timeout", "truncate", "short_body", "html", "error"]
CASES = [("esearch", k) for k in COMMON] + [("efetch", k) for k in [*COMMON, "partial", "empty"]]
# What the run's error says once the retries are spent (the client's wording).
REASONS = {
    "429": "HTTP 429", "500": "HTTP 500", "502": "HTTP 502", "503": "HTTP 503", "drop": "ConnectionError",
    "timeout": "timed out", "truncate": "malformed or truncated XML", "short_body": "IncompleteRead",
    "html": "HTML page", "error": "ERROR", "partial": "did not return", "empty": "did not return",
}
N_CLONES = 440  # with the fixture records: three EFetch batches of up to 200


@pytest.fixture
def fake(fake_eutils: FakeEutils, monkeypatch: pytest.MonkeyPatch) -> FakeEutils:
    return point_at(fake_eutils, monkeypatch)


@pytest.fixture
def corpus(fake: FakeEutils, invoke, db_url: str, monkeypatch: pytest.MonkeyPatch) -> FakeEutils:  # type: ignore[no-untyped-def]
    fake.corpus.add_clones(N_CLONES)
    monkeypatch.setenv("LITTRACK_EUTILS_TIMEOUT", "0.4")  # the fake's "timeout" fault answers after 1 s
    assert invoke(db_url, "search", "add", "trd", "--query", "all").exit_code == 0
    return fake


def complete(url: str, fake: FakeEutils) -> None:
    s = state(url)
    assert s["pmids"] == set(fake.corpus.pmids) and s["hits"] == len(fake.corpus)
    assert s["runs"][-1][0] == "success" and s["watermarks"]["trd"] is not None and s["locks"] == 0
    no_duplicates(s)


@pytest.mark.parametrize(("endpoint", "kind"), CASES)
def test_a_passing_fault_is_retried(invoke, db_url: str, corpus: FakeEutils, endpoint: str, kind: str) -> None:
    times = 1 if kind == "429" else 2  # two failures, then the third attempt (retries=2) succeeds
    corpus.fail(endpoint, kind, times=times, retry_after="1" if kind == "429" else None)
    started = time.monotonic()
    result = invoke(db_url, "refresh")
    assert result.exit_code == 0, result.stderr
    assert f"trd: ok, {len(corpus.corpus)} found, {len(corpus.corpus)} new" in result.stdout
    if kind == "429":
        assert time.monotonic() - started >= 1.0  # Retry-After honoured
    normal = {"esearch": 1, "efetch": 3}[endpoint]
    assert corpus.count(endpoint) == normal + times
    complete(db_url, corpus)


@pytest.mark.parametrize(("endpoint", "kind"), CASES)
def test_a_lasting_fault_fails_cleanly_and_the_rerun_completes(invoke, db_url: str, corpus: FakeEutils,
                                                               endpoint: str, kind: str) -> None:
    corpus.fail_always(endpoint, kind, retry_after="0" if kind == "429" else None)
    result = invoke(db_url, "refresh")
    assert result.exit_code == 1
    assert result.stdout.startswith("trd: FAILED, ")
    assert "Error: 1 of 1 search(es) failed: trd" in result.stderr
    assert "the watermark did not move, so the next refresh fetches what this one missed" in result.stderr
    s = state(db_url)
    assert s["publications"] == 0 and s["hits"] == 0 and s["authors"] == 0  # nothing half-written
    assert [r[0] for r in s["runs"]] == ["failed"] and s["watermarks"]["trd"] is None and s["locks"] == 0
    assert REASONS[kind] in s["last_error"] and s["last_error"] in result.stdout
    if endpoint == "efetch" and kind not in ("partial", "empty"):
        assert "NCBI efetch failed after 3 attempt(s)" in s["last_error"]

    corpus.clear_faults()
    rerun = invoke(db_url, "refresh")
    assert rerun.exit_code == 0, rerun.stderr
    complete(db_url, corpus)


@pytest.mark.parametrize("kind", ["503", "truncate", "html", "drop", "partial"])
def test_a_fault_after_the_first_batch_keeps_it_and_nothing_of_the_next(db_url: str, corpus: FakeEutils,
                                                                       kind: str) -> None:
    def notify(message: str) -> None:
        if "batch 1/3" in message:
            corpus.fail_always("efetch", kind)

    engine = make_engine(db_url)
    with client_from_env("tests@example.org") as client:
        summaries = refresh(engine, client, notify=notify)
    assert [(s.status, s.new) for s in summaries] == [("failed", 200)]
    s = state(db_url)
    assert s["publications"] == 200 and s["hits"] == 200  # batch 1 whole, nothing of batch 2
    assert s["runs"] == [("failed", len(corpus.corpus), 200, 0)] and s["watermarks"]["trd"] is None

    corpus.clear_faults()
    with client_from_env("tests@example.org") as client:
        again = refresh(engine, client)
    engine.dispose()
    assert [(r.status, r.new, r.unchanged) for r in again] == [("success", len(corpus.corpus) - 200, 200)]
    complete(db_url, corpus)


def test_a_database_error_mid_batch_rolls_the_batch_back(db_url: str, corpus: FakeEutils,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = refresh_module.record_hits

    def failing_second_time(session, *args):  # type: ignore[no-untyped-def]
        calls.append(1)
        real(session, *args)  # the batch's publications and hits are written ...
        if len(calls) == 2:
            from sqlalchemy.exc import OperationalError

            raise OperationalError("INSERT", {}, Exception("disk I/O error"))  # ... then the database fails

    monkeypatch.setattr(refresh_module, "record_hits", failing_second_time)
    engine = make_engine(db_url)
    with client_from_env("tests@example.org") as client:
        summaries = refresh(engine, client)
    assert summaries[0].status == "failed" and summaries[0].error.startswith("database error")  # type: ignore[union-attr]
    s = state(db_url)
    assert s["publications"] == 200 and s["hits"] == 200 and s["watermarks"]["trd"] is None
    monkeypatch.setattr(refresh_module, "record_hits", real)
    with client_from_env("tests@example.org") as client:
        assert refresh(engine, client)[0].status == "success"
    engine.dispose()
    complete(db_url, corpus)


def test_one_failing_search_does_not_stop_the_others(invoke, db_url: str, corpus: FakeEutils) -> None:
    corpus.corpus.set_term("broken", [])
    assert invoke(db_url, "search", "add", "asthma", "--query", "asthma").exit_code == 0
    corpus.fail("esearch", "500", times=3)  # the first search (asthma, by name) spends all its attempts
    result = invoke(db_url, "refresh")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("asthma: FAILED") and lines[1].startswith("trd: ok")
    assert "Error: 1 of 2 search(es) failed: asthma" in result.stderr
