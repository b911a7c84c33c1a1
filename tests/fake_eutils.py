"""A fake NCBI E-utilities server (PubMed ESearch/EFetch) with fault injection, plus pytest fixtures."""

from __future__ import annotations

import html
import itertools
import re
import socket
import threading
import time
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.parsers import expat

import pytest

from littrack.pubmed.eutils import EutilsClient

DATA_DIR = Path(__file__).resolve().parent / "data" / "pubmed"

ENDPOINTS = ("esearch", "efetch")
SPECIAL_FAULTS = frozenset({"drop", "timeout", "truncate", "short_body", "html", "error", "partial", "empty"})
ESEARCH_CAP = 9999
DEFAULT_EDAT = date(2000, 1, 1)
ENTREZ_YMD = re.compile(
    rb'(<PubMedPubDate PubStatus="entrez">)\s*<Year>\d+</Year>\s*<Month>\d+</Month>\s*<Day>\d+</Day>'
)

XML_DECL = b'<?xml version="1.0" ?>\n'
PUBMED_DOCTYPE = (
    b'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
)
ESEARCH_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" ?>\n'
    b'<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" '
    b'"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
)
EFETCH_ERROR_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" ?>\n'
    b'<!DOCTYPE eFetchResult PUBLIC "-//NLM//DTD efetch 20131226//EN" '
    b'"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20131226/efetch.dtd">\n'
)
CAP_ERROR = (
    "Search Backend failed: Exception:\n'retstart' cannot be larger than 9998. For PubMed, "
    "ESearch can only retrieve the first 9,999 records matching the query. To obtain more "
    "than 9,999 PubMed records, consider using EDirect that contains additional logic to "
    "batch PubMed search results automatically so that an arbitrary number can be retrieved. "
    "For details see https://www.ncbi.nlm.nih.gov/books/NBK25499/"
)
HTML_PAGE = (
    b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
    b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
    b"<html><head><title>NCBI - WWW Error Blocked Diagnostic</title></head>\n"
    b"<body><h1>An error has occurred</h1><p>Backend is busy. Please try again.<br>"
    b"</body></html>\n"
)


# ---- corpus ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    """One real record as found in a fixture file (raw bytes, verbatim)."""

    pmid: int
    xml: bytes
    text: str
    edat: date
    source: str


@dataclass(frozen=True)
class FakeRecord:
    """A record served by the fake: a template under some PMID and entrez date."""

    pmid: int
    edat: date
    template: Template

    def render(self) -> bytes:
        """The record's XML, with PMID and entrez date rewritten when they differ from the template."""
        xml = self.template.xml
        if self.pmid != self.template.pmid:
            old, new = str(self.template.pmid).encode(), str(self.pmid).encode()
            xml = re.sub(rb"(<PMID[^>]*>)\s*\d+\s*(</PMID>)", rb"\g<1>" + new + rb"\g<2>", xml, count=1)
            xml = xml.replace(
                b'<ArticleId IdType="pubmed">' + old + b"</ArticleId>",
                b'<ArticleId IdType="pubmed">' + new + b"</ArticleId>",
            )
        if self.edat != self.template.edat:
            ymd = b"<Year>%d</Year><Month>%d</Month><Day>%d</Day>" % (
                self.edat.year,
                self.edat.month,
                self.edat.day,
            )
            xml = ENTREZ_YMD.sub(rb"\g<1>" + ymd, xml, count=1)
        return xml


def _strip_tags(fragment: bytes) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment.decode("utf-8", "replace")))


def _record_text(xml: bytes) -> str:
    parts = re.findall(
        rb"<(?:ArticleTitle|VernacularTitle|BookTitle|AbstractText)\b[^>]*>(.*?)</(?:ArticleTitle|VernacularTitle|BookTitle|AbstractText)>",
        xml,
        re.S,
    )
    return " ".join(" ".join(_strip_tags(p) for p in parts).split()).lower()


