"""`littrack history`: the change log of studies and effect sizes, newest first."""

from __future__ import annotations

import click

from littrack.cli.context import AppContext, pass_app
from littrack.cli.options import emit, output_option
from littrack.formats import Column, json_text
from littrack.vocab import CHANGE_ENTITIES

COLUMNS: list[Column] = [("WHEN", lambda r: (r["at"] or "")[:19].replace("T", " "), 19), ("CURATOR", "curator", 16),
                         ("ACTION", "action", 6), ("WHAT", "label", 28), ("STUDY", "study", 16), ("CHANGES", "changes", 90)]


@click.command()
@click.option("--study", help="Only changes of this study (also of its deleted rows).")
@click.option("--entity", type=click.Choice(CHANGE_ENTITIES))
@click.option("--id", "entity_id", type=int, help="Only changes of the row with this id (with --entity).")
@click.option("--curator", help="Only changes made by this curator.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]), help="Only changes from then on (UTC).")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many, newest first.")
@output_option
@pass_app
def history(app: AppContext, study: str | None, entity: str | None, entity_id: int | None, curator: str | None,
            since: object, limit: int | None, fmt: str) -> None:
    """Who changed which study or effect size, when, from what to what (newest first)."""
    import datetime as dt

    from littrack.history import list_changes

    when = since.replace(tzinfo=dt.UTC) if isinstance(since, dt.datetime) else None
    with app.read() as session:
        rows = list_changes(session, study=study, entity=entity, entity_id=entity_id, curator=curator, since=when,
                            limit=limit)
    if fmt in ("csv", "tsv"):
        rows = [{**r, "before": json_text(r["before"], indent=0) if r["before"] is not None else None,
                 "after": json_text(r["after"], indent=0) if r["after"] is not None else None} for r in rows]
    emit(rows, fmt, COLUMNS, empty="no changes recorded")
