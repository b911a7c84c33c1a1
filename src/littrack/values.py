"""Single values: parsing and checking numbers, p values, identifiers, dates; writing numbers and dates as text."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
PMID_RE = re.compile(r"^[1-9]\d{0,8}$")
PMCID_RE = re.compile(r"^PMC\d+$")
ORCID_RE = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")


class BadValue(ValueError):
    """A value that cannot be used; the message says why (without the value, which the caller adds)."""


def parse_float(text: str) -> float:
    try:
        value = float(text.replace(",", "")) if re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?", text) else float(text)
    except ValueError:
        raise BadValue("not a number") from None
    if not math.isfinite(value):
        raise BadValue("not a finite number")
    return value


def parse_int(text: str) -> int:
    cleaned = text.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+", text) else text
    if not re.fullmatch(r"[-+]?\d+", cleaned):
        raise BadValue("not a whole number")
    return int(cleaned)


@dataclass(frozen=True)
class Probability:
    """A p or q value kept exactly enough to survive below the smallest double (1e-308)."""

    value: float | None  # None when it underflows a double
    log10: float | None  # None only for exactly 0

    @property
    def text(self) -> str:
        if self.value is not None and (self.value == 0 or self.value >= 1e-300):
            return f"{self.value:.6g}"
        assert self.log10 is not None
        exponent = math.floor(self.log10)
        mantissa = 10 ** (self.log10 - exponent)
        return f"{mantissa:.3g}e{exponent}"


def number_text(value: float | int | None) -> str:
    """Shortest text that reads back as the same number; "" for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        raise TypeError("not a number")
    if isinstance(value, int):
        return str(value)
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def parse_probability(text: str) -> Probability:
    try:
        exact = Decimal(text.strip())
    except InvalidOperation:
        raise BadValue("not a number") from None
    if not exact.is_finite():
        raise BadValue("not a finite number")
    if exact < 0 or exact > 1:
        raise BadValue("outside [0, 1]")
    if exact == 0:
        return Probability(0.0, None)
    log10 = float(exact.log10())
    value = float(exact)
    return Probability(value if value > 0 and value >= 2.3e-308 else None, log10)


def probability_from_columns(value: float | None, log10: float | None) -> Probability | None:
    if value is None and log10 is None:
        return None
    return Probability(value, log10)


def normalize_doi(text: str) -> str:
    doi = text.strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"):
        if doi.lower().startswith(prefix):
            doi = doi[len(prefix):]
    if not DOI_RE.match(doi):
        raise BadValue("not a DOI (10.NNNN/...)")
    return doi.lower()


def parse_pmid(text: str | int) -> int:
    s = str(text).strip()
    if not PMID_RE.match(s):
        raise BadValue("not a PMID (a positive whole number of up to 9 digits)")
    return int(s)


def parse_pmcid(text: str) -> str:
    s = text.strip().upper()
    if s.isdigit():
        s = "PMC" + s
    if not PMCID_RE.match(s):
        raise BadValue("not a PMCID (PMC followed by digits)")
    return s


def parse_date(text: str | dt.date) -> dt.date:
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise BadValue("not a date (YYYY-MM-DD)") from None


def parse_datetime(text: str | dt.datetime) -> dt.datetime:
    if isinstance(text, dt.datetime):
        value = text
    else:
        try:
            value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            raise BadValue("not a date-time (YYYY-MM-DDTHH:MM:SSZ)") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def iso(value: dt.date | dt.datetime | None, *, exact: bool = False, utc: Literal["Z", "+00:00"] = "Z") -> str | None:
    """A date as YYYY-MM-DD; a datetime in UTC as YYYY-MM-DDTHH:MM:SSZ; None as None. littrack's one formatter.

    exact: keep the fraction of a second (when there is one), so that the text reads back as the same time:
    bundles, the change log and the effects query; listings show whole seconds. utc="+00:00" writes the zone as
    Python's isoformat does: the change log and the effects query always have, and stored change-log entries
    keep one form. A naive datetime is taken as UTC, as littrack stores every time (models.base.UTCDateTime).
    """
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        return value.isoformat()
    value = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    text = value.isoformat(timespec="auto" if exact else "seconds")
    return text if utc == "+00:00" else text.removesuffix("+00:00") + "Z"


def show_value(text: object) -> str:
    """A value as a problem line shows it: undecodable bytes as \\xNN, one line."""
    s = str(text)
    if any("\udc80" <= ch <= "\udcff" for ch in s):
        s = s.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return " ".join(s.split()) if "\n" in s or "\r" in s else s


def has_undecodable(text: str) -> bool:
    """True when `text` holds bytes that were not UTF-8 (decoded with surrogateescape)."""
    return any("\udc80" <= ch <= "\udcff" for ch in text)
