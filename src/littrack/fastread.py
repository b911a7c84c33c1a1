"""The fast read path: `littrack effects` as plain SQL, run on a SQLAlchemy session or a bare sqlite3 connection.

On a plain SQLite file the command runs these statements on a bare sqlite3 connection and imports no SQLAlchemy
(bench/README.md); on any other database the same SQL runs through a Session. tests/test_fast_read.py checks
that both give the same rows, and that they equal the same query built through the ORM.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Union, cast

from littrack.errors import NotFound
from littrack.values import iso, probability_from_columns
from littrack.vocab import MEASURES, name_key

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session

# What the read queries run on: a session (any engine) or, for a SQLite file, a plain sqlite3 connection.
Reader = Union["Session", "Connection", sqlite3.Connection]

SORTS = ("trait", "estimate", "p", "study", "comparison", "curated")


@dataclass
class EffectFilter:
    trait: str | None = None
    domain: str | None = None
    comparison: str | None = None
    measure: str | None = None
    study: str | None = None
    direction: str | None = None
    min_estimate: float | None = None
    max_estimate: float | None = None
    reported_only: bool = False
    sort: str = "trait"


def fetch_all(db: Reader, sql: str, params: dict[str, Any] | None = None) -> list[Sequence[Any]]:
    """All rows of `sql` (named `:param` placeholders), as the driver returns them."""
    if isinstance(db, sqlite3.Connection):
        return db.execute(sql, params or {}).fetchall()
    from sqlalchemy import text

    # Rows behave as tuples (SQLAlchemy 2.1); the stubs do not say a Row is a Sequence.
    return cast("list[Sequence[Any]]", db.execute(text(sql), params or {}).all())


_MAX_BOUND = 1000


def _in(ids: Iterable[int], params: dict[str, Any], name: str) -> str:
    """An IN list of ids as bound parameters `name0, name1, ...` added to `params` (PostgreSQL plans these
    better than literals); past _MAX_BOUND ids inlined, so that no engine's parameter limit is reached."""
    values = [int(i) for i in ids]
    if len(values) > _MAX_BOUND:
        return ", ".join(map(str, values))
    params.update({f"{name}{k}": v for k, v in enumerate(values)})
    return ", ".join(f":{name}{k}" for k in range(len(values)))


def _not_found(what: str, text: str, names: Iterable[str], then: str = "") -> NotFound:
    from littrack.suggest import unknown  # only on an error: the common path spares the import

    return NotFound(unknown(what, text, names, then))


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{name_key(escaped)}%"


def match_traits(db: Reader, text: str) -> list[int]:
    """Ids of traits whose name or a synonym contains `text`, and of groups holding such a trait."""
    rows = fetch_all(db, "SELECT traits.id FROM traits WHERE traits.name_key LIKE :p ESCAPE '\\' UNION "
                     "SELECT trait_synonyms.trait_id FROM trait_synonyms WHERE trait_synonyms.name_key LIKE :p ESCAPE '\\'",
                 {"p": _like(text)})
    ids = {r[0] for r in rows}
    if not ids:
        names = [r[0] for r in fetch_all(db, "SELECT traits.name FROM traits")]
        names += [r[0] for r in fetch_all(db, "SELECT trait_synonyms.name FROM trait_synonyms")]
        raise _not_found("trait", text, names, "see `littrack traits`")
    params: dict[str, Any] = {}
    groups = fetch_all(db, "SELECT trait_members.group_id FROM trait_members"
                       f" WHERE trait_members.member_id IN ({_in(ids, params, 'm')})", params)
    return sorted(ids | {r[0] for r in groups})


def resolve_domain(db: Reader, text: str) -> list[int]:
    exact = [r[0] for r in fetch_all(db, "SELECT trait_domains.id FROM trait_domains WHERE trait_domains.name_key = :k",
                                 {"k": name_key(text)})]
    if exact:
        return exact
    ids = [r[0] for r in fetch_all(db, "SELECT trait_domains.id FROM trait_domains "
                                   "WHERE trait_domains.name_key LIKE :p ESCAPE '\\'", {"p": _like(text)})]
    if not ids:
        names = [r[0] for r in fetch_all(db, "SELECT trait_domains.name FROM trait_domains")]
        raise _not_found("domain", text, names, "see `littrack traits`")
    return ids


