"""`littrack refresh` against the fake E-utilities server: what it fetches, stores, records and says."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fake_eutils import TEST_EMAIL, FakeEutils, FakeRecord, Template
from sqlalchemy import select, update
from tracking_helpers import assert_stored, no_duplicates, parsed, point_at, state

from littrack.db import make_engine, make_sessionmaker
from littrack.models import SavedSearch, SearchRun
from littrack.models.base import utcnow
from littrack.tracking.refresh import OVERLAP_DAYS

PAPER_FIELDS = {"pmid", "title", "journal", "year", "doi", "authors", "status", "searches"}


@pytest.fixture
def fake(fake_eutils: FakeEutils, monkeypatch: pytest.MonkeyPatch) -> FakeEutils:
    return point_at(fake_eutils, monkeypatch)


def entered_since(fake: FakeEutils, day: dt.date) -> set[int]:
    return {p for p in fake.corpus.pmids if fake.corpus.get(p).edat >= day}


def add(invoke, url: str, name: str, query: str, *extra: str) -> None:  # type: ignore[no-untyped-def]
    result = invoke(url, "search", "add", name, "--query", query, *extra)
    assert result.exit_code == 0, result.stderr


def test_add_refresh_stores_every_record_and_a_second_refresh_adds_nothing(invoke, db_url: str,
                                                                           fake: FakeEutils) -> None:
    add(invoke, db_url, "trd", "all")
    first = invoke(db_url, "refresh")
    assert first.exit_code == 0, first.stderr
    n = len(fake.corpus)
    assert first.stdout.startswith(f"trd: ok, {n} found, {n} new, 0 updated, 0 unchanged, {n} new to this search")
    assert "first run, so fetching every record PubMed has for this query" in first.stderr
    assert "batch 1/1" in first.stderr
    # A few ESearch requests plus one EFetch per batch, never one per record.
    assert (fake.count("esearch"), fake.count("efetch")) == (1, 1)
    s = state(db_url)
    assert s["pmids"] == set(fake.corpus.pmids) and s["hits"] == n
    assert s["runs"] == [("success", n, n, 0)] and s["watermarks"]["trd"] == utcnow().date()
    engine = make_engine(db_url)
    with make_sessionmaker(engine)() as session:
        for pmid in fake.corpus.pmids:
            assert_stored(session, parsed(fake, pmid))
    engine.dispose()

    second = invoke(db_url, "refresh")
    assert second.exit_code == 0, second.stderr
    assert "trd: ok, 0 found, 0 new, 0 updated" in second.stdout
    assert f"Entrez date from {utcnow().date() - dt.timedelta(days=OVERLAP_DAYS)}" in second.stderr
    # Even fetching everything again adds nothing and duplicates nothing.
    third = invoke(db_url, "refresh", "--since", "1900-01-01")
    assert f"trd: ok, {n} found, 0 new, 0 updated, {n} unchanged, 0 new to this search" in third.stdout
    after = state(db_url)
    no_duplicates(after)
    assert after["publications"] == n and after["hits"] == n and after["authors"] == s["authors"]

    listed = invoke(db_url, "papers", "list", "--format", "json")
    rows = json.loads(listed.stdout)
    assert {r["pmid"] for r in rows} == set(fake.corpus.pmids)
    assert all(PAPER_FIELDS <= set(r) and r["status"] == "new" and r["searches"] == ["trd"] for r in rows)
    nejm = next(r for r in rows if r["pmid"] == 29768149)
    assert (nejm["journal"], nejm["year"], nejm["doi"]) == ("N Engl J Med", 2018, "10.1056/nejmoa1715274")
    assert nejm["authors"][0] == "O'Byrne PM" and len(nejm["authors"]) == 10


def test_window_follows_the_watermark_with_overlap(invoke, db_url: str, fake: FakeEutils) -> None:
    add(invoke, db_url, "trd", "all")
    assert invoke(db_url, "refresh").exit_code == 0
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(update(SavedSearch).values(watermark=dt.date(2018, 5, 20)))
    engine.dispose()
    fake.reset_log()
    result = invoke(db_url, "refresh", "trd")
    params = fake.requests_to("esearch")[0].params
    assert (params["datetype"], params["mindate"]) == ("edat", "2018/05/17")
    n = len(entered_since(fake, dt.date(2018, 5, 17)))
    assert n >= 3  # the NEJM paper (entrez 2018-05-17) and later ones
    assert f"trd: ok, {n} found, 0 new, 0 updated, {n} unchanged" in result.stdout
    assert state(db_url)["watermarks"]["trd"] == utcnow().date()


def test_new_and_revised_records_between_runs(invoke, db_url: str, fake: FakeEutils) -> None:
    add(invoke, db_url, "trd", "all")
    invoke(db_url, "refresh")
    today = utcnow().date()
    fake.corpus.add_clones(2, start_pmid=41000000, first_edat=today)
    old = fake.corpus.get(29768149)
    revised_xml = old.template.xml.replace(b"as Needed in Mild Asthma.", b"as Needed in Mild Asthma (revised).")
    fake.corpus.add(FakeRecord(29768149, today, Template(29768149, revised_xml, old.template.text,
                                                         old.template.edat, "revised")))
    result = invoke(db_url, "refresh")
    assert result.exit_code == 0, result.stderr
    assert "trd: ok, 3 found, 2 new, 1 updated, 0 unchanged, 2 new to this search" in result.stdout
    listed = json.loads(invoke(db_url, "papers", "list", "--format", "json").stdout)
    assert next(r for r in listed if r["pmid"] == 29768149)["title"].endswith("(revised).")
    no_duplicates(state(db_url))


def test_first_run_since(invoke, db_url: str, fake: FakeEutils) -> None:
    add(invoke, db_url, "trd", "all")
    result = invoke(db_url, "refresh", "--since", "2018-01-01")
    assert "Entrez date from 2018-01-01 (--since)" in result.stderr
    assert state(db_url)["pmids"] == entered_since(fake, dt.date(2018, 1, 1))
    assert state(db_url)["watermarks"]["trd"] == utcnow().date()


def test_since_after_the_watermark_keeps_the_gap(invoke, db_url: str, fake: FakeEutils) -> None:
    add(invoke, db_url, "trd", "all")
    invoke(db_url, "refresh", "--since", "2018-01-01")
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(update(SavedSearch).values(watermark=dt.date(2019, 1, 1)))
    engine.dispose()
    invoke(db_url, "refresh", "--since", "2020-01-01")
    assert state(db_url)["watermarks"]["trd"] == dt.date(2019, 1, 1)


def test_large_search_is_split_under_the_esearch_cap(invoke, db_url: str, fake: FakeEutils) -> None:
    pmids = fake.corpus.add_clones(10_100, first_edat=dt.date(2020, 1, 1), last_edat=dt.date(2023, 12, 31))
    fake.corpus.set_term("big topic", pmids)
    add(invoke, db_url, "big", "big topic")
    result = invoke(db_url, "refresh", "big")
    assert result.exit_code == 0, result.stderr
    assert "big: ok, 10100 found, 10100 new" in result.stdout
    assert fake.count("efetch") == 51 and fake.count("esearch") < 25  # date bisection from 1600 on
    s = state(db_url)
    assert s["pmids"] == set(pmids) and s["hits"] == 10_100
    no_duplicates(s)


def test_due_runs_only_searches_whose_interval_passed(invoke, db_url: str, fake: FakeEutils) -> None:
    add(invoke, db_url, "daily", "all", "--every", "1d")
    add(invoke, db_url, "monthly", "all", "--every", "30d")
    add(invoke, db_url, "never", "all", "--every", "1d")
    invoke(db_url, "search", "pause", "never")
    assert invoke(db_url, "refresh", "--due").stdout.count(": ok,") == 2  # never run: due at once
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(update(SavedSearch).where(SavedSearch.name == "daily")
                     .values(last_success_at=utcnow() - dt.timedelta(hours=23, minutes=55)))
        conn.execute(update(SavedSearch).where(SavedSearch.name == "monthly")
                     .values(last_success_at=utcnow() - dt.timedelta(days=3)))
    engine.dispose()
    result = invoke(db_url, "refresh", "--due")
    assert result.exit_code == 0
    assert result.stdout.startswith("daily: ok") and "monthly" not in result.stdout
    assert "monthly: not due" in result.stderr and "never: not due (paused)" in result.stderr
    nothing = invoke(db_url, "refresh", "--due")
    assert nothing.stdout == "" and "no saved search to refresh is due" in nothing.stderr


def test_paused_named_unknown(invoke, db_url: str, fake: FakeEutils) -> None:
    add(invoke, db_url, "a", "all")
    add(invoke, db_url, "b", "all")
    invoke(db_url, "search", "pause", "b")
    result = invoke(db_url, "refresh")
    assert "a: ok" in result.stdout and "b: ok" not in result.stdout and "b: paused, skipped" in result.stderr
    named = invoke(db_url, "refresh", "b")  # named: run even though paused
    assert named.stdout.startswith("b: ok")
    unknown = invoke(db_url, "refresh", "aa")
    assert unknown.exit_code == 1 and "unknown saved search 'aa'" in unknown.stderr


def test_dry_run_fetches_and_writes_nothing(invoke, db_url: str, fake: FakeEutils) -> None:
    add(invoke, db_url, "trd", "all")
    result = invoke(db_url, "refresh", "--dry-run")
    n = len(fake.corpus)
    assert result.exit_code == 0
    assert f"trd: dry run, {n} found (all dates), {n} not stored yet" in result.stdout
    assert fake.count("efetch") == 0
    s = state(db_url)
    assert s["publications"] == 0 and s["runs"] == [] and s["watermarks"]["trd"] is None


def test_missing_email_is_warned_and_email_option_sent(invoke, db_url: str, fake: FakeEutils,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    add(invoke, db_url, "trd", "all")
    monkeypatch.delenv("NCBI_EMAIL")
    warned = invoke(db_url, "refresh", "--dry-run")
    assert "no contact email for NCBI: pass --email or set NCBI_EMAIL" in warned.stderr
    assert "email" not in fake.requests[-1].params
    given = invoke(db_url, "refresh", "--dry-run", "--email", "me@example.org")
    assert "no contact email" not in given.stderr
    assert fake.requests[-1].params["email"] == "me@example.org"
    monkeypatch.setenv("NCBI_EMAIL", TEST_EMAIL)
    assert "no contact email" not in invoke(db_url, "refresh", "--dry-run").stderr


def test_query_errors_from_pubmed_are_reported(invoke, db_url: str, fake: FakeEutils) -> None:
    add(invoke, db_url, "typo", "xyzzyplugh")
    result = invoke(db_url, "refresh")
    assert result.exit_code == 0
    assert "typo: ok, 0 found" in result.stdout
    assert "typo: PubMed reported: PhraseNotFound: xyzzyplugh" in result.stderr


def test_every_search_records_its_own_hits(invoke, db_url: str, fake: FakeEutils) -> None:
    add(invoke, db_url, "asthma", "asthma")
    add(invoke, db_url, "all", "all")
    invoke(db_url, "refresh")
    both = json.loads(invoke(db_url, "papers", "list", "--format", "json", "--search", "asthma").stdout)
    assert both and all(r["searches"] == ["all", "asthma"] for r in both)
    s = state(db_url)
    assert s["hits"] == len(fake.corpus) + len(both)
    no_duplicates(s)


def test_no_searches(invoke, db_url: str, fake: FakeEutils) -> None:
    result = invoke(db_url, "refresh")
    assert result.exit_code == 0 and result.stdout == ""
    assert "no saved search to refresh: add one with `littrack search add" in result.stderr


def test_a_run_left_running_by_a_killed_refresh_is_closed(invoke, db_url: str, fake: FakeEutils) -> None:
    add(invoke, db_url, "trd", "all")
    engine = make_engine(db_url)
    with make_sessionmaker(engine).begin() as session:
        search = session.scalar(select(SavedSearch))
        session.add(SearchRun(search_id=search.id, status="running"))  # type: ignore[union-attr]
    engine.dispose()
    result = invoke(db_url, "refresh")
    assert "marked 1 run(s) of an interrupted refresh as failed" in result.stderr
    assert [r[0] for r in state(db_url)["runs"]] == ["failed", "success"]


def test_seeded_search_is_refreshed_like_any_other(invoke, seeded_db_url: str, fake: FakeEutils) -> None:
    query = invoke(seeded_db_url, "search", "show", "pgs-trd", "--format", "json")
    fake.corpus.set_term(json.loads(query.stdout)["query"], [29768149])
    result = invoke(seeded_db_url, "refresh", "pgs-trd")
    assert result.stdout.startswith("pgs-trd: ok, 1 found, 1 new")
