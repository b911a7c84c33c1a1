"""Models and migrations agree; upgrade, downgrade and the schema-revision check work on the engine under test."""

from __future__ import annotations

import re

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import CheckConstraint, inspect, text

from littrack import migrate, vocab
from littrack.db import make_engine
from littrack.models import Base

# Each vocabulary CHECK constraint of the schema -> the vocabulary of littrack.vocab it must hold, no more, no less.
VOCABULARY_CHECKS = {
    ("effect_sizes", "ck_effect_sizes_value_kind_known"): vocab.VALUE_KINDS,
    ("effect_sizes", "ck_effect_sizes_measure_known"): tuple(vocab.MEASURES),
    ("effect_sizes", "ck_effect_sizes_direction_known"): vocab.DIRECTIONS,
    ("effect_sizes", "ck_effect_sizes_ratio_positive"): vocab.RATIO_MEASURES,
    ("study_publications", "ck_study_publications_role_known"): vocab.PUBLICATION_ROLES,
    ("publications", "ck_publications_origin_known"): vocab.PUBLICATION_ORIGINS,
    ("sources", "ck_sources_kind_known"): vocab.SOURCE_KINDS,
    ("datasets", "ck_datasets_role_known"): vocab.DATASET_ROLES,
    ("traits", "ck_traits_kind_known"): vocab.TRAIT_KINDS,
    ("comparisons", "ck_comparisons_kind_known"): vocab.COMPARISON_KINDS,
    ("triage", "ck_triage_status_known"): vocab.TRIAGE_STATUSES,
    ("search_runs", "ck_search_runs_status_known"): vocab.RUN_STATUSES,
    ("change_log", "ck_change_log_entity_known"): vocab.CHANGE_ENTITIES,
    ("change_log", "ck_change_log_action_known"): vocab.CHANGE_ACTIONS,
}


def _literals(sql: str) -> set[str]:
    """The quoted string literals of a CHECK expression (PostgreSQL adds casts around them; SQLite keeps the text)."""
    return {m.replace("''", "'") for m in re.findall(r"'((?:[^']|'')*)'", sql)}


def test_autogenerate_finds_no_difference(engine) -> None:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "target_metadata": Base.metadata})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_check_constraints_of_the_migrated_database_match_the_models_and_vocab(engine) -> None:
    """Autogenerate compares no CHECK constraints: here the migrated ones are compared with the models' and,
    for the vocabularies, with littrack.vocab, by name and by the values they allow."""
    inspector = inspect(engine)
    in_database = {(t, c["name"]): _literals(c["sqltext"])
                   for t in Base.metadata.tables for c in inspector.get_check_constraints(t)}
    in_models = {(t.name, str(c.name)): _literals(str(c.sqltext)) for t in Base.metadata.tables.values()
                 for c in t.constraints if isinstance(c, CheckConstraint)}
    assert len(in_models) > 40
    assert in_database == in_models
    assert {key for key in in_models if key[1].endswith("_known")} <= set(VOCABULARY_CHECKS)
    for key, values in VOCABULARY_CHECKS.items():
        assert in_database[key] == set(values), key


def test_upgrade_downgrade_upgrade(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    migrate.upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"publications", "effect_sizes", "saved_searches", "change_log"} <= tables
    assert migrate.current_revision(engine) == migrate.head_revision()
    migrate.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()


def test_foreign_keys_enforced(engine) -> None:
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_command_on_empty_database_says_what_to_do(invoke, empty_db_url: str) -> None:
    result = invoke(empty_db_url, "effects", "--trait", "insomnia")
    assert result.exit_code == 1
    assert "no littrack schema: run `littrack init`" in result.stderr


def test_command_on_old_schema_says_upgrade(invoke, db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff'"))
    engine.dispose()
    result = invoke(db_url, "traits")
    assert result.exit_code == 1
    assert "database is at ffff" in result.stderr


def test_db_commands(invoke, empty_db_url: str) -> None:
    head = migrate.head_revision()
    assert invoke(empty_db_url, "db", "current").stdout.startswith("none")
    assert invoke(empty_db_url, "db", "upgrade").exit_code == 0
    assert invoke(empty_db_url, "db", "current").stdout.startswith(f"{head} (head {head}; up to date)")
    assert "base -> 0001" in invoke(empty_db_url, "db", "history").stdout
    assert invoke(empty_db_url, "db", "downgrade", "base").exit_code == 0
    assert invoke(empty_db_url, "db", "current").stdout.startswith("none")
