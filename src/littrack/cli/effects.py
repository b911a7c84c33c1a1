"""`littrack effects`: query effect sizes."""

from __future__ import annotations

import click

from littrack.cli.context import AppContext, pass_app
from littrack.cli.options import emit, output_option
from littrack.formats import EFFECT_FIELDS, EFFECT_TABLE
from littrack.queries import SORTS, EffectFilter, find_effects


def filter_options(f):  # type: ignore[no-untyped-def]
    """The filters shared by `effects` and `export effects`."""
    options = [
        click.option("--trait", help="Trait name or synonym, case-insensitive; a part of a name matches."),
        click.option("--domain", help="Trait domain, e.g. Sleep."),
        click.option("--comparison", help="e.g. 'TRD vs trMDD'."),
        click.option("--measure", help="OR, HR, RR, beta, ..."),
        click.option("--study", help="Study key."),
        click.option("--direction", type=click.Choice(["increased", "decreased"])),
        click.option("--min-estimate", type=float, help="Estimate (or any part of a range) at least this."),
        click.option("--max-estimate", type=float, help="Estimate (or any part of a range) at most this."),
        click.option("--reported-only", is_flag=True, help="Only point estimates as the source printed them."),
        click.option("--sort", type=click.Choice(SORTS), default="trait", show_default=True),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def make_filter(**kw: object) -> EffectFilter:
    return EffectFilter(**kw)  # type: ignore[arg-type]


@click.group(invoke_without_command=True)
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


from littrack.cli import effects_curate  # noqa: E402,F401  (registers its subcommands on the group above)
