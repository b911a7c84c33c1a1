"""Streaming, entity-safe parser for PubMed XML (EFetch bodies, baseline and update files)."""

# How, and why. The prolog (XML declaration, DOCTYPE, root start tag) is read by a stdlib
# expat parser that refuses any DOCTYPE internal subset, so no entity can ever be declared,
# and no DTD is ever fetched. The body is then cut at record end tags and the records are
# parsed one by one by ElementTree's C parser (one parser shared by all records, see
# _RecordParser), without a DTD, so `&name;` can only fail as "undefined entity". Parsing
# record by record keeps memory flat, and it measured faster than iterparse (which makes an
# event per element), lxml (slower element access from Python) and pyexpat with Python
# callbacks. Blocks that no field needs are skipped unparsed where that is provably safe
# (ReferenceList; History and MEDLINE dates in their plain form), and a faulty record is
# always parsed again alone, in full, so that errors read exactly as they always did.

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from xml.etree.ElementTree import Element, TreeBuilder, XMLParser, fromstring
from xml.etree.ElementTree import ParseError as _ETParseError
from xml.parsers import expat

from littrack.errors import ParseError
from littrack.pubmed.answers import looks_like_html
from littrack.pubmed.dates import exact_date
from littrack.pubmed.extract import (
    FROM_ELEMENT,
    RecordError,
    delete_citation,
    pubmed_article,
    pubmed_book_article,
)
from littrack.pubmed.records import DeletedCitation, PubmedRecord
from littrack.pubmed.source import Opened, Source, chunks, open_source, reader

ROOT_TAGS = ("PubmedArticleSet", "PubmedBookArticleSet")
_END_TAGS = {
    b"PubmedArticle": b"</PubmedArticle>",
    b"PubmedBookArticle": b"</PubmedBookArticle>",
    b"DeleteCitation": b"</DeleteCitation>",
}
_BUILDERS: dict[str, Callable[..., PubmedRecord | DeletedCitation]] = {
    "PubmedArticle": pubmed_article,
    "PubmedBookArticle": pubmed_book_article,
    "DeleteCitation": delete_citation,
}
_MAX_PROLOG = 1 << 20
_MAX_RECORD = 64 << 20  # far above any real record; bounds memory on a document with no record ends
# Nothing in PubmedRecord comes from a ReferenceList, often the largest block of a recent
# record, so its bytes are skipped rather than parsed (a quarter of such a record's parse
# time). Should the record turn out faulty, it is parsed again alone, ReferenceLists replaced
# by their newlines so that error line numbers stay exact.
_REFS_OPEN = b"<ReferenceList>"
_REFS_CLOSE = b"</ReferenceList>"

# History holds 3-6 dated events of which only one is used (entrez, else pubmed), and it costs
# ~15% of a record's parse. When the whole block is in the plain form NLM writes (matched
# strictly below: only these tags, digits and XML whitespace, so the skipped bytes are
# well-formed by construction), the date is read from the bytes and the block is not parsed;
# in any other form it is parsed as before.
_DATA_OPEN = {b"PubmedArticle": b"<PubmedData>", b"PubmedBookArticle": b"<PubmedBookData>"}
_HISTORY_ITEM = (
    rb'[ \t\r\n]*<PubMedPubDate PubStatus="([A-Za-z-]+)">[ \t\r\n]*<Year>([0-9]{4})</Year>[ \t\r\n]*<Month>([0-9]{1,2})</Month>'
    rb"[ \t\r\n]*<Day>([0-9]{1,2})</Day>[ \t\r\n]*(?:<Hour>[0-9]{1,2}</Hour>[ \t\r\n]*)?(?:<Minute>[0-9]{1,2}</Minute>[ \t\r\n]*)?"
    rb"(?:<Second>[0-9]{1,2}</Second>[ \t\r\n]*)?</PubMedPubDate>"
)
# The whole plain-form block in one match (then one search per wanted status inside it).
_HISTORY_RE = re.compile(
    rb"[ \t\r\n]*<History>(?:%s)*[ \t\r\n]*</History>(?:[ \t\r\n]*<PublicationStatus>[a-z-]+</PublicationStatus>)?"
    % _HISTORY_ITEM.replace(b"([A-Za-z-]+)", b"[A-Za-z-]+").replace(b"([0-9]{4})", b"[0-9]{4}").replace(b"([0-9]{1,2})", b"[0-9]{1,2}")
)
_LEAD = b"[ \\t\\r\\n]*"  # dropped so that re can look for the literal prefix
_ENTREZ_RE = re.compile(_HISTORY_ITEM.replace(b"([A-Za-z-]+)", b"entrez").removeprefix(_LEAD))
_PUBMED_RE = re.compile(_HISTORY_ITEM.replace(b"([A-Za-z-]+)", b"pubmed").removeprefix(_LEAD))
# DateCompleted and DateRevised (MEDLINE bookkeeping, never read) follow the PMID that opens a
# MedlineCitation; in their plain form they are dropped unparsed too.
_PMID_CLOSE = b"</PMID>"
_BOOKKEEPING_RE = re.compile(
    rb"(?:[ \t\r\n]*<(DateCompleted|DateRevised)>[ \t\r\n]*<Year>[0-9]{4}</Year>[ \t\r\n]*<Month>[0-9]{1,2}</Month>"
    rb"[ \t\r\n]*<Day>[0-9]{1,2}</Day>[ \t\r\n]*</\1>)+"
)
_START_TAG_RE = re.compile(rb"<[^\s/>]+(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*(/?)>")
_TITLE_RE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_ERROR_RE = re.compile(rb"<ERROR>(.*?)</ERROR>", re.DOTALL)
_NEXT_TAG_RE = re.compile(rb"(?:\s|<!--.*?-->|<\?.*?\?>)*<(/?)([^\s/>!?]+)(?=[\s/>])", re.DOTALL)
_JUNK_RE = re.compile(rb"\s*[^\s<]")
_MISC_RE = re.compile(rb"\s*(?:(?:<!--.*?-->|<\?.*?\?>)\s*)*", re.DOTALL)


