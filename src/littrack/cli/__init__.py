"""The `littrack` command: a lazy root group so `--help` imports no database code."""

from __future__ import annotations

import logging
from typing import Any

import click

from littrack import __version__
from littrack.cli.lazy import LazyGroup

# Each command's module loads only when that command runs, so `littrack --help` imports no database code.
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("littrack.cli.db:init", "Create or upgrade the database and load the seeded studies."),
    "db": ("littrack.cli.db:db", "Schema migrations: upgrade, downgrade, current, history."),
    "effects": ("littrack.cli.effects:effects", "Query effect sizes by trait, domain, comparison ..."),
    "traits": ("littrack.cli.traits:traits", "List traits with their domains and effect counts."),
    "studies": ("littrack.cli.studies:studies", "List studies, show one."),
    "search": ("littrack.cli.search:search", "Saved PubMed searches: add, list, show, edit, pause, remove."),
    "refresh": ("littrack.cli.refresh:refresh", "Fetch what is new in PubMed for saved searches."),
    "papers": ("littrack.cli.papers:papers", "Triage found papers (list, show, mark, link); load PubMed XML."),
    "import": ("littrack.cli.bundles:import_", "Import a study bundle (study.toml + effects.csv), all or nothing."),
    "template": ("littrack.cli.bundles:template", "Write an empty study bundle to fill in."),
    "history": ("littrack.cli.history:history", "Who changed which study or effect size, when, from what to what."),
    "export": ("littrack.cli.export:export", "Export effect sizes (csv, json, metafor), papers, or a study."),
}


class RootGroup(LazyGroup):
    """The root group: lazy subcommands, and core errors turned into one-line messages."""

    def invoke(self, ctx: click.Context) -> Any:
        from littrack.errors import LittrackError, ValidationError

        try:
            return super().invoke(ctx)
        except ValidationError as exc:
            n = len(exc.problems)
            if n == 1:
                raise click.ClickException(exc.problems[0]) from None
            for problem in exc.problems:
                click.echo(problem, err=True)
            raise click.ClickException(f"{n} problems found (listed above); nothing was written") from None
        except LittrackError as exc:
            raise click.ClickException(str(exc)) from None
        except Exception as exc:
            from littrack.db import describe_operational_error

            app = ctx.obj
            message = describe_operational_error(exc, app.url) if app is not None else None
            if message is None:
                raise
            raise click.ClickException(message) from None


@click.group(cls=RootGroup, subcommands=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db_url", metavar="URL", envvar="LITTRACK_DATABASE_URL", show_envvar=True,
              help="SQLAlchemy database URL (default: a SQLite file in your data folder).")
@click.option("-v", "--verbose", count=True, help="More detail on stderr (-vv for debug).")
@click.version_option(__version__, prog_name="littrack")
@click.pass_context
def cli(ctx: click.Context, db_url: str | None, verbose: int) -> None:
    """Track a field's literature as data: effect sizes with their sources, PubMed searches, triage."""
    from littrack.cli.context import AppContext

    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = AppContext(db_url)


def main() -> None:
    cli(prog_name="littrack")
