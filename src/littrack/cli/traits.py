"""`littrack traits`: the trait vocabulary with domains and effect counts."""

from __future__ import annotations

import click

from littrack.cli.context import AppContext, pass_app
from littrack.cli.options import emit, output_option
from littrack.queries import list_traits

COLUMNS = [("TRAIT", "trait", 60), ("KIND", "kind", 10), ("DOMAIN", "domain", 50), ("EFFECTS", "effects", 7)]


@click.command()
@click.option("--domain", help="Only traits of this domain.")
@output_option
@pass_app
def traits(app: AppContext, domain: str | None, fmt: str) -> None:
    """List traits with their domains and how many effect sizes each has."""
    with app.read() as session:
        rows = list_traits(session, domain)
    emit(rows, fmt, COLUMNS, empty="no traits")