def iter_pubmed(source: Source) -> Iterator[PubmedRecord | DeletedCitation]:
    """Yield each record of a PubMed XML document as soon as its end tag has been read.

    source: the document as bytes, a str of XML text (starting with "<"), a path (str or
    PathLike), or a binary stream (left open). Gzip input is recognised by its magic bytes.
    A malformed, truncated or refused document raises ParseError, after every complete
    record before the fault has been yielded.
    """
    stream, owned = open_source(source)
    pieces = chunks(stream)
    try:
        parser = _RecordParser()
        split = _Splitter(pieces, reader(source, stream))
        for fragment, start, kind in split:
            yield _record(parser, fragment, start, kind, split)
    finally:
        pieces.close()  # stops the gunzip thread before its stream is closed
        if owned:
            stream.close()


def parse_pubmed(source: Source) -> list[PubmedRecord | DeletedCitation]:
    """All records of a PubMed XML document as a list (see iter_pubmed)."""
    return list(iter_pubmed(source))


def check_envelope(head: bytes) -> None:
    """Raise ParseError unless head (the start of a body) can open a PubMed record set.

    Catches an HTML page, an <eFetchResult><ERROR> envelope, any other root element, and a
    DOCTYPE with an internal subset; iter_pubmed applies the same checks itself.
    """
    _Prolog().feed(bytes(head), final=False)


class _RootFound(Exception):
    pass


def _squash(raw: bytes) -> str:
    return " ".join(raw.decode("utf-8", "replace").split())


def _refuse_html(head: bytes) -> None:
    if looks_like_html(head):
        title = _TITLE_RE.search(head)
        shown = f" (title: {_squash(title.group(1))!r})" if title else ""
        raise ParseError(f"received an HTML page, not PubMed XML{shown}")


