"""`littrack effects`: query effect sizes (the fast read path); its subcommands are in effects_curate."""

from __future__ import annotations

import click

from littrack.cli.context import AppContext, pass_app
from littrack.cli.lazy import LazyGroup
from littrack.cli.options import emit, filter_options, make_filter, output_option
from littrack.fastread import find_effects
from littrack.formats import EFFECT_FIELDS, EFFECT_TABLE

SUBCOMMANDS = {
    "add": ("littrack.cli.effects_curate:add", "Add one effect size (checked like a bundle row)."),
    "edit": ("littrack.cli.effects_curate:edit", "Change fields of one effect size; the row is checked again."),
    "delete": ("littrack.cli.effects_curate:delete", "Delete one effect size; the history keeps its values."),
}


# A command and a group: without a subcommand it queries; `effects add|edit|delete` change one row.
@click.group(cls=LazyGroup, subcommands=SUBCOMMANDS, invoke_without_command=True)
@filter_options
@output_option
@pass_app
@click.pass_context
def effects(ctx: click.Context, app: AppContext, fmt: str, **filters: object) -> None:
    """Query effect sizes; each row says where it was read.

    A missing CI is shown as 'not reported', a range as a range, a value we derived as derived.
    """
    if ctx.invoked_subcommand is not None:
        return
    with app.reader() as db:
        rows = find_effects(db, make_filter(**filters))
    emit(rows, fmt, EFFECT_TABLE, EFFECT_FIELDS, empty="no effect sizes match")

