"""PubMed date elements (PubDate, MedlineDate, Season, History dates) to numbers and dates."""

from __future__ import annotations

import calendar
import datetime
import re
from functools import lru_cache
from typing import NamedTuple

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
# A season resolves to the month it starts in. Winter is taken as January, not December:
# quarterly journals number their issues Winter, Spring, Summer, Fall within one year, so the
# Winter issue opens the year and must sort before that year's Spring issue.
SEASON_MONTHS = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 1}

_YEAR_RE = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_WORD_RE = re.compile(r"[A-Za-z]+")
_LEADING_DAY_RE = re.compile(r"\s*(\d{1,2})(?!\d)")


class PubDate(NamedTuple):
    text: str
    year: int | None
    month: int | None
    day: int | None
    sort_date: datetime.date | None


def month_number(text: str | None) -> int | None:
    """1-12 for "03", "3", "Mar", "March", "Spring" (season start); None otherwise."""
    if not text:
        return None
    text = text.strip()
    if text.isdigit():
        number = int(text)
        return number if 1 <= number <= 12 else None
    lowered = text.lower()
    return SEASON_MONTHS.get(lowered) or _MONTHS.get(lowered[:3])


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    text = text.strip()
    return int(text) if text.isdigit() else None


def _valid_day(year: int | None, month: int | None, day: int | None) -> int | None:
    # An impossible day ("2024 Feb 30") is dropped rather than kept as a "given" part.
    if day is None or year is None or month is None or not 1 <= year <= 9999:
        return None
    return day if 1 <= day <= calendar.monthrange(year, month)[1] else None


def first_day(year: int | None, month: int | None, day: int | None) -> datetime.date | None:
    """The first day of what is known (year only -> 1 January)."""
    if year is None or not 1 <= year <= 9999:
        return None
    return datetime.date(year, month or 1, _valid_day(year, month, day) or 1)


def parse_medline_date(text: str) -> tuple[int | None, int | None, int | None]:
    """Year, month, day of the first part of a free-text MedlineDate ("1998 Dec-1999 Jan")."""
    year_match = _YEAR_RE.search(text)
    if year_match is None:
        return None, None, None
    year = int(year_match.group(1))
    month = None
    day = None
    for word in _WORD_RE.finditer(text, year_match.end()):
        month = month_number(word.group())
        if month is not None:
            # A day counts only right after the first month ("1999 Nov 25-Dec 8").
            day_match = _LEADING_DAY_RE.match(text, word.end())
            if day_match is not None and word.start() == year_match.end() + 1:
                day = int(day_match.group(1))
            break
    return year, month, day


@lru_cache(maxsize=1 << 14)  # pure, and a file's records share a few thousand distinct dates
def pub_date(
    year: str | None, month: str | None, day: str | None, season: str | None, medline_date: str | None
) -> PubDate:
    """Interpret the texts of a PubDate's Year/Month/Day/Season/MedlineDate children."""
    if medline_date is not None and year is None:
        text = " ".join(medline_date.split())
        y, m, d = parse_medline_date(text)
        d = _valid_day(y, m, d)
        return PubDate(text, y, m, d, first_day(y, m, d))
    given = [part.strip() for part in (year, month if month else season, day) if part and part.strip()]
    y = _int(year)
    m = month_number(month) if month else month_number(season)
    d = _valid_day(y, m, _int(day))
    return PubDate(" ".join(given), y, m, d, first_day(y, m, d))


@lru_cache(maxsize=1 << 14)
def exact_date(year: str | None, month: str | None, day: str | None) -> datetime.date | None:
    """A History/ArticleDate/ContributionDate as a date (missing month or day -> first)."""
    return first_day(_int(year), month_number(month), _int(day))
