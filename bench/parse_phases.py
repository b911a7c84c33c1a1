"""Where littrack's PubMed parse spends its time per record: split, find the blocks to skip, ElementTree, build."""

# In process, on the first --head records of a file held in memory (no gunzip), each phase added to the
# previous ones, rounds interleaved.
# --once parses once and prints nothing: for instruction counts,
#     valgrind --tool=callgrind .venv/bin/python bench/parse_phases.py --indented --head 1000 --once
#     .venv/bin/python bench/parse_phases.py --indented            # µs a record, phase by phase

from __future__ import annotations

import argparse
import sys
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import add_file_options, file_from

from littrack.pubmed import parse
from littrack.pubmed.extract import FROM_ELEMENT
from littrack.pubmed.source import open_source

PHASES = ("split", "find the blocks to skip", "ElementTree parse", "build the records")


def head_of(path: Path, records: int) -> bytes:
    """The first `records` PubmedArticles of path (gzip or not) as a document."""
    raw = path.read_bytes()
    data = zlib.decompressobj(wbits=31).decompress(raw, 400 << 20) if raw[:2] == b"\x1f\x8b" else raw
    end = 0
    for _ in range(records):
        found = data.find(b"</PubmedArticle>", end)
        if found < 0:
            break
        end = found + len(b"</PubmedArticle>")
    return data[:end] + b"\n</PubmedArticleSet>\n"


def run(document: bytes, phases: int) -> int:
    parser = parse._RecordParser()
    count = 0
    # as iter_pubmed splits bytes: newlines counted only should an error need a line number
    for fragment, _start, kind in parse._Splitter([document], lambda: open_source(document)):
        if phases >= 2:
            cuts, entrez = parse._cuts(fragment, kind)
        if phases >= 3:
            element = parser.parse(fragment, cuts)
        if phases >= 4:
            build = parse._BUILDERS[element.tag]
            build(element) if entrez is FROM_ELEMENT else build(element, entrez)
        count += 1
    return count


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    add_file_options(ap)
    ap.add_argument("--head", type=int, default=3000, help="records of the file to time (default 3000)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--once", action="store_true", help="parse once, print nothing (for callgrind)")
    args = ap.parse_args()
    document = head_of(file_from(args), args.head)
    if args.once:
        list(parse.iter_pubmed(document))
        return
    for _ in range(args.rounds):
        before, cells = 0.0, []
        for phases in range(1, len(PHASES) + 1):
            start = time.perf_counter()
            count = run(document, phases)
            total = (time.perf_counter() - start) / count * 1e6
            cells.append(f"{PHASES[phases - 1]} +{total - before:.1f}")
            before = total
        print(f"{count} records, µs a record: " + ", ".join(cells) + f"; total {before:.1f}")


if __name__ == "__main__":
    main()
