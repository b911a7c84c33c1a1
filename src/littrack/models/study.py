"""Studies, their publications and sources, cohorts and data sets."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from littrack.models.base import Base, UTCDateTime, sql_in, utcnow
from littrack.models.publication import Publication
from littrack.vocab import DATASET_ROLES, PUBLICATION_ROLES, SOURCE_KINDS


class Study(Base):
    __tablename__ = "studies"
    __table_args__ = (CheckConstraint("key <> ''", name="key_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(Text, unique=True)
    title: Mapped[str] = mapped_column(Text)
    design: Mapped[str | None] = mapped_column(Text)
    exposures: Mapped[str | None] = mapped_column(Text)
    outcomes: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    publication_links: Mapped[list[StudyPublication]] = relationship(
        back_populates="study", cascade="all, delete-orphan", order_by="StudyPublication.position"
    )
    sources: Mapped[list[Source]] = relationship(back_populates="study", cascade="all, delete-orphan", order_by="Source.key")
    datasets: Mapped[list[Dataset]] = relationship(back_populates="study", cascade="all, delete-orphan", order_by="Dataset.id")


class StudyPublication(Base):
    __tablename__ = "study_publications"
    __table_args__ = (
        CheckConstraint(sql_in("role", PUBLICATION_ROLES), name="role_known"),
    )

    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(20), default="primary")
    position: Mapped[int] = mapped_column(Integer, default=0)

    study: Mapped[Study] = relationship(back_populates="publication_links")
    publication: Mapped[Publication] = relationship()


class Source(Base):
    """Where a number was read: one of the study's publications, or a secondary source about it."""

    __tablename__ = "sources"
    __table_args__ = (
        UniqueConstraint("study_id", "key"),
        CheckConstraint(sql_in("kind", SOURCE_KINDS), name="kind_known"),
        CheckConstraint("kind NOT IN ('publication', 'preprint') OR publication_id IS NOT NULL", name="publication_linked"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    is_primary: Mapped[bool] = mapped_column(default=False)
    publication_id: Mapped[int | None] = mapped_column(ForeignKey("publications.id", ondelete="RESTRICT"), index=True)
    citation: Mapped[str] = mapped_column(Text)
    publisher: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    date_text: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)

    study: Mapped[Study] = relationship(back_populates="sources")
    publication: Mapped[Publication | None] = relationship()


class Cohort(Base):
    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    country: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)


class Dataset(Base):
    """A study's analysis sample drawn from a cohort (e.g. the WGS European discovery set)."""

    __tablename__ = "datasets"
    __table_args__ = (
        UniqueConstraint("study_id", "label"),
        CheckConstraint(sql_in("role", DATASET_ROLES), name="role_known"),
        CheckConstraint("n_total IS NULL OR n_total >= 0", name="n_total_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="RESTRICT"), index=True)
    label: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(20))
    genotyping: Mapped[str | None] = mapped_column(Text)
    ancestry: Mapped[str | None] = mapped_column(Text)
    n_total: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)
    source_note: Mapped[str | None] = mapped_column(Text)

    study: Mapped[Study] = relationship(back_populates="datasets")
    cohort: Mapped[Cohort | None] = relationship()
    groups: Mapped[list[DatasetGroup]] = relationship(
        back_populates="dataset", cascade="all, delete-orphan", order_by="DatasetGroup.position"
    )


class DatasetGroup(Base):
    """Count of participants in one group of a data set (TRD 4,177; trMDD 16,640 ...)."""

    __tablename__ = "dataset_groups"
    __table_args__ = (
        UniqueConstraint("dataset_id", "name"),
        CheckConstraint("n >= 0", name="n_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(Text)
    n: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)

    dataset: Mapped[Dataset] = relationship(back_populates="groups")
