"""Text helpers for PubMed XML: flattening inline markup, ORCID and PMCID normalisation."""

from __future__ import annotations

import re
from operator import mul
from xml.etree.ElementTree import Element

_XML_SPACE_RE = re.compile(r"[ \t\r\n]+")
_ORCID_RE = re.compile(
    r"(?:(?:https?://)?(?:www\.)?orcid\.org/)?(\d{4})[- ]?(\d{4})[- ]?(\d{4})[- ]?(\d{3}[\dXx])",
    re.IGNORECASE,
)
# MOD 11-2 folds digit i (of 15) in with weight 2 ** (15 - i); summing is the same as iterating.
_ORCID_WEIGHTS = tuple(2 ** (15 - i) for i in range(15))
# The URL prefixes the pattern accepts, lower-cased: with one of these and the usual hyphens,
# an ORCID takes a fast path with the same outcome.
_ORCID_PREFIXES = frozenset(
    f"{scheme}{www}orcid.org/" for scheme in ("", "http://", "https://") for www in ("", "www.")
) | {""}
_PMCID_RE = re.compile(r"^(?:PMC)?(\d+)$", re.IGNORECASE)


def collapse(raw: str) -> str:
    """Runs of whitespace (Unicode's, as str.split sees it) to one space, stripped at both ends."""
    if raw.isascii():
        # The common case, done with cheap scans; in ASCII text, XML whitespace is all of it.
        if "  " in raw or "\n" in raw or "\t" in raw or "\r" in raw:
            raw = _XML_SPACE_RE.sub(" ", raw)
        return raw.strip(" ")
    return " ".join(raw.split())


def clean_text(element: Element | None) -> str:
    """All text under element (inline tags, MathML, tails) with whitespace collapsed."""
    if element is None:
        return ""
    return collapse("".join(element.itertext()) if len(element) else (element.text or ""))


def clean_or_none(element: Element | None) -> str | None:
    """clean_text, but None for a missing or blank element."""
    if element is None:
        return None
    return clean_text(element) or None


def normalise_orcid(text: str | None) -> str | None:
    """ "https://orcid.org/0000-0002-1825-0097", "0000000218250097", ... -> "0000-0002-1825-0097".

    None when the value does not have 15 digits and a check character, or when the ISO 7064
    MOD 11-2 check character is wrong: a mistyped ORCID would link the author to somebody else.
    """
    if not text:
        return None
    text = text.strip()
    if len(text) >= 19 and text.isascii():
        tail = text[-19:]
        if tail[4] == tail[9] == tail[14] == "-" and text[:-19].lower() in _ORCID_PREFIXES:
            digits = tail[0:4] + tail[5:9] + tail[10:14] + tail[15:18]
            last = tail[18].upper()
            if digits.isdigit() and (last.isdigit() or last == "X"):
                # The weighted sum read as one base-13 number: 13 = 2 (mod 11), so 2 * int(digits, 13)
                # and the sum of digit * 2 ** (15 - i) leave the same remainder (a tenth of the cost).
                check = (12 - 2 * int(digits, 13) % 11) % 11
                if last != ("X" if check == 10 else str(check)):
                    return None
                return tail[:18] + last
    match = _ORCID_RE.fullmatch(text)
    if match is None:
        return None
    digits = "".join(match.groups()).upper()
    remainder = sum(map(mul, map(int, digits[:15]), _ORCID_WEIGHTS)) % 11
    check = (12 - remainder) % 11
    if digits[15] != ("X" if check == 10 else str(check)):
        return None
    return f"{digits[0:4]}-{digits[4:8]}-{digits[8:12]}-{digits[12:16]}"


def normalise_pmcid(text: str | None) -> str | None:
    """ "PMC1234567" or "1234567" -> "PMC1234567"; None for anything else."""
    if not text:
        return None
    match = _PMCID_RE.match(text.strip())
    return f"PMC{match.group(1)}" if match else None
