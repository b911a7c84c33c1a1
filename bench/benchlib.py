"""Helpers shared by the benchmark scripts: the machine's description and the PubMed file to measure."""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine_line() -> str:
    return f"{cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def synth_file(records: int, seed: int, indented: bool = False) -> Path:
    """bench/out/synth_<records>_seed<seed>[_indented].xml.gz, generated on first use."""
    from pubmed_synth import write_pubmed_file

    path = HERE / "out" / f"synth_{records}_seed{seed}{'_indented' if indented else ''}.xml.gz"
    if not path.exists():
        print(f"generating {path} ...", file=sys.stderr)
        write_pubmed_file(path, records, seed=seed, indented=indented)
    return path


def add_file_options(ap: argparse.ArgumentParser) -> None:
    """--file, or the synthetic file's --records, --seed and --indented."""
    ap.add_argument("--file", type=Path, help="a PubMed XML(.gz) file; default: a cached synthetic one")
    ap.add_argument("--records", type=int, default=30_000, help="synthetic records (default 30000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--indented", action="store_true",
                    help="synthetic records indented one element a line (today's EFetch form), not compact")


def file_from(args: argparse.Namespace) -> Path:
    """The file add_file_options' arguments name."""
    return args.file or synth_file(args.records, args.seed, args.indented)
