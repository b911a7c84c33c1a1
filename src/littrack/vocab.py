"""Every fixed vocabulary, the count limit and the natural-key form of names; imports nothing (no SQLAlchemy)."""

# The models' CHECK constraints, the bundle validator, the CLI choices and the exports import them from here,
# so the validator and the fast read path stay free of SQLAlchemy. The migrations keep their own copies:
# they are frozen history (tests/test_migrations.py checks the migrated constraints still match these).

from __future__ import annotations


def name_key(name: str) -> str:
    """The case- and space-insensitive form natural keys are unique on."""
    return " ".join(name.split()).casefold()


# ---- vocabularies the database enforces with CHECK constraints ----
# Effect sizes.
VALUE_KINDS = ("reported", "derived_from_percent", "range", "qualitative")
DIRECTIONS = ("increased", "decreased", "associated", "none")
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
# Studies, their publications and sources, traits and comparisons.
PUBLICATION_ROLES = ("primary", "preprint", "companion", "erratum", "other")
PUBLICATION_ORIGINS = ("pubmed", "manual", "bundle")
DATASET_ROLES = ("discovery", "replication", "combined", "follow-up", "other")
SOURCE_KINDS = ("publication", "preprint", "news", "blog", "other")
TRAIT_KINDS = ("trait", "group", "domain_set")
COMPARISON_KINDS = ("case-control", "progression", "unspecified")
# Saved searches and the triage list.
TRIAGE_STATUSES = ("new", "relevant", "irrelevant", "included")
RUN_STATUSES = ("running", "success", "failed")
# The change log: which kind of row changed, and how.
CHANGE_ENTITIES = ("study", "effect_size", "dataset", "source", "publication")
CHANGE_ACTIONS = ("create", "update", "delete")

# ---- subsets and properties the validator and the commands use ----
RATIO_MEASURES = ("OR", "HR", "RR", "ratio")  # null value 1: must be positive
SIGNED_MEASURES = ("beta", "logOR", "logHR", "SMD", "r")  # null value 0: the sign gives the direction
BOUNDED_MEASURES = {"r": (-1.0, 1.0), "R2": (0.0, 1.0), "AUC": (0.0, 1.0)}
SIGNED_DIRECTIONS = ("increased", "decreased")  # the directions an estimate's sign must agree with
# The roles a paper on the triage list can be linked to a study with (a study's primary publication comes with
# the study); 'other' first: the CLI's default.
LINK_ROLES = ("other", *(r for r in PUBLICATION_ROLES if r not in ("primary", "other")))

# The largest count (n_total, n_cases, ...) a bundle may give: a 32-bit INTEGER column on PostgreSQL.
MAX_COUNT = 2_147_483_647