def _ymd(block: bytes) -> date | None:
    match = re.search(
        rb"<Year>\s*(\d{4})\s*</Year>\s*<Month>\s*(\d{1,2})\s*</Month>\s*<Day>\s*(\d{1,2})\s*</Day>", block
    )
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _entrez_date(xml: bytes) -> date:
    for pattern in (
        rb'<PubMedPubDate PubStatus="entrez">(.*?)</PubMedPubDate>',
        rb'<PubMedPubDate PubStatus="pubmed">(.*?)</PubMedPubDate>',
        rb"<DateCompleted>(.*?)</DateCompleted>",
        rb"<DateRevised>(.*?)</DateRevised>",
    ):
        match = re.search(pattern, xml, re.S)
        if match and (day := _ymd(match[1])):
            return day
    return DEFAULT_EDAT


def _split_records(raw: bytes, source: str) -> list[Template]:
    """Slice the top-level records out of one PubMed XML file, byte for byte."""
    parser = expat.ParserCreate()
    depth = 0
    starts: list[int] = []
    slices: list[tuple[int, int]] = []
    is_pubmed = False

    def start(name: str, _attrs: dict[str, str]) -> None:
        nonlocal depth, is_pubmed
        if depth == 0:
            is_pubmed = name in ("PubmedArticleSet", "PubmedBookArticleSet")
        elif depth == 1 and name in ("PubmedArticle", "PubmedBookArticle"):
            starts.append(parser.CurrentByteIndex)
        depth += 1

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1
        if depth == 1 and name in ("PubmedArticle", "PubmedBookArticle"):
            # CurrentByteIndex points at the "</" of the end tag here.
            stop = raw.index(b">", parser.CurrentByteIndex) + 1
            slices.append((starts.pop(), stop))

    def refuse(*_: object) -> None:
        raise ValueError("entity declaration")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(raw, True)
    except (expat.ExpatError, ValueError):
        # Parser tests may keep deliberately broken files next to the real ones.
        return []
    if not is_pubmed:
        return []
    templates = []
    for begin, stop in slices:
        xml = raw[begin:stop]
        pmid = re.search(rb"<PMID[^>]*>\s*(\d+)\s*</PMID>", xml)
        if pmid is None:
            continue
        templates.append(Template(int(pmid[1]), xml, _record_text(xml), _entrez_date(xml), source))
    return templates


@lru_cache(maxsize=8)
def load_templates(directory: Path | None = None) -> tuple[Template, ...]:
    """Every record of the PubMed XML files under `directory` (sorted paths; last PMID wins)."""
    directory = Path(directory or DATA_DIR)
    files = sorted(Path(directory).rglob("*.xml"))
    by_pmid: dict[int, Template] = {}
    for path in files:
        for template in _split_records(path.read_bytes(), str(path.relative_to(directory))):
            by_pmid[template.pmid] = template
    if not by_pmid:
        raise FileNotFoundError(f"no PubMed records under {directory}")
    return tuple(by_pmid.values())


def _default_template(templates: Sequence[Template]) -> Template:
    # Prefer a real NCBI record (it has an entrez date in its History) over hand-made ones.
    real = [t for t in templates if b'PubStatus="entrez"' in t.xml]
    return min(real or templates, key=lambda t: t.pmid)


