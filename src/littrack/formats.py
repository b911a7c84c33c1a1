"""Render rows for people (a table) and for programs (csv, tsv, json, jsonl)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from littrack.values import iso, number_text

FORMATS = ("table", "csv", "tsv", "json", "jsonl")

Column = tuple[str, str | Callable[[dict[str, Any]], str], int]  # header, key or function, max width


def _cell(value: Any) -> str:
    """A table cell: for people, so floats are rounded to 4 significant digits. Machine formats use machine_cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return "; ".join(_cell(v) for v in value)
    return str(value)


def machine_cell(value: Any, true: str = "yes", false: str = "no") -> str:
    """A CSV/TSV cell for programs: every digit of a number (the shortest text that reads back to the same
    value), lists joined with '; ', booleans as `true`/`false`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return true if value else false
    if isinstance(value, (int, float)):
        return number_text(value)
    if isinstance(value, (list, tuple)):
        return "; ".join(machine_cell(v, true, false) for v in value)
    return str(value)


_PLAIN = frozenset({str, int, float, bool, type(None)})


def _jsonable(value: Any) -> Any:
    """Date-times as littrack's one formatter writes them (msgspec has its own form); rows of plain values, the
    usual case, pass after one check of their types (~1 µs a row)."""
    t = type(value)
    if t is dict:
        return value if _PLAIN.issuperset(map(type, value.values())) else {k: _jsonable(v) for k, v in value.items()}
    if t is list or t is tuple:
        return value if _PLAIN.issuperset(map(type, value)) else [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime):
        return iso(value, exact=True, utc="+00:00")
    return value


def _json_default(value: Any) -> Any:
    """What msgspec cannot encode by itself (it does dates, decimals, UUIDs): its text."""
    return str(value)


def json_text(value: Any, indent: int = 2) -> str:
    """`value` as JSON text, without a final newline: keys in their order, non-ASCII as is, floats with every
    digit (the shortest text that reads back to the same double; NaN and infinity as null), dates ISO 8601.
    indent=0 puts it on one line with a space after each ',' and ':', as json.dumps does."""
    # msgspec (imported here: `littrack --help` and the table output do without it) encodes and indents in C,
    # ~10x faster than the standard library's json, whose indented form is pure Python.
    import msgspec

    return msgspec.json.format(msgspec.json.encode(_jsonable(value), enc_hook=_json_default), indent=indent).decode()


def jsonl_text(rows: Iterable[Any]) -> str:
    """One JSON value a line (JSON Lines), each line as json_text(row, indent=0)."""
    return "".join(json_text(r, indent=0) + "\n" for r in rows)


def render(rows: Sequence[dict[str, Any]], fmt: str, columns: Sequence[Column], fields: Sequence[str] | None = None) -> str:
    """Rows as text in `fmt`; `columns` shape the table, `fields` (default: all keys) the machine formats."""
    if fields is not None and fmt in ("json", "jsonl"):
        rows = [{k: r.get(k) for k in fields} for r in rows]
    if fmt == "json":
        return json_text(list(rows)) + "\n"
    if fmt == "jsonl":
        return jsonl_text(rows)
    if fmt in ("csv", "tsv"):
        keys = list(fields or (rows[0].keys() if rows else [c[0].lower() for c in columns]))
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(keys)
        for r in rows:
            writer.writerow([machine_cell(r.get(k)) for k in keys])
        return buf.getvalue()
    return table(rows, columns)


NEVER_CUT = frozenset({"VALUE", "95% CI", "P", "MEASURE", "PMID", "YEAR", "EFFECTS", "STATUS", "DOI"})


def table(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> str:
    cells = [[_cell(key(r) if callable(key) else r.get(key)) for _, key, _ in columns] for r in rows]
    widths = []
    for i, (header, _, cap) in enumerate(columns):
        widest = max([len(header)] + [len(c[i]) for c in cells])
        widths.append(min(widest, cap))
    # Only descriptive columns give way to a narrow terminal; numbers, CIs and P values are never cut.
    total = shutil.get_terminal_size((200, 24)).columns
    free = [i for i, (header, _, _) in enumerate(columns) if header not in NEVER_CUT]
    while free and sum(widths) + 2 * (len(widths) - 1) > total:
        i = max(free, key=lambda k: widths[k])
        if widths[i] <= 16:
            break
        widths[i] -= 1

    def fit(text: str, width: int) -> str:
        text = text.replace("\n", " ")
        return text if len(text) <= width else text[: width - 1] + "…"

    lines = ["  ".join(h.ljust(w) for (h, _, _), w in zip(columns, widths, strict=False)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(fit(c, w).ljust(w) for c, w in zip(row, widths, strict=False)).rstrip())
    return "\n".join(lines) + "\n"


def effect_value(r: dict[str, Any]) -> str:
    """The number as honestly as it is known: a range as a range, a derived value marked."""
    kind = r["value_kind"]
    if kind == "qualitative":
        return "qualitative"
    if kind == "range":
        text = f"{r['range_low']:.4g}–{r['range_high']:.4g} (range{', derived' if r['derived'] else ''})"
    else:
        text = f"{r['estimate']:.4g}" + (" (derived)" if r["derived"] else "")
    return text


def effect_ci(r: dict[str, Any]) -> str:
    if r["value_kind"] == "qualitative":
        return ""
    if r["ci_lower"] is None and r["ci_upper"] is None:
        return "not reported"
    level = f"{r['ci_level'] * 100:g}% " if r.get("ci_level") and r["ci_level"] != 0.95 else ""
    return f"{level}{_cell(r['ci_lower'])}–{_cell(r['ci_upper'])}"


def effect_direction(r: dict[str, Any]) -> str:
    return r.get("direction_text") or r.get("direction") or ""


def effect_source(r: dict[str, Any]) -> str:
    kind = "" if r.get("source_primary") else f" ({r['source_kind']}, secondary)"
    return f"{r['source']}{kind}: {r['location']}"


EFFECT_TABLE: list[Column] = [
    ("TRAIT", "trait", 34),
    ("COMPARISON", "comparison", 24),
    ("MEASURE", lambda r: r["measure"] or "", 7),
    ("VALUE", effect_value, 40),
    ("95% CI", effect_ci, 14),
    ("P", lambda r: _cell(r["p_value"]) if r["p_value"] is not None else ("" if r["value_kind"] == "qualitative" else "not reported"), 12),
    ("DIRECTION", effect_direction, 32),
    ("DATASET", lambda r: r["dataset"] or r["sample_text"] or "not stated", 26),
    ("SOURCE", effect_source, 60),
]

EFFECT_FIELDS = [
    "id", "study", "finding_key", "trait", "domain", "comparison", "analysis", "measure", "per_unit", "value_kind",
    "derived", "derivation", "estimate", "ci_lower", "ci_upper", "ci_level", "se", "p_value", "q_value", "range_low",
    "range_high", "direction", "direction_text", "reported_text", "n_total", "n_cases", "n_controls", "covariates",
    "dataset", "sample_text", "source", "source_kind", "source_primary", "source_citation", "location", "quote",
    "notes", "curator", "curated_at",
]
