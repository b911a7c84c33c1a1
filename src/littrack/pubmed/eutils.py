"""Client for NCBI E-utilities on PubMed (ESearch, EFetch): throttled, retried, bodies validated."""

from __future__ import annotations

import logging
import os
import random
import re
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TypeVar
from xml.parsers import expat

import requests

from littrack import __version__
from littrack.errors import EutilsError, LittrackError, NetworkError
from littrack.pubmed.ratelimit import (
    PROCESS_LIMITER,
    RateLimiter,
    Sleep,
    backoff_delay,
    parse_retry_after,
)

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
_MAX_RETRY_AFTER = 120.0
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_RECORD_TAGS = frozenset({"PubmedArticle", "PubmedBookArticle"})
_SET_TAGS = frozenset({"PubmedArticleSet", "PubmedBookArticleSet"})
_HTML_RE = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!doctype\s+html|<html)", re.I)
_PERMANENT_ESEARCH_ERROR = re.compile(r"cannot be larger than 9998", re.I)

_email_warned = False
_email_lock = threading.Lock()


class ResponseError(EutilsError):
    """An E-utilities body that cannot be used; a `transient` one is worth another attempt."""

    def __init__(self, message: str, *, transient: bool = True) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True)
class ESearchResult:
    """One ESearch answer."""

    count: int
    retstart: int
    retmax: int
    ids: list[int]
    webenv: str | None = None
    query_key: str | None = None
    query_translation: str | None = None
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SearchResult:
    """Every id of a search (date-split past the 9,999 cap), with NCBI's messages."""

    ids: list[int]
    count: int
    query_translation: str | None
    warnings: list[str]
    errors: list[str]
    esearch_requests: int


# ---- pure parsing ------------------------------------------------------------------------


def looks_like_html(body: bytes) -> bool:
    """True if the body is an HTML page (NCBI sends those with status 200 on some failures)."""
    return bool(_HTML_RE.match(body[:2048]))


def _new_parser() -> expat.XMLParserType:
    parser = expat.ParserCreate()
    parser.buffer_text = True

    def refuse_entity(name: str, *_: object) -> None:
        raise ResponseError(f"XML declares entity {name!r}; refused")

    # Internal entity declarations are the only way to build entity bombs; NCBI never sends any.
    parser.EntityDeclHandler = refuse_entity
    return parser


def _check_body(body: bytes) -> None:
    if not body.strip():
        raise ResponseError("empty body")
    if looks_like_html(body):
        raise ResponseError("body is an HTML page, not XML")


def parse_xml(body: bytes) -> ET.Element:
    """Parse a small XML document safely (no entity declarations); raise ResponseError if unusable."""
    _check_body(body)
    parser = _new_parser()
    builder = ET.TreeBuilder()
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(body, True)
    except expat.ExpatError as exc:
        raise ResponseError(f"malformed or truncated XML ({exc})") from exc
    return builder.close()


