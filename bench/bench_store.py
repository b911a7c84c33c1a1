"""Benchmark parsing + storing PubMed XML: records/s and peak memory on SQLite and PostgreSQL.

Each run is a fresh child process on a fresh, migrated database (migration not timed), so peak RSS
(ru_maxrss) belongs to that run alone. The file is read with littrack's streaming parser and stored
with `upsert_records` in transactions of --batch records (a refresh commits per EFetch batch of 200;
never record by record). "parse only" is the same loop without the database, for reference; "store
again" stores the same file into the filled database (every record unchanged: the rerun path). The time
spent in `upsert_records` and the commits is also reported on its own ("of which storing"). By default
the records come from `parse_in_background` (a parser process overlapping with the store); `--parser
inline` parses in the storing process, as before. "parse only" is always inline.

    .venv/bin/python bench/bench_store.py                       # 30,000 synthetic records, both engines
    .venv/bin/python bench/bench_store.py --engines sqlite --repeat 5
    .venv/bin/python bench/bench_store.py --parser inline       # parse in the storing process
    .venv/bin/python bench/bench_store.py --pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import add_file_options, file_from, machine_line

HERE = Path(__file__).resolve().parent
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TARGETS = {"sqlite": 3000, "postgresql": 2000}


def _batches(items, size):  # type: ignore[no-untyped-def]
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch


def _peak_kib() -> int:
    """This process's peak RSS. Not ru_maxrss: Linux carries that over from the parent across exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _child(mode: str, path: str, url: str, batch: int, parser: str) -> None:
    from littrack.pubmed.parse import iter_pubmed
    from littrack.pubmed.pipeline import parse_in_background

    def batches():  # type: ignore[no-untyped-def]
        if parser == "background":
            return parse_in_background(path, batch)
        return _batches(iter_pubmed(path), batch)

    start_kib = _peak_kib()
    store_seconds = 0.0
    if mode == "parse":
        start = time.perf_counter()
        count = sum(len(b) for b in _batches(iter_pubmed(path), batch))  # always in this process: the reference
        seconds = time.perf_counter() - start
    else:
        from sqlalchemy import func, select, text

        from littrack.db import make_engine, make_sessionmaker
        from littrack.pubmed.store import upsert_records

        engine = make_engine(url)
        factory = make_sessionmaker(engine)
        passes = 2 if mode == "again" else 1
        counts = {"new": 0, "updated": 0, "unchanged": 0}
        for i in range(passes):
            start = time.perf_counter()
            count = 0
            store_seconds = 0.0
            for records in batches():
                t0 = time.perf_counter()
                with factory.begin() as session:
                    result = upsert_records(session, records)
                store_seconds += time.perf_counter() - t0
                count += len(records)
                if i == passes - 1:
                    for key in counts:
                        counts[key] += getattr(result, key)
            seconds = time.perf_counter() - start
        with engine.connect() as conn:
            stored = conn.scalar(select(func.count()).select_from(text("publications")))
            authors = conn.scalar(select(func.count()).select_from(text("publication_authors")))
            mesh = conn.scalar(select(func.count()).select_from(text("publication_mesh")))
        engine.dispose()
        assert stored == count, (stored, count)
        print(json.dumps({"counts": counts, "authors": authors, "mesh": mesh}), file=sys.stderr)
    peak_kib = _peak_kib()
    # The parser process's peak (ru_maxrss of the waited-for children; spawn execs a fresh interpreter).
    child_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if parser == "background" and mode != "parse" else 0
    print(json.dumps({"records": count, "child_peak_kib": child_kib, "seconds": seconds, "store_seconds": store_seconds if mode != "parse" else 0,
                      "peak_kib": peak_kib, "start_kib": start_kib}))


