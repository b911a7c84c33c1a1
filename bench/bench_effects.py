"""Benchmark `littrack effects --trait X` on a large synthetic database against a raw-SQL sqlite3 baseline.

Measures, in one run: the query inside the process (littrack.fastread.find_effects, warm, repeated) next to the
same query written by hand with sqlite3; the whole command as a subprocess (wall time); `littrack --help`; and
`python -c pass` as the interpreter's floor. Prints a Markdown table for bench/README.md. See that file for the
figures and how to rerun them. Nothing here is a test: the targets are checked and reported, never asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_effects_db
from benchlib import cpu_model

TARGET_QUERY_RATIO = 2.0
TARGET_COMMAND_S = 0.3
TARGET_HELP_S = 0.1


# -- the raw-SQL baseline: the same statements as `littrack effects --trait X`, by hand, rows fetched as tuples ----
def _pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return "%" + " ".join(escaped.split()).casefold() + "%"


RAW_EFFECTS = """
SELECT e.id, e.finding_key, t.name, t.id, c.name, e.analysis, e.measure, e.per_unit, e.value_kind, e.derived,
       e.derivation, e.estimate, e.ci_lower, e.ci_upper, e.ci_level, e.se, e.p_value, e.p_value_log10, e.q_value,
       e.q_value_log10, e.range_low, e.range_high, e.direction, e.direction_text, e.reported_text, e.n_total,
       e.n_cases, e.n_controls, e.covariates, d.label, e.sample_text, s."key", src."key", src.kind, src.is_primary,
       src.citation, e.location, e.quote, e.notes, e.curator, e.curated_at
FROM effect_sizes AS e
JOIN traits AS t ON t.id = e.exposure_trait_id
JOIN comparisons AS c ON c.id = e.comparison_id
JOIN studies AS s ON s.id = e.study_id
JOIN sources AS src ON src.id = e.source_id
LEFT OUTER JOIN datasets AS d ON d.id = e.dataset_id
WHERE e.exposure_trait_id IN ({ids})
ORDER BY t.name_key, s."key", e.finding_key
"""


def raw_effects(conn: sqlite3.Connection, trait: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Trait match (names, synonyms, groups), the effect rows, and the domains of their traits."""
    p = _pattern(trait)
    ids = [r[0] for r in conn.execute(
        "SELECT id FROM traits WHERE name_key LIKE ? ESCAPE '\\' "
        "UNION SELECT trait_id FROM trait_synonyms WHERE name_key LIKE ? ESCAPE '\\'", (p, p))]
    marks = ",".join("?" * len(ids))
    ids += [r[0] for r in conn.execute(f"SELECT group_id FROM trait_members WHERE member_id IN ({marks})", ids)]
    ids = sorted(set(ids))
    rows = conn.execute(RAW_EFFECTS.format(ids=",".join("?" * len(ids))), ids).fetchall()
    tids = sorted({r[3] for r in rows})
    domains = conn.execute(
        "SELECT l.trait_id, d.name FROM trait_domain_links AS l JOIN trait_domains AS d ON d.id = l.domain_id "
        f"WHERE l.trait_id IN ({','.join('?' * len(tids))}) ORDER BY d.name", tids).fetchall()
    return rows, domains


# -- timing helpers -------------------------------------------------------------------------------------------------
def _timed(fn: Callable[[], Any], min_repeat: int, max_repeat: int, budget_s: float) -> list[float]:
    """Wall times of fn() after one warm-up call: at least min_repeat runs, more while within budget_s."""
    fn()
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < max_repeat and (len(times) < min_repeat or time.perf_counter() - start < budget_s):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def _interleaved(fns: dict[str, Callable[[], Any]], min_repeat: int, max_repeat: int,
                 budget_s: float) -> dict[str, list[float]]:
    """Like _timed for several functions, alternating them so that a busy moment hits all alike."""
    for fn in fns.values():
        fn()
    times: dict[str, list[float]] = {k: [] for k in fns}
    start = time.perf_counter()
    n = 0
    while n < max_repeat and (n < min_repeat or time.perf_counter() - start < budget_s):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t0)
        n += 1
    return times


def _ms(xs: list[float]) -> str:
    return f"{statistics.median(xs) * 1000:.1f}"


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def machine() -> dict[str, str]:
    cpu = cpu_model()
    import sqlalchemy

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=gen_effects_db.ROOT).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True, cwd=gen_effects_db.ROOT).stdout.strip()
        commit += " + uncommitted changes" if dirty else ""
    except OSError:
        commit = "unknown"
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{cpu}, {os.cpu_count()} cores", "os": platform.platform(),
        "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
        "sqlalchemy": sqlalchemy.__version__, "commit": commit,
    }


