"""Immutable records produced by the PubMed XML parser."""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Author:
    last_name: str | None
    fore_name: str | None
    initials: str | None
    suffix: str | None
    collective_name: str | None
    affiliations: tuple[str, ...]
    orcid: str | None  # "0000-0002-1825-0097" form, check digit verified; None if absent or invalid


@dataclass(frozen=True, slots=True)
class MeshQualifier:
    name: str
    ui: str | None
    major: bool


@dataclass(frozen=True, slots=True)
class MeshHeading:
    descriptor: str
    ui: str | None
    major: bool
    qualifiers: tuple[MeshQualifier, ...]


@dataclass(frozen=True, slots=True)
class AbstractSection:
    label: str | None
    category: str | None
    text: str


@dataclass(frozen=True, slots=True)
class PubmedRecord:
    pmid: int
    version: int
    kind: str  # "article" | "book"
    title: str
    vernacular_title: str | None
    abstract: str | None
    abstract_sections: tuple[AbstractSection, ...]
    journal: str | None  # for a book chapter: the book title
    journal_iso: str | None
    issn: str | None
    volume: str | None
    issue: str | None
    pages: str | None
    languages: tuple[str, ...]
    pub_date_text: str
    pub_year: int | None
    pub_month: int | None
    pub_day: int | None
    sort_date: datetime.date | None
    epub_date: datetime.date | None
    entrez_date: datetime.date | None
    doi: str | None
    pmcid: str | None
    authors: tuple[Author, ...]
    mesh: tuple[MeshHeading, ...]
    publication_types: tuple[str, ...]
    keywords: tuple[str, ...]
    is_retracted: bool
    is_retraction_notice: bool
    is_preprint: bool
    related: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class DeletedCitation:
    pmids: tuple[int, ...]
