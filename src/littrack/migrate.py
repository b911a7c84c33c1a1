"""Alembic, driven from littrack: upgrade, downgrade, current, history and the revision check."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from littrack.errors import SchemaError


def migrations_dir() -> Path:
    return Path(str(files("littrack.migrations")))


def alembic_config(engine: Engine) -> Config:
    """A Config that runs the packaged migrations on this engine (no alembic.ini needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    script = ScriptDirectory(str(migrations_dir()))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)


def history() -> list[tuple[str, str | None, str]]:
    """(revision, down_revision, message) from oldest to newest."""
    script = ScriptDirectory(str(migrations_dir()))
    revs = list(script.walk_revisions())
    revs.reverse()
    return [(r.revision, r.down_revision if isinstance(r.down_revision, str) else None, r.doc or "") for r in revs]


def check_revision(engine: Engine) -> None:
    """Raise SchemaError when the database is not at this littrack's head revision."""
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
