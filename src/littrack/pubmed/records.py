"""Immutable records produced by the PubMed XML parser."""

# msgspec Structs rather than frozen dataclasses: built in C (~6x faster to create, and a record holds
# ~40 of them), and encoded to and decoded from msgpack in C when the parser runs in its own process
# (littrack.pubmed.pipeline). `array_like` sends them as arrays in field order (no field names on the
# wire); the tags tell a record from a deletion in one batch. They hold no reference cycles, so the
# garbage collector need not track them (gc=False).

from __future__ import annotations

import datetime

from msgspec import Struct


class Author(Struct, frozen=True, gc=False, array_like=True):
    last_name: str | None
    fore_name: str | None
    initials: str | None
    suffix: str | None
    collective_name: str | None
    affiliations: tuple[str, ...]
    orcid: str | None  # "0000-0002-1825-0097" form, check digit verified; None if absent or invalid


class MeshQualifier(Struct, frozen=True, gc=False, array_like=True):
    name: str
    ui: str | None
    major: bool


class MeshHeading(Struct, frozen=True, gc=False, array_like=True):
    descriptor: str
    ui: str | None
    major: bool
    qualifiers: tuple[MeshQualifier, ...]


class AbstractSection(Struct, frozen=True, gc=False, array_like=True):
    label: str | None
    category: str | None
    text: str


class PubmedRecord(Struct, frozen=True, gc=False, array_like=True, tag="r"):
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


class DeletedCitation(Struct, frozen=True, gc=False, array_like=True, tag="d"):
    pmids: tuple[int, ...]
