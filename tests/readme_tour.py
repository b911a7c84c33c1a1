"""The README's examples run for real: `.venv/bin/cog -r README.md` writes them, tests/test_docs.py checks them.

A `Tour` is a fresh SQLite database made by the real migrations (through `littrack init`), a scratch folder
that sees the repository's `tests/` (so `tests/data/...` paths work), the fake E-utilities server of the test
suite on 127.0.0.1 (never NCBI) and a clock that stands still at a chosen time for each command. Commands run
in-process through click's CliRunner; a `| cut/sed/head ...` tail runs as the real tool on littrack's stdout.

What would differ from one run to the next is replaced, and only that: the scratch folder by the path the
README names, and the wall time of `papers load` (its SECONDS column) by `n.nn`.
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

import time_machine
from click.testing import CliRunner
from fake_eutils import FakeEutils

from littrack.cli import cli

REPO = Path(__file__).resolve().parent.parent

# The clock of the tour: every command runs at a frozen time, a few seconds after the one before.
START = dt.datetime(2026, 11, 25, 14, 45, 48, tzinfo=dt.UTC)
STEP = dt.timedelta(seconds=3)

# A `papers load` table row ends with the seconds it took: wall time, different on every run.
LOAD_SECONDS = re.compile(r"(?m)^(\S+\.xml(?:\.gz)?  .*  )\d+(?:\.\d+)?$")

_open: list[Tour] = []


class Tour:
    """A fresh database and scratch folder; `show(...)` runs commands and returns them as a transcript."""

    def __init__(self, shown_as: str = "/tmp/tour", *, default_db: bool = False, start: dt.datetime = START):
        self.dir = Path(tempfile.mkdtemp(prefix="littrack-tour-"))
        (self.dir / "tests").symlink_to(REPO / "tests")
        self.shown_as = shown_as
        self.clock = start
        self.fake = FakeEutils().start()
        # Only the settings named here reach littrack: none of the caller's LITTRACK_* or NCBI_* variables.
        self.env: dict[str, str | None] = {
            name: None for name in os.environ if name.startswith(("LITTRACK_", "NCBI_", "XDG_"))
        }
        self.env |= {
            "LITTRACK_CURATOR": "alice",
            "NCBI_EMAIL": "you@example.org",
            "LITTRACK_EUTILS_URL": self.fake.url,
        }
        if default_db:
            # `littrack init` with no --db and no LITTRACK_DATABASE_URL: the data folder under HOME.
            self.env["HOME"] = str(self.dir)
        else:
            self.env["LITTRACK_DATABASE_URL"] = f"sqlite:///{self.dir}/lt.db"
        _open.append(self)

    def run(self, command: str) -> str:
        """One command line as a user would type it; returns what the terminal would show."""
        littrack, *pipes = command.split(" | ")
        args = shlex.split(littrack)
        assert args[0] == "littrack", f"a tour command starts with littrack: {command}"
        cwd = Path.cwd()
        os.chdir(self.dir)
        try:
            with time_machine.travel(self.clock, tick=False):
                result = CliRunner().invoke(cli, args[1:], env=self.env, prog_name="littrack")
        finally:
            os.chdir(cwd)
        self.clock += STEP
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise RuntimeError(f"{command!r} crashed: {result.exception!r}") from result.exception
        if not pipes:
            return result.output
        text = result.stdout
        for pipe in pipes:
            text = subprocess.run(shlex.split(pipe), input=text, capture_output=True, text=True, check=True).stdout
        return result.stderr + text

    def transcript(self, *commands: str, prompts: bool = True) -> str:
        """`$ command` (unless not `prompts`) and its output for each command, the volatile parts replaced."""
        text = "".join((f"$ {command}\n" if prompts else "") + self.run(command) for command in commands)
        text = text.replace(str(self.dir), self.shown_as)
        return LOAD_SECONDS.sub(r"\g<1>n.nn", text)

    def show(self, *commands: str, prompts: bool = True) -> None:
        """Write the transcript into the README at this cog block, as a fenced code block."""
        import cog  # only there when cog runs this

        cog.out(f"```\n{self.transcript(*commands, prompts=prompts)}```\n")

    def close(self) -> None:
        self.fake.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
        if self in _open:
            _open.remove(self)


def close_all() -> None:
    for tour in list(_open):
        tour.close()


atexit.register(close_all)
