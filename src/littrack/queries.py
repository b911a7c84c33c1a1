"""Read-side queries: effect sizes by trait and filters, traits with counts, studies."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from littrack.errors import NotFound
from littrack.models import (
    MEASURES, Comparison, Dataset, EffectSize, Source, Study, Trait, TraitDomain, TraitSynonym, name_key,
)
from littrack.models.trait import trait_domain_links, trait_members
from littrack.suggest import unknown
from littrack.values import probability_from_columns

SORTS = ("trait", "estimate", "p", "study", "comparison", "curated")


@dataclass
class EffectFilter:
    trait: str | None = None
    domain: str | None = None
    comparison: str | None = None
    measure: str | None = None
    study: str | None = None
    direction: str | None = None
    min_estimate: float | None = None
    max_estimate: float | None = None
    reported_only: bool = False
    sort: str = "trait"


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{name_key(escaped)}%"


def match_traits(session: Session, text: str) -> list[int]:
    """Ids of traits whose name or a synonym contains `text`, and of groups holding such a trait."""
    pattern = _like(text)
    direct = select(Trait.id).where(Trait.name_key.like(pattern, escape="\\"))
    via_syn = select(TraitSynonym.trait_id).where(TraitSynonym.name_key.like(pattern, escape="\\"))
    ids = set(session.scalars(direct.union(via_syn)))
    if not ids:
        names = session.scalars(select(Trait.name)).all() + session.scalars(select(TraitSynonym.name)).all()
        raise NotFound(unknown("trait", text, names) + " (see `littrack traits`)")
    groups = session.scalars(select(trait_members.c.group_id).where(trait_members.c.member_id.in_(ids)))
    return sorted(ids | set(groups))


def resolve_domain(session: Session, text: str) -> list[int]:
    pattern = _like(text)
    exact = session.scalars(select(TraitDomain.id).where(TraitDomain.name_key == name_key(text))).all()
    if exact:
        return list(exact)
    ids = session.scalars(select(TraitDomain.id).where(TraitDomain.name_key.like(pattern, escape="\\"))).all()
    if not ids:
        raise NotFound(unknown("domain", text, session.scalars(select(TraitDomain.name))) + " (see `littrack traits`)")
    return list(ids)


def resolve_comparison(session: Session, text: str) -> list[int]:
    names = dict(session.execute(select(Comparison.name, Comparison.id)).tuples().all())
    exact = [i for n, i in names.items() if name_key(n) == name_key(text)]
    if exact:
        return exact
    partial = [i for n, i in names.items() if name_key(text) in name_key(n)]
    if not partial:
        raise NotFound(unknown("comparison", text, names))
    return partial


def resolve_study(session: Session, key: str) -> Study:
    study = session.scalar(select(Study).where(Study.key == key))
    if study is None:
        raise NotFound(unknown("study", key, session.scalars(select(Study.key))) + " (see `littrack studies`)")
    return study


def resolve_measure(text: str) -> str:
    for m in MEASURES:
        if m.casefold() == text.casefold():
            return m
    raise NotFound(unknown("measure", text, MEASURES) + "; measures: " + ", ".join(MEASURES))


def effects_statement(session: Session, f: EffectFilter) -> Select[Any]:
    """The SELECT behind `littrack effects`; names are resolved first so unknown ones are errors."""
    e = EffectSize
    trait = aliased(Trait)
    stmt = (
        select(
            e.id, e.finding_key, trait.name.label("trait"), trait.id.label("trait_id"), Comparison.name.label("comparison"),
            e.analysis, e.measure, e.per_unit, e.value_kind, e.derived, e.derivation, e.estimate, e.ci_lower,
            e.ci_upper, e.ci_level, e.se, e.p_value, e.p_value_log10, e.q_value, e.q_value_log10, e.range_low,
            e.range_high, e.direction, e.direction_text, e.reported_text, e.n_total, e.n_cases, e.n_controls,
            e.covariates, Dataset.label.label("dataset"), e.sample_text, Study.key.label("study"),
            Source.key.label("source"), Source.kind.label("source_kind"), Source.is_primary.label("source_primary"),
            Source.citation.label("source_citation"), e.location, e.quote, e.notes, e.curator, e.curated_at,
        )
        .join(trait, trait.id == e.exposure_trait_id)
        .join(Comparison, Comparison.id == e.comparison_id)
        .join(Study, Study.id == e.study_id)
        .join(Source, Source.id == e.source_id)
        .outerjoin(Dataset, Dataset.id == e.dataset_id)
    )
    if f.trait:
        stmt = stmt.where(e.exposure_trait_id.in_(match_traits(session, f.trait)))
    if f.domain:
        in_domain = select(trait_domain_links.c.trait_id).where(
            trait_domain_links.c.domain_id.in_(resolve_domain(session, f.domain))
        )
        stmt = stmt.where(e.exposure_trait_id.in_(in_domain))
    if f.comparison:
        stmt = stmt.where(e.comparison_id.in_(resolve_comparison(session, f.comparison)))
    if f.measure:
        stmt = stmt.where(e.measure == resolve_measure(f.measure))
    if f.study:
        stmt = stmt.where(e.study_id == resolve_study(session, f.study).id)
    if f.direction:
        stmt = stmt.where(e.direction == f.direction)
    # A range row passes an estimate bound when any part of its range does.
    if f.min_estimate is not None:
        stmt = stmt.where(or_(e.estimate >= f.min_estimate, e.range_high >= f.min_estimate))
    if f.max_estimate is not None:
        stmt = stmt.where(or_(e.estimate <= f.max_estimate, e.range_low <= f.max_estimate))
    if f.reported_only:
        stmt = stmt.where(and_(e.value_kind == "reported", e.derived.is_(False)))
    order = {
        "trait": [trait.name_key, Study.key, e.finding_key],
        "estimate": [func.coalesce(e.estimate, e.range_low).desc(), trait.name_key, e.finding_key],
        "p": [func.coalesce(e.p_value_log10, 1.0), trait.name_key, e.finding_key],
        "study": [Study.key, e.finding_key],
        "comparison": [Comparison.name, trait.name_key, e.finding_key],
        "curated": [e.curated_at.desc(), e.id],
    }[f.sort]
    return stmt.order_by(*order)


def trait_domains(session: Session, trait_ids: set[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    if not trait_ids:
        return out
    rows = session.execute(
        select(trait_domain_links.c.trait_id, TraitDomain.name)
        .join(TraitDomain, TraitDomain.id == trait_domain_links.c.domain_id)
        .where(trait_domain_links.c.trait_id.in_(trait_ids))
        .order_by(TraitDomain.name)
    )
    for tid, name in rows:
        out[tid].append(name)
    return out


def find_effects(session: Session, f: EffectFilter) -> list[dict[str, Any]]:
    """Effect rows as plain dicts, one per effect size, with provenance."""
    rows = [dict(r._mapping) for r in session.execute(effects_statement(session, f))]
    domains = trait_domains(session, {r["trait_id"] for r in rows})
    for r in rows:
        r["domain"] = "; ".join(domains.get(r["trait_id"], [])) or None
        p = probability_from_columns(r.pop("p_value"), r.pop("p_value_log10"))
        q = probability_from_columns(r.pop("q_value"), r.pop("q_value_log10"))
        r["p_value"] = None if p is None else (p.value if p.value is not None else p.text)
        r["q_value"] = None if q is None else (q.value if q.value is not None else q.text)
        r["curated_at"] = r["curated_at"].isoformat() if r["curated_at"] else None
    return rows


def list_traits(session: Session, domain: str | None = None) -> list[dict[str, Any]]:
    counts = dict(
        session.execute(select(EffectSize.exposure_trait_id, func.count()).group_by(EffectSize.exposure_trait_id)).tuples().all()
    )
    stmt = select(Trait.id, Trait.name, Trait.kind, Trait.ontology_id).order_by(Trait.name_key)
    if domain:
        stmt = stmt.where(Trait.id.in_(select(trait_domain_links.c.trait_id).where(
            trait_domain_links.c.domain_id.in_(resolve_domain(session, domain)))))
    rows = session.execute(stmt).all()
    domains = trait_domains(session, {r.id for r in rows})
    synonyms: dict[int, list[str]] = defaultdict(list)
    for tid, syn in session.execute(select(TraitSynonym.trait_id, TraitSynonym.name).order_by(TraitSynonym.name)):
        synonyms[tid].append(syn)
    return [
        {"trait": r.name, "kind": r.kind, "domain": "; ".join(domains.get(r.id, [])) or None,
         "synonyms": "; ".join(synonyms.get(r.id, [])) or None, "ontology_id": r.ontology_id,
         "effects": counts.get(r.id, 0)}
        for r in rows
    ]