def _text(element: ET.Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    return " ".join(element.text.split())


def _messages(root: ET.Element, tag: str) -> list[str]:
    container = root.find(tag)
    if container is None:
        return []
    return [f"{child.tag}: {_text(child) or ''}".rstrip(": ") for child in container]


def parse_esearch(body: bytes) -> ESearchResult:
    """Parse an ESearch XML body; a top-level ERROR or garbage raises ResponseError."""
    root = parse_xml(body)
    if root.tag != "eSearchResult":
        raise ResponseError(f"unexpected ESearch root element <{root.tag}>")
    error = root.find("ERROR")
    if error is not None:
        message = _text(error) or "(empty ERROR)"
        transient = not _PERMANENT_ESEARCH_ERROR.search(message)
        raise ResponseError(f"ESearch ERROR: {message}", transient=transient)
    try:
        count = int(_text(root.find("Count")) or "")
        retmax = int(_text(root.find("RetMax")) or "0")
        retstart = int(_text(root.find("RetStart")) or "0")
        ids = [int(_text(el) or "") for el in root.iterfind("IdList/Id")]
    except ValueError as exc:
        raise ResponseError(f"ESearch body without usable Count/Id values ({exc})") from exc
    return ESearchResult(
        count=count,
        retstart=retstart,
        retmax=retmax,
        ids=ids,
        webenv=_text(root.find("WebEnv")),
        query_key=_text(root.find("QueryKey")),
        query_translation=_text(root.find("QueryTranslation")),
        warnings=_messages(root, "WarningList"),
        errors=_messages(root, "ErrorList"),
    )


def scan_efetch(body: bytes) -> list[int]:
    """Return the record PMIDs of an EFetch PubMed XML body; raise ResponseError if unusable."""
    _check_body(body)
    parser = _new_parser()
    stack: list[str] = []
    pmids: list[int] = []
    capture: list[str] | None = None
    envelope_error: list[str] = []

    def start(name: str, _attrs: dict[str, str]) -> None:
        nonlocal capture
        depth = len(stack)
        stack.append(name)
        if depth == 0 and name not in _SET_TAGS and name != "eFetchResult":
            raise ResponseError(f"unexpected EFetch root element <{name}>")
        # The record's own PMID sits at Set/Record/(MedlineCitation|BookDocument)/PMID;
        # PMIDs elsewhere (CommentsCorrections, references) are other records.
        if depth == 3 and name == "PMID" and stack[1] in _RECORD_TAGS:
            capture = []
        elif depth == 1 and name == "ERROR":
            capture = []

    def end(name: str) -> None:
        nonlocal capture
        stack.pop()
        if capture is not None and name in ("PMID", "ERROR"):
            text = "".join(capture).strip()
            if name == "ERROR":
                envelope_error.append(text)
            elif text.isdigit():
                pmids.append(int(text))
            else:
                raise ResponseError(f"record with non-numeric PMID {text[:40]!r}")
            capture = None

    def data(text: str) -> None:
        if capture is not None:
            capture.append(text)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    try:
        parser.Parse(body, True)
    except expat.ExpatError as exc:
        raise ResponseError(f"malformed or truncated XML ({exc})") from exc
    if envelope_error:
        raise ResponseError(f"EFetch ERROR: {' '.join(envelope_error)}")
    return pmids


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


def _excerpt(body: bytes, limit: int = 200) -> str:
    text = " ".join(body[: limit * 4].decode("utf-8", "replace").split())
    return text[:limit] + ("..." if len(text) > limit else "")


def _describe(exc: requests.RequestException) -> str:
    # requests wraps urllib3's MaxRetryError, whose text repeats the whole URL; its
    # `reason` (refused, reset, name resolution...) is what a user needs.
    inner = exc.args[0] if exc.args else None
    reason = getattr(inner, "reason", None)
    detail = reason if reason is not None else exc
    return _redact(f"{type(exc).__name__}: {detail}")[:300]


def _redact(text: str) -> str:
    return re.sub(r"(api_key=)[^&\s'\"]+", r"\1***", text)


def _fmt(day: date) -> str:
    return day.strftime("%Y/%m/%d")


def _open_end() -> date:
    # Publication dates can lie ahead (issues printed later), and NCBI's "today" may be
    # ahead of ours, so an open-ended window reaches a few years into the future.
    return date(date.today().year + 5, 12, 31)


# ---- the client --------------------------------------------------------------------------


@dataclass
class _Failure:
    reason: str
    error: type[LittrackError]
    retry_after: float | None = None


class EutilsClient:
    """Throttled, retrying client for PubMed ESearch/EFetch that never returns a failed answer."""

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
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.rate = rate if rate is not None else (RATE_WITH_KEY if self.api_key else RATE_WITHOUT_KEY)
        if not self.rate > 0:
            raise ValueError("rate must be positive")
        self.requests_made = 0
        self._count_lock = threading.Lock()
        self._sleep = sleep
        self._limiter = limiter or PROCESS_LIMITER
        self._rng = random.Random()
        self._own_session = session is None
        self._session = session or requests.Session()
        if self._own_session:
            self._session.headers["User-Agent"] = f"littrack/{__version__} (python-requests)"
        if not self.email:
            _warn_no_email_once()

    def close(self) -> None:
        """Close the HTTP session if this client created it."""
        if self._own_session:
            self._session.close()

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

    def _call(self, endpoint: str, params: dict[str, str], *, post: bool, check: Callable[[bytes], T]) -> T:
        url = f"{self.base_url}{endpoint}.fcgi"
        params = {**params, **self._identity()}
        attempts = self.max_retries + 1
        for attempt in range(1, attempts + 1):
            failure = self._attempt(endpoint, url, params, post, check)
            if not isinstance(failure, _Failure):
                return failure
            if attempt == attempts:
                raise failure.error(
                    f"NCBI {endpoint} failed after {attempts} attempt(s); last error: {failure.reason}"
                )
            wait = backoff_delay(attempt, self.backoff, self._rng)
            if failure.retry_after is not None:
                wait = max(wait, min(failure.retry_after, _MAX_RETRY_AFTER))
            logger.warning(
                "NCBI %s attempt %d/%d failed: %s; retrying in %.2f s",
                endpoint,
                attempt,
                attempts,
                failure.reason,
                wait,
            )
            self._sleep(wait)
        raise AssertionError("unreachable")

    def _attempt(
        self, endpoint: str, url: str, params: dict[str, str], post: bool, check: Callable[[bytes], T]
    ) -> T | _Failure:
        self._limiter.acquire(self.rate, self._sleep)
        with self._count_lock:
            self.requests_made += 1
        try:
            if post:
                response = self._session.post(url, data=params, timeout=(self.timeout, self.timeout))
            else:
                response = self._session.get(url, params=params, timeout=(self.timeout, self.timeout))
            body = response.content
            response.close()
        except requests.Timeout as exc:
            return _Failure(f"timed out after {self.timeout:g} s ({type(exc).__name__})", NetworkError)
        except requests.RequestException as exc:
            return _Failure(_describe(exc), NetworkError)
        status = response.status_code
        if status in _RETRY_STATUSES:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            return _Failure(f"HTTP {status}", NetworkError, retry_after)
        if not 200 <= status < 300:
            raise EutilsError(
                f"NCBI {endpoint} refused the request: HTTP {status}: {_redact(_excerpt(body))}"
            )
        try:
            return check(body)
        except ResponseError as exc:
            if not exc.transient:
                raise EutilsError(f"NCBI {endpoint}: {exc}") from exc
            return _Failure(str(exc), EutilsError)

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
