"""Curating one thing at a time: add a study around a publication; add, edit and delete an effect size."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from littrack import history
from littrack.bundle.effects import COLUMN_NAMES, check_effect_row, effect_row
from littrack.bundle.publications import author_from_spec
from littrack.bundle.read import STUDY_KEY_RE
from littrack.citations import ascii_word, vancouver
from littrack.errors import NotFound, ValidationError
from littrack.models import (
    Comparison,
    EffectSize,
    Publication,
    Source,
    Study,
    StudyPublication,
    Trait,
    TraitSynonym,
)
from littrack.models.base import assign_changed, utcnow
from littrack.queries import resolve_study
from littrack.suggest import unknown
from littrack.values import BadValue, iso, normalize_doi, parse_pmcid, parse_pmid
from littrack.vocab import name_key

Where = Callable[[str], str]


# ---- effect sizes -----------------------------------------------------------------------------------

def resolve_effect(session: Session, ident: str) -> EffectSize:
    """An effect by its id (12) or by study and finding key (xu2025_trd:F01)."""
    ident = ident.strip()
    if ident.isdigit():
        effect = session.get(EffectSize, int(ident))
        if effect is None:
            raise NotFound(f"no effect size with id {ident} (ids are in `littrack effects --format json`)")
        return effect
    study_key, sep, finding = ident.rpartition(":")
    if not sep or not study_key or not finding:
        raise NotFound(f"not an effect id ({ident}): give a number, or STUDY:FINDING_KEY such as xu2025_trd:F01")
    study = resolve_study(session, study_key)
    effect = session.scalar(select(EffectSize).where(EffectSize.study_id == study.id, EffectSize.finding_key == finding))
    if effect is None:
        keys = session.scalars(select(EffectSize.finding_key).where(EffectSize.study_id == study.id))
        raise NotFound(unknown(f"finding key in study {study.key}", finding, keys))
    return effect


def next_finding_key(session: Session, study: Study) -> str:
    """F01, F02 ...: one past the highest F-number in the study."""
    keys = session.scalars(select(EffectSize.finding_key).where(EffectSize.study_id == study.id))
    numbers = [int(m.group(1)) for k in keys if (m := re.fullmatch(r"F(\d+)", k))]
    return f"F{max(numbers, default=0) + 1:02d}"


@dataclass
class _Refs:
    trait: Trait | None
    comparison: Comparison | None
    source: Source | None
    dataset: Any


def _resolve_refs(session: Session, study: Study, raw: Mapping[str, str], where: Where, create_trait: bool,
                  problems: list[str]) -> _Refs:
    trait_name = (raw.get("trait") or "").strip()
    trait = None
    if trait_name:
        trait = session.scalar(select(Trait).where(Trait.name_key == name_key(trait_name)))
        if trait is None:
            syn = session.scalar(select(TraitSynonym).where(TraitSynonym.name_key == name_key(trait_name)))
            trait = syn.trait if syn else None
        if trait is None and create_trait:
            trait = Trait(name=trait_name, kind="trait")
            session.add(trait)
        elif trait is None:
            names = list(session.scalars(select(Trait.name))) + list(session.scalars(select(TraitSynonym.name)))
            problems.append(f"{where('trait')}: " + unknown("trait", trait_name, names, "or add it with --create-trait",
                                                            problem=True))
    def pick(field: str, items: list[Any], name_of: Callable[[Any], str], what: str, hint: str = "") -> Any:
        """The item whose name matches the row's field (case- and space-insensitive); a problem if none does."""
        text = (raw.get(field) or "").strip()
        if not text:
            return None
        found = {name_key(name_of(i)): i for i in items}.get(name_key(text))
        if found is None:
            problems.append(f"{where(field)}: " + unknown(what, text, [name_of(i) for i in items], hint,
                                                                problem=True))
        return found

    comparison = pick("comparison", list(session.scalars(select(Comparison))), lambda c: c.name, "comparison",
                      "declare new ones in a bundle's study.toml and `littrack import` it")
    source = pick("source", study.sources, lambda x: x.key, f"source of study {study.key}")
    dataset = pick("dataset", study.datasets, lambda d: d.label, f"data set of study {study.key}")
    return _Refs(trait, comparison, source, dataset)


