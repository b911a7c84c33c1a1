"""Build PubmedRecord / DeletedCitation values from parsed PubMed XML elements."""

from __future__ import annotations

import datetime
from typing import Any
from xml.etree.ElementTree import Element

from littrack.pubmed import dates
from littrack.pubmed.records import (
    AbstractSection,
    Author,
    DeletedCitation,
    MeshHeading,
    MeshQualifier,
    PubmedRecord,
)
from littrack.pubmed.text import (
    clean_or_none,
    clean_text,
    collapse,
    normalise_orcid,
    normalise_pmcid,
)

# CommentsCorrections links that change what a record is worth (corrections, retractions,
# updates, republications). Cites/CommentIn/CommentOn and the like are left out on purpose.
RELATED_REF_TYPES = frozenset((
    "ErratumIn", "ErratumFor", "CorrectedandRepublishedIn", "CorrectedandRepublishedFrom",
    "RetractionIn", "RetractionOf", "PartialRetractionIn", "PartialRetractionOf",
    "RetractedandRepublishedIn", "RetractedandRepublishedFrom", "ExpressionOfConcernIn",
    "ExpressionOfConcernFor", "UpdateIn", "UpdateOf", "RepublishedIn", "RepublishedFrom",
    "ReprintIn", "ReprintOf",
))
NOT_AVAILABLE_TITLE = "[Not Available]."
_EMPTY = Element("_")
_NO_PUB_DATE = dates.PubDate("", None, None, None, None)
FROM_ELEMENT: Any = object()  # entrez_date argument: read it from the record's History element


class RecordError(ValueError):
    """A record element lacks what every record must have (a numeric PMID)."""


def _strip(text: str | None) -> str | None:
    # Identifiers and controlled names are plain PCDATA: stripping is enough.
    if text is None:
        return None
    return text.strip() or None


def _child(parent: Element, tag: str) -> Element:
    found = parent.find(tag)
    return _EMPTY if found is None else found


def _pmid(element: Element | None, where: str) -> tuple[int, int]:
    """PMID and its Version attribute (1 when absent)."""
    if element is None or not (text := (element.text or "").strip()).isdigit():
        found = "" if element is None else (element.text or "").strip()
        raise RecordError(f"<{where}> without a numeric <PMID> (found {found!r})")
    version = (element.get("Version") or "1").strip()
    return int(text), int(version) if version.isdigit() else 1


def _elocation_doi(parent: Element) -> str | None:
    for location in parent.findall("ELocationID"):
        if location.get("EIdType") == "doi" and location.get("ValidYN") != "N":
            doi = _strip(location.text)
            if doi:
                return doi
    return None


def _abstract(abstract: Element | None) -> tuple[str | None, tuple[AbstractSection, ...]]:
    if abstract is None:
        return None, ()
    sections = []
    for part in abstract.findall("AbstractText"):
        text = collapse("".join(part.itertext())) if len(part) else collapse(part.text or "")  # = clean_text(part)
        label = part.get("Label")
        if label is not None:
            label = label.strip() or None
        if text or label:
            category = part.get("NlmCategory")
            if category is not None:
                category = category.strip() or None
            sections.append(AbstractSection(label, category, text))
    if not sections:
        return None, ()
    joined = "\n".join(f"{s.label}: {s.text}" if s.label else s.text for s in sections)
    return joined, tuple(sections)


def _authors(author_list: Element | None) -> tuple[Author, ...]:
    if author_list is None:
        return ()
    authors = []
    for author in author_list.findall("Author"):
        if author.get("ValidYN") == "N":  # a name NLM marked as wrong, kept only for history
            continue
        last = fore = initials = suffix = collective = orcid = None
        affiliations = []
        for part in author:  # one pass over the children beats a find() per field here
            tag = part.tag
            if tag == "LastName":
                last = part.text
            elif tag == "ForeName":
                fore = part.text
            elif tag == "Initials":
                initials = part.text
            elif tag == "AffiliationInfo":
                for affiliation in part.findall("Affiliation"):
                    # = clean_text(affiliation), inlined: there are ~10 per record
                    if len(affiliation):
                        text = collapse("".join(affiliation.itertext()))
                    else:
                        text = collapse(affiliation.text or "")
                    if text:
                        affiliations.append(text)
            elif tag == "Identifier":
                if orcid is None and (part.get("Source") or "").upper() == "ORCID":
                    orcid = normalise_orcid(part.text)
            elif tag == "CollectiveName":
                collective = clean_text(part) or None
            elif tag == "Suffix":
                suffix = part.text
        authors.append(Author(
            (last and last.strip()) or None, (fore and fore.strip()) or None,
            (initials and initials.strip()) or None, (suffix and suffix.strip()) or None,
            collective, tuple(affiliations), orcid,
        ))
    return tuple(authors)


