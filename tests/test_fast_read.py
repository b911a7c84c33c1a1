"""The fast read path of `littrack effects`: plain SQL on a bare sqlite3 connection gives what a session gives."""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from collections.abc import Sequence
from typing import Any

import pytest
from fresh_process import run_cli
from sqlalchemy import Select, func, not_, or_, select, text, union
from sqlalchemy.orm import Session, aliased

from littrack import migrate
from littrack.db import connect_sqlite, make_engine, make_sessionmaker, sqlite_file
from littrack.errors import NotFound
from littrack.fastread import EFFECT_COLUMNS, SORTS, EffectFilter, effects_sql, fetch_all, find_effects
from littrack.formats import render
from littrack.models import Comparison, Dataset, EffectSize, Source, Study, Trait, TraitDomain, TraitSynonym
from littrack.models.trait import trait_domain_links, trait_members
from littrack.vocab import MEASURES, RATIO_MEASURES, name_key

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
    (as_json, table), loaded = run_cli(["--db", seeded_db_url, "effects", "--trait", "insomnia", "--format", "json"],
                                      ["--db", seeded_db_url, "effects", *every_filter],
                                      watch=("sqlalchemy", "alembic"))
    assert len(json.loads(as_json)) == 3
    assert "PN2025" in table
    assert loaded == []


def test_effects_on_an_old_schema_says_upgrade(invoke, db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff'"))
    engine.dispose()
    result = invoke(db_url, "effects", "--trait", "insomnia")
    assert result.exit_code == 1 and "database is at ffff, which this littrack does not know" in result.stderr


def test_json_output_reads_back_to_the_rows() -> None:
    """--format json/jsonl: every key in order, every digit of every float, text as is; NaN and infinity,
    which JSON lacks, as null."""
    rng = random.Random(0)
    chars = ["a", "é", "\n", '"', "\\", "\x00", "\u2028", "😀", ",", "{", "}", ":", " "]
    values = [None, True, False, 0, -7, 10**30, 0.0, -0.0, 1.1, 5e-324, 1e16, 1e-05, 0.1 + 0.2, [1], {"a": 1},
              dt.date(2025, 2, 26)]

    def word() -> str:
        return "".join(rng.choice(chars) for _ in range(rng.randrange(6)))

    for _ in range(500):
        rows = [{word() or "k": rng.choice([*values, word()]) for _ in range(rng.randrange(5))}
                for _ in range(rng.randrange(4))]
        expected = json.loads(json.dumps(rows, default=str))
        text = render(rows, "json", [])
        assert json.loads(text) == expected and text.endswith("\n")
        assert [list(r) for r in json.loads(text)] == [list(r) for r in rows]
        assert [json.loads(line) for line in render(rows, "jsonl", []).split("\n")[:-1]] == expected
    text = render([{"a": 1, "b": "é"}], "json", [])
    assert text == '[\n  {\n    "a": 1,\n    "b": "é"\n  }\n]\n'  # indented by two, non-ASCII as is
    assert render([{"a": 1, "b": [1, 2]}, {}], "jsonl", []) == '{"a": 1, "b": [1, 2]}\n{}\n'
    assert json.loads(render([{"p": float("nan"), "q": float("inf")}], "json", [])) == [{"p": None, "q": None}]
    at = dt.datetime(2025, 2, 26, 13, 45, 7, 120000, tzinfo=dt.UTC)
    rows = [{"at": at, "naive": at.replace(tzinfo=None), "nested": {"on": [at.date(), at]}}]
    assert json.loads(render(rows, "json", [])) == [  # littrack's one ISO formatter, values.iso
        {"at": "2025-02-26T13:45:07.120000+00:00", "naive": "2025-02-26T13:45:07.120000+00:00",
         "nested": {"on": ["2025-02-26", "2025-02-26T13:45:07.120000+00:00"]}}]


# --- The fast SQL against the same query built through the ORM, so that the two cannot drift apart. ---

def orm_effects_query(session: Session, f: EffectFilter) -> Select[Any]:
    """`littrack effects` written independently with SQLAlchemy's select over the models."""
    trait = aliased(Trait)
    named = {"trait": trait.name, "trait_id": trait.id, "comparison": Comparison.name, "dataset": Dataset.label,
             "study": Study.key, "source": Source.key, "source_kind": Source.kind, "source_primary": Source.is_primary,
             "source_citation": Source.citation}
    stmt = (select(*(named.get(key) or getattr(EffectSize, key) for key in EFFECT_KEYS))
            .join(trait, EffectSize.exposure_trait).join(EffectSize.comparison).join(EffectSize.study)
            .join(EffectSize.source).outerjoin(EffectSize.dataset))
    if f.trait:
        part = name_key(f.trait)
        matched = union(select(Trait.id).where(Trait.name_key.contains(part, autoescape=True)),
                        select(TraitSynonym.trait_id).where(TraitSynonym.name_key.contains(part, autoescape=True)))
        ids = set(session.scalars(matched))
        ids |= set(session.scalars(select(trait_members.c.group_id).where(trait_members.c.member_id.in_(ids))))
        stmt = stmt.where(EffectSize.exposure_trait_id.in_(ids))
    if f.domain:
        key = name_key(f.domain)
        domains = (session.scalars(select(TraitDomain.id).where(TraitDomain.name_key == key)).all()
                   or session.scalars(select(TraitDomain.id).where(TraitDomain.name_key.contains(key, autoescape=True))).all())
        stmt = stmt.where(EffectSize.exposure_trait_id.in_(
            select(trait_domain_links.c.trait_id).where(trait_domain_links.c.domain_id.in_(domains))))
    if f.comparison:
        names = session.execute(select(Comparison.name, Comparison.id)).all()
        ids = ({i for n, i in names if name_key(n) == name_key(f.comparison)}
               or {i for n, i in names if name_key(f.comparison) in name_key(n)})
        stmt = stmt.where(EffectSize.comparison_id.in_(ids))
    if f.measure:
        stmt = stmt.where(func.lower(EffectSize.measure) == f.measure.lower())
    if f.study:
        stmt = stmt.where(Study.key == f.study)
    if f.direction:
        stmt = stmt.where(EffectSize.direction == f.direction)
    if f.min_estimate is not None:
        stmt = stmt.where(or_(EffectSize.estimate >= f.min_estimate, EffectSize.range_high >= f.min_estimate))
    if f.max_estimate is not None:
        stmt = stmt.where(or_(EffectSize.estimate <= f.max_estimate, EffectSize.range_low <= f.max_estimate))
    if f.reported_only:
        stmt = stmt.where(EffectSize.value_kind == "reported", not_(EffectSize.derived))
    last = (EffectSize.finding_key, EffectSize.id)
    order = {
        "trait": (trait.name_key, Study.key, *last),
        "estimate": (func.coalesce(EffectSize.estimate, EffectSize.range_low).desc(), trait.name_key, *last),
        "p": (func.coalesce(EffectSize.p_value_log10, 1.0), trait.name_key, *last),
        "study": (Study.key, *last),
        "comparison": (Comparison.name, trait.name_key, *last),
        "curated": (EffectSize.curated_at.desc(), EffectSize.id),
    }
    return stmt.order_by(*order[f.sort])


EFFECT_KEYS = [key for key, _ in EFFECT_COLUMNS]


def _plain(row: Sequence[Any]) -> tuple[Any, ...]:
    """A row as comparable values: booleans as bool, times as UTC datetimes (SQLite returns 0/1 and text)."""
    out = dict(zip(EFFECT_KEYS, row, strict=True))
    for key in ("derived", "source_primary"):
        out[key] = bool(out[key])
    when = out["curated_at"]
    when = dt.datetime.fromisoformat(when) if isinstance(when, str) else when
    out["curated_at"] = when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)
    return tuple(out.values())


