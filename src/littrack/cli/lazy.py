"""Click groups whose subcommands load on first use: a parent names its children; children never import it."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import click


class LazyGroup(click.Group):
    """A group whose subcommands are imported when used (Click's "lazily loading subcommands" pattern).

    `subcommands` maps each name to ("module:attribute", one-line help). The help lives here, not on the
    command, so that `--help` lists the subcommands without importing them; the group gives it to the
    command when it loads it, so the command's own usage shows the same line.
    """

    def __init__(self, *args: Any, subcommands: Mapping[str, tuple[str, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.subcommands = dict(subcommands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.subcommands})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.subcommands:
            return super().get_command(ctx, name)
        target, short_help = self.subcommands[name]
        module, _, attr = target.partition(":")
        cmd = getattr(importlib.import_module(module), attr)
        if not isinstance(cmd, click.Command):
            raise TypeError(f"{target} is not a click command")
        cmd.short_help = short_help
        return cmd

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, self.subcommands[name][1]) for name in sorted(self.subcommands)]
        for name in super().list_commands(ctx):  # commands added the eager way, if any
            cmd = super().get_command(ctx, name)
            if cmd is not None and not cmd.hidden and name not in self.subcommands:
                rows.append((name, cmd.get_short_help_str()))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(sorted(rows))
