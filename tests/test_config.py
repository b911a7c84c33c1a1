"""Where littrack finds its database: --db, else LITTRACK_DATABASE_URL, else the user's data folder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from littrack.config import default_database_url, resolve_database_url, user_data_dir

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG convention is Linux's")


@linux
def test_data_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert user_data_dir() == tmp_path / "data" / "littrack"
    monkeypatch.setenv("XDG_DATA_HOME", "")  # set but empty: as if unset
    assert user_data_dir() == tmp_path / "home" / ".local" / "share" / "littrack"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert user_data_dir() == tmp_path / "home" / ".local" / "share" / "littrack"
    assert default_database_url() == f"sqlite:///{tmp_path}/home/.local/share/littrack/littrack.db"


def test_database_url_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path))
    monkeypatch.delenv("LITTRACK_DATABASE_URL", raising=False)
    assert resolve_database_url() == default_database_url()
    assert resolve_database_url().endswith("littrack.db")
    monkeypatch.setenv("LITTRACK_DATABASE_URL", "sqlite:///from-env.db")
    assert resolve_database_url() == "sqlite:///from-env.db"
    assert resolve_database_url("sqlite:///given.db") == "sqlite:///given.db"
