"""Client for NCBI E-utilities on PubMed (ESearch, EFetch): throttled, retried, bodies validated."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

import requests

from littrack.errors import EutilsError
from littrack.http import HttpClient, Retryable, RetryPolicy, Sleep
from littrack.pubmed.answers import (  # noqa: F401  re-exported: the client's public answer types
    ESearchResult,
    ResponseError,
    looks_like_html,
    parse_esearch,
    parse_xml,
    scan_efetch,
)
from littrack.pubmed.ratelimit import PROCESS_LIMITER, RateLimiter

logger = logging.getLogger("littrack.eutils")

T = TypeVar("T")

DEFAULT_BASE_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
RATE_WITHOUT_KEY = 3.0
RATE_WITH_KEY = 10.0
# PubMed's ESearch refuses retstart > 9998, so at most 9,999 ids per query.
ESEARCH_CAP = 9999
# NCBI asks for POST above roughly 200 UIDs.
POST_THRESHOLD = 200
MAX_BATCH = 10000
# Floor of the date window when a search has to be split and the caller gave no mindate:
# PubMed holds citations back to the 17th century (Phil. Trans. 1665).
EARLIEST_DATE = date(1600, 1, 1)
_LONG_TERM = 1500

_email_warned = False
_email_lock = threading.Lock()


@dataclass(frozen=True)
class SearchResult:
    """Every id of a search (date-split past the 9,999 cap), with NCBI's messages."""

    ids: list[int]
    count: int
    query_translation: str | None
    warnings: list[str]
    errors: list[str]
    esearch_requests: int


def _normalise_ids(ids: Iterable[int]) -> list[int]:
    seen: set[int] = set()
    out: list[int] = []
    for raw in ids:
        if isinstance(raw, bool) or not isinstance(raw, (int, str)):
            raise ValueError(f"not a PMID: {raw!r}")
        pmid = int(raw)
        if pmid <= 0:
            raise ValueError(f"not a PMID: {raw!r}")
        if pmid not in seen:
            seen.add(pmid)
            out.append(pmid)
    return out


def _fmt(day: date) -> str:
    return day.strftime("%Y/%m/%d")


def _open_end() -> date:
    # Publication dates can lie ahead (issues printed later), and NCBI's "today" may be
    # ahead of ours, so an open-ended window reaches a few years into the future.
    return date(date.today().year + 5, 12, 31)


# ---- the client --------------------------------------------------------------------------


def _checked(endpoint: str, check: Callable[[bytes], T]) -> Callable[[bytes], T]:
    """`check` with NCBI's unusable bodies sorted: a transient one is retried, a permanent one raised."""

    def run(body: bytes) -> T:
        try:
            return check(body)
        except ResponseError as exc:
            if not exc.transient:
                raise EutilsError(f"NCBI {endpoint}: {exc}") from exc
            raise Retryable(str(exc), error=EutilsError) from exc

    return run


