"""Record creates, updates and deletes of studies and effect sizes in the change log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from littrack.models import Change

SKIP = {"id"}


def snapshot(obj: Any) -> dict[str, Any]:
    """The object's column values as JSON-ready data."""
    out: dict[str, Any] = {}
    for attr in inspect(obj).mapper.column_attrs:
        if attr.key in SKIP:
            continue
        value = getattr(obj, attr.key)
        if isinstance(value, (dt.date, dt.datetime)):
            value = value.isoformat()
        out[attr.key] = value
    return out


def record(
    session: Session, entity: str, obj: Any, action: str, curator: str,
    before: dict[str, Any] | None, study_key: str | None,
) -> None:
    session.flush()
    after = None if action == "delete" else snapshot(obj)
    if action == "update" and before is not None and after is not None:
        changed = {k for k in after if before.get(k) != after.get(k)}
        before = {k: before.get(k) for k in changed}
        after = {k: after[k] for k in changed}
    session.add(Change(entity=entity, entity_id=obj.id, study_key=study_key, action=action, curator=curator,
                       before=before, after=after))