def add_generated_rows(session: Session, n: int = 400, seed: int = 7) -> None:
    """Varied rows beside the seeded ones: names with LIKE's wildcards, synonyms, a group, ties in every sort
    key, ranges, qualitative rows, derived values, underflowing p values, rows without a data set."""
    rng = random.Random(seed)
    sleep = session.scalar(select(TraitDomain).where(TraitDomain.name_key == "sleep"))
    gen = TraitDomain(name="Generated domain")
    traits = [Trait(name=name) for name in ("Insomnia (generated)", "Sleep 50%_duration", "Sleep duration",
                                            "Neuroticism score (gen)", "Body mass index gen", "Plain_trait")]
    for t in traits:
        t.domains = [d for d in (sleep, gen) if d is not None and rng.random() < 0.6]
        if rng.random() < 0.5:
            t.synonyms = [TraitSynonym(name=f"{t.name} synonym {k}") for k in range(rng.randrange(1, 3))]
    group = Trait(name="Generated group", kind="group", members=traits[:3])
    comparisons = [*session.scalars(select(Comparison)),
                   Comparison(name="Gen cases vs controls", kind="case-control"),
                   Comparison(name="GEN progression", kind="progression")]
    studies = []
    for s in range(4):
        study = Study(key=f"gen_s{s}", title=f"Generated study {s}")
        study.sources = [Source(key=f"GEN{s}{k}", kind=rng.choice(["news", "blog", "other"]), is_primary=k == 0,
                                citation=f"citation {s}.{k}") for k in range(2)]
        study.datasets = [Dataset(label=f"D{k}", role="discovery") for k in range(2)]
        studies.append(study)
    session.add_all([*traits, group, *comparisons, *studies])
    session.flush()
    pool = [*traits, group, *session.scalars(select(Trait).limit(10))]
    times = [dt.datetime(2025, 1, d, 12, tzinfo=dt.UTC) for d in (1, 2, 2, 3)]
    for i in range(n):
        study = studies[i % len(studies)]  # every finding key in every study: ties across studies
        row: dict[str, Any] = {"measure": rng.choice(list(MEASURES)), "derived": False}
        kind = rng.choice(["reported", "reported", "derived_from_percent", "range", "qualitative"])
        ratio = row["measure"] in RATIO_MEASURES
        values = [0.5, 1.1, 1.1, 1.2, 1.5, 2.0] if ratio else [-0.3, 0.0, 0.1, 0.1, 1.1, 1.2]
        if kind in ("reported", "derived_from_percent"):
            row["estimate"] = rng.choice(values)
            if rng.random() < 0.6:
                row.update(ci_lower=row["estimate"] * 0.9 if ratio else row["estimate"] - 0.1,
                           ci_upper=row["estimate"] * 1.1 if ratio else row["estimate"] + 0.1, ci_level=0.95)
            row["derived"] = kind == "derived_from_percent" or rng.random() < 0.1
        elif kind == "range":
            low, high = sorted(rng.sample(values, 2))
            row.update(range_low=low, range_high=high)
        else:
            row["measure"] = rng.choice([None, row["measure"]])
        p = rng.choice([None, 0.04, 0.04, 1e-8, "underflow"])
        if p == "underflow":
            row.update(p_value=None, p_value_log10=-412.5)
        elif p is not None:
            row.update(p_value=p, p_value_log10=math.log10(p))
        session.add(EffectSize(
            study=study, finding_key=f"F{i // len(studies):03d}",
            exposure_trait=rng.choice(pool), comparison=rng.choice(comparisons),
            dataset=rng.choice([None, *study.datasets]), source=rng.choice(study.sources), value_kind=kind,
            direction=rng.choice(["increased", "decreased", "associated", "none"] + ([None] * (kind != "qualitative"))),
            location="Table 1", curator="gen", curated_at=rng.choice(times), **row))
    session.flush()


