"""The one message for a name littrack does not know, with the nearest known names (traits, domains, studies …)."""

from __future__ import annotations

from collections.abc import Iterable

from littrack.values import show_value
from littrack.vocab import name_key

# Scores are rapidfuzz's, 0-100, on names folded by its default_process (lower case, punctuation as spaces).
# First the names like the whole of what was typed (ratio at least 65: "insomina" / "Insomnia" 87.5, "xu2025" /
# "xu2025_trd" 75, "Replication" / "Discovery" 30); only when none is, the names holding something like it
# (partial_ratio, the best window of the longer name, at least 75: "insomina" / "Insomnia (UKB, European
# ancestry, males)" 87.5, "Sleep patterns" / "Sleep" 100; two letters in common at an edge score 66.7), the
# shortest first. Both run in C: ~20 ms over 27,600 names (bench/bench_suggest.py).
WHOLE = 65.0
PART = 75.0
# A part shorter than this matches by chance: the measure "r" is a part of most words.
MIN_PART = 4
# Only names about as near as the best: "Neuroticism" (95.2) for "neuroticsm", not also "Specific
# neuroticism" (66.7).
MARGIN = 5.0
LIMIT = 3


def nearest(name: str, candidates: Iterable[str], n: int = LIMIT) -> list[str]:
    """Up to `n` known names closest to `name`, best first; equal scores shortest, then alphabetical, first."""
    names = [c for c in dict.fromkeys(candidates) if c]
    if not names or not name.strip():
        return []
    # Imported here: only an unknown name pays for it, not `littrack effects` or `--help`.
    from rapidfuzz import fuzz, process, utils

    short = len(utils.default_process(name))
    for scorer, cutoff, part in ((fuzz.ratio, WHOLE, 0), (fuzz.partial_ratio, PART, MIN_PART)):
        found = [hit for hit in process.extract(name, names, scorer=scorer, processor=utils.default_process,
                                                score_cutoff=cutoff, limit=None)
                 if min(short, len(utils.default_process(hit[0]))) >= part]
        if found:
            break
    found.sort(key=lambda hit: (-hit[1], len(hit[0]), hit[0]))
    picks: list[str] = []
    seen: set[str] = set()
    for hit in found:
        if hit[1] < found[0][1] - MARGIN or len(picks) == n:
            break
        if name_key(hit[0]) not in seen:  # names differing only in case or spaces: one suggestion
            seen.add(name_key(hit[0]))
            picks.append(hit[0])
    return picks


def unknown(what: str, value: str, candidates: Iterable[str], then: str = "", *, problem: bool = False) -> str:
    """The message for a `value` that names no known `what`: the nearest of `candidates`, then what to do next.

    A command's error: "unknown trait 'insomina'; nearest: Insomnia; see `littrack traits`". In a problem line
    (`problem=True`, after a `file:row:field: ` prefix) the value comes last, as in every problem line:
    "unknown trait; nearest: Insomnia; declare it in study.toml [[traits]] (insomina)".
    """
    picks = nearest(value, candidates)
    tail = ("; nearest: " + ", ".join(picks) if picks else "") + ("; " + then if then else "")
    if problem:
        return f"unknown {what}{tail} ({show_value(value)})"
    return f"unknown {what} {value!r}{tail}"
