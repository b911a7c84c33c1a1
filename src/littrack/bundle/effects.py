"""The columns of an effect-size row and the one validator every way of adding effects goes through."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from littrack.suggest import unknown
from littrack.values import (
    BadValue,
    has_undecodable,
    iso,
    number_text,
    parse_datetime,
    parse_float,
    parse_int,
    parse_probability,
    show_value,
)
from littrack.vocab import (
    BOUNDED_MEASURES,
    DIRECTIONS,
    MAX_COUNT,
    MEASURES,
    RATIO_MEASURES,
    SIGNED_DIRECTIONS,
    SIGNED_MEASURES,
    VALUE_KINDS,
)

# (column, required, help) in the order a spreadsheet shows them.
EFFECT_COLUMNS: list[tuple[str, bool, str]] = [
    ("finding_key", True, "unique id of the row within the study, e.g. F01"),
    ("source", True, "key of a source in study.toml where the number was read"),
    ("trait", True, "exposure trait (its polygenic score), a trait name or synonym"),
    ("comparison", True, "what is compared, e.g. 'TRD vs trMDD'"),
    ("dataset", False, "label of a data set in study.toml; empty when the source does not say"),
    ("sample_text", False, "the sample as the source words it, when no data set fits"),
    ("analysis", False, "e.g. logistic regression, Cox proportional hazards; empty: not stated"),
    ("measure", False, "one of " + ", ".join(MEASURES) + "; empty only for qualitative rows"),
    ("per_unit", False, "scale of the exposure, e.g. per SD of PGS"),
    ("value_kind", True, "one of " + ", ".join(VALUE_KINDS)),
    ("estimate", False, "point estimate as printed (or derived, see derived)"),
    ("ci_lower", False, "lower confidence bound"),
    ("ci_upper", False, "upper confidence bound"),
    ("ci_level", False, "confidence level, e.g. 0.95 (default 0.95 when a CI is given)"),
    ("se", False, "standard error on the estimate's analysis scale (log scale for ratios)"),
    ("p_value", False, "P value, any precision, e.g. 3e-412"),
    ("q_value", False, "q value (FDR), any precision"),
    ("range_low", False, "lower end when only a range was given"),
    ("range_high", False, "upper end when only a range was given"),
    ("direction", False, "one of " + ", ".join(DIRECTIONS) + " (none = no association)"),
    ("direction_text", False, "the direction as the source words it"),
    ("reported_text", False, "the number as the source wrote it, e.g. '28% increased risk'"),
    ("derived", False, "yes when the number is our arithmetic, not the source's"),
    ("derivation", False, "how a derived number was computed (required when derived)"),
    ("n_total", False, "participants in the analysis"),
    ("n_cases", False, "cases"),
    ("n_controls", False, "controls / reference group"),
    ("covariates", False, "covariates adjusted for"),
    ("location", True, "where in the source: abstract, Table 2, ..."),
    ("quote", False, "a short quote holding the number"),
    ("notes", False, "curator's notes"),
    ("curator", False, "who entered it (default: the importing curator)"),
    ("curated_at", False, "when (ISO date-time, default: now)"),
    ("exposure_type", False, "what the trait stands for in the model (default: polygenic score)"),
]
COLUMN_NAMES = [c for c, _, _ in EFFECT_COLUMNS]
REQUIRED = {c for c, req, _ in EFFECT_COLUMNS if req}
TRUE_WORDS = {"yes", "true", "1", "y"}
FALSE_WORDS = {"no", "false", "0", "n", ""}
MEASURE_BY_FOLD = {m.casefold(): m for m in MEASURES}
DEFAULT_EXPOSURE_TYPE = "polygenic score"
TEXT_COLUMNS = ("sample_text", "analysis", "per_unit", "direction_text", "reported_text", "derivation",
                "covariates", "location", "quote", "notes")


@dataclass
class EffectSpec:
    """A validated effect row: column values plus the names still to resolve against the database."""

    finding_key: str
    source: str
    trait: str
    comparison: str
    dataset: str | None
    values: dict[str, Any] = field(default_factory=dict)
    curator: str | None = None
    curated_at: Any = None


def _sign(x: float, null: float) -> int:
    return (x > null) - (x < null)


def check_effect_row(raw: Mapping[str, str | None], where: Callable[[str], str]) -> tuple[EffectSpec | None, list[str]]:
    """Validate one effect row; `where(field)` gives the 'file:row:field' prefix of a problem."""
    problems: list[str] = []

    def bad(col: str, problem: str, value: object = None) -> None:
        problems.append(f"{where(col)}: {problem}" + (f" ({show_value(value)})" if value is not None else ""))

    row = {k: (v.strip() if isinstance(v, str) else v) for k, v in raw.items()}
    text = {k: v for k, v in row.items() if v not in (None, "")}
    for col in COLUMN_NAMES:
        if col in REQUIRED and col not in text:
            bad(col, "missing required field")
    for col in COLUMN_NAMES:
        if col in text and has_undecodable(str(text[col])):
            bad(col, "not UTF-8 text; save the file as UTF-8 (in Excel: 'CSV UTF-8')", text[col])

    vals: dict[str, Any] = {}
    for col in ("estimate", "ci_lower", "ci_upper", "ci_level", "se", "range_low", "range_high"):
        if col in text:
            try:
                vals[col] = parse_float(str(text[col]))
            except BadValue as exc:
                bad(col, str(exc), text[col])
    for col in ("n_total", "n_cases", "n_controls"):
        if col in text:
            try:
                vals[col] = parse_int(str(text[col]))
            except BadValue as exc:
                bad(col, str(exc), text[col])
                continue
            if vals[col] < 0:
                bad(col, "negative count", text[col])
            elif vals[col] > MAX_COUNT:
                bad(col, f"larger than {MAX_COUNT:,}", text[col])
    for col in ("p_value", "q_value"):
        if col in text:
            try:
                prob = parse_probability(str(text[col]))
                vals[col] = prob.value
                vals[col + "_log10"] = prob.log10
            except BadValue as exc:
                hint = ("; give the number, and the bound as printed in reported_text"
                        if str(text[col]).lstrip().startswith(("<", ">", "≤", "≥")) else "")
                bad(col, f"{exc}{hint}", text[col])

    measure = text.get("measure")
    if measure is not None:
        canonical = MEASURE_BY_FOLD.get(str(measure).casefold())
        if canonical is None:
            problems.append(f"{where('measure')}: " + unknown("measure", str(measure), MEASURES,
                                                              "use one of " + ", ".join(MEASURES), problem=True))
        measure = canonical
    vals["measure"] = measure

    kind = text.get("value_kind")
    if kind is not None and kind not in VALUE_KINDS:
        problems.append(f"{where('value_kind')}: " + unknown("value kind", str(kind), VALUE_KINDS,
                                                               "use one of " + ", ".join(VALUE_KINDS), problem=True))
        kind = None
    direction = text.get("direction")
    if direction is not None and direction not in DIRECTIONS:
        problems.append(f"{where('direction')}: " + unknown("direction", str(direction), DIRECTIONS,
                                                              "use one of " + ", ".join(DIRECTIONS), problem=True))
        direction = None
    derived_text = str(text.get("derived", "")).casefold()
    if derived_text not in TRUE_WORDS | FALSE_WORDS:
        bad("derived", "not yes/no", text.get("derived"))
    elif kind == "derived_from_percent" and "derived" in text and derived_text in FALSE_WORDS:
        bad("derived", "a derived_from_percent value is derived; leave derived empty or write yes", text["derived"])
    derived = derived_text in TRUE_WORDS or kind == "derived_from_percent"
    if derived and "derivation" not in text:
        bad("derivation", "a derived value needs its derivation (how it was computed)")

    est, lo, hi = vals.get("estimate"), vals.get("ci_lower"), vals.get("ci_upper")
    if kind in ("reported", "derived_from_percent"):
        if "estimate" not in text:
            bad("estimate", f"a {kind} value needs an estimate")
        for col in ("range_low", "range_high"):
            if col in text:
                bad(col, f"a {kind} value has no range; use value_kind range", text[col])
    elif kind == "range":
        for col in ("range_low", "range_high"):
            if col not in text:
                bad(col, "a range needs both range_low and range_high")
        if "estimate" in text:
            bad("estimate", "a range has no point estimate; use value_kind reported", text["estimate"])
        for col in ("ci_lower", "ci_upper"):
            if col in text:
                bad(col, "a range has no CI; give the range in range_low and range_high", text[col])
    elif kind == "qualitative":
        for col in ("estimate", "range_low", "range_high", "ci_lower", "ci_upper"):
            if col in text:
                bad(col, "a qualitative finding has no number; use value_kind reported or range", text[col])
        if direction is None and "direction" not in text:
            bad("direction", "a qualitative finding needs a direction")
    if kind is not None and kind != "qualitative" and "measure" not in text:
        bad("measure", f"a {kind} value needs a measure")

    if lo is not None and hi is not None and lo > hi:
        bad("ci_lower", f"lower bound above upper bound {hi:g}", text["ci_lower"])
    elif est is not None:
        if lo is not None and lo > est:
            bad("ci_lower", f"CI does not bracket the estimate {est:g}", text["ci_lower"])
        if hi is not None and hi < est:
            bad("ci_upper", f"CI does not bracket the estimate {est:g}", text["ci_upper"])
    if (lo is None) != (hi is None) and ("ci_lower" in vals or "ci_upper" in vals):
        bad("ci_upper" if hi is None else "ci_lower", "a CI needs both bounds")
    level = vals.get("ci_level")
    if level is not None and not 0 < level < 1:
        bad("ci_level", "a CI level must lie in (0, 1), e.g. 0.95", text["ci_level"])
    elif level is not None and "ci_lower" not in text and "ci_upper" not in text:
        bad("ci_level", "a CI level without CI bounds", text["ci_level"])
    if level is None and lo is not None and hi is not None:
        vals["ci_level"] = 0.95
    rl, rh = vals.get("range_low"), vals.get("range_high")
    if rl is not None and rh is not None and rl > rh:
        bad("range_low", f"range low above range high {rh:g}", text["range_low"])
    if measure in RATIO_MEASURES:
        for col in ("estimate", "ci_lower", "ci_upper", "range_low", "range_high"):
            if vals.get(col) is not None and vals[col] <= 0:
                bad(col, f"a ratio measure ({measure}) must be positive", text[col])
    if measure in BOUNDED_MEASURES:
        low, high = BOUNDED_MEASURES[measure]
        for col in ("estimate", "ci_lower", "ci_upper", "range_low", "range_high"):
            if vals.get(col) is not None and not low <= vals[col] <= high:
                bad(col, f"{measure} lies between {low:g} and {high:g}", text[col])
    if vals.get("se") is not None and vals["se"] < 0:
        bad("se", "a standard error cannot be negative", text["se"])
    if direction in SIGNED_DIRECTIONS and measure in RATIO_MEASURES + SIGNED_MEASURES:
        null = 1.0 if measure in RATIO_MEASURES else 0.0
        want = 1 if direction == "increased" else -1
        for col in ("estimate", "range_low", "range_high"):
            x = vals.get(col)
            if x is not None and _sign(x, null) != want:
                side = "above" if x > null else "below" if x < null else "at"
                bad("direction", f"'{direction}' contradicts {col} {x:g} ({side} the null value {null:g} of {measure})",
                    direction)
                break
    n, cases, controls = vals.get("n_total"), vals.get("n_cases"), vals.get("n_controls")
    if n is not None and cases is not None and controls is not None and cases + controls > n:
        bad("n_total", f"cases + controls ({cases + controls}) exceed N", text["n_total"])
    elif n is not None:
        for col, count in (("n_cases", cases), ("n_controls", controls)):
            if count is not None and count > n:
                bad(col, f"more than N ({n})", text[col])

    curated_at = None
    if "curated_at" in text:
        try:
            curated_at = parse_datetime(str(text["curated_at"]))
        except BadValue as exc:
            bad("curated_at", str(exc), text["curated_at"])

    if problems:
        return None, problems
    for col in TEXT_COLUMNS:
        vals[col] = text.get(col)
    vals.update(value_kind=kind, direction=direction, derived=derived,
                exposure_type=text.get("exposure_type") or DEFAULT_EXPOSURE_TYPE)
    for col in ("estimate", "ci_lower", "ci_upper", "ci_level", "se", "range_low", "range_high",
                "n_total", "n_cases", "n_controls", "p_value", "p_value_log10", "q_value", "q_value_log10"):
        vals.setdefault(col, None)
    spec = EffectSpec(
        finding_key=str(text["finding_key"]),
        source=str(text["source"]),
        trait=str(text["trait"]),
        comparison=str(text["comparison"]),
        dataset=text.get("dataset"),
        values=vals,
        curator=text.get("curator"),
        curated_at=curated_at,
    )
    return spec, problems


# ---- the way back: a stored effect as the row text the validator reads -----------------------------

def probability_text(value: float | None, log10: float | None) -> str:
    """A p or q value as text that reads back to the same stored pair, also below the smallest double."""
    if value is not None:
        return number_text(value)
    if log10 is None:
        return ""
    exact = Decimal(10) ** Decimal(repr(log10))
    for digits in range(1, 18):
        text = f"{exact:.{digits - 1}e}"
        if float(Decimal(text).log10()) == log10:
            return text
    return f"{exact:.17e}"


def effect_row(effect: Any) -> dict[str, str]:
    """The CSV row of a stored EffectSize (names instead of ids), readable by check_effect_row."""
    e = effect
    return {
        "finding_key": e.finding_key,
        "source": e.source.key,
        "trait": e.exposure_trait.name,
        "comparison": e.comparison.name,
        "dataset": e.dataset.label if e.dataset else "",
        "sample_text": e.sample_text or "",
        "analysis": e.analysis or "",
        "measure": e.measure or "",
        "per_unit": e.per_unit or "",
        "value_kind": e.value_kind,
        "estimate": number_text(e.estimate),
        "ci_lower": number_text(e.ci_lower),
        "ci_upper": number_text(e.ci_upper),
        "ci_level": number_text(e.ci_level),
        "se": number_text(e.se),
        "p_value": probability_text(e.p_value, e.p_value_log10),
        "q_value": probability_text(e.q_value, e.q_value_log10),
        "range_low": number_text(e.range_low),
        "range_high": number_text(e.range_high),
        "direction": e.direction or "",
        "direction_text": e.direction_text or "",
        "reported_text": e.reported_text or "",
        "derived": "yes" if e.derived else "",
        "derivation": e.derivation or "",
        "n_total": number_text(e.n_total),
        "n_cases": number_text(e.n_cases),
        "n_controls": number_text(e.n_controls),
        "covariates": e.covariates or "",
        "location": e.location,
        "quote": e.quote or "",
        "notes": e.notes or "",
        "curator": e.curator,
        "curated_at": iso(e.curated_at, exact=True) or "",
        "exposure_type": "" if e.exposure_type == DEFAULT_EXPOSURE_TYPE else (e.exposure_type or ""),
    }
