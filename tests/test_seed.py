"""The seeded Xu et al. 2025 study: loaded by `init`, idempotent, faithful to the reference facts."""

from __future__ import annotations

import json

from sqlalchemy import func, inspect, select

from littrack.db import make_engine, make_sessionmaker
from littrack.models import Dataset, EffectSize, Source, Study, Trait, TraitDomain


def _row_counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with engine.connect() as conn:
        counts = {}
        for table in inspect(engine).get_table_names():
            counts[table] = conn.exec_driver_sql(f'SELECT COUNT(*) FROM "{table}"').scalar_one()
    engine.dispose()
    return counts


def test_init_twice_changes_nothing(invoke, empty_db_url: str) -> None:
    first = invoke(empty_db_url, "init")
    assert first.exit_code == 0, first.output
    assert "seed xu2025_trd: added" in first.stderr
    counts = _row_counts(empty_db_url)
    assert counts["effect_sizes"] == 23
    second = invoke(empty_db_url, "init")
    assert second.exit_code == 0
    assert "added 0, updated 0" in second.stderr
    assert _row_counts(empty_db_url) == counts


def test_init_no_seed(invoke, empty_db_url: str) -> None:
    assert invoke(empty_db_url, "init", "--no-seed").exit_code == 0
    counts = _row_counts(empty_db_url)
    assert counts["studies"] == 0 and counts["effect_sizes"] == 0


def test_seeded_study_facts(seeded_engine) -> None:
    with make_sessionmaker(seeded_engine)() as s:
        study = s.scalar(select(Study).where(Study.key == "xu2025_trd"))
        assert study is not None
        pubs = {link.role: link.publication for link in study.publication_links}
        published, preprint = pubs["primary"], pubs["preprint"]
        assert (published.pmid, published.doi) == (40009368, "10.1001/jamapsychiatry.2024.4825")
        assert (published.volume, published.issue, published.pages) == ("82", "5", "505-513")
        assert published.epub_date.isoformat() == "2025-02-26"
        assert [a.last_name for a in published.authors][:3] == ["Xu", "Forthman", "Kuplicki"]
        assert len(published.authors) == 10 and published.authors[-1].fore_name == "Chun Chieh"
        assert preprint.pmid == 39006419 and preprint.is_preprint
        assert preprint.preprint_of_id == published.id
        discovery = s.scalar(select(Dataset).where(Dataset.label == "WGS European discovery set"))
        assert discovery.n_total == 124945 and discovery.cohort.name == "All of Us Research Program"
        assert {g.name: g.n for g in discovery.groups} == {"non-MDD": 104128, "trMDD": 16640, "TRD": 4177}
        assert s.scalar(select(func.count()).select_from(TraitDomain)) == 7
        secondary = {src.key for src in study.sources if not src.is_primary}
        assert secondary == {"PN2025", "HEALIO2025", "SEED"}
        assert s.scalar(select(func.count()).select_from(Source).where(Source.kind == "blog")) == 1
        # No CI, P or q is known for any seeded finding; none is invented.
        assert s.scalar(select(func.count()).select_from(EffectSize).where(
            (EffectSize.ci_lower.is_not(None)) | (EffectSize.p_value.is_not(None)) | (EffectSize.q_value.is_not(None))
        )) == 0
        kinds = dict(s.execute(select(EffectSize.value_kind, func.count()).group_by(EffectSize.value_kind)).all())
        assert kinds == {"reported": 6, "derived_from_percent": 5, "range": 7, "qualitative": 5}
        group = s.scalar(select(Trait).where(Trait.name == "Feeling fed up; mood swings; loneliness (group)"))
        assert [m.name for m in group.members] == ["Feeling fed up", "Loneliness", "Mood swings"]


def test_background_figures_are_not_findings(seeded_engine) -> None:
    with make_sessionmaker(seeded_engine)() as s:
        quotes = " ".join(q or "" for q in s.scalars(select(EffectSize.quote)))
    for background in ("8.9 million", "2.8 million", "31%", "70%", "40%"):
        assert background not in quotes


def test_studies_json_and_show(invoke, seeded_db_url: str) -> None:
    rows = json.loads(invoke(seeded_db_url, "studies", "--format", "json").stdout)
    assert rows == [{
        "key": "xu2025_trd", "title": "Genetic Correlates of Treatment-Resistant Depression",
        "journal": "JAMA Psychiatry", "year": 2025, "pmid": 40009368, "doi": "10.1001/jamapsychiatry.2024.4825",
        "publications": 2, "datasets": 5, "effects": 23,
    }]
    shown = invoke(seeded_db_url, "studies", "show", "xu2025_trd")
    assert shown.exit_code == 0
    assert "[preprint] Xu B, Forthman KL, Kuplicki R et al." in shown.stdout
    assert "preprint of 40009368" in shown.stdout
    assert "WGS European discovery set [discovery] (All of Us Research Program): N 124,945; non-MDD 104,128, trMDD 16,640, TRD 4,177" in shown.stdout
    record = json.loads(invoke(seeded_db_url, "studies", "show", "xu2025_trd", "--format", "json").stdout)
    assert len(record["effects"]) == 23 and record["publications"][0]["pmid"] == 40009368


def test_unknown_study(invoke, seeded_db_url: str) -> None:
    result = invoke(seeded_db_url, "studies", "show", "xu2025")
    assert result.exit_code == 1
    assert "unknown study 'xu2025'; nearest: xu2025_trd" in result.stderr