class Corpus:
    """The records the fake serves, with their entrez dates and registered search terms."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._records: dict[int, FakeRecord] = {}
        self._terms: dict[str, set[int]] = {}
        self._by_date: list[tuple[date, int]] | None = None

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, pmid: object) -> bool:
        return pmid in self._records

    @property
    def pmids(self) -> list[int]:
        """Every PMID, ascending."""
        return sorted(self._records)

    def get(self, pmid: int) -> FakeRecord:
        return self._records[pmid]

    def add(self, record: FakeRecord) -> None:
        with self._lock:
            self._records[record.pmid] = record
            self._by_date = None

    def add_fixture_records(self, directory: Path | None = None) -> list[int]:
        """Load the real records of the fixture files (default tests/data/pubmed); return their PMIDs."""
        templates = load_templates(directory)
        for template in templates:
            self.add(FakeRecord(template.pmid, template.edat, template))
        return [template.pmid for template in templates]

    def add_clones(
        self,
        count: int,
        *,
        start_pmid: int = 40_000_000,
        first_edat: date = date(2021, 1, 1),
        last_edat: date | None = None,
        template_pmid: int | None = None,
    ) -> list[int]:
        """Add `count` copies of a real record as PMIDs start_pmid.., entrez dates spread evenly."""
        with self._lock:
            if template_pmid is None:
                template = _default_template(
                    [r.template for r in self._records.values()] or list(load_templates())
                )
            else:
                template = self._records[template_pmid].template
            last_edat = last_edat or first_edat
            span = (last_edat - first_edat).days
            pmids = list(range(start_pmid, start_pmid + count))
            for index, pmid in enumerate(pmids):
                offset = span * index // max(1, count - 1)
                self._records[pmid] = FakeRecord(pmid, first_edat + timedelta(days=offset), template)
            self._by_date = None
            return pmids

    def set_edat(self, pmid: int, edat: date) -> None:
        """Move a record to another entrez date."""
        with self._lock:
            record = self._records[pmid]
            self.add(FakeRecord(pmid, edat, record.template))

    def remove(self, pmids: Iterable[int]) -> None:
        """Delete records (they disappear from searches and fetches)."""
        with self._lock:
            for pmid in pmids:
                self._records.pop(pmid, None)
            self._by_date = None

    def set_term(self, term: str, pmids: Iterable[int]) -> None:
        """Make ESearch answer `term` with exactly these PMIDs (those present in the corpus)."""
        with self._lock:
            self._terms[term.strip().lower()] = set(pmids)

    def search(self, term: str, low: date | None, high: date | None) -> list[int] | None:
        """PMIDs for a term within [low, high] (newest first); None when the term matches nothing."""
        with self._lock:
            if self._by_date is None:
                self._by_date = sorted((r.edat, r.pmid) for r in self._records.values())
            by_date = self._by_date
            key = term.strip().lower()
            if key in self._terms:
                wanted: set[int] | None = self._terms[key] & self._records.keys()
            elif key in ("all", "all[sb]"):
                wanted = None
            else:
                wanted = {p for p, r in self._records.items() if key in r.template.text}
                if not wanted:
                    return None
        lo = 0 if low is None else bisect_left(by_date, (low, 0))
        hi = len(by_date) if high is None else bisect_right(by_date, (high, float("inf")))
        window = by_date[lo:hi]
        if wanted is not None:
            window = [item for item in window if item[1] in wanted]
        return [pmid for _, pmid in reversed(window)]

    def render(self, pmids: Sequence[int]) -> bytes:
        """A complete EFetch PubmedArticleSet for the known PMIDs among `pmids`, in that order."""
        records = [self._records[p].render() for p in pmids if p in self._records]
        return (
            XML_DECL
            + PUBMED_DOCTYPE
            + b"<PubmedArticleSet>\n"
            + b"\n".join(records)
            + (b"\n" if records else b"")
            + b"</PubmedArticleSet>\n"
        )


# ---- server ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """One injected failure."""

    kind: str
    retry_after: str | None = None
    delay: float = 1.0


@dataclass(frozen=True)
class RequestRecord:
    """One request the fake received (params merge query string and POST form body)."""

    method: str
    path: str
    endpoint: str | None
    params: dict[str, str]
    fault: str | None
    at: float = field(default_factory=time.monotonic)

    @property
    def ids(self) -> list[int]:
        """The PMIDs of an EFetch request."""
        return [int(x) for x in self.params.get("id", "").split(",") if x.strip()]


def _parse_ncbi_date(text: str, *, end: bool) -> date:
    parts = [int(p) for p in text.strip().split("/")]
    if len(parts) == 1:
        return date(parts[0], 12, 31) if end else date(parts[0], 1, 1)
    if len(parts) == 2:
        first = date(parts[0], parts[1], 1)
        if not end:
            return first
        return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return date(parts[0], parts[1], parts[2])


class FakeEutils:
    """A fake E-utilities server on 127.0.0.1 (port 0, own thread); `url` ends with '/'.

    Corpus: the PubmedArticle/PubmedBookArticle records of tests/data/pubmed/**/*.xml (a PMID met
    twice keeps its last version), each with an entrez date taken from its History (fallbacks:
    the "pubmed" date, DateCompleted/DateRevised, 2000-01-01). `corpus.add_clones` adds copies of
    a real record under new PMIDs and chosen entrez dates (rendered lazily, so 30,000 are cheap).

    ESearch term matching, first rule that applies:
      1. a term registered with `corpus.set_term(term, pmids)` (case-insensitive) -> those PMIDs;
      2. "all" or "all[sb]" -> every record;
      3. otherwise a case-insensitive substring of a record's title/vernacular title/abstract;
         no record at all -> Count 0 with ErrorList/PhraseNotFound, like NCBI.
    Dates: datetype=edat only, mindate+maxdate both required (as NCBI: one alone is ignored),
    YYYY, YYYY/MM or YYYY/MM/DD. Order: newest entrez date first, then PMID descending.
    The 9,999 cap is NCBI's: Count is the full count, ids stop at index 9998, retstart > 9998 is
    an <ERROR>. usehistory=y returns WebEnv/QueryKey (EFetch accepts WebEnv+query_key too).

    Faults are queued per endpoint ("esearch", "efetch") and consumed one per request; a
    permanent fault (fail_always) applies once the queue is empty. Kinds: any HTTP status as a
    string or int ("429" sends Retry-After, default 1 s), "drop" (close without answering), "timeout" (sleep
    `delay` s, default 1, before answering), "truncate" (200, XML cut mid-record, consistent
    Content-Length), "short_body" (Content-Length larger than what is sent, then close), "html"
    (200, an HTML error page), "error" (ESearch <ERROR> / EFetch eFetchResult ERROR envelope),
    "partial" and "empty" (EFetch only: drop the last record / every record).

    Every request is logged in `requests` (method, path, endpoint, merged query/form params,
    the fault applied), see `requests_to` and `count`.
    """

    def __init__(self, *, load_fixtures: bool = True, data_dir: Path | None = None) -> None:
        self.corpus = Corpus()
        if load_fixtures:
            self.corpus.add_fixture_records(data_dir)
        self.requests: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._faults: dict[str, deque[Fault]] = {e: deque() for e in ENDPOINTS}
        self._permanent: dict[str, Fault] = {}
        self._history: dict[str, list[list[int]]] = {}
        self._webenv_ids = itertools.count(1)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._httpd.fake = self  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/"
        self._thread: threading.Thread | None = None

    def start(self) -> FakeEutils:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeEutils:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # -- faults and log --

    @staticmethod
    def _endpoint(name: str) -> str:
        endpoint = name.removesuffix(".fcgi")
        if endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {name!r}; use one of {ENDPOINTS}")
        return endpoint

    @staticmethod
    def _fault(kind: str | int, retry_after: str | int | None, delay: float) -> Fault:
        kind = str(kind)
        if kind not in SPECIAL_FAULTS and not (kind.isdigit() and 400 <= int(kind) <= 599):
            raise ValueError(f"unknown fault {kind!r}")
        if kind == "429" and retry_after is None:
            retry_after = "1"
        return Fault(kind, None if retry_after is None else str(retry_after), delay)

    def fail(
        self,
        endpoint: str,
        kind: str | int,
        *,
        times: int = 1,
        retry_after: str | int | None = None,
        delay: float = 1.0,
    ) -> None:
        """Queue `times` faults for the next requests to `endpoint`."""
        fault = self._fault(kind, retry_after, delay)
        with self._lock:
            self._faults[self._endpoint(endpoint)].extend([fault] * times)

    def fail_always(
        self, endpoint: str, kind: str | int, *, retry_after: str | int | None = None, delay: float = 1.0
    ) -> None:
        """Fail every request to `endpoint` (after the queued faults) until clear_faults()."""
        with self._lock:
            self._permanent[self._endpoint(endpoint)] = self._fault(kind, retry_after, delay)

    def clear_faults(self) -> None:
        with self._lock:
            for queue in self._faults.values():
                queue.clear()
            self._permanent.clear()

    def _next_fault(self, endpoint: str | None) -> Fault | None:
        if endpoint is None:
            return None
        with self._lock:
            queue = self._faults[endpoint]
            return queue.popleft() if queue else self._permanent.get(endpoint)

    def _log(self, record: RequestRecord) -> None:
        with self._lock:
            self.requests.append(record)

    def requests_to(self, endpoint: str) -> list[RequestRecord]:
        """The logged requests to one endpoint, oldest first."""
        endpoint = self._endpoint(endpoint)
        with self._lock:
            return [r for r in self.requests if r.endpoint == endpoint]

    def count(self, endpoint: str) -> int:
        """How many requests reached `endpoint`."""
        return len(self.requests_to(endpoint))

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()

    # -- answers --

    def esearch(self, params: dict[str, str]) -> bytes:
        """The ESearch body for these parameters (no faults)."""
        if params.get("db", "pubmed") != "pubmed":
            return _esearch_error(f"Invalid db name specified: {params.get('db')}")
        term = params.get("term", "")
        if not term.strip():
            return _esearch_error("Empty term and query_key - nothing todo")
        try:
            retstart = int(params.get("retstart", "0"))
            retmax = int(params.get("retmax", "20"))
        except ValueError:
            return _esearch_error("Invalid retstart/retmax")
        if retstart > ESEARCH_CAP - 1:
            return _esearch_error(CAP_ERROR)
        low = high = None
        if params.get("mindate") and params.get("maxdate"):
            if params.get("datetype", "edat") != "edat":
                return _esearch_error("fake E-utilities supports only datetype=edat")
            try:
                low = _parse_ncbi_date(params["mindate"], end=False)
                high = _parse_ncbi_date(params["maxdate"], end=True)
            except ValueError:
                return _esearch_error("Invalid date")
        matches = self.corpus.search(term, low, high)
        parts = [b"<eSearchResult>"]
        count = len(matches or [])
        page = (matches or [])[retstart : min(retstart + retmax, ESEARCH_CAP)]
        parts.append(
            b"<Count>%d</Count><RetMax>%d</RetMax><RetStart>%d</RetStart>" % (count, len(page), retstart)
        )
        if params.get("usehistory") == "y":
            webenv = params.get("WebEnv") or f"MCID_fake{next(self._webenv_ids):08d}"
            with self._lock:
                queries = self._history.setdefault(webenv, [])
                queries.append(list(matches or []))
                key = len(queries)
            parts.append(b"<QueryKey>%d</QueryKey><WebEnv>%s</WebEnv>" % (key, webenv.encode()))
        parts.append(b"<IdList>" + b"".join(b"<Id>%d</Id>\n" % p for p in page) + b"</IdList>")
        translation = "all[sb]" if term.strip().lower() in ("all", "all[sb]") else f"{term}[All Fields]"
        if low is not None:
            translation += f" AND {low:%Y/%m/%d}:{high:%Y/%m/%d}[edat]"
        parts.append(b"<TranslationSet/><QueryTranslation>%s</QueryTranslation>" % _esc(translation))
        if matches is None:
            parts.append(b"<ErrorList><PhraseNotFound>%s</PhraseNotFound></ErrorList>" % _esc(term))
        if not matches:
            parts.append(b"<WarningList><OutputMessage>No items found.</OutputMessage></WarningList>")
        parts.append(b"</eSearchResult>\n")
        return ESEARCH_HEAD + b"".join(parts)

    def efetch_ids(self, params: dict[str, str]) -> list[int] | bytes:
        """The PMIDs an EFetch asks for, or an ERROR envelope body."""
        raw = params.get("id", "").strip()
        if raw:
            try:
                return [int(x) for x in raw.split(",") if x.strip()]
            except ValueError:
                return _efetch_error(f"Invalid uid {raw[:40]}")
        webenv, key = params.get("WebEnv"), params.get("query_key")
        if webenv and key and key.isdigit():
            with self._lock:
                queries = self._history.get(webenv, [])
            if not 1 <= int(key) <= len(queries):
                return _efetch_error(f"Unable to obtain query #{key}")
            start = int(params.get("retstart", "0"))
            return queries[int(key) - 1][start : start + int(params.get("retmax", "20"))]
        return _efetch_error("Empty id list - nothing todo")


def _esc(text: str) -> bytes:
    return html.escape(text, quote=False).encode()


def _esearch_error(message: str) -> bytes:
    return ESEARCH_HEAD + b"<eSearchResult><ERROR>%s</ERROR></eSearchResult>\n" % _esc(message)


def _efetch_error(message: str) -> bytes:
    return EFETCH_ERROR_HEAD + b"<eFetchResult>\n\t<ERROR>%s</ERROR>\n</eFetchResult>\n" % _esc(message)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeEutils/1.0"
    # Headers and body go out in separate writes; with Nagle on, keep-alive requests stall ~40 ms.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._handle("GET", b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._handle("POST", self.rfile.read(length))

    def _handle(self, method: str, form: bytes) -> None:
        fake: FakeEutils = self.server.fake  # type: ignore[attr-defined]
        split = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        params.update(
            {k: v[-1] for k, v in parse_qs(form.decode("utf-8", "replace"), keep_blank_values=True).items()}
        )
        name = split.path.rsplit("/", 1)[-1]
        endpoint = name.removesuffix(".fcgi") if name in ("esearch.fcgi", "efetch.fcgi") else None
        fault = fake._next_fault(endpoint)
        fake._log(RequestRecord(method, split.path, endpoint, params, fault.kind if fault else None))
        if endpoint is None:
            self._send(404, b"<html><body>Not found</body></html>", "text/html")
            return
        try:
            self._answer(fake, endpoint, params, fault)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _answer(self, fake: FakeEutils, endpoint: str, params: dict[str, str], fault: Fault | None) -> None:
        kind = fault.kind if fault else None
        if kind == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if kind == "timeout":
            time.sleep(fault.delay)  # type: ignore[union-attr]
        if kind is not None and kind.isdigit():
            headers = {"Retry-After": fault.retry_after} if fault and fault.retry_after else {}
            body = (
                b'{"error":"API rate limit exceeded","count":"11","limit":"10"}'
                if kind == "429"
                else b"<html><body><h1>%s</h1></body></html>" % kind.encode()
            )
            self._send(int(kind), body, "application/json" if kind == "429" else "text/html", headers)
            return
        if kind == "html":
            self._send(200, HTML_PAGE, "text/html; charset=UTF-8")
            return
        if endpoint == "esearch":
            body = (
                _esearch_error("Search Backend failed: <pre>timeout</pre>")
                if kind == "error"
                else fake.esearch(params)
            )
            cut_at = len(body) // 2
        else:
            ids = fake.efetch_ids(params)
            if kind == "error":
                body = _efetch_error("Unable to obtain query #1")
            elif isinstance(ids, bytes):
                body = ids
            else:
                if kind == "partial":
                    ids = ids[:-1]
                elif kind == "empty":
                    ids = []
                body = fake.corpus.render(ids)
            last = body.rfind(b"<PubmedArticle>")
            cut_at = last + 40 if last > 0 else len(body) // 2
        if kind == "truncate":
            self._send(200, body[:cut_at], "text/xml; charset=UTF-8")
        elif kind == "short_body":
            self.send_response(200)
            self.send_header("Content-Type", "text/xml; charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:cut_at])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        else:
            self._send(200, body, "text/xml; charset=UTF-8")

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


# ---- pytest fixtures ---------------------------------------------------------------------

TEST_EMAIL = "tests@example.org"
TEST_API_KEY = "fake-api-key-0123"


@pytest.fixture
def fake_eutils() -> Iterator[FakeEutils]:
    """A running fake E-utilities server loaded with the fixture records."""
    with FakeEutils() as fake:
        yield fake


@pytest.fixture
def eutils_client(fake_eutils: FakeEutils) -> Iterator[EutilsClient]:
    """An EutilsClient on the fake: identity set, fast rate, tiny backoff, 2 retries."""
    with EutilsClient(
        fake_eutils.url,
        email=TEST_EMAIL,
        api_key=TEST_API_KEY,
        timeout=2.0,
        max_retries=2,
        backoff=0.001,
        rate=1000.0,
    ) as client:
        yield client


@pytest.fixture
def fake_eutils_env(fake_eutils: FakeEutils, monkeypatch: pytest.MonkeyPatch) -> FakeEutils:
    """Point clients built from the environment (LITTRACK_EUTILS_URL, NCBI_*) at the fake."""
    monkeypatch.setenv("LITTRACK_EUTILS_URL", fake_eutils.url)
    monkeypatch.setenv("NCBI_EMAIL", TEST_EMAIL)
    monkeypatch.setenv("NCBI_API_KEY", TEST_API_KEY)
    return fake_eutils