class EutilsClient:
    """Throttled, retrying client for PubMed ESearch/EFetch that never returns a failed answer.

    The transport and the retry policy are littrack.http's; NCBI's part is the identity parameters,
    the process-wide rate limit and the checks of each answer (answers.py).
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        tool: str = "littrack",
        email: str | None = None,
        api_key: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 5,
        backoff: float = 1.0,
        session: requests.Session | None = None,
        sleep: Sleep = time.sleep,
        rate: float | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        base = base_url or os.environ.get("LITTRACK_EUTILS_URL") or DEFAULT_BASE_URL
        self.base_url = base if base.endswith("/") else base + "/"
        self.tool = tool
        self.email = email if email is not None else (os.environ.get("NCBI_EMAIL") or None)
        self.api_key = api_key if api_key is not None else (os.environ.get("NCBI_API_KEY") or None)
        self.retry = RetryPolicy(max_retries=max_retries, backoff=backoff, sleep=sleep)
        self.timeout = timeout
        self.rate = rate if rate is not None else (RATE_WITH_KEY if self.api_key else RATE_WITHOUT_KEY)
        if not self.rate > 0:
            raise ValueError("rate must be positive")
        self.requests_made = 0
        self._count_lock = threading.Lock()
        self._sleep = sleep
        self._limiter = limiter or PROCESS_LIMITER
        self._http = HttpClient(policy=self.retry, timeout=timeout, refused=EutilsError, logger=logger,
                                session=session, before_attempt=self._before_attempt)
        if not self.email:
            _warn_no_email_once()

    @property
    def max_retries(self) -> int:
        """Attempts after the first one, per request."""
        return self.retry.max_retries

    @property
    def backoff(self) -> float:
        """Seconds before the first retry (doubled each retry, jittered)."""
        return self.retry.backoff

    def close(self) -> None:
        """Close the HTTP session if this client created it."""
        self._http.close()

    def __enter__(self) -> EutilsClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- transport --

    def _identity(self) -> dict[str, str]:
        params = {"tool": self.tool}
        if self.email:
            params["email"] = self.email
        if self.api_key:
            params["api_key"] = self.api_key
        return params

    def _before_attempt(self) -> None:
        self._limiter.acquire(self.rate, self._sleep)
        with self._count_lock:
            self.requests_made += 1

    def _call(self, endpoint: str, params: dict[str, str], *, post: bool, check: Callable[[bytes], T]) -> T:
        return self._http.request("POST" if post else "GET", f"{self.base_url}{endpoint}.fcgi",
                                  {**params, **self._identity()}, what=f"NCBI {endpoint}",
                                  check=_checked(endpoint, check))

    # -- ESearch --

    def esearch(
        self,
        term: str,
        *,
        mindate: date | None = None,
        maxdate: date | None = None,
        datetype: str = "edat",
        retstart: int = 0,
        retmax: int = ESEARCH_CAP,
        usehistory: bool = False,
    ) -> ESearchResult:
        """One ESearch request on PubMed (retried); NCBI's ErrorList/WarningList land in the result."""
        if not term.strip():
            raise ValueError("empty search term")
        if retstart < 0 or retmax < 0:
            raise ValueError("retstart and retmax must be >= 0")
        params = {
            "db": "pubmed",
            "term": term,
            "retmode": "xml",
            "retstart": str(retstart),
            "retmax": str(retmax),
        }
        if mindate is not None or maxdate is not None:
            # NCBI ignores a date limit unless both ends are given.
            low, high = mindate or EARLIEST_DATE, maxdate or _open_end()
            if low > high:
                raise ValueError(f"mindate {low} is after maxdate {high}")
            params.update(datetype=datetype, mindate=_fmt(low), maxdate=_fmt(high))
        if usehistory:
            params["usehistory"] = "y"
        result = self._call("esearch", params, post=len(term) > _LONG_TERM, check=parse_esearch)
        if result.errors:
            logger.warning("ESearch for %r reported: %s", term[:200], "; ".join(result.errors))
        if result.warnings:
            logger.info("ESearch for %r warned: %s", term[:200], "; ".join(result.warnings))
        return result

    def search(
        self,
        term: str,
        *,
        mindate: date | None = None,
        maxdate: date | None = None,
        datetype: str = "edat",
    ) -> SearchResult:
        """All ids for a query, splitting the date window in halves while a part exceeds 9,999."""
        before = self.requests_made
        first = self.esearch(term, mindate=mindate, maxdate=maxdate, datetype=datetype)
        pending: list[tuple[date | None, date | None, ESearchResult | None]] = [(mindate, maxdate, first)]
        found: set[int] = set()
        errors: dict[str, None] = {}
        warnings: dict[str, None] = {}
        leaf_total = 0
        while pending:
            low, high, result = pending.pop()
            if result is None:
                result = self.esearch(term, mindate=low, maxdate=high, datetype=datetype)
            errors.update(dict.fromkeys(result.errors))
            warnings.update(dict.fromkeys(result.warnings))
            if result.count <= ESEARCH_CAP:
                found.update(self._page_all(term, low, high, datetype, result))
                leaf_total += result.count
                continue
            low, high = low or EARLIEST_DATE, high or _open_end()
            if low >= high:
                raise EutilsError(
                    f"PubMed reports {result.count} records for {term[:200]!r} on {low} "
                    f"({datetype}); ESearch returns at most {ESEARCH_CAP} for one query and "
                    "one day cannot be split further"
                )
            middle = low + timedelta(days=(high - low).days // 2)
            # LIFO: push the later half first so the earlier half is searched first.
            pending.append((middle + timedelta(days=1), high, None))
            pending.append((low, middle, None))
        if leaf_total != first.count:
            logger.warning(
                "ESearch for %r: the parts of the date-split search hold %d records but the "
                "whole query reported %d (records changed meanwhile, or lie outside %s..%s)",
                term[:200],
                leaf_total,
                first.count,
                mindate or EARLIEST_DATE,
                maxdate or _open_end(),
            )
        return SearchResult(
            ids=sorted(found),
            count=first.count,
            query_translation=first.query_translation,
            warnings=list(warnings),
            errors=list(errors),
            esearch_requests=self.requests_made - before,
        )

    def _page_all(
        self, term: str, low: date | None, high: date | None, datetype: str, first: ESearchResult
    ) -> list[int]:
        ids = list(first.ids)
        while len(ids) < first.count:
            page = self.esearch(term, mindate=low, maxdate=high, datetype=datetype, retstart=len(ids))
            if not page.ids:
                logger.warning(
                    "ESearch for %r returned %d of %d ids (an empty page at retstart %d)",
                    term[:200],
                    len(ids),
                    first.count,
                    len(ids),
                )
                break
            ids.extend(page.ids)
        return ids

    def search_ids(
        self,
        term: str,
        *,
        mindate: date | None = None,
        maxdate: date | None = None,
        datetype: str = "edat",
    ) -> list[int]:
        """Every PMID matching the query, deduplicated, in ascending order."""
        return self.search(term, mindate=mindate, maxdate=maxdate, datetype=datetype).ids

    # -- EFetch --

    def efetch(self, ids: Sequence[int]) -> bytes:
        """Full PubMed XML for the given PMIDs, checked to be a complete PubmedArticleSet."""
        wanted = _normalise_ids(ids)
        if not wanted:
            raise ValueError("efetch needs at least one PMID")
        if len(wanted) > MAX_BATCH:
            raise ValueError(f"at most {MAX_BATCH} PMIDs per EFetch request")
        params = {"db": "pubmed", "id": ",".join(map(str, wanted)), "retmode": "xml"}

        def check(body: bytes) -> bytes:
            _check_coverage(wanted, scan_efetch(body))
            return body

        return self._call("efetch", params, post=len(wanted) > POST_THRESHOLD, check=check)

    def fetch_batches(self, ids: Iterable[int], batch_size: int = 200) -> Iterator[tuple[list[int], bytes]]:
        """EFetch the (deduplicated) ids in batches, yielding each batch's ids and its body."""
        if not 1 <= batch_size <= MAX_BATCH:
            raise ValueError(f"batch_size must be within 1..{MAX_BATCH}")
        wanted = _normalise_ids(ids)
        for start in range(0, len(wanted), batch_size):
            batch = wanted[start : start + batch_size]
            yield batch, self.efetch(batch)


def _check_coverage(wanted: list[int], got: list[int]) -> None:
    # A complete, well-formed PubmedArticleSet without some (or all) records is NCBI's real answer for PMIDs
    # deleted since the search; failing on it would make every rerun fail too. HTML pages and ERROR
    # envelopes never get here: the envelope check rejects them.
    got_set = set(got)
    missing = [pmid for pmid in wanted if pmid not in got_set]
    extra = sorted(got_set.difference(wanted))
    if missing:
        logger.warning(
            "EFetch returned %d of %d requested records; missing PMIDs: %s%s",
            len(wanted) - len(missing),
            len(wanted),
            ", ".join(map(str, missing[:10])),
            " ..." if len(missing) > 10 else "",
        )
    if extra:
        logger.warning(
            "EFetch returned %d unrequested record(s): %s", len(extra), ", ".join(map(str, extra[:10]))
        )


def _warn_no_email_once() -> None:
    global _email_warned
    with _email_lock:
        if _email_warned:
            return
        _email_warned = True
    logger.warning("no contact email for NCBI E-utilities (set NCBI_EMAIL); NCBI asks every tool to send one")
