"""Tests of the NCBI E-utilities client against the fake E-utilities server over loopback HTTP."""

from __future__ import annotations

import itertools
import logging
import os
import socket
import threading
import time
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from typing import TYPE_CHECKING

import pytest

from littrack.errors import EutilsError, NetworkError
from littrack.pubmed import eutils as eutils_module
from littrack.pubmed.eutils import (
    ESEARCH_CAP,
    EutilsClient,
    ResponseError,
    parse_esearch,
    scan_efetch,
)
from littrack.pubmed.ratelimit import PROCESS_LIMITER, RateLimiter

if TYPE_CHECKING:
    from fake_eutils import FakeEutils

# The fake server's fixtures (fake_eutils, eutils_client, fake_eutils_env); registering the
# module as a plugin rather than importing it keeps pytest's assertion rewriting happy.
pytest_plugins = ["fake_eutils"]

LOGGER = "littrack.eutils"
TEST_EMAIL = "client-tests@example.org"
TEST_API_KEY = "client-tests-key-42"


def make_client(fake: FakeEutils, **overrides: object) -> EutilsClient:
    options: dict[str, object] = dict(
        email=TEST_EMAIL, api_key=TEST_API_KEY, timeout=2.0, max_retries=2, backoff=0.001, rate=1000.0
    )
    options.update(overrides)
    return EutilsClient(fake.url, **options)  # type: ignore[arg-type]


