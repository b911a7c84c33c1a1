"""The seeded studies and saved searches shipped with littrack; studies load through the user's bundle path."""

from __future__ import annotations

import tomllib
from importlib.resources import files
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from littrack.bundle.apply import LoadReport, load_bundle
from littrack.bundle.read import STUDY_FILE, read_bundle

SEED_CURATOR = "littrack seed"
SEARCHES_FILE = "searches.toml"


def seed_bundle_paths() -> list[Path]:
    root = Path(str(files("littrack.seeds")))
    return sorted(p.parent for p in root.glob(f"*/{STUDY_FILE}"))


def load_seed_searches(session: Session) -> list[str]:
    """Add the shipped saved searches that do not exist yet (by name); return the names added."""
    from littrack.models import SavedSearch
    from littrack.tracking.searches import add_search

    specs = tomllib.loads(files("littrack.seeds").joinpath(SEARCHES_FILE).read_text("utf-8")).get("searches", [])
    added = []
    for spec in specs:
        if session.scalar(select(SavedSearch.id).where(SavedSearch.name == spec["name"])) is None:
            add_search(session, spec["name"], spec["query"], spec.get("every", "7d"))
            added.append(spec["name"])
    return added


def load_seeds(session: Session) -> tuple[list[LoadReport], list[str]]:
    """Load every seeded study and the seeded searches; the reports and the names of searches added."""
    reports = [load_bundle(session, read_bundle(path), SEED_CURATOR) for path in seed_bundle_paths()]
    return reports, load_seed_searches(session)