def _unique_key(session: Session, study: Study, key: str, effect_id: int | None, where: Where,
                problems: list[str]) -> None:
    other = session.scalar(select(EffectSize).where(EffectSize.study_id == study.id, EffectSize.finding_key == key))
    if other is not None and other.id != effect_id:
        problems.append(f"{where('finding_key')}: already used in study {study.key} by effect {other.id} ({key})")


def add_effect(session: Session, study_key: str, raw: Mapping[str, str | None], curator: str, *,
               where: Where = lambda col: col, create_trait: bool = False) -> EffectSize:
    """Validate one row (the bundle validator) and add it to a study, with its history."""
    study = resolve_study(session, study_key)
    row = {k: (v or "") for k, v in raw.items()}
    if not row.get("finding_key"):
        row["finding_key"] = next_finding_key(session, study)
    if not row.get("source") and len(study.sources) == 1:
        row["source"] = study.sources[0].key
    spec, problems = check_effect_row(row, where)
    if not row.get("source"):
        missing = f"{where('source')}: missing required field"
        problems = [p if p != missing else f"{missing}; the study's sources: "
                    + (", ".join(s.key for s in study.sources) or "none (add one in a bundle)") for p in problems]
    refs = _resolve_refs(session, study, row, where, create_trait, problems)
    _unique_key(session, study, row["finding_key"], None, where, problems)
    if problems or spec is None:
        raise ValidationError(problems)
    effect = EffectSize(**spec.values, study=study, finding_key=spec.finding_key, exposure_trait=refs.trait,
                        comparison=refs.comparison, source=refs.source, dataset=refs.dataset,
                        curator=spec.curator or curator, curated_at=spec.curated_at or utcnow())
    session.add(effect)
    history.record(session, "effect_size", effect, "create", curator, None, study.key)
    return effect


def edit_effect(session: Session, effect: EffectSize, updates: Mapping[str, str], clear: set[str], curator: str, *,
                where: Where = lambda col: col, create_trait: bool = False) -> bool:
    """Change fields of an effect; the whole row is validated again. False when nothing changed."""
    not_fields = sorted((set(updates) | clear) - set(COLUMN_NAMES))
    if not_fields:
        raise ValidationError([f"{where(c)}: not a field of an effect size ({c})" for c in not_fields])
    row = effect_row(effect)
    row.update(updates)
    for col in clear:
        row[col] = ""
    # New values get a new attribution (this curator, now) unless the edit states one.
    for col in ("curator", "curated_at"):
        if col not in updates:
            row[col] = ""
    spec, problems = check_effect_row(row, where)
    study = effect.study
    refs = _resolve_refs(session, study, row, where, create_trait, problems)
    _unique_key(session, study, row["finding_key"].strip(), effect.id, where, problems)
    if problems or spec is None:
        raise ValidationError(problems)
    before = history.snapshot(effect)
    values = dict(spec.values)
    values.update(finding_key=spec.finding_key, exposure_trait=refs.trait, comparison=refs.comparison,
                  source=refs.source, dataset=refs.dataset)
    if not assign_changed(effect, values) and not {"curator", "curated_at"} & set(updates):
        return False
    assign_changed(effect, {"curator": spec.curator or curator, "curated_at": spec.curated_at or utcnow()})
    history.record(session, "effect_size", effect, "update", curator, before, study.key)
    return True


def delete_effect(session: Session, effect: EffectSize, curator: str) -> dict[str, Any]:
    """Delete an effect; the change log keeps every value it had."""
    before = history.snapshot(effect)
    history.record(session, "effect_size", effect, "delete", curator, before, effect.study.key)
    session.delete(effect)
    session.flush()
    return before


# ---- studies --------------------------------------------------------------------------------------

@dataclass
class ManualPublication:
    """Metadata typed in by a curator (no network)."""

    title: str | None = None
    journal: str | None = None
    year: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    authors: str | None = None  # 'Last, Fore; Last, Fore'
    pmid: str | None = None
    doi: str | None = None
    pmcid: str | None = None
    pub_date: str | None = None
    preprint: bool = False


def check_identifiers(pmid: str | None, doi: str | None, pmcid: str | None,
                      problems: list[str]) -> tuple[int | None, str | None, str | None]:
    out: list[Any] = []
    for name, value, parse in (("pmid", pmid, parse_pmid), ("doi", doi, normalize_doi), ("pmcid", pmcid, parse_pmcid)):
        if value in (None, ""):
            out.append(None)
            continue
        try:
            out.append(parse(value))
        except BadValue as exc:
            problems.append(f"--{name}: {exc} ({value})")
            out.append(None)
    return out[0], out[1], out[2]


