"""Where littrack finds its database and who the curator is."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

ENV_DATABASE_URL = "LITTRACK_DATABASE_URL"
ENV_CURATOR = "LITTRACK_CURATOR"


def user_data_dir() -> Path:
    """The per-user data folder by each platform's convention: $XDG_DATA_HOME/littrack or ~/.local/share/littrack
    on Linux, ~/Library/Application Support/littrack on macOS, %LOCALAPPDATA%\\littrack on Windows."""
    # Imported here: only a command without --db or LITTRACK_DATABASE_URL needs it.
    import platformdirs

    return Path(platformdirs.user_data_dir("littrack", appauthor=False))


def default_database_url() -> str:
    return f"sqlite:///{user_data_dir() / 'littrack.db'}"


def resolve_database_url(explicit: str | None = None) -> str:
    """--db, else LITTRACK_DATABASE_URL, else a SQLite file in the user's data folder."""
    return explicit or os.environ.get(ENV_DATABASE_URL) or default_database_url()


def resolve_curator(explicit: str | None = None) -> str:
    """--curator, else LITTRACK_CURATOR, else the operating-system user."""
    if explicit:
        return explicit
    if os.environ.get(ENV_CURATOR):
        return os.environ[ENV_CURATOR]
    try:
        return getpass.getuser()
    except Exception:  # no user name on some containers
        return "unknown"
