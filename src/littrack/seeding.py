"""The seeded studies shipped with littrack, loaded through the same path as a user's bundle import."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from sqlalchemy.orm import Session

from littrack.bundle.load import LoadReport, load_bundle
from littrack.bundle.read import STUDY_FILE, read_bundle

SEED_CURATOR = "littrack seed"


def seed_bundle_paths() -> list[Path]:
    root = Path(str(files("littrack.seeds")))
    return sorted(p.parent for p in root.glob(f"*/{STUDY_FILE}"))


def load_seeds(session: Session) -> list[LoadReport]:
    return [load_bundle(session, read_bundle(path), SEED_CURATOR) for path in seed_bundle_paths()]