def resolve_comparison(db: Reader, text: str) -> list[int]:
    names = {n: i for n, i in fetch_all(db, "SELECT comparisons.name, comparisons.id FROM comparisons")}
    exact = [i for n, i in names.items() if name_key(n) == name_key(text)]
    if exact:
        return exact
    partial = [i for n, i in names.items() if name_key(text) in name_key(n)]
    if not partial:
        raise _not_found("comparison", text, names)
    return partial


def _study_id(db: Reader, key: str) -> int:
    rows = fetch_all(db, 'SELECT studies.id FROM studies WHERE studies."key" = :k', {"k": key})
    if not rows:
        keys = [r[0] for r in fetch_all(db, 'SELECT studies."key" FROM studies')]
        raise _not_found("study", key, keys, "see `littrack studies`")
    return int(rows[0][0])


def resolve_measure(text: str) -> str:
    for m in MEASURES:
        if m.casefold() == text.casefold():
            return m
    raise _not_found("measure", text, MEASURES, "use one of " + ", ".join(MEASURES))


# (key in the returned rows, SQL) in the order find_effects returns them.
EFFECT_COLUMNS = [
    ("id", "effect_sizes.id"), ("finding_key", "effect_sizes.finding_key"), ("trait", "traits_1.name"),
    ("trait_id", "traits_1.id"), ("comparison", "comparisons.name"),
    *((c, f"effect_sizes.{c}") for c in (
        "analysis", "measure", "per_unit", "value_kind", "derived", "derivation", "estimate", "ci_lower", "ci_upper",
        "ci_level", "se", "p_value", "p_value_log10", "q_value", "q_value_log10", "range_low", "range_high",
        "direction", "direction_text", "reported_text", "n_total", "n_cases", "n_controls", "covariates")),
    ("dataset", "datasets.label"), ("sample_text", "effect_sizes.sample_text"), ("study", 'studies."key"'),
    ("source", 'sources."key"'), ("source_kind", "sources.kind"), ("source_primary", "sources.is_primary"),
    ("source_citation", "sources.citation"),
    *((c, f"effect_sizes.{c}") for c in ("location", "quote", "notes", "curator", "curated_at")),
]
_SELECT = (
    "SELECT " + ", ".join(sql for _, sql in EFFECT_COLUMNS) + " FROM effect_sizes"
    " JOIN traits AS traits_1 ON traits_1.id = effect_sizes.exposure_trait_id"
    " JOIN comparisons ON comparisons.id = effect_sizes.comparison_id"
    " JOIN studies ON studies.id = effect_sizes.study_id"
    " JOIN sources ON sources.id = effect_sizes.source_id"
    " LEFT OUTER JOIN datasets ON datasets.id = effect_sizes.dataset_id"
)
# Each order ends on a unique key, so that equal rows come out in one order on every engine and every plan.
_ORDER = {
    "trait": "traits_1.name_key, studies.\"key\", effect_sizes.finding_key",
    "estimate": "coalesce(effect_sizes.estimate, effect_sizes.range_low) DESC, traits_1.name_key,"
                " effect_sizes.finding_key, effect_sizes.id",
    "p": "coalesce(effect_sizes.p_value_log10, 1.0), traits_1.name_key, effect_sizes.finding_key, effect_sizes.id",
    "study": "studies.\"key\", effect_sizes.finding_key",
    "comparison": "comparisons.name, traits_1.name_key, effect_sizes.finding_key, effect_sizes.id",
    "curated": "effect_sizes.curated_at DESC, effect_sizes.id",
}


