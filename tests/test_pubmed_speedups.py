"""The parser's C helpers: drop_whitespace gives a Python reference's bytes and a parse without it's records and errors; find is bytes.find."""

from __future__ import annotations

import datetime
import random
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from littrack.errors import ParseError
from littrack.pubmed import parse
from littrack.pubmed.extract import CONTAINERS
from littrack.pubmed.records import DeletedCitation, PubmedRecord

speedups = pytest.importorskip("littrack.pubmed._speedups", reason="littrack was installed without a C compiler")

DATA = Path(__file__).resolve().parent / "data" / "pubmed"
BENCH = Path(__file__).resolve().parents[1] / "bench"
MAX_DEPTH = 256
_SPACE = b" \t\r\n"
_START_TAG = re.compile(rb"<([^ \t\r\n/<>\0]+)((?:[^\"'<>\0]|\"[^\"]*\"|'[^']*')*)>")
_RECORD = re.compile(rb"<(PubmedArticle|PubmedBookArticle|DeleteCitation)>.*?</\1>", re.DOTALL)


def reference(data: bytes) -> tuple[bytes, int]:
    """What drop_whitespace is specified to return, written for reading rather than speed."""
    if b"\n" not in data:
        return data, 0
    parts: list[bytes] = []
    stack: list[tuple[bytes, bool]] = []  # open elements: name, and whether it and its ancestors are containers
    copied = newlines = i = 0
    while (t := data.find(b"<", i)) >= 0:
        text = data[i:t]
        if text and stack and stack[-1][1] and not text.strip(_SPACE):
            parts.append(data[copied:i])
            copied = t
            newlines += text.count(b"\n")
        if data[t + 1:t + 2] == b"/":
            if not stack:
                return data, 0
            end = re.compile(re.escape(b"</" + stack[-1][0]) + rb"[ \t\r\n]*>").match(data, t)
            if end is None:
                return data, 0
            stack.pop()
            i = end.end()
        elif data[t + 1:t + 2] in (b"!", b"?"):
            return data, 0
        else:
            tag = _START_TAG.match(data, t)
            if tag is None:
                return data, 0
            if not tag.group(2).endswith(b"/"):
                if len(stack) == MAX_DEPTH:
                    return data, 0
                name = tag.group(1)
                stack.append((name, (not stack or stack[-1][1]) and name.decode("utf-8", "replace") in CONTAINERS))
            i = tag.end()
    if not parts:
        return data, 0
    return b"".join(parts) + data[copied:], newlines


def _fixture_records() -> list[bytes]:
    records = []
    for path in sorted(DATA.rglob("*.xml")):
        records += [m.group(0) for m in _RECORD.finditer(path.read_bytes())]
    sys.path.insert(0, str(BENCH))
    try:
        from pubmed_synth import synth_article_xml
    finally:
        sys.path.remove(str(BENCH))
    rng = random.Random(3)
    for pmid in range(500, 520):
        xml = synth_article_xml(pmid, rng, entrez_date=datetime.date(2024, 5, 6), indented=pmid % 2 == 0)
        records.append(xml.strip().encode())
    return records


def _boundaries(data: bytes) -> list[int]:
    return [m.start() for m in re.finditer(rb"<", data)] + [m.end() for m in re.finditer(rb">", data)]


def _insert(data: bytes, at: int, piece: bytes) -> bytes:
    return data[:at] + piece + data[at:]


def _at_boundary(rng: random.Random, data: bytes, piece: bytes) -> bytes:
    return _insert(data, rng.choice(_boundaries(data) or [0]), piece)


_SPACES = [b" ", b"\n", b"\t", b"\r\n", b"\n    ", b"  \n  \n", b"\n" + b" " * 17]
_MUTATIONS: list[Callable[[random.Random, bytes], bytes]] = [
    lambda rng, d: _at_boundary(rng, d, rng.choice(_SPACES)),
    lambda rng, d: _at_boundary(rng, d, rng.choice(_SPACES)),
    lambda rng, d: _insert(d, rng.randrange(len(d) + 1), rng.choice(_SPACES)),
    lambda rng, d: _at_boundary(rng, d, rng.choice([b"<!-- c\n -->", b"<![CDATA[ \n ]]>", b"<?pi \n?>", b"<!DOCTYPE x>"])),
    lambda rng, d: _at_boundary(rng, d, rng.choice([b"<Empty/>", b'<Empty a="1" />', b"<Empty / >", b"<i/>\n"])),
    lambda rng, d: _at_boundary(rng, d, b"<Foo>\n <Bar>x</Bar>\n <i>y</i>\n</Foo>"),
    lambda rng, d: _at_boundary(rng, d, b"<Author>" * 300 + b"\n" + b"</Author>" * 300),
    lambda rng, d: _at_boundary(rng, d, b"<Author>" * 200 + b"\n" + b"</Author>" * 200),
    lambda rng, d: _insert(d, rng.randrange(len(d) + 1), rng.choice([b"\0", b"<", b">", b"&", b"\"", b"/"])),
    lambda rng, d: d[:rng.randrange(len(d) + 1)],
    lambda rng, d: re.sub(rb"<(/?)([A-Z]\w*)", lambda m: b"<" + m.group(1) + m.group(2)[:-1], d, count=1),
    lambda rng, d: re.sub(rb"</(\w+)>", lambda m: b"</" + m.group(1) + b" \n >", d, count=rng.randint(1, 20)),
    lambda rng, d: re.sub(rb"<([A-Z]\w*)", lambda m: m.group(0) + rng.choice(
        [b' a="x>\n <B"', b" b='/>'", b' c="<"', b' d="&#10;"', b" e='\"'", b' f="unclosed']), d, count=1),
    lambda rng, d: d.replace(b"\n", b"\r\n"),
    lambda rng, d: d.replace(b"><", b">\n\t<"),
]


