"""`littrack studies`: list studies, show one whole."""

from __future__ import annotations

import click

from littrack.cli.context import AppContext, pass_app
from littrack.cli.lazy import LazyGroup
from littrack.cli.options import emit, output_option, record_format_option
from littrack.formats import EFFECT_TABLE, json_text, table

COLUMNS = [("KEY", "key", 24), ("YEAR", "year", 4), ("JOURNAL", "journal", 24), ("PMID", "pmid", 9),
           ("TITLE", "title", 60), ("DATASETS", "datasets", 8), ("EFFECTS", "effects", 7)]
SUBCOMMANDS = {
    "show": ("littrack.cli.studies:show", "Show a study: publications, sources, cohort, data sets and effects."),
    "add": ("littrack.cli.studies_add:add", "Add a study around its publication (PubMed or typed in)."),
}


@click.group(cls=LazyGroup, subcommands=SUBCOMMANDS, invoke_without_command=True)
@output_option
@pass_app
@click.pass_context
def studies(ctx: click.Context, app: AppContext, fmt: str) -> None:
    """List studies; `studies show KEY` shows one."""
    if ctx.invoked_subcommand is not None:
        return
    from littrack.studies import list_studies

    with app.read() as session:
        rows = list_studies(session)
    emit(rows, fmt, COLUMNS, empty="no studies: run `littrack init` or `littrack import PATH`")


@click.command()
@click.argument("key")
@record_format_option
@pass_app
def show(app: AppContext, key: str, fmt: str) -> None:
    """Show a study: publications, sources, cohort, data sets and effect sizes."""
    from littrack.studies import study_record

    with app.read() as session:
        rec = study_record(session, key)
    if fmt == "json":
        click.echo(json_text(rec))
        return
    click.echo(f"{rec['key']}: {rec['title']}")
    for label in ("design", "exposures", "outcomes", "description", "notes"):
        if rec[label]:
            click.echo(f"  {label}: {rec[label]}")
    click.echo("\npublications:")
    for p in rec["publications"]:
        ids = ", ".join(f"{k.upper()} {p[k]}" for k in ("pmid", "doi", "pmcid") if p[k])
        extra = f"; preprint of {p['preprint_of']}" if p["preprint_of"] else ""
        authors = ", ".join(p["authors"][:3]) + (" et al" if len(p["authors"]) > 3 else "")
        parts = [authors, p["title"], f"{p['journal']} {p['year']}", ids + extra]
        click.echo(f"  [{p['role']}] " + " ".join(x.rstrip(".") + "." for x in parts if x.strip()))
    click.echo("\nsources:")
    for s in rec["sources"]:
        click.echo(f"  {s['key']} ({s['kind']}, {'primary' if s['primary'] else 'secondary'}): {s['citation']}")
    click.echo("\ndata sets:")
    for d in rec["datasets"]:
        groups = ", ".join(f"{k} {v:,}" for k, v in d["groups"].items())
        n = f"N {d['n_total']:,}" if d["n_total"] is not None else "N not stated"
        click.echo(f"  {d['label']} [{d['role']}] ({d['cohort']}): {n}" + (f"; {groups}" if groups else ""))
    click.echo(f"\neffect sizes ({len(rec['effects'])}):")
    click.echo(table(rec["effects"], EFFECT_TABLE), nl=False)

