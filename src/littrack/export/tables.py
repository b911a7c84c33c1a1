"""Rows to CSV and JSON without losing a digit (the query command's table rounds; exports must not)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from littrack.formats import json_text, machine_cell


def to_csv(rows: Sequence[dict[str, Any]], fields: Sequence[str], true: str = "yes", false: str = "no") -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(fields)
    for r in rows:
        writer.writerow([machine_cell(r.get(k), true, false) for k in fields])
    return buf.getvalue()


def to_json(rows: Sequence[dict[str, Any]], fields: Sequence[str]) -> str:
    return json_text([{k: r.get(k) for k in fields} for r in rows]) + "\n"