def effects_sql(db: Reader, f: EffectFilter) -> tuple[str, dict[str, Any]]:
    """The SELECT behind `littrack effects` and its parameters; names are resolved first so unknown ones are errors."""
    where: list[str] = []
    params: dict[str, Any] = {}
    if f.trait:
        where.append(f"effect_sizes.exposure_trait_id IN ({_in(match_traits(db, f.trait), params, 't')})")
    if f.domain:
        where.append("effect_sizes.exposure_trait_id IN (SELECT trait_domain_links.trait_id FROM trait_domain_links"
                     f" WHERE trait_domain_links.domain_id IN ({_in(resolve_domain(db, f.domain), params, 'd')}))")
    if f.comparison:
        where.append(f"effect_sizes.comparison_id IN ({_in(resolve_comparison(db, f.comparison), params, 'c')})")
    if f.measure:
        where.append("effect_sizes.measure = :measure")
        params["measure"] = resolve_measure(f.measure)
    if f.study:
        where.append("effect_sizes.study_id = :study_id")
        params["study_id"] = _study_id(db, f.study)
    if f.direction:
        where.append("effect_sizes.direction = :direction")
        params["direction"] = f.direction
    # A range row passes an estimate bound when any part of its range does.
    if f.min_estimate is not None:
        where.append("(effect_sizes.estimate >= :min_estimate OR effect_sizes.range_high >= :min_estimate)")
        params["min_estimate"] = f.min_estimate
    if f.max_estimate is not None:
        where.append("(effect_sizes.estimate <= :max_estimate OR effect_sizes.range_low <= :max_estimate)")
        params["max_estimate"] = f.max_estimate
    if f.reported_only:
        where.append("effect_sizes.value_kind = 'reported' AND NOT effect_sizes.derived")
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY " + _ORDER[f.sort]
    return sql, params


def trait_domains(db: Reader, trait_ids: set[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    if not trait_ids:
        return out
    params: dict[str, Any] = {}
    rows = fetch_all(db, "SELECT trait_domain_links.trait_id, trait_domains.name FROM trait_domain_links"
                     " JOIN trait_domains ON trait_domains.id = trait_domain_links.domain_id"
                     f" WHERE trait_domain_links.trait_id IN ({_in(trait_ids, params, 't')}) ORDER BY trait_domains.name",
                 params)
    for tid, name in rows:
        out[tid].append(name)
    return out


def _utc_iso(value: dt.datetime | str | None) -> str | None:
    """A stored time as ISO 8601 in UTC, as littrack.models.base.UTCDateTime reads it (SQLite keeps text, no zone)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return iso(value, exact=True, utc="+00:00")


def _probability(value: float | None, log10: float | None) -> float | str | None:
    """A p or q value for output: the number, or its text when it underflows a double."""
    if value is not None:
        return value
    p = probability_from_columns(value, log10)
    return None if p is None else p.text


def find_effects(db: Reader, f: EffectFilter) -> list[dict[str, Any]]:
    """Effect rows as plain dicts, one per effect size, with provenance."""
    sql, params = effects_sql(db, f)
    keys = [k for k, _ in EFFECT_COLUMNS]
    rows = [dict(zip(keys, r, strict=False)) for r in fetch_all(db, sql, params)]
    domains = {tid: "; ".join(names) or None for tid, names in trait_domains(db, {r["trait_id"] for r in rows}).items()}
    for r in rows:
        r["derived"] = bool(r["derived"])  # SQLite stores booleans as 0/1
        r["source_primary"] = bool(r["source_primary"])
        r["domain"] = domains.get(r["trait_id"])
        p = _probability(r.pop("p_value"), r.pop("p_value_log10"))
        q = _probability(r.pop("q_value"), r.pop("q_value_log10"))
        r["p_value"] = p
        r["q_value"] = q
        r["curated_at"] = _utc_iso(r["curated_at"])
    return rows


def open_sqlite(path: str) -> tuple[sqlite3.Connection, bool]:
    """A bare connection to a SQLite file, set up as an engine's would be, and whether its schema is at this
    littrack's head (when not, the caller runs the full check through Alembic, which says what is wrong)."""
    from littrack.db import connect_sqlite
    from littrack.migrate import VERSION_QUERY, at_head

    conn = connect_sqlite(path)
    try:
        rows = conn.execute(VERSION_QUERY).fetchall()
    except sqlite3.OperationalError:  # no alembic_version table
        rows = None
    except BaseException:
        conn.close()
        raise
    return conn, at_head(rows)