class SleepRecorder:
    """A sleep that only records what it was asked to wait."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def retry_messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER and "retrying in" in r.getMessage()]


# ---- identity, configuration ---------------------------------------------------------------


def test_every_request_carries_tool_email_and_api_key(fake_eutils: FakeEutils) -> None:
    many = fake_eutils.corpus.add_clones(250)
    client = make_client(fake_eutils)
    fake_eutils.fail("esearch", 503)
    client.esearch("all")
    client.efetch(fake_eutils.corpus.pmids[:3])
    client.efetch(many)  # POST
    assert {r.method for r in fake_eutils.requests} == {"GET", "POST"}
    assert len(fake_eutils.requests) == client.requests_made == 4
    for request in fake_eutils.requests:
        assert request.params["tool"] == "littrack"
        assert request.params["email"] == TEST_EMAIL
        assert request.params["api_key"] == TEST_API_KEY


def test_configuration_from_environment(fake_eutils_env: FakeEutils, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = fake_eutils_env
    monkeypatch.setenv("LITTRACK_EUTILS_URL", fake.url.rstrip("/"))
    client = EutilsClient(backoff=0.001)
    assert client.base_url == fake.url
    assert client.rate == 10.0
    client.esearch("all")
    params = fake.requests[-1].params
    assert params["email"] == os.environ["NCBI_EMAIL"]
    assert params["api_key"] == os.environ["NCBI_API_KEY"]


def test_default_rates_follow_ncbi(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NCBI_API_KEY", raising=False)
    monkeypatch.delenv("LITTRACK_EUTILS_URL", raising=False)
    without_key = EutilsClient(email="x@example.org")
    assert without_key.base_url == "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
    assert without_key.rate == 3.0
    assert EutilsClient(email="x@example.org", api_key="k").rate == 10.0
    assert EutilsClient(email="x@example.org", rate=50).rate == 50
    assert without_key._limiter is PROCESS_LIMITER


def test_missing_email_warned_once(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.delenv("NCBI_EMAIL", raising=False)
    monkeypatch.setattr(eutils_module, "_email_warned", False)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        EutilsClient("http://127.0.0.1:9/")
        EutilsClient("http://127.0.0.1:9/")
    assert sum("NCBI_EMAIL" in r.getMessage() for r in caplog.records) == 1


# ---- throttle ------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.mark.parametrize(("rate", "expected"), [(3.0, 2.0), (10.0, 0.6)])
def test_rate_limiter_spacing(rate: float, expected: float) -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    starts = []
    for _ in range(7):
        limiter.acquire(rate)
        starts.append(clock.now)
    assert starts[0] == 100.0
    assert clock.now - 100.0 == pytest.approx(expected)
    assert all(b - a >= 1 / rate - 1e-9 for a, b in itertools.pairwise(starts))


def test_rate_limiter_is_thread_safe() -> None:
    clock = FakeClock()  # frozen: every caller must get its own distinct slot
    limiter = RateLimiter(clock=clock, sleep=lambda s: None)
    waits: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(10):
            wait = limiter.acquire(3.0)
            with lock:
                waits.append(wait)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(round(w * 3) for w in waits) == list(range(80))


def test_client_requests_go_through_the_limiter(fake_eutils: FakeEutils) -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    client = make_client(fake_eutils, rate=3.0, limiter=limiter, sleep=clock.sleep)
    for _ in range(7):
        client.esearch("all")
    assert clock.now - 100.0 == pytest.approx(2.0)


def test_real_throttle_timing(fake_eutils: FakeEutils) -> None:
    client = make_client(fake_eutils, rate=20.0, limiter=RateLimiter())
    began = time.monotonic()
    for _ in range(7):
        client.esearch("all")
    assert time.monotonic() - began >= 6 / 20 - 0.01


# ---- faults --------------------------------------------------------------------------------

ESEARCH_FAULTS = [
    "429",
    "500",
    "502",
    "503",
    "504",
    "drop",
    "timeout",
    "truncate",
    "short_body",
    "html",
    "error",
]
EFETCH_FAULTS = ESEARCH_FAULTS


@pytest.mark.parametrize("kind", ESEARCH_FAULTS)
def test_esearch_fault_is_retried(
    fake_eutils: FakeEutils, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client(fake_eutils, timeout=0.3)
    fake_eutils.fail("esearch", kind, retry_after=0, delay=0.8)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        result = client.esearch("all")
    assert result.count == len(fake_eutils.corpus)
    assert fake_eutils.count("esearch") == client.requests_made == 2
    [message] = retry_messages(caplog)
    assert "esearch attempt 1/3 failed" in message


@pytest.mark.parametrize("kind", EFETCH_FAULTS)
def test_efetch_fault_is_retried(
    fake_eutils: FakeEutils, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client(fake_eutils, timeout=0.3)
    wanted = fake_eutils.corpus.pmids[:4]
    fake_eutils.fail("efetch", kind, retry_after=0, delay=0.8)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        body = client.efetch(wanted)
    assert scan_efetch(body) == wanted
    assert fake_eutils.count("efetch") == client.requests_made == 2
    [message] = retry_messages(caplog)
    assert "efetch attempt 1/3 failed" in message


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("503", NetworkError),
        ("429", NetworkError),
        ("drop", NetworkError),
        ("timeout", NetworkError),
        ("short_body", NetworkError),
        ("truncate", EutilsError),
        ("html", EutilsError),
        ("error", EutilsError),
    ],
)
def test_permanent_efetch_fault_raises(fake_eutils: FakeEutils, kind: str, error: type[Exception]) -> None:
    client = make_client(fake_eutils, timeout=0.2)
    fake_eutils.fail_always("efetch", kind, retry_after=0, delay=0.4)
    with pytest.raises(error, match="NCBI efetch failed after 3 attempt"):
        client.efetch(fake_eutils.corpus.pmids[:2])
    assert fake_eutils.count("efetch") == 3


def test_complete_set_without_records_is_accepted_with_warning(
    fake_eutils: FakeEutils, caplog: pytest.LogCaptureFixture
) -> None:
    # PMIDs deleted between search and fetch come back as a well-formed empty set: an answer, not a fault,
    # or every rerun of a refresh would fail on them.
    client = make_client(fake_eutils)
    fake_eutils.fail("efetch", "empty")
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        body = client.efetch(fake_eutils.corpus.pmids[:2])
    assert scan_efetch(body) == []
    assert fake_eutils.count("efetch") == 1
    assert any("returned 0 of 2 requested records" in r.getMessage() for r in caplog.records)


def test_permanent_fault_in_batches_raises_not_empty(fake_eutils: FakeEutils) -> None:
    client = make_client(fake_eutils)
    fake_eutils.fail_always("efetch", "html")
    with pytest.raises(EutilsError, match="HTML"):
        list(client.fetch_batches(fake_eutils.corpus.pmids, batch_size=5))


def test_esearch_error_retried_then_raised(fake_eutils: FakeEutils, caplog: pytest.LogCaptureFixture) -> None:
    client = make_client(fake_eutils, max_retries=3)
    fake_eutils.fail_always("esearch", "error")
    with caplog.at_level(logging.WARNING, logger=LOGGER), pytest.raises(EutilsError) as info:
        client.search_ids("all")
    assert "Search Backend failed" in str(info.value)
    assert "esearch" in str(info.value)
    assert fake_eutils.count("esearch") == 4
    assert len(retry_messages(caplog)) == 3


def test_client_errors_are_not_retried(fake_eutils: FakeEutils) -> None:
    client = make_client(fake_eutils)
    fake_eutils.fail("efetch", 400)
    with pytest.raises(EutilsError, match="HTTP 400"):
        client.efetch([1001])
    assert fake_eutils.count("efetch") == 1


def test_retry_after_seconds_honoured(fake_eutils: FakeEutils) -> None:
    sleep = SleepRecorder()
    client = make_client(fake_eutils, sleep=sleep)
    fake_eutils.fail("esearch", 429, retry_after=7)
    client.esearch("all")
    assert 7.0 in sleep.calls


def test_retry_after_http_date_honoured(fake_eutils: FakeEutils) -> None:
    sleep = SleepRecorder()
    client = make_client(fake_eutils, sleep=sleep)
    when = datetime.now(UTC) + timedelta(seconds=30)
    fake_eutils.fail("efetch", 503, retry_after=format_datetime(when, usegmt=True))
    client.efetch([1001])
    assert any(25 <= s <= 31 for s in sleep.calls), sleep.calls


def test_api_key_not_leaked_in_logs_or_errors(
    fake_eutils: FakeEutils, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client(fake_eutils, timeout=0.2)
    fake_eutils.fail_always("esearch", "drop")
    with caplog.at_level(logging.WARNING, logger=LOGGER), pytest.raises(NetworkError) as info:
        client.esearch("all")
    assert TEST_API_KEY not in str(info.value)
    assert TEST_API_KEY not in caplog.text


def test_unreachable_server_raises_network_error() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))  # a port nobody listens on
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    sock.close()
    client = EutilsClient(url, email=TEST_EMAIL, max_retries=1, backoff=0.001, rate=1000.0, timeout=0.5)
    with pytest.raises(NetworkError, match="esearch failed after 2"):
        client.esearch("all")
    assert client.requests_made == 2


# ---- EFetch --------------------------------------------------------------------------------


def test_short_lists_use_get_long_lists_post(fake_eutils: FakeEutils) -> None:
    client = make_client(fake_eutils)
    clones = fake_eutils.corpus.add_clones(201)
    assert scan_efetch(client.efetch(clones[:200])) == clones[:200]
    body = client.efetch(list(reversed(clones)))
    assert scan_efetch(body) == list(reversed(clones))  # request order kept
    get, post = fake_eutils.requests_to("efetch")
    assert (get.method, post.method) == ("GET", "POST")
    assert len(post.ids) == 201
    assert "id=" not in post.path


def test_fetch_batches(fake_eutils: FakeEutils) -> None:
    client = make_client(fake_eutils)
    clones = fake_eutils.corpus.add_clones(450)
    batches = list(client.fetch_batches(clones + clones[:10], batch_size=200))
    assert [len(ids) for ids, _ in batches] == [200, 200, 50]
    assert [pmid for ids, body in batches for pmid in scan_efetch(body)] == clones
    assert [ids for ids, _ in batches] == [clones[:200], clones[200:400], clones[400:]]
    assert fake_eutils.count("efetch") == client.requests_made == 3


def test_partial_efetch_warns_and_returns(
    fake_eutils: FakeEutils, eutils_client: EutilsClient, caplog: pytest.LogCaptureFixture
) -> None:
    client = eutils_client
    wanted = fake_eutils.corpus.pmids[:5]
    fake_eutils.fail("efetch", "partial")
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        body = client.efetch(wanted)
    assert scan_efetch(body) == wanted[:4]
    assert fake_eutils.count("efetch") == 1
    assert "returned 4 of 5 requested records" in caplog.text
    assert str(wanted[4]) in caplog.text


def test_cloned_records_carry_their_new_pmid_and_date(fake_eutils: FakeEutils) -> None:
    client = make_client(fake_eutils)
    [pmid] = fake_eutils.corpus.add_clones(1, start_pmid=39_999_999, first_edat=date(2023, 3, 4))
    body = client.efetch([pmid])
    assert b">39999999</PMID>" in body
    assert b'<ArticleId IdType="pubmed">39999999</ArticleId>' in body
    assert b'<PubMedPubDate PubStatus="entrez"><Year>2023</Year><Month>3</Month><Day>4</Day>' in body


# ---- ESearch -------------------------------------------------------------------------------


def test_esearch_sends_dates_and_history(fake_eutils: FakeEutils) -> None:
    client = make_client(fake_eutils)
    clones = fake_eutils.corpus.add_clones(10, first_edat=date(2022, 1, 1), last_edat=date(2022, 1, 10))
    result = client.esearch("all", mindate=date(2022, 1, 3), maxdate=date(2022, 1, 5), usehistory=True)
    assert sorted(result.ids) == clones[2:5]
    assert result.webenv and result.query_key == "1"
    params = fake_eutils.requests[-1].params
    assert (params["datetype"], params["mindate"], params["maxdate"]) == ("edat", "2022/01/03", "2022/01/05")
    assert params["usehistory"] == "y"
    client.esearch("all", mindate=date(2022, 1, 9))  # NCBI needs both ends: the client fills maxdate
    assert fake_eutils.requests[-1].params["maxdate"] >= date.today().strftime("%Y/%m/%d")


def test_phrase_not_found_is_surfaced(fake_eutils: FakeEutils, caplog: pytest.LogCaptureFixture) -> None:
    client = make_client(fake_eutils)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        result = client.esearch("abcXYZqq")
        full = client.search("abcXYZqq")
    assert (result.count, result.ids) == (0, [])
    assert result.errors == ["PhraseNotFound: abcXYZqq"]
    assert result.warnings == ["OutputMessage: No items found."]
    assert full.ids == [] and full.errors == ["PhraseNotFound: abcXYZqq"]
    assert "PhraseNotFound" in caplog.text


def test_long_terms_are_posted(fake_eutils: FakeEutils) -> None:
    client = make_client(fake_eutils)
    term = " OR ".join(f"gene{n}[tiab]" for n in range(200))
    fake_eutils.corpus.set_term(term, [1001])
    assert client.search_ids(term) == [1001]
    [request] = fake_eutils.requests_to("esearch")
    assert request.method == "POST" and request.params["term"] == term


def test_substring_and_mapped_terms(fake_eutils: FakeEutils, eutils_client: EutilsClient) -> None:
    client = eutils_client
    assert client.search_ids("Aral Sea") == [28972331]
    fake_eutils.corpus.set_term("asthma[mh]", [29768149, 1001])
    assert client.search_ids("asthma[mh]") == [1001, 29768149]


def test_search_ids_past_the_9999_cap(fake_eutils: FakeEutils) -> None:
    corpus = fake_eutils.corpus
    clones = corpus.add_clones(30_000, first_edat=date(2020, 1, 1), last_edat=date(2023, 12, 31))
    client = make_client(fake_eutils)
    result = client.search("all")
    assert result.count == len(corpus) == 30_000 + len(corpus.pmids) - len(clones)
    assert result.ids == corpus.pmids  # every id, once, ascending
    searches = fake_eutils.requests_to("esearch")
    assert all(int(r.params["retstart"]) <= ESEARCH_CAP - 1 for r in searches)
    assert result.esearch_requests == len(searches) < 80
    assert fake_eutils.count("efetch") == 0

    window = client.search_ids("all", mindate=date(2021, 1, 1), maxdate=date(2022, 12, 31))
    expected = sorted(p for p in clones if date(2021, 1, 1) <= corpus.get(p).edat <= date(2022, 12, 31))
    assert window == expected and len(expected) > ESEARCH_CAP


def test_fake_enforces_the_cap_and_client_does_not_retry_it(fake_eutils: FakeEutils) -> None:
    fake_eutils.corpus.add_clones(12_000, first_edat=date(2021, 1, 1), last_edat=date(2021, 12, 31))
    client = make_client(fake_eutils)
    first = client.esearch("all")
    assert first.count == len(fake_eutils.corpus) and len(first.ids) == ESEARCH_CAP
    with pytest.raises(EutilsError, match="cannot be larger than 9998"):
        client.esearch("all", retstart=ESEARCH_CAP)
    assert fake_eutils.count("esearch") == 2


def test_one_day_over_the_cap_raises(fake_eutils: FakeEutils) -> None:
    fake_eutils.corpus.add_clones(10_000, first_edat=date(2022, 6, 1))
    client = make_client(fake_eutils)
    with pytest.raises(EutilsError, match="2022-06-01"):
        client.search_ids("all", mindate=date(2022, 1, 1), maxdate=date(2022, 12, 31))


# ---- pure parsing --------------------------------------------------------------------------


def test_parse_esearch_error_lists() -> None:
    body = (
        b'<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch '
        b'20060628//EN" "https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
        b"<eSearchResult><Count>0</Count><RetMax>0</RetMax><RetStart>0</RetStart><IdList/>"
        b"<TranslationSet/><QueryTranslation>(abcXYZ[All Fields])</QueryTranslation><ErrorList>"
        b"<PhraseNotFound>abcXYZ</PhraseNotFound></ErrorList><WarningList><OutputMessage>No items "
        b"found.</OutputMessage></WarningList></eSearchResult>"
    )
    result = parse_esearch(body)
    assert result.count == 0
    assert result.errors == ["PhraseNotFound: abcXYZ"]
    assert result.query_translation == "(abcXYZ[All Fields])"


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html><body>busy</body></html>",
        b"<eSearchResult><Count>3</Count><IdList><Id>1",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
        b"<eSearchResult><Count>&a;</Count></eSearchResult>",
        b"<eSearchResult><ERROR>Search Backend failed</ERROR></eSearchResult>",
        b"<eSearchResult><RetMax>0</RetMax></eSearchResult>",
    ],
)
def test_parse_esearch_rejects_garbage(body: bytes) -> None:
    with pytest.raises(ResponseError):
        parse_esearch(body)


@pytest.mark.parametrize(
    "body",
    [
        b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID>",
        b'<?xml version="1.0"?>\n<!DOCTYPE html><html><p>error</p></html>',
        b"<eFetchResult><ERROR>Empty id list - nothing todo</ERROR></eFetchResult>",
        b"<SomethingElse/>",
        b'<!DOCTYPE PubmedArticleSet [<!ENTITY x "y">]><PubmedArticleSet/>',
    ],
)
def test_scan_efetch_rejects_garbage(body: bytes) -> None:
    with pytest.raises(ResponseError):
        scan_efetch(body)


def test_scan_efetch_counts_only_record_pmids() -> None:
    body = (
        b'<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID Version="1">5</PMID>'
        b"<CommentsCorrectionsList><CommentsCorrections><PMID>9</PMID></CommentsCorrections>"
        b"</CommentsCorrectionsList></MedlineCitation></PubmedArticle>"
        b"<PubmedBookArticle><BookDocument><PMID>7</PMID></BookDocument></PubmedBookArticle>"
        b"</PubmedArticleSet>"
    )
    assert scan_efetch(body) == [5, 7]


# ---- live ----------------------------------------------------------------------------------


@pytest.mark.live
def test_live_small_search_and_fetch(request: pytest.FixtureRequest) -> None:
    if not request.config.getoption("--live", default=False):
        pytest.skip("talks to the real NCBI; run with --live")
    with EutilsClient(tool="littrack-tests", timeout=30.0, max_retries=3) as client:
        result = client.search("crispr[ti]", mindate=date(2020, 1, 1), maxdate=date(2020, 1, 10))
        assert 0 < result.count <= ESEARCH_CAP and len(result.ids) == result.count
        body = client.efetch(result.ids[:3])
        assert sorted(scan_efetch(body)) == sorted(result.ids[:3])
