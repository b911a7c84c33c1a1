"""The change log: who changed which study or effect size, when, from what to what."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from littrack.models.base import Base, UTCDateTime, sql_in, utcnow
from littrack.vocab import CHANGE_ACTIONS, CHANGE_ENTITIES


class Change(Base):
    __tablename__ = "change_log"
    __table_args__ = (
        CheckConstraint(sql_in("action", CHANGE_ACTIONS), name="action_known"),
        CheckConstraint(sql_in("entity", CHANGE_ENTITIES), name="entity_known"),
        Index("ix_change_log_study_key", "study_key"),
        Index("ix_change_log_entity", "entity", "entity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int] = mapped_column(Integer)  # no FK: the history outlives a deleted row
    study_key: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(10))
    curator: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