MATRIX = [
    {}, {"trait": "insomnia"}, {"trait": "sleep"}, {"trait": "50%_"}, {"trait": "_"}, {"trait": "generated"},
    {"trait": "NEURO"}, {"trait": "synonym 1"}, {"domain": "sleep"}, {"domain": "generated"}, {"domain": "psych"},
    {"comparison": "TRD vs trMDD"}, {"comparison": "vs"}, {"comparison": "gen"}, {"measure": "or"},
    {"measure": "beta"}, {"measure": "R2"}, {"study": "xu2025_trd"}, {"study": "gen_s1"}, {"direction": "increased"},
    {"direction": "decreased"}, {"min_estimate": 1.1}, {"max_estimate": 1.1}, {"min_estimate": 0.0, "max_estimate": 1.2},
    {"reported_only": True}, {"trait": "sleep", "min_estimate": 1.2, "reported_only": True},
    {"domain": "sleep", "measure": "OR", "direction": "increased"}, {"comparison": "vs", "study": "gen_s2"},
    {"trait": "insomnia", "domain": "sleep", "comparison": "TRD vs trMDD", "measure": "OR", "study": "xu2025_trd",
     "direction": "increased", "min_estimate": 1.0, "max_estimate": 2.0, "reported_only": True},
]
CHOICES = {"trait": ["insomnia", "sleep", "gen", "index", "nomatch"], "domain": ["sleep", "generated", "psych"],
           "comparison": ["vs", "gen", "TRD vs trMDD"], "measure": ["OR", "hr", "beta", "AUC", "odds"],
           "study": ["xu2025_trd", "gen_s0", "gen_s3", "nope"], "direction": ["increased", "decreased"],
           "min_estimate": [-1.0, 0.1, 1.1, 1.5], "max_estimate": [0.0, 1.1, 1.2, 3.0], "reported_only": [True]}


def filter_matrix() -> list[EffectFilter]:
    """Every filter option alone and together, in every sort; then random mixes."""
    rng = random.Random(1)
    mixes = [{k: rng.choice(CHOICES[k]) for k in rng.sample(sorted(CHOICES), rng.randrange(1, 5))} for _ in range(80)]
    return [EffectFilter(**m, sort=s) for m in MATRIX for s in SORTS] + [
        EffectFilter(**m, sort=rng.choice(SORTS)) for m in mixes]


def test_fast_sql_and_the_orm_query_give_the_same_rows(seeded_engine) -> None:
    with make_sessionmaker(seeded_engine).begin() as session:
        add_generated_rows(session)
    bare = connect_sqlite(seeded_engine.url.database) if seeded_engine.dialect.name == "sqlite" else None
    compared = nonempty = 0
    try:
        with make_sessionmaker(seeded_engine)() as session:
            assert session.scalar(select(func.count()).select_from(EffectSize)) > 400
            for f in filter_matrix():
                orm = [_plain(r) for r in session.execute(orm_effects_query(session, f)).all()]
                for db in (session, bare) if bare is not None else (session,):
                    try:
                        fast = [_plain(r) for r in fetch_all(db, *effects_sql(db, f))]
                    except NotFound:  # a name that matches nothing: the ORM query finds nothing either
                        assert orm == [], f
                        continue
                    assert fast == orm, f
                    compared += 1
                nonempty += bool(orm)
    finally:
        if bare is not None:
            bare.close()
    assert compared >= len(MATRIX) * len(SORTS) and nonempty > 200
