"""`littrack effects add|edit|delete`: one effect size at a time, through the bundle validator and the history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from littrack.cli.context import AppContext, pass_app
from littrack.cli.options import curator_option
from littrack.vocab import DIRECTIONS, MEASURES, VALUE_KINDS

# option -> column, for the single-valued fields of an effect row.
FIELD_OPTIONS: list[tuple[str, str, str]] = [
    ("--finding-key", "finding_key", "Id of the row within the study (default for add: the next F-number)."),
    ("--source", "source", "Source key of the study (default for add: the study's only source)."),
    ("--trait", "trait", "Exposure trait, a name or synonym."),
    ("--comparison", "comparison", "e.g. 'TRD vs trMDD'."),
    ("--dataset", "dataset", "Data set label of the study."),
    ("--sample-text", "sample_text", "The sample as the source words it."),
    ("--analysis", "analysis", "e.g. logistic regression."),
    ("--measure", "measure", ", ".join(MEASURES) + "."),
    ("--per-unit", "per_unit", "e.g. per SD of PGS."),
    ("--value-kind", "value_kind", ", ".join(VALUE_KINDS) + " (add: from the numbers given)."),
    ("--estimate", "estimate", "Point estimate."),
    ("--ci-level", "ci_level", "Confidence level of --ci (default 0.95)."),
    ("--se", "se", "Standard error (log scale for ratios)."),
    ("--p-value", "p_value", "P value, any precision (3e-412)."),
    ("--q-value", "q_value", "q value (FDR)."),
    ("--direction", "direction", ", ".join(DIRECTIONS) + "."),
    ("--direction-text", "direction_text", "The direction as the source words it."),
    ("--reported-text", "reported_text", "The number as the source wrote it."),
    ("--derived", "derived", "yes when the number is our arithmetic."),
    ("--derivation", "derivation", "How a derived number was computed."),
    ("--n-total", "n_total", "Participants."),
    ("--n-cases", "n_cases", "Cases."),
    ("--n-controls", "n_controls", "Controls."),
    ("--covariates", "covariates", "Covariates adjusted for."),
    ("--location", "location", "Where in the source: abstract, Table 2 ..."),
    ("--quote", "quote", "A short quote holding the number."),
    ("--notes", "notes", "Curator's notes."),
    ("--exposure-type", "exposure_type", "What the trait stands for (default: polygenic score)."),
]
OPTION_OF = {col: opt for opt, col, _ in FIELD_OPTIONS}
OPTION_OF.update({"ci_lower": "--ci (lower)", "ci_upper": "--ci (upper)", "range_low": "--range (low)",
                  "range_high": "--range (high)", "curator": "--curator", "curated_at": "curated_at"})


def where(col: str) -> str:
    return OPTION_OF.get(col, col)


def field_options(f: Callable[..., Any]) -> Callable[..., Any]:
    for opt, col, help_ in reversed(FIELD_OPTIONS):
        f = click.option(opt, col, metavar="TEXT" if col not in ("estimate", "se", "ci_level") else "NUMBER",
                         help=help_)(f)
    f = click.option("--range", "range_", nargs=2, metavar="LOW HIGH", help="A range, when no single estimate was given.")(f)
    f = click.option("--ci", nargs=2, metavar="LOWER UPPER", help="Confidence interval bounds.")(f)
    return f


def _given(fields: dict[str, Any], ci: tuple[str, str] | None, range_: tuple[str, str] | None) -> dict[str, str]:
    out = {col: str(v) for col, v in fields.items() if v is not None}
    if ci:
        out["ci_lower"], out["ci_upper"] = ci
    if range_:
        out["range_low"], out["range_high"] = range_
    return out


def _describe(e: Any) -> str:
    from littrack.formats import effect_ci, effect_value

    row = {"value_kind": e.value_kind, "estimate": e.estimate, "range_low": e.range_low, "range_high": e.range_high,
           "derived": e.derived, "ci_lower": e.ci_lower, "ci_upper": e.ci_upper, "ci_level": e.ci_level}
    ci = effect_ci(row)
    return f"{e.exposure_trait.name}, {e.comparison.name}: {e.measure or ''} {effect_value(row)}".strip() + (
        f", CI {ci}" if ci and ci != "not reported" else "")


@click.command("add")
@click.option("--study", required=True, help="Study key.")
@field_options
@click.option("--create-trait", is_flag=True, help="Add the trait if littrack does not know it.")
@curator_option
@pass_app
def add(app: AppContext, study: str, ci: tuple[str, str] | None, range_: tuple[str, str] | None, create_trait: bool,
        curator: str | None, **fields: Any) -> None:
    """Add one effect size to a study; it is checked like a bundle row. Prints its id.

    Example: littrack effects add --study xu2025_trd --trait Insomnia --comparison 'TRD vs trMDD'
    --measure OR --estimate 1.2 --ci 1.1 1.3 --p-value 3e-12 --source XU2025 --location 'Table 2'
    """
    from littrack.config import resolve_curator
    from littrack.curation import add_effect

    raw = _given(fields, ci, range_)
    if "value_kind" not in raw:
        raw["value_kind"] = "range" if range_ else "reported" if "estimate" in raw else ""
    with app.begin() as session:
        effect = add_effect(session, study, raw, resolve_curator(curator), where=where, create_trait=create_trait)
        ident, key, text = effect.id, f"{effect.study.key}:{effect.finding_key}", _describe(effect)
    click.echo(f"added effect size {ident} ({key}): {text}", err=True)
    click.echo(str(ident))


@click.command("edit")
@click.argument("ident", metavar="ID")
@field_options
@click.option("--clear", "clear", multiple=True, metavar="FIELD",
              help="Empty this field (a column name such as se or ci_lower; repeatable).")
@click.option("--create-trait", is_flag=True, help="Add the trait if littrack does not know it.")
@curator_option
@pass_app
def edit(app: AppContext, ident: str, ci: tuple[str, str] | None, range_: tuple[str, str] | None,
         clear: tuple[str, ...], create_trait: bool, curator: str | None, **fields: Any) -> None:
    """Change fields of effect size ID (a number, or STUDY:FINDING_KEY); the whole row is checked again.

    Example: littrack effects edit xu2025_trd:F01 --estimate 1.2 --ci 1.1 1.3 --p-value 3e-12
    """
    from littrack.config import resolve_curator
    from littrack.curation import edit_effect, resolve_effect

    updates = _given(fields, ci, range_)
    cleared = {c.replace("-", "_") for c in clear}
    if "ci" in cleared:
        cleared |= {"ci_lower", "ci_upper", "ci_level"} - {"ci"}
    if "range" in cleared:
        cleared |= {"range_low", "range_high"}
    cleared -= {"ci", "range"}
    if not updates and not cleared:
        raise click.UsageError("nothing to change: give the fields to change, e.g. --estimate 1.2, or --clear FIELD")
    with app.begin() as session:
        effect = resolve_effect(session, ident)
        changed = edit_effect(session, effect, updates, cleared, resolve_curator(curator), where=where,
                              create_trait=create_trait)
        label, text = f"{effect.id} ({effect.study.key}:{effect.finding_key})", _describe(effect)
    click.echo(f"{'updated' if changed else 'no change to'} effect size {label}: {text}", err=True)


@click.command("delete")
@click.argument("ident", metavar="ID")
@curator_option
@pass_app
def delete(app: AppContext, ident: str, curator: str | None) -> None:
    """Delete effect size ID (a number, or STUDY:FINDING_KEY); the history keeps its values."""
    from littrack.config import resolve_curator
    from littrack.curation import delete_effect, resolve_effect

    with app.begin() as session:
        effect = resolve_effect(session, ident)
        label, text, study = f"{effect.id} ({effect.study.key}:{effect.finding_key})", _describe(effect), effect.study.key
        delete_effect(session, effect, resolve_curator(curator))
    click.echo(f"deleted effect size {label}: {text}; its values stay in `littrack history --study {study}`", err=True)
