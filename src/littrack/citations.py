"""How littrack names and cites a publication: citation keys and the Vancouver citation of a source.

Citation keys (BibTeX keys, CSL-JSON ids, bundle refs) are FirstAuthorYearTitleword (ASCII), e.g. Xu2025Genetic.
When two publications in the database share a key, the one stored first keeps it and later ones get b, c, ...
appended; the whole database is looked at, not just the papers exported, so a paper's key does not depend on what
else is exported with it.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from littrack.models import Author, Publication

STOPWORDS = {"a", "an", "the", "of", "on", "in", "and", "for", "to", "with", "from", "by", "at", "is", "are"}


def ascii_word(text: str) -> str:
    """Letters and digits only, accents dropped: 'Müller-Lüdenscheidt' -> 'MullerLudenscheidt'."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", folded)


def one_line(text: str | None) -> str:
    """The text on one line: runs of white space (line breaks too) as one space."""
    return " ".join((text or "").split())


def _key_base(last: str | None, year: int | None, title: str) -> str:
    name = ascii_word((last or "").split()[0]) if (last or "").split() else ""
    words = [ascii_word(w) for w in re.split(r"[\s\-/:]+", title)]
    word = next((w for w in words if w and w.lower() not in STOPWORDS), "")
    return f"{(name or 'Anon')[:1].upper()}{(name or 'Anon')[1:]}{year or 'nd'}{word[:1].upper()}{word[1:]}"


def citation_keys(session: Session) -> dict[int, str]:
    """Publication id -> its citation key, unique across the database and stable as publications are added."""
    first = (select(Author.publication_id, func.min(Author.position).label("pos"))
             .group_by(Author.publication_id).subquery())
    rows = session.execute(
        select(Publication.id, Publication.pub_year, Publication.sort_date, Publication.title,
               Author.last_name, Author.collective_name)
        .outerjoin(first, first.c.publication_id == Publication.id)
        .outerjoin(Author, and_(Author.publication_id == Publication.id, Author.position == first.c.pos))
        .order_by(Publication.id)
    )
    keys: dict[int, str] = {}
    taken: set[str] = set()
    for pid, year, sort_date, title, last, collective in rows:
        base = _key_base(last or collective, year or (sort_date.year if sort_date else None), title or "")
        key, n = base, 0
        while key in taken:
            n += 1
            key = base + _suffix(n)
        keys[pid] = key
        taken.add(key)
    return keys


def _suffix(n: int) -> str:
    """1 -> b, 2 -> c, ... 25 -> z, 26 -> ba ..."""
    letters = ""
    while True:
        n, r = divmod(n, 26)
        letters = "abcdefghijklmnopqrstuvwxyz"[r] + letters
        if n == 0:
            return letters


def vancouver(pub: Publication) -> str:
    """A citation in Vancouver (ICMJE) style: up to six authors, then et al."""
    names = [a.display_name for a in pub.authors]
    authors = ", ".join(names[:6]) + (", et al" if len(names) > 6 else "")
    where = one_line(pub.journal)
    date = str(pub.year or "")
    volume = f"{pub.volume or ''}{f'({pub.issue})' if pub.issue else ''}"
    when = f"{date};{volume}" if volume else date
    when = f"{when}:{pub.pages}" if pub.pages else when
    parts = [authors + "." if authors else "", one_line(pub.title).rstrip(".") + ".",
             f"{where}." if where else "", f"{when}." if when else ""]
    ids = [f"doi:{pub.doi}" if pub.doi else "", f"PMID: {pub.pmid}" if pub.pmid else "",
           f"PMCID: {pub.pmcid}" if pub.pmcid else ""]
    return " ".join(p for p in parts + ids if p)
