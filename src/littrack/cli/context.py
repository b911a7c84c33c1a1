"""Per-invocation state for commands: the database URL, engine and session factory."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from littrack.fastread import Reader


class AppContext:
    def __init__(self, db_url: str | None):
        from littrack.config import resolve_database_url

        self.url = resolve_database_url(db_url)

    @cached_property
    def engine(self) -> Engine:
        from littrack.db import make_engine

        return make_engine(self.url)

    @cached_property
    def sessionmaker(self) -> sessionmaker[Session]:
        from littrack.db import make_sessionmaker

        return make_sessionmaker(self.engine)

    def check_schema(self) -> None:
        from littrack.migrate import check_revision

        check_revision(self.engine)

    @contextmanager
    def begin(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        self.check_schema()
        with self.sessionmaker.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; nothing is committed."""
        self.check_schema()
        with self.sessionmaker() as session:
            yield session

    @contextmanager
    def reader(self) -> Iterator[Reader]:
        """For the plain-SQL effect query (littrack.fastread): a bare sqlite3 connection for a SQLite file, which
        spares a command SQLAlchemy's import (bench/README.md), else a session as read() gives."""
        from littrack.db import sqlite_file

        path = sqlite_file(self.url)
        if path is None:
            with self.read() as session:
                yield session
            return
        from littrack.fastread import open_sqlite

        conn, current = open_sqlite(path)
        try:
            if not current:
                self.check_schema()  # the full check, through SQLAlchemy and Alembic, says what is wrong
            yield conn
        finally:
            conn.close()


pass_app = click.make_pass_decorator(AppContext)
