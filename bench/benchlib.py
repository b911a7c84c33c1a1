"""Helpers shared by the benchmark scripts: the machine's description and the cached synthetic PubMed file."""

from __future__ import annotations

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
