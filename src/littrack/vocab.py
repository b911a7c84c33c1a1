"""Fixed vocabularies and the natural-key form of names; free of SQLAlchemy so fast paths can use them."""

from __future__ import annotations


def name_key(name: str) -> str:
    """The case- and space-insensitive form natural keys are unique on."""
    return " ".join(name.split()).casefold()


# Vocabularies the database enforces with CHECK constraints.
VALUE_KINDS = ("reported", "derived_from_percent", "range", "qualitative")
DIRECTIONS = ("increased", "decreased", "associated", "none")
RATIO_MEASURES = ("OR", "HR", "RR", "ratio")
MEASURES = {
    "OR": "odds ratio",
    "HR": "hazard ratio",
    "RR": "risk ratio",
    "ratio": "ratio of unspecified kind (the source gave only a percent change in risk)",
    "beta": "regression coefficient (linear scale)",
    "logOR": "log odds ratio",
    "logHR": "log hazard ratio",
    "SMD": "standardised mean difference",
    "r": "correlation coefficient",
    "R2": "variance explained",
    "AUC": "area under the ROC curve",
}
DATASET_ROLES = ("discovery", "replication", "combined", "follow-up", "other")
SOURCE_KINDS = ("publication", "preprint", "news", "blog", "other")
TRAIT_KINDS = ("trait", "group", "domain_set")
TRIAGE_STATUSES = ("new", "relevant", "irrelevant", "included")
RUN_STATUSES = ("running", "success", "failed")
