"""Database snapshots for tests: every row as stored (unchanged-ness), and every row by meaning (round trips)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.engine import make_url

from littrack.models import Base

BOOKKEEPING_TABLES = {"alembic_version", "change_log"}
TIMESTAMPS = {"created_at", "updated_at"}


def raw_state(engine: Engine, sequences: bool = True) -> Any:
    """What must not change when nothing is written: the file's bytes on SQLite; every row and sequence on PostgreSQL.

    sequences=False for work that was rolled back after inserting: PostgreSQL never gives sequence numbers back.
    """
    if engine.dialect.name == "sqlite":
        path = Path(make_url(str(engine.url)).database or "")
        side = [p.name for p in path.parent.glob(path.name + "-*")]  # a journal or WAL left behind
        return hashlib.sha256(path.read_bytes()).hexdigest(), side
    state: dict[str, Any] = {}
    with engine.connect() as conn:
        for table in sorted(inspect(conn).get_table_names()):
            rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
            state[table] = sorted(repr(tuple(r)) for r in rows)
        if sequences:
            state["sequences"] = sorted(conn.execute(text("SELECT sequencename, last_value FROM pg_sequences")).all())
    return state


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def content(engine: Engine, skip_columns: set[str] = TIMESTAMPS) -> dict[str, list[str]]:
    """Every table's rows with ids left out and each foreign key replaced by the row it points at.

    Two databases holding the same facts give equal results, whatever ids their rows got.
    """
    tables = {t.name: t for t in Base.metadata.sorted_tables if t.name not in BOOKKEEPING_TABLES}
    with engine.connect() as conn:
        rows = {name: [dict(r._mapping) for r in conn.execute(select(t))] for name, t in tables.items()}
    by_id = {name: {r["id"]: r for r in rs} for name, rs in rows.items() if "id" in tables[name].c}
    cache: dict[tuple[str, int], Any] = {}

    def canon(name: str, row: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for col in tables[name].c:
            if col.name == "id" or col.name in skip_columns:
                continue
            value = row[col.name]
            fks = list(col.foreign_keys)
            if fks and value is not None:
                target = fks[0].column.table.name
                key = (target, value)
                if key not in cache:
                    cache[key] = canon(target, by_id[target][value])
                value = cache[key]
            out[col.name] = _plain(value)
        return out

    return {name: sorted(json.dumps(canon(name, r), sort_keys=True, default=str) for r in rs)
            for name, rs in rows.items()}