class _Prolog:
    """Reads the prolog with expat, refusing an internal DTD subset, up to the root start tag."""

    def __init__(self) -> None:
        self.head = b""
        self.root: str | None = None
        self.body_start = 0
        self.root_closed = False
        self._root_at = 0
        self._parser = expat.ParserCreate()
        self._parser.StartDoctypeDeclHandler = self._doctype
        self._parser.EntityDeclHandler = self._entity
        self._parser.XmlDeclHandler = self._xml_decl
        self._parser.StartElementHandler = self._start

    def feed(self, data: bytes, final: bool) -> bool:
        """Consume data; True once the root start tag has been read."""
        self.head += data
        if self.head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ParseError("unsupported document encoding UTF-16 (PubMed XML is UTF-8)")
        try:
            self._parser.Parse(data, final)
        except _RootFound:
            self._check_root()
            return True
        except expat.ExpatError as exc:
            _refuse_html(self.head)
            if final and not self.head.strip():
                raise ParseError("empty document") from None
            raise ParseError(
                f"malformed XML before the first record: {expat.ErrorString(exc.code)}, line {exc.lineno}"
            ) from None
        _refuse_html(self.head)
        if len(self.head) > _MAX_PROLOG:
            raise ParseError(f"no root element in the first {_MAX_PROLOG} bytes")
        return False

    def _check_root(self) -> None:
        if self.root not in ROOT_TAGS:
            _refuse_html(self.head)
            error = _ERROR_RE.search(self.head)
            detail = f": {_squash(error.group(1))}" if error else ""
            raise ParseError(f"not a PubMed record set: root element is <{self.root}>{detail}")
        match = _START_TAG_RE.match(self.head, self._root_at)
        if match is None:  # expat accepted the tag, so only a bug here can get this far
            raise ParseError(f"cannot find the end of <{self.root}>, line {self._parser.CurrentLineNumber}")
        self.body_start = match.end()
        self.root_closed = bool(match.group(1))

    def _doctype(self, name: str, system_id: str | None, public_id: str | None, has_internal_subset: bool) -> None:
        if has_internal_subset:
            raise ParseError(
                f"refused: DOCTYPE {name} has an internal subset (entity declarations are not "
                f"accepted), line {self._parser.CurrentLineNumber}"
            )

    def _entity(self, name: str, *_: object) -> None:
        raise ParseError(f"refused: entity declaration {name!r}, line {self._parser.CurrentLineNumber}")

    def _xml_decl(self, version: str, encoding: str | None, standalone: int) -> None:
        if encoding and encoding.lower().replace("_", "-") not in ("utf-8", "utf8", "us-ascii", "ascii"):
            raise ParseError(f"unsupported document encoding {encoding!r} (PubMed XML is UTF-8)")

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        self.root = name
        self._root_at = self._parser.CurrentByteIndex  # only valid inside the handler
        raise _RootFound


class _Splitter:
    """Cuts the body into records: iterating yields each record's bytes, its offset in the document
    and its kind; then checks the document's end. line_at() turns an offset into a line number.

    Line numbers serve error messages only. Where the document can be read again from its start
    (reread: bytes, text, a regular file), the newlines before an offset are counted only when an
    error asks for its line; counting them record by record cost ~4% of an indented record's parse.
    A caller's stream (reread None) is counted as it is read.
    """

    def __init__(self, pieces: Iterable[bytes], reread: Callable[[], Opened] | None) -> None:
        self._pieces = pieces
        self._reread = reread
        self._buffer = b""
        self._base = 0  # the document offset of _buffer[0]
        self._newlines: int | None = 0  # newlines before _base; None: not counted yet

    def line_at(self, offset: int) -> int:
        """The line of the document's byte at offset (at or after the start of the current buffer)."""
        if self._newlines is None:
            assert self._reread is not None  # only a document that can be read again leaves them uncounted
            self._newlines = _newlines_before(self._reread(), self._base)
        return 1 + self._newlines + self._buffer.count(b"\n", 0, offset - self._base)

    def _drop(self, consumed: int) -> None:
        """Forget the buffer's first `consumed` bytes (before it changes)."""
        if self._newlines is not None:
            self._newlines = None if self._reread is not None else self._newlines + self._buffer.count(b"\n", 0, consumed)
        self._base += consumed

    def __iter__(self) -> Iterator[tuple[bytes, int, bytes]]:
        chunks = iter(self._pieces)
        prolog = _Prolog()
        for chunk in chunks:
            if prolog.feed(chunk, final=False):
                break
        else:
            prolog.feed(b"", final=True)
        buffer = self._buffer = prolog.head
        root = prolog.root or ""
        del prolog.head
        pos = prolog.body_start
        while not prolog.root_closed:
            # Peek at the next tag (past whitespace and comments) to learn the record kind, then
            # look for that kind's end tag only: one scan of the bytes per record.
            match = _NEXT_TAG_RE.match(buffer, pos)
            if match is not None:
                closing, name = match.groups()
                if closing:
                    break
                end_tag = _END_TAGS.get(name)
                if end_tag is None:
                    where = self.line_at(self._base + match.end())
                    raise ParseError(f"unexpected element <{name.decode('utf-8', 'replace')}> in the record set, line {where}")
                end = buffer.find(end_tag, match.end())
                if end >= 0:
                    end += len(end_tag)
                    start = match.start(1) - 1  # the record's "<"; before it, usually a newline
                    if start > pos and buffer[pos:start].isspace():
                        pos = start
                    yield buffer[pos:end], self._base + pos, name
                    pos = end
                    continue
            elif (junk := _JUNK_RE.match(buffer, pos)) is not None:
                where = self.line_at(self._base + junk.end())
                raise ParseError(f"malformed PubMed XML: text between records, line {where}")
            more = next(chunks, None)
            if more is None:
                break
            self._drop(pos)
            buffer = self._buffer = buffer[pos:] + more
            pos = 0
            if len(buffer) > _MAX_RECORD:
                raise ParseError(f"no record end within {_MAX_RECORD} bytes after line {self.line_at(self._base)}")
        tail = [buffer[pos:]]
        size = len(tail[0])
        for chunk in chunks:  # normally nothing is left: the last chunk held the end of the document
            tail.append(chunk)
            size += len(chunk)
            if size > _MAX_RECORD:
                break
        self._drop(pos)
        self._buffer = b"".join(tail)
        _check_tail(self._buffer, root, self.line_at, self._base, prolog.root_closed)