def _fresh_db(engine_name: str, pg_admin: str, tmp: Path) -> tuple[str, object]:
    """A migrated, empty database; returns its URL and a cleanup callable."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from littrack import migrate
    from littrack.db import make_engine

    name = f"lt_bench_{uuid.uuid4().hex[:10]}"
    if engine_name == "sqlite":
        url = f"sqlite:///{tmp / (name + '.db')}"

        def cleanup() -> None:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(tmp / (name + ".db")) + suffix).unlink(missing_ok=True)
    else:
        admin = make_engine(pg_admin, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(pg_admin).set(database=name).render_as_string(hide_password=False)

        def cleanup() -> None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return url, cleanup


def _run(mode: str, path: Path, url: str, batch: int, parser: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, __file__, "--child", mode, str(path), url, str(batch), parser],
                          check=True, capture_output=True, text=True)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    if done.stderr.strip():
        out["detail"] = json.loads(done.stderr.strip().splitlines()[-1])
    return out


def _versions(pg_admin: str, engines: list[str]) -> str:
    import sqlite3

    import sqlalchemy

    parts = [f"SQLAlchemy {sqlalchemy.__version__}", f"SQLite {sqlite3.sqlite_version}"]
    if "postgresql" in engines:
        import psycopg
        from sqlalchemy import text

        from littrack.db import make_engine

        engine = make_engine(pg_admin)
        with engine.connect() as conn:
            parts.append(f"PostgreSQL {conn.execute(text('SHOW server_version')).scalar()}")
        engine.dispose()
        parts.append(f"psycopg {psycopg.__version__}")
    return ", ".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_file_options(ap)
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement (default 3; median reported)")
    ap.add_argument("--batch", type=int, default=200, help="records per transaction (default 200, as a refresh)")
    ap.add_argument("--engines", default="sqlite,postgresql")
    ap.add_argument("--pg-url", default=os.environ.get("LITTRACK_BENCH_PG_URL", DEFAULT_PG),
                    help="a PostgreSQL URL whose user may create databases")
    ap.add_argument("--no-again", action="store_true", help="skip the 'store again' (all unchanged) runs")
    ap.add_argument("--parser", choices=("background", "inline"), default="background",
                    help="background (default): parse_in_background, a child process parses while this one stores; "
                         "inline: iter_pubmed in the storing process")
    ap.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        mode, path, url, batch, parser = args.child
        _child(mode, path, url, int(batch), parser)
        return

    path = file_from(args)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    print(f"file: {path} ({path.stat().st_size / 2**20:.1f} MiB on disk)", file=sys.stderr)

    modes = [("parse", "-")] + [("store", e) for e in engines] + ([] if args.no_again else [("again", e) for e in engines])
    runs: dict[tuple[str, str], list[dict[str, float]]] = {m: [] for m in modes}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="lt_bench_", dir=HERE / "out") as tmp:
        for i in range(args.repeat):
            for mode, engine_name in modes if i % 2 == 0 else list(reversed(modes)):
                if mode == "parse":
                    result = _run(mode, path, "-", args.batch, args.parser)
                else:
                    url, cleanup = _fresh_db(engine_name, args.pg_url, Path(tmp))
                    try:
                        result = _run(mode, path, url, args.batch, args.parser)
                    finally:
                        cleanup()  # type: ignore[operator]
                runs[(mode, engine_name)].append(result)
                print(f"  run {i + 1} {mode} {engine_name}: {result['seconds']:.2f} s, {result['records']} records, "
                      f"peak {result['peak_kib'] / 1024:.0f} MiB {result.get('detail', '')}", file=sys.stderr)
    load_after = os.getloadavg()[0]

    n = runs[("parse", "-")][0]["records"]
    print(f"Machine: {machine_line()}; {_versions(args.pg_url, engines)}; load average {load_before:.2f} before, "
          f"{load_after:.2f} after.")
    print(f"File: `{path.name}`, {n} records ({path.stat().st_size / 2**20:.0f} MiB gzip); {args.batch} records per "
          f"transaction; parser: {args.parser}; median (best) of {args.repeat} runs, each in a fresh process on a fresh "
          "database.\n")
    print("| what | engine | median s | best s | records/s (median) | target | of which storing: s, records/s "
          "| peak RSS MiB (at start) | parser process peak MiB |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    labels = {"parse": "parse only", "store": "parse + store (new)", "again": "parse + store again (unchanged)"}
    for (mode, engine_name), results in runs.items():
        seconds = [r["seconds"] for r in results]
        median = statistics.median(seconds)
        peak = max(r["peak_kib"] for r in results) / 1024
        start = max(r["start_kib"] for r in results) / 1024
        child = max(r.get("child_peak_kib", 0) for r in results) / 1024
        target = f"{TARGETS[engine_name]:,}" if mode == "store" else ""
        storing = statistics.median(r["store_seconds"] for r in results)
        part = f"{storing:.2f}, {n / storing:,.0f}" if storing else ""
        print(f"| {labels[mode]} | {engine_name if engine_name != '-' else ''} | {median:.2f} | {min(seconds):.2f} | "
              f"{n / median:,.0f} | {target} | {part} | {peak:.1f} ({start:.1f}) | {f'{child:.1f}' if child else ''} |")


if __name__ == "__main__":
    main()