def _first_authors(author_lists: list[Element]) -> tuple[Author, ...]:
    """The authors of the first list that is not of editors."""
    for author_list in author_lists:
        if author_list.get("Type") != "editors":
            return _authors(author_list)
    return ()


def _mesh(mesh_list: Element | None) -> tuple[MeshHeading, ...]:
    if mesh_list is None:
        return ()
    headings = []
    for heading in mesh_list.findall("MeshHeading"):  # inlined: ~15 headings a record
        descriptor = heading.find("DescriptorName")
        if descriptor is None:
            continue
        qualifiers: tuple[MeshQualifier, ...] = ()
        if len(heading) > 1:  # most headings are a bare descriptor
            qualifiers = tuple([
                MeshQualifier((q.text or "").strip(), q.get("UI"), q.get("MajorTopicYN") == "Y")
                for q in heading.findall("QualifierName")
            ])
        headings.append(MeshHeading(
            (descriptor.text or "").strip(), descriptor.get("UI"), descriptor.get("MajorTopicYN") == "Y", qualifiers
        ))
    return tuple(headings)


def _date(element: Element | None) -> datetime.date | None:
    if element is None:
        return None
    return dates.exact_date(element.findtext("Year"), element.findtext("Month"), element.findtext("Day"))


def _pub_date(element: Element | None) -> dates.PubDate:
    if element is None:
        return _NO_PUB_DATE
    return dates.pub_date(
        element.findtext("Year"), element.findtext("Month"), element.findtext("Day"),
        element.findtext("Season"), element.findtext("MedlineDate"),
    )


def _entrez_date(history: Element | None) -> datetime.date | None:
    if history is None:
        return None
    entrez = pubmed = None
    for item in history.findall("PubMedPubDate"):
        status = item.get("PubStatus")
        if status == "entrez":
            entrez = item
            break
        if status == "pubmed" and pubmed is None:
            pubmed = item
    return _date(entrez if entrez is not None else pubmed)


def _doi_pmcid(id_list: Element | None) -> tuple[str | None, str | None]:
    # Only the record's own ArticleIdList: cited references carry ArticleIdLists too.
    doi = pmcid = None
    if id_list is not None:
        for item in id_list.findall("ArticleId"):
            kind = item.get("IdType")
            if kind == "doi" and doi is None:
                doi = _strip(item.text)
            elif kind == "pmc" and pmcid is None:
                pmcid = normalise_pmcid(item.text)
    return doi, pmcid


def _texts(elements: list[Element]) -> tuple[str, ...]:
    return tuple(text for text in map(clean_text, elements) if text)


def _keywords(parent: Element) -> tuple[str, ...]:
    return tuple(k for keyword_list in parent.findall("KeywordList") for k in _texts(keyword_list.findall("Keyword")))


def _pages(pagination: Element | None) -> str | None:
    if pagination is None:
        return None
    pages = _strip(pagination.findtext("MedlinePgn"))
    if pages is None:
        start = _strip(pagination.findtext("StartPage"))
        end = _strip(pagination.findtext("EndPage"))
        pages = f"{start}-{end}" if start and end else start
    return pages


def _title(title_element: Element | None, vernacular: str | None) -> str:
    title = clean_text(title_element)
    if vernacular and (not title or title == NOT_AVAILABLE_TITLE):
        return vernacular
    return title


