"""Read-side queries through the ORM: a study by key, traits with their domains and effect counts.

The effect-size query itself is plain SQL in littrack.fastread (the fast read path of `littrack effects`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from littrack.errors import NotFound
from littrack.fastread import resolve_domain, trait_domains
from littrack.suggest import unknown

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from littrack.models import Study


def resolve_study(session: Session, key: str) -> Study:
    from sqlalchemy import select

    from littrack.models import Study

    study = session.scalar(select(Study).where(Study.key == key))
    if study is None:
        raise NotFound(unknown("study", key, session.scalars(select(Study.key)), "see `littrack studies`"))
    return study


def list_traits(session: Session, domain: str | None = None) -> list[dict[str, Any]]:
    from sqlalchemy import func, select

    from littrack.models import EffectSize, Trait, TraitSynonym
    from littrack.models.trait import trait_domain_links

    counts = dict(
        session.execute(select(EffectSize.exposure_trait_id, func.count()).group_by(EffectSize.exposure_trait_id)).all()
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
