"""Reading E-utilities answers: pure checks and parsers over response bytes, no HTTP."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from xml.parsers import expat

from littrack.errors import EutilsError

_RECORD_TAGS = frozenset({"PubmedArticle", "PubmedBookArticle"})
_SET_TAGS = frozenset({"PubmedArticleSet", "PubmedBookArticleSet"})
_PERMANENT_ESEARCH_ERROR = re.compile(r"cannot be larger than 9998", re.I)
_HTML_RE = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?<(?:!doctype\s+html|html[\s>])", re.I)


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


def looks_like_html(body: bytes) -> bool:
    """True if the body is an HTML page (NCBI sends those with status 200 on some failures); the
    one HTML sniffer of the E-utilities client and the XML parser."""
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
