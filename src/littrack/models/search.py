"""Saved PubMed searches, their runs and hits, triage of papers, and process-wide locks."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from littrack.models.base import Base, UTCDateTime, sql_in, utcnow
from littrack.models.publication import Publication
from littrack.vocab import RUN_STATUSES, TRIAGE_STATUSES


class SavedSearch(Base):
    __tablename__ = "saved_searches"
    __table_args__ = (CheckConstraint("interval_seconds > 0", name="interval_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    query: Mapped[str] = mapped_column(Text)
    interval_seconds: Mapped[int] = mapped_column(Integer, default=7 * 86400)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    # Entrez date up to which every result is stored; the next run starts a few days before it.
    watermark: Mapped[dt.date | None] = mapped_column(Date)
    last_run_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    runs: Mapped[list[SearchRun]] = relationship(
        back_populates="search", cascade="all, delete-orphan", order_by="SearchRun.id", passive_deletes=True
    )


class SearchRun(Base):
    __tablename__ = "search_runs"
    __table_args__ = (CheckConstraint(sql_in("status", RUN_STATUSES), name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("saved_searches.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default="running")
    mindate: Mapped[dt.date | None] = mapped_column(Date)
    maxdate: Mapped[dt.date | None] = mapped_column(Date)
    n_found: Mapped[int] = mapped_column(Integer, default=0)
    n_new: Mapped[int] = mapped_column(Integer, default=0)
    n_updated: Mapped[int] = mapped_column(Integer, default=0)
    n_requests: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)

    search: Mapped[SavedSearch] = relationship(back_populates="runs")


class SearchHit(Base):
    __tablename__ = "search_hits"
    __table_args__ = (UniqueConstraint("search_id", "publication_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("saved_searches.id", ondelete="CASCADE"))
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id", ondelete="CASCADE"), index=True)
    first_run_id: Mapped[int | None] = mapped_column(ForeignKey("search_runs.id", ondelete="SET NULL"), index=True)
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    publication: Mapped[Publication] = relationship()


class Triage(Base):
    """A reviewer's decision on a paper; a paper without one is 'new'."""

    __tablename__ = "triage"
    __table_args__ = (CheckConstraint(sql_in("status", TRIAGE_STATUSES), name="status_known"),)

    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    curator: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    publication: Mapped[Publication] = relationship()


class AppLock(Base):
    """A named lock held by one process (e.g. 'refresh'), taken by inserting its row."""

    __tablename__ = "app_locks"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    owner: Mapped[str] = mapped_column(Text)
    acquired_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