def find_publication(session: Session, pmid: int | None, doi: str | None, pmcid: str | None = None) -> Publication | None:
    """The publication already holding one of these identifiers; an error when they point at different ones."""
    found: dict[str, Publication] = {}
    for name, column, value in (("PMID", Publication.pmid, pmid), ("DOI", Publication.doi, doi),
                                ("PMCID", Publication.pmcid, pmcid)):
        if value is not None:
            pub = session.scalar(select(Publication).where(column == value))
            if pub is not None:
                found[name] = pub
    if len({p.id for p in found.values()}) > 1:
        names = ", ".join(f"{n} belongs to publication {p.id}" for n, p in found.items())
        raise ValidationError(f"these identifiers name different publications in the database: {names}")
    return next(iter(found.values()), None)


def manual_publication(session: Session, m: ManualPublication) -> tuple[Publication, bool]:
    """The publication for typed-in metadata: an existing one when its PMID, DOI or PMCID is known."""
    problems: list[str] = []
    pmid, doi, pmcid = check_identifiers(m.pmid, m.doi, m.pmcid, problems)
    if problems:
        raise ValidationError(problems)
    existing = find_publication(session, pmid, doi, pmcid)
    if existing is not None:
        return existing, False
    year = None
    if not (m.title or "").strip():
        problems.append("--title: missing; without network access give the publication's --title (and --journal, "
                        "--year, --authors ...)")
    if m.year:
        if not re.fullmatch(r"\d{4}", m.year.strip()):
            problems.append(f"--year: not a year (YYYY) ({m.year})")
        else:
            year = int(m.year)
    authors = [a.strip() for a in (m.authors or "").split(";") if a.strip()]
    if problems:
        raise ValidationError(problems)
    pub = Publication(
        pmid=pmid, doi=doi, pmcid=pmcid, title=" ".join((m.title or "").split()), journal=m.journal or None,
        pub_year=year, pub_date_text=m.pub_date or (str(year) if year else None), volume=m.volume or None,
        issue=m.issue or None, pages=m.pages or None, origin="manual", is_preprint=m.preprint,
        publication_types=["Preprint"] if m.preprint else [], keywords=[],
        authors=[author_from_spec(i, a) for i, a in enumerate(authors)],
    )
    session.add(pub)
    session.flush()
    return pub, True


def default_source_key(pub: Publication) -> str:
    first = pub.authors[0] if pub.authors else None
    name = ascii_word((first.last_name or first.collective_name or "").split()[0]) if first and (
        first.last_name or first.collective_name) else ""
    if name and pub.year:
        return f"{name.upper()}{pub.year}"
    return f"PMID{pub.pmid}" if pub.pmid else "MAIN"


def add_study(session: Session, key: str, pub: Publication, curator: str, *, title: str | None = None,
              source_key: str | None = None, design: str | None = None, description: str | None = None,
              notes: str | None = None) -> Study:
    """A new study around its primary publication, with that publication as its primary source."""
    key = key.strip()
    if not STUDY_KEY_RE.match(key):
        raise ValidationError(f"KEY: a study key is letters, digits, '_', '.' or '-', starting with a letter or digit ({key})")
    existing = session.scalar(select(Study).where(Study.key == key))
    if existing is not None:
        raise ValidationError(f"KEY: study {key} exists already (see `littrack studies show {key}`) ({key})")
    study = Study(key=key, title=title or pub.title, design=design, description=description, notes=notes)
    session.add(study)
    study.publication_links.append(StudyPublication(publication=pub, role="preprint" if pub.is_preprint else "primary",
                                                    position=0))
    date = iso(pub.epub_date) or (str(pub.year) if pub.year else None)
    source = Source(key=source_key or default_source_key(pub), kind="preprint" if pub.is_preprint else "publication",
                    is_primary=True, publication=pub, citation=vancouver(pub), date_text=date)
    study.sources.append(source)
    history.record(session, "study", study, "create", curator, None, study.key)
    history.record(session, "source", source, "create", curator, None, study.key)
    return study
