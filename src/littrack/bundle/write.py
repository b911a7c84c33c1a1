"""A stored study written back out as a bundle (study.toml + effects.csv) that imports to the same rows.

Shared vocabulary goes with the study as far as it uses it: the traits of its effects (and their group
members), their domains, the comparisons of its effects and their phenotypes, the cohorts of its data sets.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import tomli_w
from sqlalchemy import select
from sqlalchemy.orm import Session

from littrack import __version__
from littrack.bundle.effects import COLUMN_NAMES, effect_row
from littrack.bundle.publications import publication_entry
from littrack.bundle.read import EFFECTS_FILE, FORMAT, STUDY_FILE
from littrack.citations import citation_keys
from littrack.errors import ValidationError
from littrack.files import write_files
from littrack.models import Comparison, EffectSize, Study, Trait
from littrack.queries import resolve_study


def _no_nulls(value: Any) -> Any:
    """The value with every None in a table left out: TOML has no null; a missing key reads back as None."""
    if isinstance(value, dict):
        return {k: _no_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_no_nulls(v) for v in value]
    return value


def study_toml(comments: list[str], document: dict[str, Any]) -> str:
    """study.toml's text: the comment lines, then the document as tomli-w writes it."""
    return "".join(f"# {c}\n" if c else "#\n" for c in comments) + tomli_w.dumps(_no_nulls(document))


def _refs(session: Session, study: Study) -> dict[int, str]:
    """A ref name per publication: the key of the source that cites it, else its citation key."""
    refs: dict[int, str] = {}
    used: set[str] = set()
    for src in sorted(study.sources, key=lambda s: s.id):
        if src.publication_id and src.publication_id not in refs and src.key not in used:
            refs[src.publication_id] = src.key
            used.add(src.key)
    keys = citation_keys(session)
    for link in study.publication_links:
        pid = link.publication_id
        if pid not in refs:
            ref, n = keys[pid], 1
            while ref in used:
                n += 1
                ref = f"{keys[pid]}_{n}"
            refs[pid] = ref
            used.add(ref)
    return refs


def _traits_closure(effect_traits: list[Trait]) -> list[Trait]:
    seen: dict[int, Trait] = {}
    todo = list(effect_traits)
    while todo:
        t = todo.pop()
        if t.id not in seen:
            seen[t.id] = t
            todo.extend(t.members)
    return sorted(seen.values(), key=lambda t: t.id)


def study_bundle(session: Session, key: str) -> tuple[str, str, list[str]]:
    """The texts of study.toml and effects.csv for a stored study, and notes on anything left out."""
    study = resolve_study(session, key)
    notes: list[str] = []
    refs = _refs(session, study)
    pubs = []
    in_bundle = {link.publication_id for link in study.publication_links}
    for link in study.publication_links:
        entry = publication_entry(link.publication, refs[link.publication_id], link.role, refs)
        target = link.publication.preprint_of_id
        if target and target not in in_bundle:
            notes.append(f"publication {refs[link.publication_id]} is a preprint of publication {target}, which is not "
                         "one of this study's publications; the link is not exported")
            entry["preprint_of"] = None
        pubs.append(entry)
    sources = [
        {"key": s.key, "kind": s.kind, "publication": refs.get(s.publication_id) if s.publication_id else None,
         "primary": s.is_primary, "citation": s.citation, "publisher": s.publisher, "url": s.url,
         "date": s.date_text, "notes": s.notes}
        for s in sorted(study.sources, key=lambda s: s.id)
    ]
    datasets = sorted(study.datasets, key=lambda d: d.id)
    cohorts = sorted({d.cohort.id: d.cohort for d in datasets if d.cohort}.values(), key=lambda c: c.id)
    effects = list(session.scalars(select(EffectSize).where(EffectSize.study_id == study.id).order_by(EffectSize.id)))
    comparisons: list[Comparison] = sorted({e.comparison.id: e.comparison for e in effects}.values(), key=lambda c: c.id)
    phenotypes = sorted({p.id: p for c in comparisons for p in (c.case_phenotype, c.reference_phenotype) if p}.values(),
                        key=lambda p: p.id)
    traits = _traits_closure([e.exposure_trait for e in effects])
    domains = sorted({d.id: d for t in traits for d in t.domains}.values(), key=lambda d: d.id)
    arrays: dict[str, list[dict[str, Any]]] = {
        "publications": pubs,
        "sources": sources,
        "cohorts": [{"name": c.name, "country": c.country, "description": c.description, "url": c.url} for c in cohorts],
        "datasets": [
            {"label": d.label, "cohort": d.cohort.name if d.cohort else None, "role": d.role, "genotyping": d.genotyping,
             "ancestry": d.ancestry, "n_total": d.n_total, "groups": {g.name: g.n for g in d.groups} or None,
             "description": d.description, "source": d.source_note}
            for d in datasets
        ],
        "phenotypes": [{"name": p.name, "full_name": p.full_name, "definition": p.definition} for p in phenotypes],
        "comparisons": [
            {"name": c.name, "kind": c.kind, "case": c.case_phenotype.name if c.case_phenotype else None,
             "reference": c.reference_phenotype.name if c.reference_phenotype else None, "description": c.description}
            for c in comparisons
        ],
        "domains": [{"name": d.name, "description": d.description} for d in domains],
        "traits": [
            {"name": t.name, "kind": t.kind if t.kind != "trait" else None,
             "domains": [d.name for d in t.domains] or None, "synonyms": [s.name for s in t.synonyms] or None,
             "members": [m.name for m in t.members] or None, "ontology_id": t.ontology_id,
             "description": t.description}
            for t in traits
        ],
    }
    top_study = {k: getattr(study, k) for k in ("key", "title", "design", "exposures", "outcomes", "description", "notes")}
    comments = [f"Study {study.key}, exported by littrack {__version__}.",
                "Import it with `littrack import PATH`; effects.csv holds its effect sizes."]
    toml_text = study_toml(comments, {"format": FORMAT, "study": top_study, **arrays})
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMN_NAMES)
    for e in effects:
        row = effect_row(e)
        writer.writerow([row[c] for c in COLUMN_NAMES])
    return toml_text, buf.getvalue(), notes


def write_study(session: Session, key: str, path: str | Path, *, force: bool = False) -> list[str]:
    """Write the study's bundle into folder `path`: both files whole, or neither."""
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise ValidationError(f"{folder}: not a folder; give the folder to write {STUDY_FILE} and {EFFECTS_FILE} into")
    targets = [folder / STUDY_FILE, folder / EFFECTS_FILE]
    present = [t for t in targets if t.exists()]
    if present and not force:
        raise ValidationError(f"{present[0]}: exists already; choose an empty folder or give --force to overwrite")
    toml_text, csv_text, notes = study_bundle(session, key)
    folder.mkdir(parents=True, exist_ok=True)
    write_files({targets[0]: toml_text, targets[1]: csv_text})
    return notes
