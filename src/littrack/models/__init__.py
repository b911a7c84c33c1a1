"""The littrack schema as typed SQLAlchemy models; Alembic migrations create it."""

from littrack.models.base import Base
from littrack.models.effect import EffectSize
from littrack.models.history import Change
from littrack.models.publication import Author, MeshHeading, Publication
from littrack.models.search import AppLock, SavedSearch, SearchHit, SearchRun, Triage
from littrack.models.study import Cohort, Dataset, DatasetGroup, Source, Study, StudyPublication
from littrack.models.trait import Comparison, Phenotype, Trait, TraitDomain, TraitSynonym

__all__ = [
    "AppLock", "Author", "Base", "Change", "Cohort", "Comparison", "Dataset", "DatasetGroup", "EffectSize",
    "MeshHeading", "Phenotype", "Publication", "SavedSearch", "SearchHit", "SearchRun", "Source", "Study",
    "StudyPublication", "Trait", "TraitDomain", "TraitSynonym", "Triage",
]
