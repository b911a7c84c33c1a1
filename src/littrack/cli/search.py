"""`littrack search`: saved PubMed searches."""

from __future__ import annotations

import click

from littrack.cli.context import AppContext, pass_app
from littrack.cli.lazy import LazyGroup
from littrack.cli.options import emit, output_option, record_format_option
from littrack.formats import Column

COLUMNS: list[Column] = [("NAME", "name", 24), ("EVERY", "every", 5), ("PAUSED", "paused", 6), ("LAST RUN", "last_run", 20),
           ("STATUS", lambda r: r["last_status"] or "never run", 9), ("WATERMARK", "watermark", 10),
           ("NEXT DUE", "next_due", 20), ("PAPERS", "papers", 6), ("QUERY", "query", 60)]
RUN_COLUMNS = [("RUN", "id", 5), ("STARTED", "started_at", 20), ("STATUS", "status", 7), ("FROM", "mindate", 10),
               ("FOUND", "found", 6), ("NEW", "new", 6), ("UPDATED", "updated", 7), ("REQUESTS", "requests", 8),
               ("ERROR", "error", 70)]


SUBCOMMANDS = {
    "add": ("littrack.cli.search:add", "Save a PubMed search under NAME."),
    "list": ("littrack.cli.search:list_", "List saved searches with their last run and when they are next due."),
    "show": ("littrack.cli.search:show", "Show a saved search with its recent runs."),
    "edit": ("littrack.cli.search:edit", "Change a saved search's query, interval or name."),
    "pause": ("littrack.cli.search:pause", "Stop refreshing searches (until `search resume`)."),
    "resume": ("littrack.cli.search:resume", "Refresh paused searches again."),
    "remove": ("littrack.cli.search:remove", "Delete a saved search with its runs; the papers it found stay."),
}


@click.group(cls=LazyGroup, subcommands=SUBCOMMANDS)
def search() -> None:
    """Saved PubMed searches that `littrack refresh` keeps current."""


@click.command()
@click.argument("name")
@click.option("--query", required=True, help="A PubMed query, as typed on pubmed.ncbi.nlm.nih.gov.")
@click.option("--every", default="7d", show_default=True,
              help="How often `refresh --due` runs it: 1d, 7d, 30d (any Nh, Nd or Nw).")
@pass_app
def add(app: AppContext, name: str, query: str, every: str) -> None:
    """Save a PubMed search under NAME."""
    from littrack.tracking.searches import add_search, format_every

    with app.begin() as session:
        s = add_search(session, name, query, every)
        interval = format_every(s.interval_seconds)
    click.echo(f"added search {name} (every {interval}); `littrack refresh {name}` fetches it now", err=True)


@click.command("list")
@output_option
@pass_app
def list_(app: AppContext, fmt: str) -> None:
    """List saved searches with their last run and when they are next due."""
    from littrack.tracking.searches import list_searches

    with app.read() as session:
        rows = list_searches(session)
    emit(rows, fmt, COLUMNS, empty="no saved searches: add one with `littrack search add NAME --query '...'`")


@click.command()
@click.argument("name")
@click.option("--runs", default=10, show_default=True, help="How many recent runs to show.")
@record_format_option
@pass_app
def show(app: AppContext, name: str, runs: int, fmt: str) -> None:
    """Show a saved search with its recent runs."""
    from littrack.formats import json_text, table
    from littrack.tracking.searches import search_record

    with app.read() as session:
        rec = search_record(session, name, runs)
    if fmt == "json":
        click.echo(json_text(rec))
        return
    click.echo(f"{rec['name']}: {rec['query']}")
    for label, key in (("every", "every"), ("paused", "paused"), ("watermark", "watermark"),
                       ("last run", "last_run"), ("last success", "last_success"), ("next due", "next_due"),
                       ("papers", "papers"), ("created", "created_at")):
        value = rec[key]
        click.echo(f"  {label}: {'yes' if value is True else 'no' if value is False else value or '-'}")
    if rec["runs"]:
        click.echo(f"\nlast {len(rec['runs'])} run(s):")
        click.echo(table(rec["runs"], RUN_COLUMNS), nl=False)
    else:
        click.echo(f"\nno runs yet: `littrack refresh {rec['name']}`")


@click.command()
@click.argument("name")
@click.option("--query", help="A new PubMed query (the next refresh then searches all dates again).")
@click.option("--every", help="A new interval: 1d, 7d, 30d ...")
@click.option("--name", "new_name", help="A new name.")
@pass_app
def edit(app: AppContext, name: str, query: str | None, every: str | None, new_name: str | None) -> None:
    """Change a saved search's query, interval or name."""
    from littrack.tracking.searches import edit_search

    with app.begin() as session:
        s, notes = edit_search(session, name, query=query, every=every, new_name=new_name)
        final = s.name
    for note in notes:
        click.echo(note, err=True)
    click.echo(f"updated search {final}", err=True)


@click.command()
@click.argument("names", nargs=-1, required=True, metavar="NAME...")
@pass_app
def pause(app: AppContext, names: tuple[str, ...]) -> None:
    """Stop refreshing searches (until `search resume`)."""
    _set_paused(app, names, True)


@click.command()
@click.argument("names", nargs=-1, required=True, metavar="NAME...")
@pass_app
def resume(app: AppContext, names: tuple[str, ...]) -> None:
    """Refresh paused searches again."""
    _set_paused(app, names, False)


def _set_paused(app: AppContext, names: tuple[str, ...], paused: bool) -> None:
    from littrack.tracking.searches import set_paused

    with app.begin() as session:  # all or none
        for name in names:
            set_paused(session, name, paused)
    click.echo(f"{'paused' if paused else 'resumed'} {', '.join(names)}", err=True)


@click.command()
@click.argument("name")
@pass_app
def remove(app: AppContext, name: str) -> None:
    """Delete a saved search with its runs; the papers it found stay (with their triage)."""
    from littrack.tracking.searches import remove_search

    with app.begin() as session:
        counts = remove_search(session, name)
    click.echo(f"removed search {name} ({counts['runs']} run(s), {counts['hits']} hit(s)); its papers stay", err=True)
