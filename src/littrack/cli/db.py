"""`littrack init` and `littrack db ...`: schema migrations and seeding."""

from __future__ import annotations

import click

from littrack import migrate
from littrack.cli.context import AppContext, pass_app
from littrack.cli.lazy import LazyGroup
from littrack.db import display_url


@click.command()
@click.option("--no-seed", is_flag=True, help="Create the schema only; load no seeded study.")
@pass_app
def init(app: AppContext, no_seed: bool) -> None:
    """Create the database (or bring it to the current schema) and load the seeded studies.

    Safe to run again: what is already there is left as it is.
    """
    from littrack.seeding import load_seeds

    click.echo(f"database: {display_url(app.url)}", err=True)
    before = migrate.current_revision(app.engine)
    migrate.upgrade(app.engine)
    head = migrate.head_revision()
    click.echo(f"schema: {before or 'empty'} -> {head}" if before != head else f"schema: at {head}", err=True)
    if no_seed:
        return
    with app.begin() as session:
        reports, searches = load_seeds(session)
    for r in reports:
        parts = ", ".join(f"{k} {r.total(k)}" for k in ("added", "updated", "unchanged"))
        click.echo(f"seed {r.study_key}: {parts}", err=True)
    for name in searches:
        click.echo(f"seed search {name}: added (see `littrack search show {name}`; `littrack refresh` runs it)", err=True)


SUBCOMMANDS = {
    "upgrade": ("littrack.cli.db:upgrade", "Upgrade the schema to REVISION (default: head)."),
    "downgrade": ("littrack.cli.db:downgrade", "Downgrade the schema to REVISION ('base' removes every table)."),
    "current": ("littrack.cli.db:current", "Show the database's schema revision and this littrack's head."),
    "history": ("littrack.cli.db:history", "List the migrations, oldest first."),
}


@click.group(cls=LazyGroup, subcommands=SUBCOMMANDS)
def db() -> None:
    """Schema migrations (Alembic)."""


@click.command()
@click.argument("revision", default="head")
@pass_app
def upgrade(app: AppContext, revision: str) -> None:
    """Upgrade the schema to REVISION (default: head)."""
    migrate.upgrade(app.engine, revision)
    click.echo(f"database at {migrate.current_revision(app.engine)}", err=True)


@click.command()
@click.argument("revision")
@pass_app
def downgrade(app: AppContext, revision: str) -> None:
    """Downgrade the schema to REVISION ('base' removes every littrack table)."""
    migrate.downgrade(app.engine, revision)
    click.echo(f"database at {migrate.current_revision(app.engine) or 'base'}", err=True)


@click.command()
@pass_app
def current(app: AppContext) -> None:
    """Show the database's schema revision and this littrack's head."""
    rev = migrate.current_revision(app.engine)
    head = migrate.head_revision()
    state = "up to date" if rev == head else "run `littrack db upgrade`" if rev else "empty: run `littrack init`"
    click.echo(f"{rev or 'none'} (head {head}; {state})")


@click.command()
def history() -> None:
    """List the migrations, oldest first."""
    for rev, down, doc in migrate.history():
        click.echo(f"{down or 'base'} -> {rev}  {doc}")
