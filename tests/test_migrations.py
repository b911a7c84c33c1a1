"""Models and migrations agree; upgrade, downgrade and the schema-revision check work on the engine under test."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from littrack import migrate
from littrack.db import make_engine
from littrack.models import Base


def test_autogenerate_finds_no_difference(engine) -> None:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "target_metadata": Base.metadata})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_upgrade_downgrade_upgrade(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    migrate.upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"publications", "effect_sizes", "saved_searches", "change_log"} <= tables
    assert migrate.current_revision(engine) == migrate.head_revision()
    migrate.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()


def test_foreign_keys_enforced(engine) -> None:
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_command_on_empty_database_says_what_to_do(invoke, empty_db_url: str) -> None:
    result = invoke(empty_db_url, "effects", "--trait", "insomnia")
    assert result.exit_code == 1
    assert "no littrack schema: run `littrack init`" in result.stderr


def test_command_on_old_schema_says_upgrade(invoke, db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff'"))
    engine.dispose()
    result = invoke(db_url, "traits")
    assert result.exit_code == 1
    assert "database is at ffff" in result.stderr


def test_db_commands(invoke, empty_db_url: str) -> None:
    head = migrate.head_revision()
    assert invoke(empty_db_url, "db", "current").stdout.startswith("none")
    assert invoke(empty_db_url, "db", "upgrade").exit_code == 0
    assert invoke(empty_db_url, "db", "current").stdout.startswith(f"{head} (head {head}; up to date)")
    assert "base -> 0001" in invoke(empty_db_url, "db", "history").stdout
    assert invoke(empty_db_url, "db", "downgrade", "base").exit_code == 0
    assert invoke(empty_db_url, "db", "current").stdout.startswith("none")