def _newlines_before(document: Opened, offset: int) -> int:
    """The newlines in the document's first `offset` bytes (gunzipped), read again from its start."""
    stream, owned = document
    pieces = chunks(stream)
    count = 0
    try:
        for piece in pieces:
            if len(piece) >= offset:
                return count + piece.count(b"\n", 0, offset)
            count += piece.count(b"\n")
            offset -= len(piece)
    finally:
        pieces.close()
        if owned:
            stream.close()
    return count


def _reference_spans(fragment: bytes) -> list[tuple[int, int]]:
    """Where fragment's (outermost) ReferenceList elements are; none if they do not balance."""
    start = fragment.find(_REFS_OPEN)
    if start < 0:
        return []
    spans = []
    while start >= 0:
        depth, scan = 1, start + len(_REFS_OPEN)
        while depth:
            close = fragment.find(_REFS_CLOSE, scan)
            if close < 0:  # unbalanced: leave it to the XML parser to report
                return []
            depth += fragment.count(_REFS_OPEN, scan, close) - 1
            scan = close + len(_REFS_CLOSE)
        spans.append((start, scan))
        start = fragment.find(_REFS_OPEN, scan)
    return spans


def _drop_reference_lists(fragment: bytes) -> bytes:
    """fragment without its ReferenceLists, whose newlines stay, for exact error line numbers."""
    spans = _reference_spans(fragment)
    if not spans:
        return fragment
    parts = []
    pos = 0
    for start, end in spans:
        parts.append(fragment[pos:start])
        parts.append(b"\n" * fragment.count(b"\n", start, end))
        pos = end
    parts.append(fragment[pos:])
    return b"".join(parts)


def _cuts(fragment: bytes, kind: bytes) -> tuple[list[tuple[int, int]], object]:
    """The spans of fragment left unparsed (ReferenceLists, plain History and MEDLINE dates),
    and the entrez date read from History (FROM_ELEMENT if History is to be parsed)."""
    refs = _reference_spans(fragment)
    data_open = _DATA_OPEN.get(kind)
    if data_open is None:
        return refs, FROM_ELEMENT
    cuts = list(refs)  # refs[0] stays the first ReferenceList (the bound of the History search)
    if kind == b"PubmedArticle":
        at = fragment.find(_PMID_CLOSE, 0, 4096)  # the PMID first in MedlineCitation
        if at >= 0 and (dates := _BOOKKEEPING_RE.match(fragment, at + len(_PMID_CLOSE))) is not None:
            cuts.append(dates.span())
    entrez: object = FROM_ELEMENT
    # The DTD makes PubmedData (PubmedBookData) the record's last child but its ReferenceLists,
    # and History the first child of that.
    at = fragment.rfind(data_open, 0, refs[0][0] if refs else len(fragment))
    if at >= 0 and (history := _HISTORY_RE.match(fragment, at + len(data_open))) is not None:
        start, end = history.span()  # the items are matched again inside: each is one whole item
        chosen = _ENTREZ_RE.search(fragment, start, end) or _PUBMED_RE.search(fragment, start, end)
        entrez = None if chosen is None else exact_date(*(part.decode() for part in chosen.group(1, 2, 3)))
        cuts.append((start, end))
    if len(cuts) > 1:
        cuts.sort()
    return cuts, entrez


