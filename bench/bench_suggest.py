"""Time nearest-name suggestions on the effects benchmark's trait names: difflib (before) against rapidfuzz.

The names are those of `gen_effects_db.py`'s database (20,000 traits and ~7,600 synonyms such as "Insomnia
(UKB, European ancestry, males)"), made in memory without building the database. Each query is timed
warm (modules imported, one call first), median of --runs calls of each function, the two in turn.
    .venv/bin/python bench/bench_suggest.py
    .venv/bin/python bench/bench_suggest.py --runs 20 insomina depresion "body mass indx"
"""

from __future__ import annotations

import argparse
import difflib
import platform
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import cpu_model
from gen_effects_db import Generator

from littrack import __version__
from littrack.suggest import nearest

QUERIES = ["insomina", "depresion", "Body mass indx", "chronotyp (ukb)", "schizofrenia", "xyzzy"]


def difflib_nearest(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """littrack's suggestions before rapidfuzz (suggest.py at a740ad7), kept here as the baseline."""
    names = sorted(set(candidates))
    folded = {c.casefold(): c for c in names}
    key = name.casefold()
    picks = [folded[c] for c in difflib.get_close_matches(key, list(folded), n=n, cutoff=0.5)]
    for c in names:
        if len(picks) >= n:
            break
        if c not in picks and (key in c.casefold() or any(w in c.casefold() for w in key.split() if len(w) > 3)):
            picks.append(c)
    return picks[:n]


def bench_names(traits: int = 20_000, seed: int = 0) -> list[str]:
    """Trait names and synonyms exactly as gen_effects_db.py writes them (same generator, same seed)."""
    conn = sqlite3.connect(":memory:")
    for table, cols in [("trait_domains", "id, name, name_key, description"),
                        ("traits", "id, name, name_key, kind, ontology_id, description"),
                        ("trait_domain_links", "trait_id, domain_id"), ("trait_members", "group_id, member_id"),
                        ("trait_synonyms", "id, trait_id, name, name_key")]:
        conn.execute(f"CREATE TABLE {table} ({cols})")
    Generator(effects=traits * 50, traits=traits, studies=traits * 50 // 20, seed=seed).traits(conn)
    names = [r[0] for r in conn.execute("SELECT name FROM traits UNION ALL SELECT name FROM trait_synonyms")]
    conn.close()
    return names


def timed(fns: list[Callable[[], object]], runs: int) -> list[float]:
    """Median seconds of each function, called in turn so that background load hits them alike."""
    samples: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for fn, out in zip(fns, samples, strict=True):
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
    return [statistics.median(s) for s in samples]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("queries", nargs="*", default=QUERIES, help="names to look up (default: a few typos)")
    ap.add_argument("--runs", type=int, default=7, help="timed calls per query and function (median; default 7)")
    args = ap.parse_args()
    names = bench_names()
    print(f"Machine: {cpu_model()}, Python {platform.python_version()}, littrack {__version__}")
    print(f"{len(names):,} names (traits and synonyms of the effects benchmark's database)\n")
    nearest("warm-up", names)  # imports rapidfuzz
    print("| query | difflib ms | rapidfuzz ms | speed-up | difflib suggests | rapidfuzz suggests |")
    print("|---|---:|---:|---:|---|---|")
    for q in args.queries:
        before, after = difflib_nearest(q, names), nearest(q, names)
        t_before, t_after = timed([partial(difflib_nearest, q, names), partial(nearest, q, names)], args.runs)
        print(f"| {q} | {t_before * 1000:.0f} | {t_after * 1000:.1f} | {t_before / t_after:.0f}x | "
              f"{'; '.join(before) or '(none)'} | {'; '.join(after) or '(none)'} |")


if __name__ == "__main__":
    main()
