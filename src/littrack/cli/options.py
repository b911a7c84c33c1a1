"""Options shared by commands: output format, curator, the effect-size filters."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from littrack.fastread import SORTS, EffectFilter
from littrack.formats import FORMATS, Column, render
from littrack.vocab import SIGNED_DIRECTIONS

F = TypeVar("F", bound=Callable[..., Any])


def output_option(f: F) -> F:
    return click.option(
        "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
        help="table for people; csv, tsv, json or jsonl for programs.",
    )(f)


def record_format_option(f: F) -> F:
    """`--format text|json` for commands that show one record whole."""
    return click.option(
        "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
        help="text for people; json for programs (every field).",
    )(f)


def curator_option(f: F) -> F:
    return click.option("--curator", envvar="LITTRACK_CURATOR", show_envvar=True,
                        help="Who makes the change (default: your user name).")(f)


def filter_options(f: F) -> F:
    """The filters shared by `effects` and `export effects`."""
    options = [
        click.option("--trait", help="Trait name or synonym, case-insensitive; a part of a name matches."),
        click.option("--domain", help="Trait domain, e.g. Sleep."),
        click.option("--comparison", help="e.g. 'TRD vs trMDD'."),
        click.option("--measure", help="OR, HR, RR, beta, ..."),
        click.option("--study", help="Study key."),
        click.option("--direction", type=click.Choice(SIGNED_DIRECTIONS)),
        click.option("--min-estimate", type=float, help="Estimate (or any part of a range) at least this."),
        click.option("--max-estimate", type=float, help="Estimate (or any part of a range) at most this."),
        click.option("--reported-only", is_flag=True, help="Only point estimates as the source printed them."),
        click.option("--sort", type=click.Choice(SORTS), default="trait", show_default=True),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def make_filter(**filters: Any) -> EffectFilter:
    """The EffectFilter of the options filter_options added."""
    return EffectFilter(**filters)


def emit(rows: Sequence[dict[str, Any]], fmt: str, columns: Sequence[Column], fields: Sequence[str] | None = None,
         empty: str = "no rows match") -> None:
    """Data to stdout; an empty table gets a notice on stderr instead of a bare header."""
    if fmt == "table" and not rows:
        click.echo(empty, err=True)
        return
    click.echo(render(rows, fmt, columns, fields), nl=False)
