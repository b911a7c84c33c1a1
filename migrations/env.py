"""Alembic environment: littrack's own engine when driven by littrack, else its configured URL."""

from __future__ import annotations

import logging.config

from alembic import context

from littrack.config import resolve_database_url
from littrack.db import make_engine
from littrack.models import Base

config = context.config
if config.config_file_name is not None and config.attributes.get("engine") is None:
    logging.config.fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        url = context.get_x_argument(as_dictionary=True).get("db")
        engine = make_engine(resolve_database_url(url))
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            # SQLite cannot ALTER most things: batch mode recreates the table.
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("littrack migrations run online only: give a database URL")
run_migrations_online()
