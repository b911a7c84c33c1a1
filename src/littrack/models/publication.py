"""Publications with PubMed-grade metadata: authors, MeSH headings, types, keywords."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from littrack.models.base import Base, UTCDateTime, sql_in, utcnow
from littrack.vocab import PUBLICATION_ORIGINS


class Publication(Base):
    __tablename__ = "publications"
    __table_args__ = (
        CheckConstraint("pmid > 0", name="pmid_positive"),
        CheckConstraint("pub_month IS NULL OR pub_month BETWEEN 1 AND 12", name="pub_month_range"),
        CheckConstraint("pub_day IS NULL OR pub_day BETWEEN 1 AND 31", name="pub_day_range"),
        CheckConstraint("preprint_of_id IS NULL OR preprint_of_id <> id", name="preprint_not_self"),
        CheckConstraint(sql_in("origin", PUBLICATION_ORIGINS), name="origin_known"),
        Index("ix_publications_entrez_date", "entrez_date"),
        Index("ix_publications_sort_date", "sort_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pmid: Mapped[int | None] = mapped_column(Integer, unique=True)
    pmid_version: Mapped[int | None] = mapped_column(Integer)
    doi: Mapped[str | None] = mapped_column(Text, unique=True)  # stored lower-case: DOIs are case-insensitive
    pmcid: Mapped[str | None] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(Text)
    vernacular_title: Mapped[str | None] = mapped_column(Text)
    abstract: Mapped[str | None] = mapped_column(Text)
    abstract_sections: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    journal: Mapped[str | None] = mapped_column(Text)
    journal_iso: Mapped[str | None] = mapped_column(Text)
    issn: Mapped[str | None] = mapped_column(String(20))
    volume: Mapped[str | None] = mapped_column(Text)
    issue: Mapped[str | None] = mapped_column(Text)
    pages: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(Text)
    pub_date_text: Mapped[str | None] = mapped_column(Text)
    pub_year: Mapped[int | None] = mapped_column(Integer)
    pub_month: Mapped[int | None] = mapped_column(Integer)
    pub_day: Mapped[int | None] = mapped_column(Integer)
    sort_date: Mapped[dt.date | None] = mapped_column(Date)
    epub_date: Mapped[dt.date | None] = mapped_column(Date)
    entrez_date: Mapped[dt.date | None] = mapped_column(Date)
    publication_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_preprint: Mapped[bool] = mapped_column(Boolean, default=False)
    is_retracted: Mapped[bool] = mapped_column(Boolean, default=False)
    preprint_of_id: Mapped[int | None] = mapped_column(ForeignKey("publications.id", ondelete="SET NULL"), index=True)
    origin: Mapped[str] = mapped_column(String(10), default="manual")
    # Set when PubMed withdrew the citation (a DeleteCitation); the row stays for its triage and study links.
    pubmed_deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    authors: Mapped[list[Author]] = relationship(
        back_populates="publication", order_by="Author.position", cascade="all, delete-orphan"
    )
    mesh_headings: Mapped[list[MeshHeading]] = relationship(
        back_populates="publication", order_by="MeshHeading.position", cascade="all, delete-orphan"
    )
    preprint_of: Mapped[Publication | None] = relationship(remote_side=[id], foreign_keys=[preprint_of_id])

    @property
    def year(self) -> int | None:
        return self.pub_year or (self.sort_date.year if self.sort_date else None)

    def author_names(self) -> list[str]:
        return [a.display_name for a in self.authors]


class Author(Base):
    __tablename__ = "publication_authors"
    __table_args__ = (
        UniqueConstraint("publication_id", "position"),
        CheckConstraint("last_name IS NOT NULL OR collective_name IS NOT NULL", name="has_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    last_name: Mapped[str | None] = mapped_column(Text)
    fore_name: Mapped[str | None] = mapped_column(Text)
    initials: Mapped[str | None] = mapped_column(Text)
    suffix: Mapped[str | None] = mapped_column(Text)
    collective_name: Mapped[str | None] = mapped_column(Text)
    orcid: Mapped[str | None] = mapped_column(String(19), index=True)
    affiliations: Mapped[list[str]] = mapped_column(JSON, default=list)

    publication: Mapped[Publication] = relationship(back_populates="authors")

    @property
    def display_name(self) -> str:
        if self.collective_name:
            return self.collective_name
        return " ".join(p for p in (self.last_name, self.initials) if p)


class MeshHeading(Base):
    __tablename__ = "publication_mesh"
    __table_args__ = (UniqueConstraint("publication_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    # Not indexed: no command searches by MeSH yet, and the index costs a fifth of PubMed store time on SQLite.
    descriptor: Mapped[str] = mapped_column(Text)
    descriptor_ui: Mapped[str | None] = mapped_column(String(20))
    major: Mapped[bool] = mapped_column(Boolean, default=False)
    qualifiers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    publication: Mapped[Publication] = relationship(back_populates="mesh_headings")
