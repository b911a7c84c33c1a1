"""Record creates, updates and deletes of studies and effect sizes in the change log, and read it back."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from littrack.db import in_chunks
from littrack.errors import NotFound
from littrack.models import Change, Study
from littrack.suggest import unknown
from littrack.values import iso

# Row bookkeeping, not curated values: the change log's own `at` says when.
SKIP = {"id", "created_at", "updated_at"}


def jsonable(value: Any) -> Any:
    """A column value as the change log stores it: dates and times as ISO text (times exact, offset +00:00)."""
    if isinstance(value, dt.date):  # datetimes too
        return iso(value, exact=True, utc="+00:00")
    return value


def snapshot(obj: Any) -> dict[str, Any]:
    """The object's column values as JSON-ready data."""
    return {attr.key: jsonable(getattr(obj, attr.key))
            for attr in inspect(obj).mapper.column_attrs if attr.key not in SKIP}


def record(
    session: Session, entity: str, obj: Any, action: str, curator: str,
    before: dict[str, Any] | None, study_key: str | None, extra: dict[str, Any] | None = None, *, flush: bool = True,
) -> None:
    """Log one change; an update keeps only the fields that changed, a delete keeps the whole row before.

    flush=False when the caller has flushed already (many rows logged after one flush).
    """
    if flush:
        session.flush()
    after = None if action == "delete" else {**snapshot(obj), **(extra or {})}
    if action == "update" and before is not None and after is not None:
        changed = [k for k in after if before.get(k) != after.get(k)]  # in column order
        before = {k: before.get(k) for k in changed}
        after = {k: after[k] for k in changed}
    session.add(Change(entity=entity, entity_id=obj.id, study_key=study_key, action=action, curator=curator,
                       before=before, after=after))


def list_changes(
    session: Session, *, study: str | None = None, entity: str | None = None, entity_id: int | None = None,
    curator: str | None = None, since: dt.datetime | None = None, limit: int | None = None,
) -> list[dict[str, Any]]:
    """Changes, newest first, as plain rows with before/after values."""
    stmt = select(Change)
    if study:
        known = session.scalar(select(Change.id).where(Change.study_key == study).limit(1)) is not None
        if not known and session.scalar(select(Study.id).where(Study.key == study)) is None:
            keys = set(session.scalars(select(Study.key))) | set(
                k for k in session.scalars(select(Change.study_key).distinct()) if k)
            raise NotFound(unknown("study", study, keys, "see `littrack studies`"))
        stmt = stmt.where(Change.study_key == study)
    if entity:
        stmt = stmt.where(Change.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(Change.entity_id == entity_id)
    if curator:
        stmt = stmt.where(Change.curator == curator)
    if since is not None:
        stmt = stmt.where(Change.at >= since)
    stmt = stmt.order_by(Change.at.desc(), Change.id.desc())
    if limit:
        stmt = stmt.limit(limit)
    changes = list(session.scalars(stmt))
    names = _names(session, {(c.entity, c.entity_id) for c in changes if not _name(c.after or c.before)})
    return [
        {"id": c.id, "at": iso(c.at, exact=True, utc="+00:00"), "curator": c.curator, "action": c.action,
         "entity": c.entity, "entity_id": c.entity_id, "study": c.study_key,
         "label": _label(c.entity, c.entity_id, _name(c.after or c.before) or names.get((c.entity, c.entity_id))),
         "changes": summary(c), "before": c.before, "after": c.after}
        for c in changes
    ]


def _name(data: dict[str, Any] | None) -> str | None:
    data = data or {}
    for key in ("finding_key", "key", "label", "pmid"):
        if data.get(key):
            return str(data[key])
    return None


def _names(session: Session, wanted: set[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """Names of rows whose update entries do not carry one, from the entries that created them."""
    out: dict[tuple[str, int], str] = {}
    if not wanted:
        return out
    rows = (c for part in in_chunks({i for _, i in wanted})
            for c in session.scalars(select(Change).where(Change.action == "create", Change.entity_id.in_(part))))
    for c in rows:
        name = _name(c.after)
        if (c.entity, c.entity_id) in wanted and name:
            out[(c.entity, c.entity_id)] = name
    return out


def _label(entity: str, entity_id: int, name: str | None) -> str:
    return f"{entity} {entity_id}" + (f" ({name})" if name else "")


def _short(value: Any) -> str:
    if value is None:
        return "–"
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def summary(c: Change) -> str:
    """One line: the changed fields for an update, the defining values for a create or delete."""
    if c.action == "update":
        before, after = c.before or {}, c.after or {}
        # Who and when are the change's own columns; the row's attribution fields would only repeat them.
        keys = [k for k in after if k not in ("curator", "curated_at")]
        return "; ".join(f"{k}: {_short(before.get(k))} -> {_short(after.get(k))}" for k in keys)
    data = (c.after if c.action == "create" else c.before) or {}
    if c.entity == "effect_size":
        number = data.get("estimate")
        if number is None and data.get("range_low") is not None:
            number = f"{data['range_low']}-{data['range_high']}"
        parts = [data.get("measure"), number, data.get("value_kind") if number is None else None]
        ci = f"CI {data['ci_lower']}-{data['ci_upper']}" if data.get("ci_lower") is not None else None
        return " ".join(str(p) for p in (*parts, ci) if p is not None)
    for key in ("title", "citation", "label"):
        if data.get(key):
            return _short(data[key])
    return ""
