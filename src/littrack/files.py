"""Writing files whole or not at all: temporary files in the target's folder, renamed over the targets."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: str | Path, text: str) -> None:
    """Write the whole file or nothing: a temporary file in the same folder, renamed over the target."""
    write_files({Path(path): text})


def write_files(files: dict[Path, str]) -> None:
    """Write every file whole or none: all temporary files first, then the renames."""
    temps: list[tuple[str, Path]] = []
    try:
        for path, text in files.items():
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            temps.append((tmp, path))
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(text)
        for tmp, path in temps:
            os.replace(tmp, path)
    finally:
        for tmp, _ in temps:
            Path(tmp).unlink(missing_ok=True)
