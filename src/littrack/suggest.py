"""Nearest-name suggestions for unknown traits, domains, studies and searches."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def nearest(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
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


def unknown(what: str, name: str, candidates: Iterable[str]) -> str:
    picks = nearest(name, candidates)
    hint = "; nearest: " + ", ".join(picks) if picks else ""
    return f"unknown {what} {name!r}{hint}"
