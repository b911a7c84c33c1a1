"""Options shared by commands: output format, curator."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from littrack.formats import FORMATS, Column, render

F = TypeVar("F", bound=Callable[..., Any])


def output_option(f: F) -> F:
    return click.option(
        "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
        help="table for people; csv, tsv, json or jsonl for programs.",
    )(f)


def curator_option(f: F) -> F:
    return click.option("--curator", envvar="LITTRACK_CURATOR", show_envvar=True,
                        help="Who makes the change (default: your user name).")(f)


def emit(rows: Sequence[dict[str, Any]], fmt: str, columns: Sequence[Column], fields: Sequence[str] | None = None,
         empty: str = "no rows match") -> None:
    """Data to stdout; an empty table gets a notice on stderr instead of a bare header."""
    if fmt == "table" and not rows:
        click.echo(empty, err=True)
        return
    click.echo(render(rows, fmt, columns, fields), nl=False)
