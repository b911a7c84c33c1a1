"""Rows to CSV and JSON without losing a digit (the query command's table rounds; exports must not)."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from littrack.values import number_text


def cell(value: Any, true: str = "yes", false: str = "no") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return true if value else false
    if isinstance(value, (int, float)):
        return number_text(value)
    if isinstance(value, (list, tuple)):
        return "; ".join(cell(v) for v in value)
    return str(value)


def to_csv(rows: Sequence[dict[str, Any]], fields: Sequence[str], true: str = "yes", false: str = "no") -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(fields)
    for r in rows:
        writer.writerow([cell(r.get(k), true, false) for k in fields])
    return buf.getvalue()


def to_json(rows: Sequence[dict[str, Any]], fields: Sequence[str]) -> str:
    return json.dumps([{k: r.get(k) for k in fields} for r in rows], indent=2, ensure_ascii=False) + "\n"


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
