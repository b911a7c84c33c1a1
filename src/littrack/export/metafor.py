"""Effect sizes as metafor input: yi, sei and vi on the scale a meta-analysis pools them on.

Scales:
- OR, HR, RR and 'ratio' (a ratio whose kind the source did not name): yi = ln(estimate), the log scale
  every ratio is pooled on. 'ratio' rows are exported too; filter on `measure` (and `derived`) before pooling
  them with named ratios.
- beta, logOR, logHR, SMD: yi = estimate (already on their analysis scale).
- r: Fisher's z, yi = atanh(r).
- R2 and AUC are left out: they have no single standard pooling scale.
sei is the stored SE when there is one (the SE on the analysis scale: log scale for ratios; for r the SE of r,
carried to Fisher's z by the delta method se / (1 - r^2)); else it comes from the CI,
(t(upper) - t(lower)) / (2 z) with z = the normal quantile of the CI level (1.959964 for 0.95). vi = sei^2.
Rows left out (ranges, qualitative findings, no CI and no SE, other measures) are counted in notes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

LOG_MEASURES = ("OR", "HR", "RR", "ratio")
IDENTITY_MEASURES = ("beta", "logOR", "logHR", "SMD")
FISHER_MEASURES = ("r",)

FIELDS = [
    "study", "finding_key", "slab", "trait", "comparison", "analysis", "measure", "scale", "per_unit", "dataset",
    "value_kind", "derived", "estimate", "ci_lower", "ci_upper", "ci_level", "se", "yi", "sei", "vi", "sei_from",
    "ni", "p_value", "source", "location", "id",
]


def z_for(level: float) -> float:
    """Two-sided normal quantile of a confidence level: 0.95 -> 1.959964."""
    return NormalDist().inv_cdf(0.5 + level / 2)


@dataclass
class MetaforExport:
    rows: list[dict[str, Any]] = field(default_factory=list)
    left_out: dict[str, list[str]] = field(default_factory=dict)  # reason -> 'study:finding_key' of each row

    def leave_out(self, reason: str, row: dict[str, Any]) -> None:
        self.left_out.setdefault(reason, []).append(f"{row['study']}:{row['finding_key']}")

    def notes(self) -> list[str]:
        out = []
        for reason, ids in self.left_out.items():
            ids = sorted(ids)
            shown = ", ".join(ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
            out.append(f"metafor: left out {len(ids)} row(s) {reason}: {shown}")
        return out


def _scale(measure: str | None) -> tuple[str, Callable[[float], float]] | None:
    if measure in LOG_MEASURES:
        return "log", math.log
    if measure in IDENTITY_MEASURES:
        return "identity", float
    if measure in FISHER_MEASURES:
        return "fisher_z", math.atanh
    return None


def metafor_rows(effects: Sequence[dict[str, Any]]) -> MetaforExport:
    """yi/sei/vi for every effect row that has a point estimate and an SE or a CI; notes for the rest."""
    out = MetaforExport()
    for r in effects:
        if r["value_kind"] == "qualitative":
            out.leave_out("that are qualitative (a direction, no number)", r)
            continue
        if r["value_kind"] == "range":
            out.leave_out("that give a range, not one estimate", r)
            continue
        scale = _scale(r["measure"])
        if scale is None:
            out.leave_out(f"with measure {r['measure']} (no standard scale for pooling)", r)
            continue
        name, t = scale
        est, lo, hi, se = r["estimate"], r["ci_lower"], r["ci_upper"], r["se"]
        if name == "fisher_z" and not all(v is None or -1 < v < 1 for v in (est, lo, hi)):
            out.leave_out("with a correlation of -1 or 1 (Fisher's z is infinite)", r)
            continue
        if se is not None:
            sei = se / (1 - est * est) if name == "fisher_z" else se
            sei_from = "se"
        elif lo is not None and hi is not None:
            sei = (t(hi) - t(lo)) / (2 * z_for(r["ci_level"] or 0.95))
            sei_from = f"ci{round((r['ci_level'] or 0.95) * 100, 4):g}"
        else:
            out.leave_out("without a CI or SE", r)
            continue
        yi = t(est)
        out.rows.append({
            **{k: r.get(k) for k in FIELDS if k in r},
            "slab": f"{r['study']} {r['finding_key']}", "scale": name, "yi": yi, "sei": sei, "vi": sei * sei,
            "sei_from": sei_from, "ni": r.get("n_total"),
        })
    return out
