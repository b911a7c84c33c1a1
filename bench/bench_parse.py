"""Benchmark littrack's PubMed parser against pubmed_parser.parse_medline_xml on one file."""

# Each run is a fresh child process, so its peak RSS (ru_maxrss) belongs to one parser only,
# and the parsers alternate across repetitions so that background load hits both alike.
#     .venv/bin/python bench/bench_parse.py                  # 30,000 synthetic records
#     .venv/bin/python bench/bench_parse.py --file pubmed25n0001.xml.gz --repeat 5

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import add_file_options, file_from, machine_line

HERE = Path(__file__).resolve().parent
PARSERS = ("littrack", "pubmed_parser")
# --matching adds pubmed_parser asked for what littrack extracts (not the target's reference, which is the
# default call): authors as a list with their affiliations, MeSH qualifiers and major flags, the abstract's
# section labels, full publication dates.
MATCHING = "pubmed_parser_matching"
MATCHING_OPTIONS = {"author_list": True, "nlm_category": True, "parse_downto_mesh_subterms": True,
                    "year_info_only": False}
LABELS = {
    "littrack": "littrack `iter_pubmed`",
    "pubmed_parser": "pubmed_parser `parse_medline_xml` (default call: the reference)",
    MATCHING: "pubmed_parser `parse_medline_xml` with matching options",
}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # all threads of this process
    return usage.ru_utime + usage.ru_stime


def _child(parser: str, path: str) -> None:
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if parser == "littrack":
        from littrack.pubmed.parse import iter_pubmed

        start, cpu = time.perf_counter(), _cpu()
        count = sum(1 for _ in iter_pubmed(path))
    else:
        import pubmed_parser

        options = MATCHING_OPTIONS if parser == MATCHING else {}
        start, cpu = time.perf_counter(), _cpu()
        count = sum(1 for _ in pubmed_parser.parse_medline_xml(path, **options))
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"records": count, "seconds": seconds, "cpu": cpu, "peak_kib": peak, "start_kib": rss_before}))


def _run(parser: str, path: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", parser, str(path)],
        check=True, capture_output=True, text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    add_file_options(ap)
    ap.add_argument("--repeat", type=int, default=3, help="runs per parser (default 3)")
    ap.add_argument("--matching", action="store_true",
                    help="also time pubmed_parser with options extracting what littrack extracts (information)")
    ap.add_argument("--child", nargs=2, metavar=("PARSER", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(*args.child)
        return

    path = file_from(args)
    with open(path, "rb") as f:
        gzipped = f.read(2) == b"\x1f\x8b"
    if not gzipped:  # pubmed_parser.parse_medline_xml opens its input with gzip.open
        packed = HERE / "out" / (path.name + ".gz")
        if not packed.exists():
            packed.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "rb") as src, gzip.open(packed, "wb") as dst:
                shutil.copyfileobj(src, dst)
        path = packed
    print(f"file: {path} ({path.stat().st_size / 2**20:.1f} MiB on disk)", file=sys.stderr)

    parsers = (*PARSERS, *((MATCHING,) if args.matching else ()))
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in parsers}
    load_before = os.getloadavg()[0]
    for i in range(args.repeat):
        for name in parsers if i % 2 == 0 else reversed(parsers):
            result = _run(name, path)
            runs[name].append(result)
            print(f"  run {i + 1} {name}: {result['seconds']:.2f} s wall, {result['cpu']:.2f} s CPU, "
                  f"{result['records']} records", file=sys.stderr)
    load_after = os.getloadavg()[0]

    counts = {name: {r["records"] for r in results} for name, results in runs.items()}
    best = {name: min(r["seconds"] for r in results) for name, results in runs.items()}
    median = {name: statistics.median(r["seconds"] for r in results) for name, results in runs.items()}
    cpu = {name: min(r["cpu"] for r in results) for name, results in runs.items()}
    print(f"\nMachine: {machine_line()}; load average {load_before:.2f} before, {load_after:.2f} after.")
    print(f"File: `{path.name}`, {next(iter(counts['littrack']))} records, best and median of {args.repeat} runs.\n")
    print("| parser | records | best wall s | median wall s | best CPU s | records/s (best wall) "
          "| peak RSS MiB (of which before parsing) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in parsers:
        results = runs[name]
        n = next(iter(counts[name]))
        peak = max(r["peak_kib"] for r in results) / 1024
        start = max(r["start_kib"] for r in results) / 1024
        print(f"| {LABELS[name]} | {n} | {best[name]:.2f} | {median[name]:.2f} | {cpu[name]:.2f} | {n / best[name]:,.0f} "
              f"| {peak:.1f} ({start:.1f}) |")
    print(f"\nSpeed ratio littrack / pubmed_parser: {best['pubmed_parser'] / best['littrack']:.2f}x (best wall), "
          f"{median['pubmed_parser'] / median['littrack']:.2f}x (median wall), "
          f"{cpu['pubmed_parser'] / cpu['littrack']:.2f}x (best CPU).")
    if args.matching:
        print(f"With matching options: {best[MATCHING] / best['littrack']:.2f}x (best wall), "
              f"{median[MATCHING] / median['littrack']:.2f}x (median wall), {cpu[MATCHING] / cpu['littrack']:.2f}x (best CPU).")
    if len({next(iter(c)) for c in counts.values()}) != 1:
        print(f"\nWARNING: record counts differ: {counts}")


if __name__ == "__main__":
    main()
