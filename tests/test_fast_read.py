"""The fast read path of `littrack effects`: plain SQL on a bare sqlite3 connection gives what a session gives."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest
from sqlalchemy import text

from littrack import migrate
from littrack.db import connect_sqlite, make_engine, make_sessionmaker, sqlite_file
from littrack.errors import NotFound
from littrack.fastread import SORTS, EffectFilter, find_effects
from littrack.formats import render

FILTERS = [
    *(EffectFilter(trait="insomnia", sort=s) for s in SORTS),
    EffectFilter(), EffectFilter(domain="sleep"), EffectFilter(domain="psych"), EffectFilter(trait="neuro"),
    EffectFilter(comparison="TRD vs trMDD"), EffectFilter(comparison="vs", sort="estimate"),
    EffectFilter(measure="or", direction="decreased"), EffectFilter(min_estimate=1.1, max_estimate=1.2),
    EffectFilter(study="xu2025_trd", reported_only=True, sort="p"), EffectFilter(trait="the same 11 pgs"),
]
BAD = [EffectFilter(trait="insomina"), EffectFilter(trait="50%_\\"), EffectFilter(domain="Sleep patterns"),
       EffectFilter(comparison="nope"), EffectFilter(study="nope"), EffectFilter(measure="odds")]


def test_head_constant_follows_the_migrations() -> None:
    assert migrate.HEAD_REVISION == migrate.head_revision(), "set littrack.migrate.HEAD_REVISION to the new head"


@pytest.mark.parametrize(
    "url, path",
    [("sqlite:///data/lt.db", "data/lt.db"), ("sqlite:////abs/lt.db", "/abs/lt.db"),
     ("sqlite+pysqlite:///lt.db", "lt.db"), ("sqlite://", None), ("sqlite:///:memory:", None),
     ("sqlite:///lt.db?mode=ro", None), ("sqlite:///file:lt.db", None), ("sqlite:///a%20b.db", None),
     ("sqlite:///~/lt.db", None), ("postgresql://u@h/db", None)],
)
def test_only_plain_sqlite_files_take_the_fast_path(url: str, path: str | None) -> None:
    assert sqlite_file(url) == path


def test_bare_connection_and_session_give_the_same_rows(seeded_engine) -> None:
    if seeded_engine.dialect.name != "sqlite":
        pytest.skip("the bare connection is SQLite's")
    conn = connect_sqlite(seeded_engine.url.database)
    try:
        with make_sessionmaker(seeded_engine)() as session:
            for f in FILTERS:
                rows = find_effects(conn, f)
                assert rows == find_effects(session, f), f
                assert json.dumps(rows)  # plain JSON types only, as before
            assert any(find_effects(conn, f) for f in FILTERS)
            for f in BAD:
                with pytest.raises(NotFound) as fast:
                    find_effects(conn, f)
                with pytest.raises(NotFound) as slow:
                    find_effects(session, f)
                assert str(fast.value) == str(slow.value)
    finally:
        conn.close()


def test_effects_on_a_sqlite_file_imports_no_sqlalchemy(seeded_db_url: str) -> None:
    if sqlite_file(seeded_db_url) is None:
        pytest.skip("SQLite files only")
    every_filter = ["--domain", "sleep", "--comparison", "vs", "--measure", "or", "--study", "xu2025_trd"]
    code = (
        "import sys; from click.testing import CliRunner; from littrack.cli import cli;"
        f"r = CliRunner().invoke(cli, ['--db', {seeded_db_url!r}, 'effects', '--trait', 'insomnia', '--format', 'json']);"
        "assert r.exit_code == 0, r.output; assert len(__import__('json').loads(r.stdout)) == 3;"
        f"r = CliRunner().invoke(cli, ['--db', {seeded_db_url!r}, 'effects', *{every_filter!r}]);"
        "assert r.exit_code == 0 and 'PN2025' in r.stdout, r.output;"
        "print([m for m in ('sqlalchemy', 'alembic') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_effects_on_an_old_schema_says_upgrade(invoke, db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff'"))
    engine.dispose()
    result = invoke(db_url, "effects", "--trait", "insomnia")
    assert result.exit_code == 1 and "database is at ffff, which this littrack does not know" in result.stderr


def test_fast_json_is_json_dumps() -> None:
    rng = random.Random(0)
    chars = ["a", "é", "\n", '"', "\\", "\x00", "\u2028", "😀", ",", "{", "}", ":", " "]
    values = [None, True, False, 0, -7, 10**30, 0.0, -0.0, 1.1, 5e-324, 1e16, float("nan"), float("inf"), [1], {"a": 1}]

    def word() -> str:
        return "".join(rng.choice(chars) for _ in range(rng.randrange(6)))

    for _ in range(500):
        rows = [{word() or "k": rng.choice([*values, word()]) for _ in range(rng.randrange(5))}
                for _ in range(rng.randrange(4))]
        assert render(rows, "json", []) == json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
