"""Alembic, driven from littrack: upgrade, downgrade, current, history and the revision check."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from littrack.errors import SchemaError

if TYPE_CHECKING:  # Alembic is imported by the functions that use it: commands that only read never load it
    from alembic.config import Config
    from sqlalchemy import Engine

# The newest migration. Every command compares the database with it; a test keeps it equal to head_revision().
HEAD_REVISION = "0002"
VERSION_QUERY = "SELECT version_num FROM alembic_version"


def migrations_dir() -> Path:
    return Path(str(files("littrack.migrations")))


def alembic_config(engine: Engine) -> Config:
    """A Config that runs the packaged migrations on this engine (no alembic.ini needed)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(migrations_dir()))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(engine), revision)


def history() -> list[tuple[str, str | None, str]]:
    """(revision, down_revision, message) from oldest to newest."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(migrations_dir()))
    revs = list(script.walk_revisions())
    revs.reverse()
    return [(r.revision, r.down_revision if isinstance(r.down_revision, str) else None, r.doc or "") for r in revs]


def at_head(version_rows: list[tuple[str]] | None) -> bool:
    """Whether the rows of VERSION_QUERY (None: no such table) say the database is at HEAD_REVISION."""
    return version_rows is not None and [tuple(r) for r in version_rows] == [(HEAD_REVISION,)]


def check_revision(engine: Engine) -> None:
    """Raise SchemaError when the database is not at this littrack's head revision.

    The common case, a database at head, is one plain SELECT; anything else goes through Alembic for the message.
    """
    from sqlalchemy.exc import DBAPIError

    try:
        with engine.connect() as conn:
            rows = [tuple(r) for r in conn.exec_driver_sql(VERSION_QUERY)]
    except DBAPIError:  # no alembic_version table
        rows = None
    if at_head(rows):
        return
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    if current is None:
        raise SchemaError("database has no littrack schema: run `littrack init` (or `littrack db upgrade`)")
    known = {r for r, _, _ in history()}
    if current not in known:
        raise SchemaError(
            f"database is at {current}, which this littrack does not know (it needs {head}): upgrade littrack"
        )
    raise SchemaError(f"database is at {current}, this littrack needs {head}: run `littrack db upgrade`")
