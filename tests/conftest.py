"""Test databases on the engine under test: SQLite files by default, PostgreSQL when LITTRACK_TEST_PG_URL is set.

Each test gets its own database, copied from a template that the real migrations built once per session
(a file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from littrack import migrate
from littrack.db import make_engine, make_sessionmaker

pytest_plugins = ["fake_eutils"]

PG_ADMIN_URL = os.environ.get("LITTRACK_TEST_PG_URL")
ENGINE = "postgresql" if PG_ADMIN_URL else "sqlite"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--live", action="store_true", help="also run tests that talk to the real NCBI")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--live"):
        return
    skip = pytest.mark.skip(reason="talks to NCBI; run with --live")
    for item in items:
        if "live" in item.keywords:
            item.add_marker(skip)


def pytest_report_header(config: pytest.Config) -> str:
    where = make_url(PG_ADMIN_URL).render_as_string(hide_password=True) if PG_ADMIN_URL else "SQLite files"
    return f"littrack test engine: {ENGINE} ({where})"


class DatabaseFactory:
    """Makes fresh databases for tests on the engine under test and drops them afterwards."""

    def __init__(self, tmp_dir: Path):
        self.tmp_dir = tmp_dir
        self.created: list[str] = []
        self._templates: dict[str, str] = {}
        self.admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT") if PG_ADMIN_URL else None

    def _pg_url(self, name: str) -> str:
        assert PG_ADMIN_URL
        return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    def empty(self) -> str:
        """URL of a new database with nothing in it."""
        name = f"lt_test_{uuid.uuid4().hex[:12]}"
        if self.admin is None:
            return f"sqlite:///{self.tmp_dir / (name + '.db')}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return self._pg_url(name)

    def template(self, seeded: bool) -> str:
        kind = "seeded" if seeded else "schema"
        if kind not in self._templates:
            url = self.empty()
            engine = make_engine(url)
            migrate.upgrade(engine)
            if seeded:
                from littrack.seeding import load_seeds

                with make_sessionmaker(engine).begin() as session:
                    load_seeds(session)
            engine.dispose()
            self._templates[kind] = url
        return self._templates[kind]

    def copy(self, seeded: bool) -> str:
        source = self.template(seeded)
        name = f"lt_test_{uuid.uuid4().hex[:12]}"
        if self.admin is None:
            target = self.tmp_dir / (name + ".db")
            shutil.copyfile(make_url(source).database, target)  # type: ignore[arg-type]
            return f"sqlite:///{target}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(source).database}"'))
        self.created.append(name)
        return self._pg_url(name)

    def drop_all(self) -> None:
        if self.admin is None:
            return
        with self.admin.connect() as conn:
            for name in reversed(self.created):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(tmp_path_factory.mktemp("db"))
    yield factory
    factory.drop_all()


@pytest.fixture
def empty_db_url(databases: DatabaseFactory) -> str:
    """A database with no schema at all."""
    return databases.empty()


@pytest.fixture
def db_url(databases: DatabaseFactory) -> str:
    """A database migrated to head, with no data."""
    return databases.copy(seeded=False)


@pytest.fixture
def seeded_db_url(databases: DatabaseFactory) -> str:
    """A database migrated to head and seeded with the shipped studies."""
    return databases.copy(seeded=True)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def seeded_engine(seeded_db_url: str) -> Iterator[Engine]:
    eng = make_engine(seeded_db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def invoke():  # type: ignore[no-untyped-def]
    """Run the real `littrack` command against a database URL; stdout and stderr kept apart."""
    from click.testing import CliRunner

    from littrack.cli import cli

    def _invoke(url: str, *args: str, input: str | None = None, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(cli, ["--db", url, *args], input=input, env=env, catch_exceptions=False)

    return _invoke
