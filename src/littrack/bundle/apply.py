"""Apply a validated bundle to the database: check every name first, then upsert by natural keys and log history."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from littrack import history
from littrack.bundle.publications import author_from_spec, author_rows, mesh_from_spec, mesh_rows, publication_values
from littrack.bundle.read import EFFECTS_FILE, STUDY_FILE, Bundle, parse_bundle
from littrack.errors import ValidationError
from littrack.models import (
    Cohort,
    Comparison,
    Dataset,
    DatasetGroup,
    EffectSize,
    Phenotype,
    Publication,
    Source,
    Study,
    StudyPublication,
    Trait,
    TraitDomain,
    TraitSynonym,
)
from littrack.models.base import assign_changed, utcnow
from littrack.suggest import unknown
from littrack.vocab import name_key

OUTCOMES = ("added", "updated", "unchanged", "removed")


@dataclass
class LoadReport:
    study_key: str
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    created_traits: list[str] = field(default_factory=list)
    not_in_bundle: list[str] = field(default_factory=list)  # finding keys in the database, absent from the bundle

    def count(self, entity: str, outcome: str) -> None:
        self.counts.setdefault(entity, Counter())[outcome] += 1

    def total(self, outcome: str) -> int:
        return sum(c[outcome] for c in self.counts.values())

    def rows(self) -> list[dict[str, Any]]:
        out = [{"entity": e, **{o: c[o] for o in OUTCOMES}} for e, c in self.counts.items()]
        out.append({"entity": "total", **{o: self.total(o) for o in OUTCOMES}})
        return out


def _upsert(session: Session, report: LoadReport, entity: str, obj: Any | None, cls: type, values: dict[str, Any],
            create: dict[str, Any] | None = None) -> Any:
    if obj is None:
        obj = cls(**values, **(create or {}))
        session.add(obj)
        report.count(entity, "added")
    else:
        report.count(entity, "updated" if assign_changed(obj, values) else "unchanged")
    return obj


def _problem_order(problem: str) -> tuple[int, int]:
    """study.toml before effects.csv; effects.csv by row; otherwise the order found."""
    match = re.match(r"([^:]+):(\d+)?", problem)
    if not match:
        return (2, 0)
    file_rank = {STUDY_FILE: 0, EFFECTS_FILE: 1}.get(match.group(1), 2)
    return (file_rank, int(match.group(2)) if match.group(2) and file_rank == 1 else 0)


def sort_problems(problems: list[str]) -> list[str]:
    return sorted(problems, key=_problem_order)


# ---- every name the bundle uses, checked against the bundle and the database before anything is written ----

def _texts(values: Any) -> list[str]:
    return [v for v in values if isinstance(v, str)] if isinstance(values, list) else []


def check_references(session: Session, b: Bundle, *, create_traits: bool = False) -> list[str]:
    """Problems with names the bundle uses (traits, domains, comparisons, data sets ...); nothing is written."""
    problems: list[str] = []
    S = STUDY_FILE
    domains = {name_key(n): n for n in session.scalars(select(TraitDomain.name))}
    domains.update({name_key(d["name"]): d["name"] for d in b.domains if isinstance(d.get("name"), str)})
    db_trait = {t.name_key: t.id for t in session.scalars(select(Trait))}
    db_syn = {s.name_key: s.trait_id for s in session.scalars(select(TraitSynonym))}
    trait_names = set(session.scalars(select(Trait.name))) | set(session.scalars(select(TraitSynonym.name)))
    known_traits = set(db_trait) | set(db_syn)
    claimed: dict[str, int] = {}
    for t in b.traits:
        if not isinstance(t.get("name"), str):
            continue
        known_traits.add(name_key(t["name"]))
        trait_names.add(t["name"])
        for syn in _texts(t.get("synonyms")):
            known_traits.add(name_key(syn))
            trait_names.add(syn)
    for i, t in enumerate(b.traits, start=1):
        if not isinstance(t.get("name"), str):
            continue
        for d in _texts(t.get("domains")):
            if name_key(d) not in domains:
                problems.append(f"{S}:traits[{i}]:domains: " + unknown("domain", d, domains.values(), "declare it in [[domains]]",
                                                                        problem=True))
        for m in _texts(t.get("members")):
            if name_key(m) not in known_traits:
                problems.append(f"{S}:traits[{i}]:members: " + unknown("trait", m, trait_names, problem=True))
        own = db_trait.get(name_key(t["name"]), db_syn.get(name_key(t["name"])))
        for syn in _texts(t.get("synonyms")):
            k = name_key(syn)
            owner = db_trait.get(k, db_syn.get(k))
            if owner is not None and owner != own:
                problems.append(f"{S}:traits[{i}]:synonyms: already the name or a synonym of another trait ({syn})")
            elif k in claimed and claimed[k] != i:
                problems.append(f"{S}:traits[{i}]:synonyms: also a synonym of traits[{claimed[k]}] ({syn})")
            claimed.setdefault(k, i)

    phenotypes = {name_key(n): n for n in session.scalars(select(Phenotype.name))}
    phenotypes.update({name_key(p["name"]): p["name"] for p in b.phenotypes if isinstance(p.get("name"), str)})
    for i, c in enumerate(b.comparisons, start=1):
        for key in ("case", "reference"):
            if isinstance(c.get(key), str) and name_key(c[key]) not in phenotypes:
                problems.append(f"{S}:comparisons[{i}]:{key}: " + unknown("phenotype", c[key], phenotypes.values(),
                                                                          "declare it in [[phenotypes]]", problem=True))
    cohorts = {name_key(n): n for n in session.scalars(select(Cohort.name))}
    cohorts.update({name_key(c["name"]): c["name"] for c in b.cohorts if isinstance(c.get("name"), str)})
    for i, entry in enumerate(b.datasets, start=1):
        if isinstance(entry.get("cohort"), str) and name_key(entry["cohort"]) not in cohorts:
            problems.append(f"{S}:datasets[{i}]:cohort: " + unknown("cohort", entry["cohort"], cohorts.values(),
                                                                    "declare it in [[cohorts]]", problem=True))
    problems.extend(_publication_conflicts(session, b))

    study = session.scalar(select(Study).where(Study.key == b.study.get("key"))) if b.study.get("key") else None
    comparisons = {name_key(n): n for n in session.scalars(select(Comparison.name))}
    comparisons.update({name_key(c["name"]): c["name"] for c in b.comparisons if isinstance(c.get("name"), str)})
    sources = {name_key(s["key"]): s["key"] for s in b.sources if isinstance(s.get("key"), str)}
    datasets = {name_key(d["label"]): d["label"] for d in b.datasets if isinstance(d.get("label"), str)}
    if study is not None:
        sources.update({name_key(s.key): s.key for s in study.sources})
        datasets.update({name_key(d.label): d.label for d in study.datasets})
    for line, raw in b.raw_rows:
        where = f"{EFFECTS_FILE}:{line}"
        trait = (raw.get("trait") or "").strip()
        if trait and name_key(trait) not in known_traits and not create_traits:
            problems.append(f"{where}:trait: " + unknown(
                "trait", trait, trait_names, "declare it in study.toml [[traits]], or import with --create-traits",
                problem=True))
        comp = (raw.get("comparison") or "").strip()
        if comp and name_key(comp) not in comparisons:
            problems.append(f"{where}:comparison: " + unknown("comparison", comp, comparisons.values(),
                                                              "declare it in study.toml [[comparisons]]", problem=True))
        src = (raw.get("source") or "").strip()
        if src and name_key(src) not in sources:
            problems.append(f"{where}:source: " + unknown("source", src, sources.values(),
                                                          "declare it in study.toml [[sources]]", problem=True))
        ds = (raw.get("dataset") or "").strip()
        if ds and name_key(ds) not in datasets:
            problems.append(f"{where}:dataset: " + unknown("data set", ds, datasets.values(),
                                                           "declare it in study.toml [[datasets]]", problem=True))
    return problems


def _publication_conflicts(session: Session, b: Bundle) -> list[str]:
    """A bundle publication whose PMID, DOI and PMCID point at different publications in the database."""
    problems = []
    for i, p in enumerate(b.publications, start=1):
        found: dict[str, int] = {}
        for ident, column in (("pmid", Publication.pmid), ("doi", Publication.doi), ("pmcid", Publication.pmcid)):
            value = p.get(ident)
            if isinstance(value, int if ident == "pmid" else str) and not isinstance(value, bool):
                pub_id = session.scalar(select(Publication.id).where(column == value))
                if pub_id is not None:
                    found[ident] = pub_id
        if len(set(found.values())) > 1:
            first, *others = found
            for ident in others:
                if found[ident] != found[first]:
                    problems.append(f"{STUDY_FILE}:publications[{i}]:{ident}: belongs to another publication in the "
                                    f"database than its {first} {p[first]} ({p[ident]})")
    return problems


# ---- writing ---------------------------------------------------------------------------------------

class _Loader:
    def __init__(self, session: Session, bundle: Bundle, curator: str, create_traits: bool, prune: bool):
        self.s = session
        self.b = bundle
        self.curator = curator
        self.create_traits = create_traits
        self.prune = prune
        self.report = LoadReport(study_key=bundle.study.get("key", ""))

    # -- vocabularies shared across studies ---------------------------------------------------------
    def domains(self) -> dict[str, TraitDomain]:
        existing = {d.name_key: d for d in self.s.scalars(select(TraitDomain))}
        for spec in self.b.domains:
            k = name_key(spec["name"])
            values = {"description": spec["description"]} if "description" in spec else {}
            existing[k] = _upsert(self.s, self.report, "domains", existing.get(k), TraitDomain, values,
                                  {"name": spec["name"]})
        return existing

    def traits(self, domains: dict[str, TraitDomain]) -> dict[str, Trait]:
        by_key: dict[str, Trait] = {t.name_key: t for t in self.s.scalars(select(Trait))}
        for syn in self.s.scalars(select(TraitSynonym)):
            by_key.setdefault(syn.name_key, syn.trait)
        for spec in self.b.traits:
            obj = by_key.get(name_key(spec["name"]))
            values: dict[str, Any] = {"kind": spec.get("kind", "trait")}
            for key in ("ontology_id", "description"):
                if key in spec:
                    values[key] = spec[key]
            changed = obj is not None and assign_changed(obj, values)
            if obj is None:
                obj = Trait(name=spec["name"], **values)
                self.s.add(obj)
            by_key[name_key(spec["name"])] = obj
            wanted = [domains[name_key(d)] for d in spec.get("domains", [])]
            if wanted and sorted(x.name_key for x in obj.domains) != sorted(x.name_key for x in wanted):
                obj.domains = wanted
                changed = True
            have = {s.name_key for s in obj.synonyms}
            for syn in spec.get("synonyms", []):
                if name_key(syn) not in have:
                    obj.synonyms.append(TraitSynonym(name=syn))
                    have.add(name_key(syn))
                    by_key[name_key(syn)] = obj
                    changed = True
            self._count("traits", obj, changed)
        for spec in self.b.traits:
            if "members" not in spec:
                continue
            group = by_key[name_key(spec["name"])]
            members = [by_key[name_key(m)] for m in spec["members"]]
            if sorted(x.name_key for x in group.members) != sorted(x.name_key for x in members):
                group.members = members
        return by_key

    def _count(self, entity: str, obj: Any, changed: bool) -> None:
        new = obj.id is None if hasattr(obj, "id") else False
        self.report.count(entity, "added" if new else "updated" if changed else "unchanged")

    def phenotypes_and_comparisons(self) -> dict[str, Comparison]:
        phen = {name_key(p.name): p for p in self.s.scalars(select(Phenotype))}
        for spec in self.b.phenotypes:
            k = name_key(spec["name"])
            values: dict[str, Any] = {key: spec.get(key) for key in ("full_name", "definition")}
            phen[k] = _upsert(self.s, self.report, "phenotypes", phen.get(k), Phenotype, values, {"name": spec["name"]})
        comps = {name_key(c.name): c for c in self.s.scalars(select(Comparison))}
        for spec in self.b.comparisons:
            k = name_key(spec["name"])
            values = {"kind": spec["kind"], "description": spec.get("description")}
            for field_, attr in (("case", "case_phenotype"), ("reference", "reference_phenotype")):
                values[attr] = phen[name_key(spec[field_])] if field_ in spec else None
            comps[k] = _upsert(self.s, self.report, "comparisons", comps.get(k), Comparison, values,
                               {"name": spec["name"]})
        return comps

    # -- the study ----------------------------------------------------------------------------------
    def publications(self) -> dict[str, Publication]:
        refs: dict[str, Publication] = {}
        for spec in self.b.publications:
            obj = None
            for ident, column in (("pmid", Publication.pmid), ("doi", Publication.doi), ("pmcid", Publication.pmcid)):
                if obj is None and spec.get(ident):
                    obj = self.s.scalar(select(Publication).where(column == spec[ident]))
            values = publication_values(spec)
            authors = [author_from_spec(i, a) for i, a in enumerate(spec.get("authors", []))]
            mesh = [mesh_from_spec(i, m) for i, m in enumerate(spec.get("mesh", []))]
            if obj is None:
                values.setdefault("origin", "bundle")
                obj = Publication(authors=authors, mesh_headings=mesh, **values)
                self.s.add(obj)
                self.report.count("publications", "added")
            else:
                changed = assign_changed(obj, values)
                # 'Last, Fore' strings carry names only: they leave a record's affiliations and ORCIDs alone.
                names_only = all(isinstance(a, str) for a in spec.get("authors", []))
                if "authors" in spec and author_rows(obj.authors, names_only) != author_rows(authors, names_only):
                    obj.authors = []
                    self.s.flush()
                    obj.authors = authors
                    changed = True
                if "mesh" in spec and mesh_rows(obj.mesh_headings) != mesh_rows(mesh):
                    obj.mesh_headings = []
                    self.s.flush()
                    obj.mesh_headings = mesh
                    changed = True
                self.report.count("publications", "updated" if changed else "unchanged")
            refs[spec["ref"]] = obj
        self.s.flush()
        for spec in self.b.publications:
            if "preprint_of" in spec:
                target = refs[spec["preprint_of"]]
                if refs[spec["ref"]].preprint_of_id != target.id:
                    refs[spec["ref"]].preprint_of = target
        return refs

    def study(self, refs: dict[str, Publication]) -> Study:
        spec = self.b.study
        obj = self.s.scalar(select(Study).where(Study.key == spec["key"]))
        before = history.snapshot(obj) if obj is not None else None
        values = {k: spec.get(k) for k in ("title", "design", "exposures", "outcomes", "description", "notes")}
        created = obj is None
        obj = _upsert(self.s, self.report, "studies", obj, Study, values, {"key": spec["key"]})
        if created or self.report.counts["studies"]["updated"]:
            history.record(self.s, "study", obj, "create" if created else "update", self.curator, before, obj.key)
        links = {link.publication_id: link for link in obj.publication_links}
        self.s.flush()
        for pos, p in enumerate(self.b.publications):
            pub = refs[p["ref"]]
            role = p.get("role", "primary")
            link = links.get(pub.id)
            if link is None:
                obj.publication_links.append(StudyPublication(publication=pub, role=role, position=pos))
            else:
                assign_changed(link, {"role": role, "position": pos})
        return obj

    def sources(self, study: Study, refs: dict[str, Publication]) -> dict[str, Source]:
        existing = {name_key(s.key): s for s in study.sources}
        for spec in self.b.sources:
            values = {
                "kind": spec["kind"], "is_primary": spec.get("primary", False),
                "publication": refs.get(spec["publication"]) if "publication" in spec else None,
                "citation": spec["citation"], "publisher": spec.get("publisher"), "url": spec.get("url"),
                "date_text": spec.get("date"), "notes": spec.get("notes"),
            }
            k = name_key(spec["key"])
            obj = existing.get(k)
            before = history.snapshot(obj) if obj is not None else None
            if obj is None:
                obj = Source(key=spec["key"], **values)
                study.sources.append(obj)
                self.report.count("sources", "added")
                history.record(self.s, "source", obj, "create", self.curator, None, study.key)
            elif assign_changed(obj, values):
                self.report.count("sources", "updated")
                history.record(self.s, "source", obj, "update", self.curator, before, study.key)
            else:
                self.report.count("sources", "unchanged")
            existing[k] = obj
        return existing

    def datasets(self, study: Study) -> dict[str, Dataset]:
        cohorts = {name_key(c.name): c for c in self.s.scalars(select(Cohort))}
        for spec in self.b.cohorts:
            k = name_key(spec["name"])
            values = {key: spec.get(key) for key in ("country", "description", "url")}
            cohorts[k] = _upsert(self.s, self.report, "cohorts", cohorts.get(k), Cohort, values, {"name": spec["name"]})
        existing = {name_key(d.label): d for d in study.datasets}
        for spec in self.b.datasets:
            values = {
                "role": spec["role"], "cohort": cohorts[name_key(spec["cohort"])] if "cohort" in spec else None,
                "genotyping": spec.get("genotyping"), "ancestry": spec.get("ancestry"), "n_total": spec.get("n_total"),
                "description": spec.get("description"), "source_note": spec.get("source"),
            }
            k = name_key(spec["label"])
            obj = existing.get(k)
            groups = list(spec.get("groups", {}).items())
            if obj is None:
                obj = Dataset(label=spec["label"], **values)
                obj.groups = [DatasetGroup(name=name, n=n, position=pos) for pos, (name, n) in enumerate(groups)]
                study.datasets.append(obj)
                self.report.count("datasets", "added")
                history.record(self.s, "dataset", obj, "create", self.curator, None, study.key)
            else:
                before = {**history.snapshot(obj), "groups": {g.name: g.n for g in obj.groups}}
                changed = assign_changed(obj, values)
                if [(g.name, g.n) for g in obj.groups] != groups:
                    obj.groups = []
                    self.s.flush()
                    obj.groups = [DatasetGroup(name=name, n=n, position=pos) for pos, (name, n) in enumerate(groups)]
                    changed = True
                self.report.count("datasets", "updated" if changed else "unchanged")
                if changed:
                    history.record(self.s, "dataset", obj, "update", self.curator, before, study.key,
                                   extra={"groups": dict(groups)})
            existing[k] = obj
        return existing

    def effects(self, study: Study, traits: dict[str, Trait], comps: dict[str, Comparison],
                datasets: dict[str, Dataset], sources: dict[str, Source]) -> None:
        existing = {e.finding_key: e for e in self.s.scalars(select(EffectSize).where(EffectSize.study_id == study.id))}
        now = utcnow()
        logged: list[tuple[EffectSize, str, dict[str, Any] | None]] = []  # logged after one flush, not one per row
        for spec in self.b.effects:
            trait = traits.get(name_key(spec.trait))
            if trait is None:  # checked before: only with --create-traits
                trait = Trait(name=spec.trait, kind="trait")
                self.s.add(trait)
                traits[name_key(spec.trait)] = trait
                self.report.count("traits", "added")
                self.report.created_traits.append(spec.trait)
            values = dict(spec.values)
            values.update(study=study, finding_key=spec.finding_key, exposure_trait=trait,
                          comparison=comps[name_key(spec.comparison)],
                          dataset=datasets[name_key(spec.dataset)] if spec.dataset else None,
                          source=sources[name_key(spec.source)])
            obj = existing.pop(spec.finding_key, None)
            if obj is None:
                values.update(curator=spec.curator or self.curator, curated_at=spec.curated_at or now)
                obj = EffectSize(**values)
                self.s.add(obj)
                self.report.count("effects", "added")
                logged.append((obj, "create", None))
                continue
            before = history.snapshot(obj)
            if not assign_changed(obj, values):
                # Same numbers: a differing curator column is an older attribution, not a change to make.
                self.report.count("effects", "unchanged")
                continue
            # New values: the stored attribution no longer describes them unless the row names a new one.
            obj.curator = spec.curator if spec.curator and spec.curator != before["curator"] else self.curator
            stated = spec.curated_at
            obj.curated_at = stated if stated and history.jsonable(stated) != before["curated_at"] else now
            self.report.count("effects", "updated")
            logged.append((obj, "update", before))
        self.s.flush()
        for obj, action, old in logged:
            history.record(self.s, "effect_size", obj, action, self.curator, old, study.key, flush=False)
        for key, obj in sorted(existing.items()):
            if self.prune:
                history.record(self.s, "effect_size", obj, "delete", self.curator, history.snapshot(obj), study.key)
                self.s.delete(obj)
                self.report.count("effects", "removed")
            else:
                self.report.not_in_bundle.append(key)


def load_bundle(session: Session, bundle: Bundle, curator: str, *, create_traits: bool = False,
                prune: bool = False, checked: bool = False) -> LoadReport:
    """Check every name the bundle uses, then upsert its study (the caller commits or rolls back)."""
    problems = [] if checked else check_references(session, bundle, create_traits=create_traits)
    if problems:
        raise ValidationError(sort_problems(problems))
    loader = _Loader(session, bundle, curator, create_traits, prune)
    with session.no_autoflush:
        domains = loader.domains()
        traits = loader.traits(domains)
        comps = loader.phenotypes_and_comparisons()
    refs = loader.publications()
    study = loader.study(refs)
    sources = loader.sources(study, refs)
    datasets = loader.datasets(study)
    session.flush()
    loader.effects(study, traits, comps, datasets, sources)
    session.flush()
    return loader.report


def import_bundle(session: Session, path: str | Path, curator: str, *, create_traits: bool = False,
                  prune: bool = False) -> LoadReport:
    """Read, check and load a bundle; every problem of the files and of their names is reported at once."""
    bundle, problems = parse_bundle(path)
    if bundle.study.get("key"):
        problems = problems + check_references(session, bundle, create_traits=create_traits)
    if problems:
        raise ValidationError(sort_problems(problems))
    return load_bundle(session, bundle, curator, create_traits=create_traits, prune=prune, checked=True)