# -- the benchmark --------------------------------------------------------------------------------------------------
def in_process(path: Path, scenarios: dict[str, str], budget_s: float) -> dict[str, dict[str, Any]]:
    from littrack.db import connect_sqlite, make_engine, make_sessionmaker
    from littrack.fastread import EffectFilter, find_effects

    conn = connect_sqlite(str(path))  # what `littrack effects` uses for a SQLite file
    raw = sqlite3.connect(path)
    engine = make_engine(f"sqlite:///{path}")
    session = make_sessionmaker(engine)()  # what library callers and PostgreSQL use
    out: dict[str, dict[str, Any]] = {}
    for name, trait in scenarios.items():
        f = EffectFilter(trait=trait)
        rows = find_effects(conn, f)
        base_rows, _ = raw_effects(raw, trait)
        same = [r["id"] for r in rows] == [r[0] for r in base_rows] and rows == find_effects(session, f)
        heavy = len(rows) > 5000
        times = _interleaved(
            {"raw": lambda t=trait: raw_effects(raw, t), "littrack": lambda f=f: find_effects(conn, f),
             "session": lambda f=f: find_effects(session, f)},
            min_repeat=5 if heavy else 30, max_repeat=1000, budget_s=budget_s)
        out[name] = {"trait": trait, "rows": len(rows), "traits_matched": len({r["trait_id"] for r in rows}),
                     "same_rows": same, **{k: v for k, v in times.items()}}
    session.close()
    engine.dispose()
    conn.close()
    raw.close()
    return out


def commands(url: str, scenarios: dict[str, str], runs: int, floor: bool = True) -> dict[str, list[float]]:
    """Wall times of whole commands, run round-robin; `floor` adds `python -c pass` and `littrack --help`."""
    exe = str(Path(sys.executable).with_name("littrack"))
    cmds: dict[str, list[str]] = {}
    if floor:
        cmds["python -c pass"] = [sys.executable, "-c", "pass"]
        cmds["littrack --help"] = [exe, "--help"]
    for name, trait in scenarios.items():
        cmds[f"effects {name} (json)"] = [exe, "--db", url, "effects", "--trait", trait, "--format", "json"]
    cmds["effects typical (table)"] = [exe, "--db", url, "effects", "--trait", scenarios["typical"]]
    times: dict[str, list[float]] = {k: [] for k in cmds}
    for i in range(runs + 1):  # the first round warms the OS cache and is dropped
        for name, cmd in cmds.items():
            if "substring" in name and i > max(3, runs // 4):
                continue  # seconds per run: fewer runs
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
            elapsed = time.perf_counter() - t0
            if proc.returncode != 0:
                raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.decode()}")
            if i:
                times[name].append(elapsed)
    return times


def check_output(url: str, path: Path, trait: str) -> bool:
    """The command's JSON is what find_effects returns in process, in the command's fields (checked once, not timed)."""
    from littrack.db import connect_sqlite
    from littrack.fastread import EffectFilter, find_effects
    from littrack.formats import EFFECT_FIELDS

    exe = str(Path(sys.executable).with_name("littrack"))
    out = subprocess.run([exe, "--db", url, "effects", "--trait", trait, "--format", "json"], capture_output=True,
                         check=True).stdout
    conn = connect_sqlite(str(path))
    try:
        rows = [{k: r.get(k) for k in EFFECT_FIELDS} for r in find_effects(conn, EffectFilter(trait=trait))]
        return json.loads(out) == json.loads(json.dumps(rows))
    finally:
        conn.close()


# -- PostgreSQL (optional): the same rows copied into a database that the migrations made -------------------------
def _pg_connect(url: str):  # type: ignore[no-untyped-def]
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return psycopg.connect(host=u.host or "localhost", port=u.port or 5432, user=u.username, password=u.password,
                           dbname=u.database, autocommit=True)


