"""Engines, sessions and the schema-revision check; SQLite gets foreign keys on every connection.

SQLAlchemy is imported by the functions that need it: `sqlite_file` and `connect_sqlite` give the read-only
commands a plain sqlite3 connection, set up as an engine's would be, without that import (bench/README.md).
"""

from __future__ import annotations

import re
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from littrack.errors import ConfigError

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine, Table
    from sqlalchemy.dialects import postgresql, sqlite
    from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")

# sqlite3 passes every parameter that is not exactly int, float, str or bytes through its adapter protocol,
# whose two failing attribute lookups cost ~0.25 µs a value; a stored PubMed record binds ~30 Nones and ~15
# bools (its authors and MeSH headings). An adapter for None and one for bool skip those lookups; the values
# bind exactly as without them (NULL; 1 and 0). sqlite3 keeps adapters in one process-wide table, so they are
# installed only while littrack stores records (`fast_sqlite_binding`), and what was there is put back (other
# threads' sqlite3 code sees them meanwhile: harmless unless it registered its own adapters for None or bool).
_FAST_ADAPTERS: dict[tuple[type[Any], type[Any]], Callable[[Any], Any]] = {
    (type(None), sqlite3.PrepareProtocol): {}.get,  # {}.get(None) is None: a C callable, no Python frame
    (bool, sqlite3.PrepareProtocol): int,
}
_adapters_lock = threading.Lock()
_adapters_users = 0  # fast_sqlite_binding blocks running now, in any thread
_adapters_saved: dict[Any, Any] = {}  # what the process had for those types before the first of them

BUSY_TIMEOUT_SECONDS = 30  # how long a SQLite writer waits for another's lock before giving up
# `sqlite:///path` with nothing SQLAlchemy would read differently from sqlite3: no query options, %-escapes or ~.
_PLAIN_SQLITE_URL = re.compile(r"sqlite(?:\+pysqlite)?:///([^?%~]+)")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any = None) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # Concurrent CLI runs (cron refresh + a user's query) wait instead of failing at once.
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
    cursor.close()


@contextmanager
def fast_sqlite_binding() -> Iterator[None]:
    """sqlite3 binds None and bool faster inside the block; the process's adapters are as before after it."""
    global _adapters_users
    with _adapters_lock:
        if _adapters_users == 0:
            _adapters_saved.clear()
            _adapters_saved.update((k, sqlite3.adapters[k]) for k in _FAST_ADAPTERS if k in sqlite3.adapters)
            sqlite3.adapters.update(_FAST_ADAPTERS)
        _adapters_users += 1
    try:
        yield
    finally:
        with _adapters_lock:
            _adapters_users -= 1
            if _adapters_users == 0:
                for key in _FAST_ADAPTERS:
                    if key in _adapters_saved:
                        sqlite3.adapters[key] = _adapters_saved[key]
                    else:
                        sqlite3.adapters.pop(key, None)


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


def dialect_insert(bind: Session | Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """INSERT with ON CONFLICT support for the engine behind `bind` (SQLite or PostgreSQL)."""
    from sqlalchemy import orm

    name = (bind.get_bind() if isinstance(bind, orm.Session) else bind).dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    if name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table)
    raise NotImplementedError(f"littrack writes to SQLite and PostgreSQL, not {name}")


# Parameters one statement may bind: SQLite's default SQLITE_MAX_VARIABLE_NUMBER (since 3.32; some builds raise it,
# not all); PostgreSQL's wire protocol counts them in 16 bits (65,535), so SQLite's is the lower limit of the two.
SQLITE_MAX_PARAMETERS = 32_766
# Ids per `IN (...)` list: SQLAlchemy binds one parameter per id, so a long id list goes in chunks, far below
# both limits and leaving room for the statement's other parameters.
IN_CHUNK = 500


def in_chunks(values: Iterable[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    """`values` in lists of at most `size`, in order: one `IN (...)` list each (see IN_CHUNK)."""
    chunk: list[T] = []
    for value in values:
        chunk.append(value)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def display_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


def describe_operational_error(exc: BaseException, url: str) -> str | None:
    """A one-line message for a database that is locked or unreachable; None for any other exception.

    Such errors are the environment's, not a bug: they deserve a message that says what to do, not a traceback.
    """
    sa_exc = sys.modules.get("sqlalchemy.exc")  # only loaded if SQLAlchemy was: the fast read path never loads it
    if sa_exc is not None and isinstance(exc, sa_exc.OperationalError):
        detail = str(exc.orig) if exc.orig is not None else str(exc)
    elif isinstance(exc, sqlite3.OperationalError):
        detail = str(exc)
    else:
        return None
    first = " ".join(detail.strip().splitlines()[:1]) or type(exc).__name__
    if "locked" in first or "busy" in first:
        return (f"the database {display_url(url)} stayed locked for {BUSY_TIMEOUT_SECONDS} s (another littrack "
                "command, e.g. a refresh or a load, is writing); nothing was written: try again when it has finished")
    return f"database error on {display_url(url)}: {first}; nothing was written (check --db / LITTRACK_DATABASE_URL)"
