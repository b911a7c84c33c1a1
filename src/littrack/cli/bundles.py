"""`littrack import` and `littrack template`: study bundles in, blank bundles out."""

from __future__ import annotations

from pathlib import Path

import click

from littrack.cli.context import AppContext, pass_app
from littrack.cli.options import curator_option, emit, output_option

REPORT_COLUMNS = [("ENTITY", "entity", 14), ("ADDED", "added", 6), ("UPDATED", "updated", 8),
                  ("UNCHANGED", "unchanged", 10), ("REMOVED", "removed", 8)]


@click.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and count everything, then roll back: nothing is written.")
@click.option("--create-traits", is_flag=True, help="Add traits that littrack does not know (instead of an error).")
@click.option("--prune", is_flag=True, help="Delete the study's effect sizes that the bundle no longer holds.")
@curator_option
@output_option
@pass_app
def import_(app: AppContext, path: Path, dry_run: bool, create_traits: bool, prune: bool, curator: str | None,
            fmt: str) -> None:
    """Import a study bundle (a folder with study.toml and effects.csv), all or nothing.

    Rows are matched by natural keys (study key, finding key, names), so importing the same bundle again
    changes nothing and an edited bundle updates what changed. Every problem is listed as
    file:row:field: problem (value), and then nothing is written.
    """
    from littrack.bundle.apply import import_bundle
    from littrack.config import resolve_curator

    who = resolve_curator(curator)
    if dry_run:
        with app.read() as session:
            report = import_bundle(session, path, who, create_traits=create_traits, prune=prune)
            session.rollback()
    else:
        with app.begin() as session:
            report = import_bundle(session, path, who, create_traits=create_traits, prune=prune)
    for name in report.created_traits:
        click.echo(f"new trait {name!r} (no domain yet; give it one in a bundle's [[traits]])", err=True)
    if report.not_in_bundle:
        keys = ", ".join(report.not_in_bundle[:10]) + (" ..." if len(report.not_in_bundle) > 10 else "")
        click.echo(f"{len(report.not_in_bundle)} effect size(s) of {report.study_key} are not in the bundle and were "
                   f"kept: {keys} (--prune deletes them)", err=True)
    parts = ", ".join(f"{o} {report.total(o)}" for o in ("added", "updated", "unchanged", "removed"))
    tail = " (dry run: nothing written)" if dry_run else ""
    click.echo(f"{'would import' if dry_run else 'imported'} {report.study_key}: {parts}{tail}", err=True)
    emit(report.rows(), fmt, REPORT_COLUMNS)


@click.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite the files if they exist.")
def template(folder: Path, force: bool) -> None:
    """Write an empty study bundle into FOLDER: study.toml to fill in, effects.csv with an example row."""
    from littrack.bundle.template import write_template

    for path in write_template(folder, force=force):
        click.echo(f"wrote {path}", err=True)
    click.echo(f"fill them in, then: littrack import --dry-run {folder}", err=True)
