"""The command tree: every command and subcommand loads and shows its help; imports point one way."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import click
from click.testing import CliRunner
from fresh_process import run_cli

import littrack
from littrack.cli import cli
from littrack.cli.lazy import LazyGroup

SRC = Path(littrack.__file__).parent


def walk(cmd: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command under `cmd` with the words that name it, lazy ones loaded."""
    yield path, cmd
    if isinstance(cmd, click.Group):
        ctx = click.Context(cmd, info_name=path[-1] if path else "littrack")
        for name in cmd.list_commands(ctx):
            sub = cmd.get_command(ctx, name)
            assert sub is not None, f"littrack {' '.join(path)} {name}: listed but does not load"
            yield from walk(sub, (*path, name))


def test_every_command_and_subcommand_shows_its_help() -> None:
    tree = list(walk(cli))
    paths = {" ".join(p) for p, _ in tree}
    # the tree as the README shows it; a command that stops loading would drop out of the walk above
    assert {"effects", "effects add", "effects edit", "effects delete", "studies", "studies show", "studies add",
            "history", "import", "template", "db upgrade", "db history", "export effects", "papers load",
            "search pause", "refresh", "traits", "init"} <= paths
    runner = CliRunner()
    for path, cmd in tree:
        result = runner.invoke(cli, [*path, "--help"], prog_name="littrack")
        assert result.exit_code == 0, (path, result.output)
        usage = " ".join(("littrack", *path))
        assert result.output.startswith(f"Usage: {usage} "), (path, result.output[:200])
        assert cmd.help and cmd.help.split("\n")[0].strip()[:40] in " ".join(result.output.split()), path


def test_lazy_maps_name_what_they_load() -> None:
    """Each group's map gives the name the command answers to, and the listed help is what the command carries."""
    for path, cmd in walk(cli):
        if not isinstance(cmd, LazyGroup):
            continue
        ctx = click.Context(cmd)
        for name, (target, short_help) in cmd.subcommands.items():
            sub = cmd.get_command(ctx, name)
            assert sub is not None and sub.name == name, (path, name, target)
            assert sub.get_short_help_str(limit=200) == short_help
            assert len(short_help) <= 72, (path, name, "keep one line of `--help`")


def test_effects_is_a_query_and_a_group(invoke, seeded_db_url: str) -> None:
    query = invoke(seeded_db_url, "effects", "--trait", "insomnia", "--format", "json")
    assert query.exit_code == 0 and '"trait": "Insomnia"' in query.stdout
    help_ = CliRunner().invoke(cli, ["effects", "--help"]).output
    assert "--trait TEXT" in help_ and "add     Add one effect size" in help_
    added = invoke(seeded_db_url, "effects", "add", "--study", "xu2025_trd", "--trait", "Insomnia",
                   "--comparison", "TRD vs trMDD", "--measure", "OR", "--estimate", "1.5", "--source", "XU2025",
                   "--location", "Table 9", "--curator", "test")
    assert added.exit_code == 0, added.output
    assert "added effect size" in added.stderr
    bad = invoke(seeded_db_url, "effects", "nope")
    assert bad.exit_code == 2 and "No such command 'nope'" in bad.stderr


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The littrack modules a file imports, at any level (inside functions and TYPE_CHECKING too)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in modules}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out |= {node.module} & modules
            out |= {f"{node.module}.{a.name}" for a in node.names} & modules
    return out


def test_no_import_cycles() -> None:
    """No module of littrack imports one that imports it back, directly or around a loop (cli groups included)."""
    files = {}
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        files[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {m: _imports(p, set(files)) - {m} for m, p in files.items()}
    assert "littrack.cli.lazy" in graph["littrack.cli"] and "littrack.fastread" in graph["littrack.cli.effects"]

    def cycle_from(start: str) -> list[str] | None:
        stack, seen = [(start, [start])], set()
        while stack:
            node, trail = stack.pop()
            for dep in graph[node]:
                if dep == start:
                    return [*trail, start]
                if dep not in seen:
                    seen.add(dep)
                    stack.append((dep, [*trail, dep]))
        return None

    cycles = [c for m in sorted(graph) if (c := cycle_from(m))]
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_group_help_loads_no_database_code() -> None:
    """`littrack --help` and the query group's help stay light (tests/test_packaging.py checks the root alone)."""
    _, loaded = run_cli(["effects", "--help"],
                        watch=("sqlalchemy", "alembic", "requests", "littrack.cli.effects_curate"))
    assert loaded == []
