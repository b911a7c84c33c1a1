"""The README cannot drift: its examples are real output (cog), its commands parse, CI runs its install lines."""

from __future__ import annotations

import difflib
import re
import shlex
from pathlib import Path

import click
import pytest
import readme_tour
from cogapp import Cog

from littrack.cli import cli

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
CI = REPO / ".ci" / "run"
REGENERATE = ".venv/bin/cog -r README.md"


def test_readme_examples_are_what_littrack_prints() -> None:
    text = README.read_text(encoding="utf-8")
    try:
        regenerated = Cog().process_string(text, fname=str(README))
    finally:
        readme_tour.close_all()
    if regenerated != text:
        diff = "".join(difflib.unified_diff(
            text.splitlines(True), regenerated.splitlines(True), "README.md", "README.md as littrack prints it"))
        pytest.fail(f"README.md shows output littrack no longer prints: run `{REGENERATE}` from the repository "
                    f"root and check the diff\n{diff}")


def code_lines(markdown: str) -> list[str]:
    """The lines of fenced and indented code blocks (cog's own lines live in HTML comments: not code)."""
    lines: list[str] = []
    fenced, previous_blank = False, True
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif fenced or (line.startswith("    ") and (previous_blank or lines)):
            lines.append(line.strip())
        previous_blank = not line.strip()
    return lines


# littrack as a command: at the start, after a prompt or a venv's bin/; not `littrack-refresh.timer`.
COMMAND = re.compile(r"(?:^\$ |^|/bin/)littrack(?= |$)")


def littrack_commands(markdown: str) -> list[list[str]]:
    """Every `littrack ...` command written in the README's code, as argument lists (without `littrack`)."""
    commands = []
    for line in code_lines(markdown):
        for step in line.split("&&"):
            step = step.strip()
            match = COMMAND.search(step)
            if match is None:
                continue
            args = []
            for token in shlex.split(step[match.end():], comments=True):
                if token in ("|", "&&") or token.startswith((">", "2>")):
                    break
                args.append(token)
            commands.append(args)
    return commands


def parse(args: list[str]) -> click.Context:
    """Parse a command line the way `littrack` does, down to the subcommand, without running anything."""
    command: click.Command | None = cli
    name: str | None = "littrack"
    parent: click.Context | None = None
    rest = list(args)
    while isinstance(command, click.Group):
        ctx = command.context_class(command, info_name=name, parent=parent)
        group_args, rest = rest, click.Command.parse_args(command, ctx, rest)  # the rest names a subcommand
        if not rest and command.invoke_without_command:  # e.g. `littrack effects --trait ...`
            return command.make_context(name, group_args, parent=parent)
        if not rest:
            raise click.UsageError(f"{name} needs a subcommand", ctx)
        name, command, rest = command.resolve_command(ctx, rest)
        parent = ctx
    assert command is not None and name is not None
    return command.make_context(name, rest, parent=parent)


def test_every_littrack_command_in_the_readme_parses(monkeypatch: pytest.MonkeyPatch) -> None:
    # Blocks that cannot run here (the real NCBI, cron, systemd) still name real commands and options.
    monkeypatch.chdir(REPO)  # the README's paths are relative to the repository root
    commands = littrack_commands(README.read_text(encoding="utf-8"))
    assert ["refresh", "--due"] in commands  # the cron and systemd lines are found
    assert ["search", "add", "trd", "--query", '(polygenic[tiab]) AND "treatment-resistant depression"[tiab]',
            "--every", "7d"] in commands
    problems = []
    for args in commands:
        try:
            parse(args)
        except click.ClickException as exc:
            problems.append(f"littrack {shlex.join(args)}: {exc.format_message()}")
    assert not problems, "README.md shows commands littrack refuses:\n" + "\n".join(problems)


def test_parse_refuses_a_renamed_option() -> None:
    with pytest.raises(click.NoSuchOption):
        parse(["refresh", "--overdue"])
    with pytest.raises(click.UsageError):
        parse(["papers", "lst"])
    with pytest.raises(click.UsageError):
        parse(["papers"])
    assert parse(["--db", "sqlite://", "refresh", "trd", "--due"]).params["due"] is True


def ci_steps(script: str) -> set[str]:
    """The commands .ci/run runs, with its folder and database variables written as the README writes them."""
    steps = set()
    for line in script.splitlines():
        line = line.split(" #")[0].strip()
        line = line.replace('"$repo"', ".").replace("$repo", ".")
        for step in line.split("&&"):
            steps.add(normalise(step))
    return steps


def normalise(step: str) -> str:
    """A command without leading VAR=value assignments and without its `--db URL` (a placeholder in the README)."""
    step = re.sub(r"^(?:[A-Z_]+=\S+\s+)+", "", step.strip())
    return re.sub(r' --db (?:"[^"]*"|\S+)', "", step)


def readme_install_and_test_steps(markdown: str) -> list[str]:
    sections = re.split(r"(?m)^## ", markdown)
    wanted = [s for s in sections if s.startswith(("Install and ask a first question", "Run the tests"))]
    assert len(wanted) == 2, "README.md lost its 'Install and ask a first question' or 'Run the tests' section"
    steps = []
    for section in wanted:
        for line in section.splitlines():
            if line.startswith("    ") and not line.strip().startswith("bash .ci/run"):
                steps += [normalise(step) for step in line.split("&&")]
    return steps


def test_ci_runs_the_readme_install_and_test_commands() -> None:
    readme_steps = readme_install_and_test_steps(README.read_text(encoding="utf-8"))
    assert ".venv/bin/pytest -q" in readme_steps and ".venv/bin/pip install ." in readme_steps
    missing = [step for step in readme_steps if step not in ci_steps(CI.read_text(encoding="utf-8"))]
    assert not missing, f".ci/run does not run these README commands as written: {missing}"
