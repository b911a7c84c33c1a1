"""`littrack export effects|papers|study`: data out for meta-analysis, reference managers and other databases."""

from __future__ import annotations

from pathlib import Path

import click

from littrack.cli.context import AppContext, pass_app
from littrack.cli.lazy import LazyGroup
from littrack.cli.options import filter_options, make_filter
from littrack.vocab import TRIAGE_STATUSES


def _deliver(text: str, output: Path | None, what: str) -> None:
    """To stdout, or whole into FILE (never half-written)."""
    if output is None:
        click.echo(text, nl=False)
        return
    from littrack.files import write_atomic

    write_atomic(output, text)
    click.echo(f"wrote {what} to {output}", err=True)


output_file = click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                           help="Write to FILE instead of stdout.")


SUBCOMMANDS = {
    "effects": ("littrack.cli.export:export_effects", "Effect sizes as csv, json or metafor input."),
    "papers": ("littrack.cli.export:export_papers", "Papers as BibTeX, RIS or CSL-JSON."),
    "study": ("littrack.cli.export:export_study", "A study as a bundle that imports back."),
}


@click.group(cls=LazyGroup, subcommands=SUBCOMMANDS)
def export() -> None:
    """Export effect sizes (csv, json, metafor), papers (BibTeX, RIS, CSL-JSON) or a whole study (bundle)."""


@click.command("effects")
@filter_options
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "metafor"]), default="csv", show_default=True,
              help="metafor: yi, sei and vi for meta-analysis (see below).")
@output_file
@pass_app
def export_effects(app: AppContext, fmt: str, output: Path | None, **filters: object) -> None:
    """Effect sizes with the filters of `littrack effects`, every digit kept.

    \b
    metafor: yi = ln(estimate) for OR, HR, RR and ratio; the estimate itself for beta, logOR, logHR, SMD;
    Fisher's z for r. sei = the stored SE, else (t(upper) - t(lower)) / (2 z) from the CI and its level
    (z = 1.959964 for 95%); vi = sei^2. Ranges, qualitative rows, rows without CI or SE, and R2/AUC are left
    out, with a note on stderr saying how many and why.
    """
    from littrack.export import metafor, tables
    from littrack.fastread import find_effects
    from littrack.formats import EFFECT_FIELDS

    with app.read() as session:
        rows = find_effects(session, make_filter(**filters))
    if fmt == "metafor":
        result = metafor.metafor_rows(rows)
        for note in result.notes():
            click.echo(note, err=True)
        text = tables.to_csv(result.rows, metafor.FIELDS, true="TRUE", false="FALSE")
        n = len(result.rows)
    elif fmt == "json":
        text, n = tables.to_json(rows, EFFECT_FIELDS), len(rows)
    else:
        text, n = tables.to_csv(rows, EFFECT_FIELDS), len(rows)
    if n == 0:
        click.echo("no effect sizes to export", err=True)
    _deliver(text, output, f"{n} effect size(s)")


@click.command("papers")
@click.option("--search", help="Papers found by this saved search.")
@click.option("--status", multiple=True, type=click.Choice(TRIAGE_STATUSES),
              help="Papers with this triage status (repeatable); a paper never triaged is 'new'.")
@click.option("--study", help="Publications of this study.")
@click.option("--format", "fmt", type=click.Choice(["bibtex", "ris", "csljson"]), default="bibtex", show_default=True)
@output_file
@pass_app
def export_papers(app: AppContext, search: str | None, status: tuple[str, ...], study: str | None, fmt: str,
                  output: Path | None) -> None:
    """Papers for reference managers (Zotero, EndNote ...), with DOI, PMID and PMCID."""
    from littrack.export.references import render_papers, select_papers

    with app.read() as session:
        pubs = select_papers(session, search=search, statuses=status, study=study)
        text = render_papers(session, pubs, fmt)
    if not pubs:
        click.echo("no papers match", err=True)
    _deliver(text, output, f"{len(pubs)} paper(s)")


@click.command("study")
@click.argument("key")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite study.toml and effects.csv if PATH holds them.")
@pass_app
def export_study(app: AppContext, key: str, path: Path, force: bool) -> None:
    """Write study KEY as a bundle into folder PATH; `littrack import PATH` reads it back."""
    from littrack.bundle.write import write_study

    with app.read() as session:
        notes = write_study(session, key, path, force=force)
    for note in notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"wrote {path / 'study.toml'} and {path / 'effects.csv'}", err=True)
