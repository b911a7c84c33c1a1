"""A small TOML writer for study bundles (tomllib only reads): strings, numbers, dates, arrays, tables."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from typing import Any

BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
WRAP = 100


def string(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def key(name: str) -> str:
    return name if BARE_KEY.match(name) else string(name)


def value(v: Any, indent: str = "", wrap: bool = True) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return string(v)
    if isinstance(v, dt.datetime):
        return v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dict):
        items = [f"{key(k)} = {value(x, wrap=False)}" for k, x in v.items() if x is not None]
        return "{ " + ", ".join(items) + " }" if items else "{}"
    if isinstance(v, (list, tuple)):
        parts = [value(x, indent + "    ", wrap) for x in v]
        one_line = "[" + ", ".join(parts) + "]"
        if len(one_line) <= WRAP or not wrap:
            return one_line
        inner = indent + "    "
        return "[\n" + "".join(f"{inner}{p},\n" for p in parts) + indent + "]"
    raise TypeError(f"no TOML form for {type(v).__name__}")


def table_lines(entries: dict[str, Any]) -> list[str]:
    """`key = value` lines; None values are left out (TOML has no null)."""
    return [f"{key(k)} = {value(v)}" for k, v in entries.items() if v is not None]


def document(comments: Iterable[str], top: dict[str, Any], tables: dict[str, dict[str, Any]],
             arrays: dict[str, list[dict[str, Any]]]) -> str:
    lines = [f"# {c}" if c else "#" for c in comments]
    lines += table_lines(top)
    for name, entries in tables.items():
        lines += ["", f"[{key(name)}]", *table_lines(entries)]
    for name, items in arrays.items():
        for entry in items:
            lines += ["", f"[[{key(name)}]]", *table_lines(entry)]
    return "\n".join(lines) + "\n"