def pubmed_article(element: Element, entrez_date: datetime.date | None = FROM_ELEMENT) -> PubmedRecord:
    """A <PubmedArticle> (MedlineCitation + PubmedData) as a PubmedRecord.

    entrez_date, when given, was read from the History bytes by the caller, who left it unparsed.
    """
    citation = element.find("MedlineCitation")
    if citation is None:
        raise RecordError("<PubmedArticle> without <MedlineCitation>")
    pmid, version = _pmid(citation.find("PMID"), "MedlineCitation")
    article = _child(citation, "Article")
    journal = _child(article, "Journal")
    issue = _child(journal, "JournalIssue")
    pubmed_data = _child(element, "PubmedData")
    vernacular = clean_or_none(article.find("VernacularTitle"))
    abstract, sections = _abstract(article.find("Abstract"))
    listed_doi, pmcid = _doi_pmcid(pubmed_data.find("ArticleIdList"))
    issn = _strip(journal.findtext("ISSN")) or _strip(_child(citation, "MedlineJournalInfo").findtext("ISSNLinking"))
    publication_types = _texts(_child(article, "PublicationTypeList").findall("PublicationType"))
    keywords = _keywords(citation)
    related = []
    for link in _child(citation, "CommentsCorrectionsList").findall("CommentsCorrections"):
        ref_type = link.get("RefType")
        if ref_type in RELATED_REF_TYPES:
            linked = (link.findtext("PMID") or "").strip()
            if linked.isdigit():
                related.append((ref_type, int(linked)))
    authors = _first_authors(article.findall("AuthorList"))
    epub_date = None
    for article_date in article.findall("ArticleDate"):
        if (article_date.get("DateType") or "Electronic") == "Electronic":
            epub_date = _date(article_date)
            break
    published = _pub_date(issue.find("PubDate"))
    return PubmedRecord(
        pmid=pmid, version=version, kind="article",
        title=_title(article.find("ArticleTitle"), vernacular), vernacular_title=vernacular,
        abstract=abstract, abstract_sections=sections,
        journal=clean_or_none(journal.find("Title")), journal_iso=_strip(journal.findtext("ISOAbbreviation")),
        issn=issn, volume=_strip(issue.findtext("Volume")), issue=_strip(issue.findtext("Issue")),
        pages=_pages(article.find("Pagination")),
        languages=tuple(filter(None, (_strip(x.text) for x in article.findall("Language")))),
        pub_date_text=published.text, pub_year=published.year, pub_month=published.month,
        pub_day=published.day, sort_date=published.sort_date,
        epub_date=epub_date, entrez_date=_entrez_date(pubmed_data.find("History")) if entrez_date is FROM_ELEMENT else entrez_date,
        doi=_elocation_doi(article) or listed_doi, pmcid=pmcid,
        authors=authors, mesh=_mesh(citation.find("MeshHeadingList")),
        publication_types=publication_types, keywords=keywords,
        is_retracted="Retracted Publication" in publication_types
        or any(ref_type == "RetractionIn" for ref_type, _ in related),
        is_retraction_notice="Retraction of Publication" in publication_types,
        is_preprint="Preprint" in publication_types,
        related=tuple(related),
    )


def pubmed_book_article(element: Element, entrez_date: datetime.date | None = FROM_ELEMENT) -> PubmedRecord:
    """A <PubmedBookArticle> (BookDocument + PubmedBookData) as a PubmedRecord of kind "book"."""
    document = element.find("BookDocument")
    if document is None:
        raise RecordError("<PubmedBookArticle> without <BookDocument>")
    pmid, version = _pmid(document.find("PMID"), "BookDocument")
    book = _child(document, "Book")
    book_data = _child(element, "PubmedBookData")
    book_title = clean_or_none(book.find("BookTitle"))
    chapter_title = clean_or_none(document.find("ArticleTitle"))
    vernacular = clean_or_none(document.find("VernacularTitle"))
    title = _title(document.find("ArticleTitle"), vernacular) if chapter_title else (book_title or vernacular or "")
    abstract, sections = _abstract(document.find("Abstract"))
    own_doi, pmcid = _doi_pmcid(document.find("ArticleIdList"))
    data_doi, data_pmcid = _doi_pmcid(book_data.find("ArticleIdList"))
    authors = _first_authors([*document.findall("AuthorList"), *book.findall("AuthorList")])
    # A chapter of a living book (GeneReviews and the like) carries its own ContributionDate;
    # the Book PubDate is then the start of the whole series, so the chapter date wins.
    contribution = document.find("ContributionDate")
    published = _pub_date(contribution if contribution is not None else book.find("PubDate"))
    publication_types = _texts(document.findall("PublicationType"))
    return PubmedRecord(
        pmid=pmid, version=version, kind="book", title=title, vernacular_title=vernacular,
        abstract=abstract, abstract_sections=sections,
        journal=book_title if chapter_title else None, journal_iso=None, issn=None,
        volume=_strip(book.findtext("Volume")), issue=None, pages=_pages(document.find("Pagination")),
        languages=tuple(filter(None, (_strip(x.text) for x in document.findall("Language")))),
        pub_date_text=published.text, pub_year=published.year, pub_month=published.month,
        pub_day=published.day, sort_date=published.sort_date,
        epub_date=None, entrez_date=_entrez_date(book_data.find("History")) if entrez_date is FROM_ELEMENT else entrez_date,
        doi=own_doi or data_doi or _elocation_doi(book), pmcid=pmcid or data_pmcid, authors=authors, mesh=(),
        publication_types=publication_types,
        keywords=_keywords(document),
        is_retracted="Retracted Publication" in publication_types,
        is_retraction_notice="Retraction of Publication" in publication_types,
        is_preprint="Preprint" in publication_types, related=(),
    )


def delete_citation(element: Element) -> DeletedCitation:
    """A <DeleteCitation> as the PMIDs it deletes."""
    return DeletedCitation(tuple(_pmid(pmid, "DeleteCitation")[0] for pmid in element.findall("PMID")))


