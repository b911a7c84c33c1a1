"""The installed package carries every subpackage, the migrations and the seeds."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from fresh_process import run_cli

ROOT = Path(__file__).resolve().parents[1]


def test_every_subpackage_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT / "src").parts)
        for p in (ROOT / "src" / "littrack").rglob("__init__.py")
    }
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"


def test_help_does_not_import_the_database_stack() -> None:
    _, loaded = run_cli(["--help"], watch=("sqlalchemy", "alembic", "requests"))
    assert loaded == []


def test_python_dash_m() -> None:
    out = subprocess.run([sys.executable, "-m", "littrack", "--help"], capture_output=True, text=True, check=True)
    assert "effects" in out.stdout and "Usage: littrack" in out.stdout