def pg_ensure(admin_url: str, path: Path, meta: dict[str, Any]) -> str:
    """URL of a PostgreSQL copy of the SQLite benchmark database, made once per generated database."""
    from sqlalchemy.engine import make_url

    name = f"effects_bench_{meta['n_effects']}_{meta['seed']}_{meta['migrations'][:8]}"
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    admin = _pg_connect(admin_url)
    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    if exists:
        with _pg_connect(url) as conn:
            if conn.execute("SELECT to_regclass('bench_complete')").fetchone()[0]:
                admin.close()
                return url
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    t0 = time.perf_counter()
    exe = str(Path(sys.executable).with_name("littrack"))
    subprocess.run([exe, "--db", url, "init", "--no-seed"], check=True, capture_output=True)
    src = sqlite3.connect(path)
    tables = [r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                        "AND name NOT LIKE 'sqlite_%' AND name <> 'alembic_version'")]
    with _pg_connect(url) as conn:
        conn.execute("SET session_replication_role = replica")  # rows are copied in any order
        conn.execute("SET TIME ZONE 'UTC'")  # SQLite keeps UTC without a zone
        for table in tables:
            cols = [r[1] for r in src.execute(f"PRAGMA table_info({table})")]
            names = ", ".join(f'"{c}"' for c in cols)
            with conn.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in src.execute(f"SELECT {names} FROM {table}"):
                    copy.write_row(row)
        conn.execute("ANALYZE")
        conn.execute("CREATE TABLE bench_complete (done int)")
    src.close()
    print(f"PostgreSQL copy {name}: {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return url


def pg_raw_effects(conn: Any, trait: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """raw_effects with psycopg: the same statements, %s placeholders."""
    p = _pattern(trait)
    ids = [r[0] for r in conn.execute(
        "SELECT id FROM traits WHERE name_key LIKE %s ESCAPE '\\' "
        "UNION SELECT trait_id FROM trait_synonyms WHERE name_key LIKE %s ESCAPE '\\'", (p, p))]
    marks = ",".join(["%s"] * len(ids))
    ids += [r[0] for r in conn.execute(f"SELECT group_id FROM trait_members WHERE member_id IN ({marks})", ids)]
    ids = sorted(set(ids))
    rows = conn.execute(RAW_EFFECTS.format(ids=",".join(["%s"] * len(ids))), ids).fetchall()
    tids = sorted({r[3] for r in rows})
    domains = conn.execute(
        "SELECT l.trait_id, d.name FROM trait_domain_links AS l JOIN trait_domains AS d ON d.id = l.domain_id "
        f"WHERE l.trait_id IN ({','.join(['%s'] * len(tids))}) ORDER BY d.name", tids).fetchall()
    return rows, domains


def pg_in_process(url: str, scenarios: dict[str, str], budget_s: float) -> dict[str, dict[str, Any]]:
    from littrack.db import make_engine, make_sessionmaker
    from littrack.fastread import EffectFilter, find_effects

    raw = _pg_connect(url)
    engine = make_engine(url)
    session = make_sessionmaker(engine)()
    out: dict[str, dict[str, Any]] = {}
    for name, trait in scenarios.items():
        f = EffectFilter(trait=trait)
        rows = find_effects(session, f)
        base_rows, _ = pg_raw_effects(raw, trait)
        times = _interleaved({"raw": lambda t=trait: pg_raw_effects(raw, t),
                              "littrack": lambda f=f: find_effects(session, f)},
                             min_repeat=5 if len(rows) > 5000 else 30, max_repeat=1000, budget_s=budget_s)
        out[name] = {"trait": trait, "rows": len(rows), "traits_matched": len({r["trait_id"] for r in rows}),
                     "same_rows": [r["id"] for r in rows] == [r[0] for r in base_rows], **times}
    session.close()
    engine.dispose()
    raw.close()
    return out


def pg_report(inproc: dict[str, dict[str, Any]], cmd: dict[str, list[float]]) -> str:
    lines = ["PostgreSQL, same data (query inside the process on a Session; median, milliseconds):", "",
             "| query | rows | raw psycopg | littrack find_effects | ratio | same rows | n |",
             "|---|---:|---:|---:|---:|---|---:|"]
    for name, r in inproc.items():
        ratio = statistics.median(r["littrack"]) / statistics.median(r["raw"])
        lines.append(f"| {name} | {r['rows']:,} | {_ms(r['raw'])} | {_ms(r['littrack'])} | {ratio:.2f}x "
                     f"| {'yes' if r['same_rows'] else '**no**'} | {len(r['raw'])} |")
    lines += ["", "| command (PostgreSQL) | median | min | max | n |", "|---|---:|---:|---:|---:|"]
    for name, xs in cmd.items():
        lines.append(f"| `{name}` | {_ms(xs)} | {min(xs) * 1000:.1f} | {max(xs) * 1000:.1f} | {len(xs)} |")
    return "\n".join(lines) + "\n"


def report(meta: dict[str, Any], env: dict[str, str], inproc: dict[str, dict[str, Any]],
           cmd: dict[str, list[float]], loads: tuple[str, str]) -> str:
    ok = lambda good: "yes" if good else "**no**"
    lines = [
        f"Database: {meta['n_effects']:,} effect sizes, {meta['n_traits']:,} traits ({meta['n_groups']} groups, "
        f"{meta['n_synonyms']:,} synonyms, {meta['n_domains']} domains), {meta['n_studies']:,} studies, "
        f"{meta['n_sources']:,} sources, {meta['n_datasets']:,} data sets (seed {meta['seed']}).",
        f"Machine: {env['cpu']}; {env['os']}; Python {env['python']}, SQLite {env['sqlite']}, "
        f"SQLAlchemy {env['sqlalchemy']}; littrack {env['commit']}; {env['date']}; "
        f"load average (1, 5, 15 min) {loads[0]} before, {loads[1]} after.",
        "",
        "Query inside the process (warm; median of n runs, milliseconds):",
        "",
        "| query | rows | traits | raw sqlite3 | littrack find_effects (CLI path) | ratio | target ≤ 2x "
        "| find_effects on a Session | same rows | n |",
        "|---|---:|---:|---:|---:|---:|---|---:|---|---:|",
    ]
    for name, r in inproc.items():
        ratio = statistics.median(r["littrack"]) / statistics.median(r["raw"])
        lines.append(
            f"| {name}: `--trait \"{r['trait']}\"` | {r['rows']:,} | {r['traits_matched']:,} | {_ms(r['raw'])} "
            f"| {_ms(r['littrack'])} | {ratio:.2f}x | {ok(ratio <= TARGET_QUERY_RATIO)} | {_ms(r['session'])} "
            f"| {ok(r['same_rows'])} | {len(r['raw'])} |")
    lines += [
        "",
        "Whole commands (subprocess wall time, output to /dev/null; median, min and max of n runs, milliseconds):",
        "",
        "| command | median | min | max | target | met | n |",
        "|---|---:|---:|---:|---|---|---:|",
    ]
    for name, xs in cmd.items():
        target = (TARGET_HELP_S if name == "littrack --help"
                  else TARGET_COMMAND_S if name == "effects typical (json)" else None)
        met = "" if target is None else ok(statistics.median(xs) < target)
        lines.append(f"| `{name}` | {_ms(xs)} | {min(xs) * 1000:.1f} | {max(xs) * 1000:.1f} "
                     f"| {'' if target is None else f'< {target * 1000:.0f}'} | {met} | {len(xs)} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--effects", type=int, default=1_000_000, help="effect-size rows (default 1,000,000)")
    ap.add_argument("--traits", type=int, help="traits (default effects / 50)")
    ap.add_argument("--studies", type=int, help="studies (default effects / 20)")
    ap.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    ap.add_argument("--regenerate", action="store_true", help="rebuild the cached database")
    ap.add_argument("--runs", type=int, default=21, help="subprocess runs per command (default 21)")
    ap.add_argument("--budget", type=float, default=3.0, help="seconds of in-process timing per query (default 3)")
    ap.add_argument("--rounds", type=int, default=1, help="repeat everything this often and pool the samples")
    ap.add_argument("--json", type=Path, help="also write the raw timings here")
    ap.add_argument("--pg", metavar="URL", help="also on PostgreSQL: an admin URL such as "
                    "postgresql+psycopg://postgres@127.0.0.1:5432/postgres (the data is copied into a new database)")
    args = ap.parse_args()

    path, meta = gen_effects_db.ensure(args.effects, args.traits, args.studies, args.seed, args.regenerate)
    url = f"sqlite:///{path}"
    scenarios = {"typical": meta["typical_trait"], "heavy": meta["heavy_trait"], "substring": meta["substring"]}
    load_before = _load()
    env = machine()
    print(f"database {path}; load average {load_before}", file=sys.stderr)
    inproc: dict[str, dict[str, Any]] = {}
    cmd: dict[str, list[float]] = {}
    for i in range(args.rounds):  # samples of all rounds are pooled: a busy spell in one round weighs less
        print(f"round {i + 1} of {args.rounds}; load average {_load()}", file=sys.stderr)
        for name, r in in_process(path, scenarios, args.budget).items():
            merged = inproc.setdefault(name, {**r, "raw": [], "littrack": [], "session": []})
            merged["same_rows"] = merged["same_rows"] and r["same_rows"]
            for k in ("raw", "littrack", "session"):
                merged[k] += r[k]
        for name, xs in commands(url, scenarios, args.runs).items():
            cmd.setdefault(name, []).extend(xs)
    same_json = check_output(url, path, scenarios["typical"])
    text = report(meta, env, inproc, cmd, (load_before, _load()))
    if not same_json:
        text += "\n**The command's JSON differs from find_effects in process.**\n"
    results: dict[str, Any] = {"meta": meta, "env": env, "in_process": inproc, "commands": cmd}
    if args.pg:
        pg_url = pg_ensure(args.pg, path, meta)
        results["pg_in_process"] = pg_inproc = pg_in_process(pg_url, scenarios, args.budget)
        results["pg_commands"] = pg_cmd = commands(pg_url, scenarios, max(3, args.runs // 2), floor=False)
        text += "\n" + pg_report(pg_inproc, pg_cmd)
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
