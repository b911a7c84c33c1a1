"""Engines, sessions and the schema-revision check; SQLite gets foreign keys on every connection.

SQLAlchemy is imported by the functions that need it: `sqlite_file` and `connect_sqlite` give the read-only
commands a plain sqlite3 connection, set up as an engine's would be, without that import (bench/README.md).
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from littrack.errors import ConfigError

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

# `sqlite:///path` with nothing SQLAlchemy would read differently from sqlite3: no query options, %-escapes or ~.
_PLAIN_SQLITE_URL = re.compile(r"sqlite(?:\+pysqlite)?:///([^?%~]+)")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any = None) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # Concurrent CLI runs (cron refresh + a user's query) wait instead of failing at once.
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def sqlite_file(url: str) -> str | None:
    """The file of a plain SQLite file URL; None for any other URL (in-memory, URI options, other engines)."""
    m = _PLAIN_SQLITE_URL.fullmatch(url)
    if m is None or m.group(1) == ":memory:" or m.group(1).startswith("file:"):
        return None
    return m.group(1)


def connect_sqlite(path: str) -> sqlite3.Connection:
    """A sqlite3 connection to `path` as make_engine would open it: folder created, same pragmas."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    _sqlite_pragmas(conn)
    return conn


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for any SQLAlchemy URL; a SQLite file's folder is created on demand."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception as exc:
        raise ConfigError(f"database URL {url!r} is not a valid SQLAlchemy URL: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if db and db != ":memory:" and not db.startswith("file:"):
            Path(db).expanduser().parent.mkdir(parents=True, exist_ok=True)
    elif parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        # psycopg 3 sends upserts in pipelines; psycopg2 would send them row by row.
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        engine = create_engine(parsed, **kwargs)
    except ModuleNotFoundError as exc:
        hint = " (pip install 'littrack[postgres]')" if parsed.get_backend_name() == "postgresql" else ""
        raise ConfigError(f"no driver for {parsed.drivername}: {exc}{hint}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    from sqlalchemy.orm import sessionmaker

    return sessionmaker(engine, expire_on_commit=False)


def display_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url