def _record(
    parser: _RecordParser, fragment: bytes, start: int, kind: bytes, split: _Splitter
) -> PubmedRecord | DeletedCitation:
    """The record of fragment, which starts at offset start of the document split is cutting."""
    cuts, entrez = _cuts(fragment, kind)
    element = parser.parse(fragment, cuts)
    if element is None:  # a fault, or a form the shared parser cannot take: parse it alone, as ever
        element = _parse(_drop_reference_lists(fragment), split, start)
        entrez = FROM_ELEMENT
    try:
        if entrez is FROM_ELEMENT:
            return _BUILDERS[element.tag](element)
        return _BUILDERS[element.tag](element, entrez)
    except RecordError as exc:
        where = split.line_at(start + fragment.find(b"<" + kind))
        raise ParseError(f"{exc}, in the record starting at line {where}") from None


class _RecordParser:
    """Parses record after record with one ElementTree parser, as children of a stand-in root.

    One parser for all records saves building a parser per record and lets it reuse its cache
    of tag names (~12% of the parse). Each fragment is followed by an empty sentinel element:
    only if the fragment held exactly one complete element does the sentinel land next to it
    under the root. Anything else (an error, an element left open, a fragment ending inside a
    comment or attribute) makes parse() return None and start afresh; the caller then parses
    the fragment on its own, which raises the same ParseError as always (or parses it, e.g.
    after an XML declaration).
    """

    _SENTINEL = b"<_/>"
    _RENEW_AFTER = 50_000  # bounds the parser's tag-name cache on adversarial input

    def __init__(self) -> None:
        self._renew()

    def _renew(self) -> None:
        builder = TreeBuilder()
        self._feed = XMLParser(target=builder).feed
        self._feed(b"<_>")
        self._root = builder.close()  # the stand-in root, open: records become its children
        self._left = self._RENEW_AFTER

    def parse(self, fragment: bytes, cuts: list[tuple[int, int]]) -> Element | None:
        """The record element of fragment less the cuts (sorted, disjoint spans of whole
        elements); None (and a fresh parser) if that is not one whole element."""
        root = self._root
        feed = self._feed
        try:
            if cuts:
                view = memoryview(fragment)  # no copies of the pieces
                pos = 0
                for start, end in cuts:
                    feed(view[pos:start])
                    pos = end
                feed(view[pos:])
            else:
                feed(fragment)
            feed(self._SENTINEL)
        except _ETParseError:
            pass
        else:
            if len(root) == 2 and root[1].tag == "_":
                element = root[0]
                del root[:]
                self._left -= 1
                if not self._left:
                    self._renew()
                return element
        self._renew()
        return None


def _parse(fragment: bytes, split: _Splitter, start: int) -> Element:
    try:
        return fromstring(fragment)
    except _ETParseError as exc:
        row, column = exc.position
        message = str(exc).split(":", 1)[0]
        line = split.line_at(start) + row - 1
        raise ParseError(f"malformed PubMed XML: {message}, line {line}, column {column}") from None


def _skip_misc(buffer: bytes, pos: int) -> int:
    """Where the whitespace, comments and PIs from pos on end."""
    match = _MISC_RE.match(buffer, pos)
    return pos if match is None else match.end()  # it always matches, if only the empty string


def _check_tail(buffer: bytes, root: str, line_at: Callable[[int], int], base: int, closed: bool) -> None:
    """After the last record (buffer, at document offset base): only the root end tag, comments and PIs may remain."""
    pos = _skip_misc(buffer, 0)
    if not closed:
        end_tag = f"</{root}>".encode()
        close = re.compile(re.escape(end_tag[:-1]) + rb"\s*>").match(buffer, pos)
        if close is None:
            rest = buffer[pos:pos + 80].rstrip()
            opened = re.match(rb"<([A-Za-z]\w*)", rest)
            if opened is not None:
                raise ParseError(f"document truncated: <{opened.group(1).decode()}> at line {line_at(base + pos)} is never closed")
            if end_tag.startswith(rest):
                raise ParseError(f"document truncated: </{root}> missing at line {line_at(base + pos)}")
            raise ParseError(f"malformed PubMed XML: unexpected {_squash(rest)[:40]!r} at line {line_at(base + pos)}")
        pos = _skip_misc(buffer, close.end())
    if pos < len(buffer):
        raise ParseError(f"malformed PubMed XML: content after the end of <{root}>, line {line_at(base + pos)}")
