"""Apply a validated bundle to the database: upsert by natural keys, count what changed, log history."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from littrack import history
from littrack.bundle.read import EFFECTS_FILE, STUDY_FILE, Bundle
from littrack.errors import ValidationError
from littrack.models import (
    Author, Cohort, Comparison, Dataset, DatasetGroup, EffectSize, Phenotype, Publication, Source, Study,
    StudyPublication, Trait, TraitDomain, TraitSynonym, name_key,
)
from littrack.models.base import utcnow
from littrack.suggest import unknown


@dataclass
class LoadReport:
    study_key: str
    counts: dict[str, Counter[str]] = field(default_factory=dict)

    def count(self, entity: str, outcome: str) -> None:
        self.counts.setdefault(entity, Counter())[outcome] += 1

    def total(self, outcome: str) -> int:
        return sum(c[outcome] for c in self.counts.values())


def _set(obj: Any, values: dict[str, Any]) -> bool:
    """Set attributes that differ; True when anything changed."""
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def _upsert(session: Session, report: LoadReport, entity: str, obj: Any | None, cls: type, values: dict[str, Any]) -> Any:
    if obj is None:
        obj = cls(**values)
        session.add(obj)
        report.count(entity, "added")
    else:
        report.count(entity, "updated" if _set(obj, values) else "unchanged")
    return obj


class _Loader:
    def __init__(self, session: Session, bundle: Bundle, curator: str, create_traits: bool):
        self.s = session
        self.b = bundle
        self.curator = curator
        self.create_traits = create_traits
        self.report = LoadReport(study_key=bundle.study.get("key", ""))
        self.problems: list[str] = []

    # -- vocabularies shared across studies ---------------------------------------------------------
    def domains(self) -> dict[str, TraitDomain]:
        existing = {d.name_key: d for d in self.s.scalars(select(TraitDomain))}
        for spec in self.b.domains:
            obj = existing.get(name_key(spec["name"]))
            values = {"name": spec["name"]}
            if "description" in spec:
                values["description"] = spec["description"]
            existing[name_key(spec["name"])] = _upsert(self.s, self.report, "domains", obj, TraitDomain, values)
        return existing

    def traits(self, domains: dict[str, TraitDomain]) -> dict[str, Trait]:
        by_key: dict[str, Trait] = {t.name_key: t for t in self.s.scalars(select(Trait))}
        for syn in self.s.scalars(select(TraitSynonym)):
            by_key.setdefault(syn.name_key, syn.trait)
        for i, spec in enumerate(self.b.traits, start=1):
            where = f"{STUDY_FILE}:traits[{i}]"
            obj = by_key.get(name_key(spec["name"]))
            values: dict[str, Any] = {"name": spec["name"] if obj is None else obj.name,
                                      "kind": spec.get("kind", "trait")}
            for key in ("ontology_id", "description"):
                if key in spec:
                    values[key] = spec[key]
            obj = _upsert(self.s, self.report, "traits", obj, Trait, values)
            by_key[name_key(spec["name"])] = obj
            wanted = []
            for d in spec.get("domains", []):
                if name_key(d) in domains:
                    wanted.append(domains[name_key(d)])
                else:
                    self.problems.append(f"{where}:domains: " + unknown("domain", d, [x.name for x in domains.values()]))
            if wanted and sorted(x.name for x in obj.domains) != sorted(x.name for x in wanted):
                obj.domains = wanted
            have = {s.name_key for s in obj.synonyms}
            for syn in spec.get("synonyms", []):
                if name_key(syn) not in have:
                    obj.synonyms.append(TraitSynonym(name=syn))
                    by_key[name_key(syn)] = obj
        for i, spec in enumerate(self.b.traits, start=1):
            if "members" not in spec:
                continue
            group = by_key[name_key(spec["name"])]
            members = []
            for m in spec["members"]:
                if name_key(m) in by_key:
                    members.append(by_key[name_key(m)])
                else:
                    self.problems.append(f"{STUDY_FILE}:traits[{i}]:members: " + unknown("trait", m, self._trait_names(by_key)))
            if sorted(x.name for x in group.members) != sorted(x.name for x in members):
                group.members = members
        return by_key

    @staticmethod
    def _trait_names(by_key: dict[str, Trait]) -> list[str]:
        return [t.name for t in by_key.values()]

    def phenotypes_and_comparisons(self) -> dict[str, Comparison]:
        phen = {p.name: p for p in self.s.scalars(select(Phenotype))}
        for spec in self.b.phenotypes:
            values = {k: spec[k] for k in ("name", "full_name", "definition") if k in spec}
            phen[spec["name"]] = _upsert(self.s, self.report, "phenotypes", phen.get(spec["name"]), Phenotype, values)
        comps = {c.name: c for c in self.s.scalars(select(Comparison))}
        for i, spec in enumerate(self.b.comparisons, start=1):
            values: dict[str, Any] = {"name": spec["name"], "kind": spec["kind"], "description": spec.get("description")}
            for field_, attr in (("case", "case_phenotype"), ("reference", "reference_phenotype")):
                if field_ in spec:
                    if spec[field_] in phen:
                        values[attr] = phen[spec[field_]]
                    else:
                        self.problems.append(f"{STUDY_FILE}:comparisons[{i}]:{field_}: " + unknown("phenotype", spec[field_], phen))
                else:
                    values[attr] = None
            comps[spec["name"]] = _upsert(self.s, self.report, "comparisons", comps.get(spec["name"]), Comparison, values)
        return comps

    # -- the study ----------------------------------------------------------------------------------
    def publications(self) -> dict[str, Publication]:
        refs: dict[str, Publication] = {}
        for spec in self.b.publications:
            obj = None
            if spec.get("pmid"):
                obj = self.s.scalar(select(Publication).where(Publication.pmid == spec["pmid"]))
            if obj is None and spec.get("doi"):
                obj = self.s.scalar(select(Publication).where(Publication.doi == spec["doi"]))
            values: dict[str, Any] = {}
            for key in ("pmid", "doi", "pmcid", "title", "journal", "journal_iso", "issn", "volume", "issue", "pages",
                        "language", "abstract", "epub_date"):
                if key in spec:
                    values[key] = spec[key]
            if "pub_date" in spec:
                values["pub_date_text"] = spec["pub_date"]
            if "year" in spec:
                values["pub_year"] = spec["year"]
            if "publication_types" in spec:
                values["publication_types"] = spec["publication_types"]
                values["is_preprint"] = "Preprint" in spec["publication_types"]
            if "keywords" in spec:
                values["keywords"] = spec["keywords"]
            authors = [_author(i, a) for i, a in enumerate(spec.get("authors", []))]
            if obj is None:
                obj = Publication(origin="bundle", authors=authors, **values)
                self.s.add(obj)
                self.report.count("publications", "added")
            else:
                changed = _set(obj, values)
                if authors and _names(obj.authors) != _names(authors):
                    obj.authors = authors
                    changed = True
                self.report.count("publications", "updated" if changed else "unchanged")
            refs[spec["ref"]] = obj
        for spec in self.b.publications:
            if "preprint_of" in spec:
                target = refs[spec["preprint_of"]]
                self.s.flush()
                if refs[spec["ref"]].preprint_of_id != target.id:
                    refs[spec["ref"]].preprint_of = target
        return refs

    def study(self, refs: dict[str, Publication]) -> Study:
        spec = self.b.study
        obj = self.s.scalar(select(Study).where(Study.key == spec["key"]))
        before = history.snapshot(obj) if obj is not None else None
        values = {k: spec.get(k) for k in ("key", "title", "design", "exposures", "outcomes", "description", "notes")}
        created = obj is None
        obj = _upsert(self.s, self.report, "studies", obj, Study, values)
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
                _set(link, {"role": role, "position": pos})
        return obj

    def sources(self, study: Study, refs: dict[str, Publication]) -> dict[str, Source]:
        existing = {s.key: s for s in study.sources}
        for spec in self.b.sources:
            values = {
                "key": spec["key"], "kind": spec["kind"], "is_primary": spec.get("primary", False),
                "publication": refs.get(spec["publication"]) if "publication" in spec else None,
                "citation": spec["citation"], "publisher": spec.get("publisher"), "url": spec.get("url"),
                "date_text": spec.get("date"), "notes": spec.get("notes"),
            }
            obj = existing.get(spec["key"])
            if obj is None:
                obj = Source(**values)
                study.sources.append(obj)
                self.report.count("sources", "added")
            else:
                self.report.count("sources", "updated" if _set(obj, values) else "unchanged")
            existing[spec["key"]] = obj
        return existing

    def datasets(self, study: Study) -> dict[str, Dataset]:
        cohorts = {c.name: c for c in self.s.scalars(select(Cohort))}
        for spec in self.b.cohorts:
            values = {k: spec.get(k) for k in ("name", "country", "description", "url")}
            cohorts[spec["name"]] = _upsert(self.s, self.report, "cohorts", cohorts.get(spec["name"]), Cohort, values)
        existing = {d.label: d for d in study.datasets}
        for i, spec in enumerate(self.b.datasets, start=1):
            cohort = None
            if "cohort" in spec:
                cohort = cohorts.get(spec["cohort"])
                if cohort is None:
                    self.problems.append(f"{STUDY_FILE}:datasets[{i}]:cohort: " + unknown("cohort", spec["cohort"], cohorts))
            values = {
                "label": spec["label"], "role": spec["role"], "cohort": cohort, "genotyping": spec.get("genotyping"),
                "ancestry": spec.get("ancestry"), "n_total": spec.get("n_total"),
                "description": spec.get("description"), "source_note": spec.get("source"),
            }
            obj = existing.get(spec["label"])
            groups = list(spec.get("groups", {}).items())
            if obj is None:
                obj = Dataset(**values)
                study.datasets.append(obj)
                self.report.count("datasets", "added")
            else:
                changed = _set(obj, values)
                if [(g.name, g.n) for g in obj.groups] != groups:
                    obj.groups = []
                    self.s.flush()
                    changed = True
                self.report.count("datasets", "updated" if changed else "unchanged")
            if not obj.groups and groups:
                obj.groups = [DatasetGroup(name=name, n=n, position=pos) for pos, (name, n) in enumerate(groups)]
            existing[spec["label"]] = obj
        return existing

    def effects(self, study: Study, traits: dict[str, Trait], comps: dict[str, Comparison],
                datasets: dict[str, Dataset], sources: dict[str, Source]) -> None:
        existing = {e.finding_key: e for e in self.s.scalars(select(EffectSize).where(EffectSize.study_id == study.id))}
        now = utcnow()
        for spec in self.b.effects:
            line = self.b.effect_rows[spec.finding_key]
            where = f"{EFFECTS_FILE}:{line}"
            trait = traits.get(name_key(spec.trait))
            if trait is None and self.create_traits:
                trait = Trait(name=spec.trait, kind="trait")
                self.s.add(trait)
                traits[name_key(spec.trait)] = trait
                self.report.count("traits", "added")
            refs_ok = True
            if trait is None:
                self.problems.append(f"{where}:trait: " + unknown("trait", spec.trait, self._trait_names(traits))
                                     + " (declare it in study.toml, or import with --create-traits)")
                refs_ok = False
            comp = comps.get(spec.comparison)
            if comp is None:
                self.problems.append(f"{where}:comparison: " + unknown("comparison", spec.comparison, comps))
                refs_ok = False
            source = sources.get(spec.source)
            if source is None:
                self.problems.append(f"{where}:source: " + unknown("source", spec.source, sources))
                refs_ok = False
            dataset = None
            if spec.dataset:
                dataset = datasets.get(spec.dataset)
                if dataset is None:
                    self.problems.append(f"{where}:dataset: " + unknown("data set", spec.dataset, datasets))
                    refs_ok = False
            if not refs_ok or self.problems:
                continue
            values = dict(spec.values)
            values.update(study=study, finding_key=spec.finding_key, exposure_trait=trait, comparison=comp,
                          dataset=dataset, source=source)
            obj = existing.get(spec.finding_key)
            before = history.snapshot(obj) if obj is not None else None
            if obj is None:
                values.update(curator=spec.curator or self.curator, curated_at=spec.curated_at or now)
                obj = EffectSize(**values)
                self.s.add(obj)
                self.report.count("effects", "added")
                history.record(self.s, "effect_size", obj, "create", self.curator, None, study.key)
            else:
                if spec.curator:
                    values["curator"] = spec.curator
                if spec.curated_at:
                    values["curated_at"] = spec.curated_at
                if _set(obj, values):
                    if not spec.curated_at:
                        obj.curated_at = now
                    self.report.count("effects", "updated")
                    history.record(self.s, "effect_size", obj, "update", self.curator, before, study.key)
                else:
                    self.report.count("effects", "unchanged")


def _names(authors: list[Author]) -> list[tuple[str | None, str | None, str | None]]:
    return [(a.last_name, a.fore_name, a.collective_name) for a in authors]


def _author(position: int, spec: str | dict[str, Any]) -> Author:
    if isinstance(spec, dict):
        return Author(position=position, last_name=spec.get("last_name"), fore_name=spec.get("fore_name"),
                      initials=spec.get("initials"), suffix=spec.get("suffix"),
                      collective_name=spec.get("collective_name"), orcid=spec.get("orcid"),
                      affiliations=list(spec.get("affiliations", [])))
    if "," in spec:
        last, fore = (p.strip() for p in spec.split(",", 1))
        initials = "".join(w[0] for w in fore.replace("-", " ").split() if w)
        return Author(position=position, last_name=last, fore_name=fore or None, initials=initials or None,
                      affiliations=[])
    return Author(position=position, collective_name=spec.strip(), affiliations=[])


def load_bundle(session: Session, bundle: Bundle, curator: str, *, create_traits: bool = False) -> LoadReport:
    """Upsert the bundle's study into the session (the caller commits or rolls back)."""
    loader = _Loader(session, bundle, curator, create_traits)
    with session.no_autoflush:
        domains = loader.domains()
        traits = loader.traits(domains)
        comps = loader.phenotypes_and_comparisons()
    refs = loader.publications()
    study = loader.study(refs)
    sources = loader.sources(study, refs)
    datasets = loader.datasets(study)
    if loader.problems:
        raise ValidationError(loader.problems)
    session.flush()
    loader.effects(study, traits, comps, datasets, sources)
    if loader.problems:
        raise ValidationError(loader.problems)
    session.flush()
    return loader.report