# Those that keep a well-formed record well-formed.
_WELL_FORMED = [_MUTATIONS[i] for i in (0, 1, 4, 5, 6, 7, 11, 13, 14)]


def _fuzzed(count: int, seed: int, mutations: list[Callable[[random.Random, bytes], bytes]] = _MUTATIONS) -> list[bytes]:
    rng = random.Random(seed)
    records = _fixture_records()
    out = list(records)
    while len(out) < count:
        data = rng.choice(records)
        for _ in range(rng.randint(1, 3)):
            data = rng.choice(mutations)(rng, data)
        out.append(data)
    return out


def test_the_c_helper_gives_the_reference_bytes() -> None:
    dropped = unchanged_with_newlines = 0
    for data in _fuzzed(3000, seed=11):
        got = speedups.drop_whitespace(data)
        assert got == reference(data), data[:200]
        if got[0] is not data:
            dropped += 1
            assert got[1] == data.count(b"\n") - got[0].count(b"\n")
        elif b"\n" in data:
            unchanged_with_newlines += 1
    # Both outcomes are exercised: indentation dropped, and fragments left alone (comments, bad tags, depth).
    assert dropped > 1000 and unchanged_with_newlines > 300


def test_indented_fixture_records_lose_exactly_their_indentation() -> None:
    record = next(r for r in _fixture_records() if b"<PMID Version=\"1\">27797938</PMID>" in r)  # pubmed4.xml
    compact, newlines = speedups.drop_whitespace(record)
    assert newlines == record.count(b"\n") > 100
    assert b"\n" not in compact
    assert compact.startswith(b'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"')
    # Inside text and inline markup, nothing changes.
    text = b"<AbstractText>a\n  <i>b</i>\n  </AbstractText>"
    article = b"<PubmedArticle>\n <MedlineCitation>\n  " + text + b"\n </MedlineCitation>\n</PubmedArticle>"
    assert speedups.drop_whitespace(article) == (b"<PubmedArticle><MedlineCitation>" + text + b"</MedlineCitation></PubmedArticle>", 4)


def _outcome(document: bytes) -> tuple[list[PubmedRecord | DeletedCitation], str | None]:
    records: list[PubmedRecord | DeletedCitation] = []
    try:
        for record in parse.iter_pubmed(document):
            records.append(record)
    except ParseError as exc:
        return records, str(exc)
    return records, None


def test_records_and_errors_are_those_of_a_parse_without_it(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(5)
    fragments = _fuzzed(700, seed=29)
    well_formed = _fuzzed(500, seed=31, mutations=_WELL_FORMED)
    documents = [path.read_bytes() for path in sorted(DATA.rglob("*.xml"))]
    for _ in range(500):
        body = b"\n".join(rng.sample(rng.choice([fragments, well_formed]), 3))
        documents.append(b'<?xml version="1.0"?>\n<PubmedArticleSet>\n' + body + b"\n</PubmedArticleSet>\n")
    with_helper = [_outcome(d) for d in documents]
    monkeypatch.setattr(parse, "drop_whitespace", None)
    without = [_outcome(d) for d in documents]
    for document, a, b in zip(documents, with_helper, without, strict=True):
        assert a == b, document[:300]
    assert sum(1 for records, error in with_helper if error is None and records) > 150
    assert sum(1 for _, error in with_helper if error is not None) > 100


def test_an_error_after_indented_records_names_the_right_line() -> None:
    article = (DATA / "biopython" / "pubmed4.xml").read_bytes()
    record = _RECORD.search(article).group(0)
    lines = record.count(b"\n")
    broken = record.replace(b"<ArticleTitle>", b"<ArticleTitle>&nbsp;", 1)
    bad_line = 3 + 2 * (lines + 1) + broken[:broken.index(b"&nbsp;")].count(b"\n")
    document = b"<?xml version=\"1.0\"?>\n<PubmedArticleSet>\n" + b"\n".join([record, record, broken]) + b"\n</PubmedArticleSet>\n"
    records, error = _outcome(document)
    assert len(records) == 2
    assert error is not None and error.startswith("malformed PubMed XML: undefined entity")
    assert f"line {bad_line}," in error


def test_the_helper_checks_its_arguments() -> None:
    with pytest.raises(TypeError, match="takes bytes"):
        speedups.drop_whitespace("<PubmedArticle>\n</PubmedArticle>")
    with pytest.raises(TypeError, match="must be str"):
        speedups.set_containers(["Author", 3])
    with pytest.raises(ValueError, match="too long"):
        speedups.set_containers(["A" * 100])
    # A refused configuration leaves the one in use as it was.
    assert speedups.drop_whitespace(b"<AuthorList>\n <Author/>\n</AuthorList>") == (b"<AuthorList><Author/></AuthorList>", 2)


def test_find_is_bytes_find() -> None:
    rng = random.Random(2)
    data = b"".join(_fixture_records()[:40])
    needles = [b"</PubmedArticle>", b"<ReferenceList>", b"</PMID>", b"<", b"", b"absent-needle", data[:3]]
    bounds = [None, 0, 1, -1, -20, 5000, len(data) - 3, len(data), len(data) + 7, -len(data) - 9]
    for _ in range(3000):
        needle = rng.choice(needles)
        args = [a for a in (rng.choice([*bounds, rng.randrange(len(data))]),
                            rng.choice([*bounds, rng.randrange(len(data))])) if a is not None][:rng.randint(0, 2)]
        assert speedups.find(data, needle, *args) == data.find(needle, *args), (needle, args)
    with pytest.raises(TypeError):
        speedups.find(data, "str")
