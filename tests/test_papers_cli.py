"""`littrack papers`: list with filters and formats, show, mark, link to a study."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fake_eutils import FakeEutils
from sqlalchemy import select
from tracking_helpers import point_at

from littrack.db import make_engine, make_sessionmaker
from littrack.models import Change, StudyPublication
from littrack.pubmed.records import DeletedCitation
from littrack.pubmed.store import upsert_records


@pytest.fixture
def fake(fake_eutils: FakeEutils, monkeypatch: pytest.MonkeyPatch) -> FakeEutils:
    return point_at(fake_eutils, monkeypatch)


@pytest.fixture
def found(invoke, seeded_db_url: str, fake: FakeEutils) -> str:  # type: ignore[no-untyped-def]
    """A seeded database where two saved searches found the fake's records."""
    invoke(seeded_db_url, "search", "add", "all", "--query", "all")
    invoke(seeded_db_url, "search", "add", "asthma", "--query", "asthma")
    result = invoke(seeded_db_url, "refresh", "all", "asthma")
    assert result.exit_code == 0, result.stderr
    return seeded_db_url


def listed(invoke, url: str, *args: str) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    result = invoke(url, "papers", "list", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_list_filters_and_formats(invoke, found: str, fake: FakeEutils) -> None:
    every = listed(invoke, found)
    assert {r["pmid"] for r in every} == set(fake.corpus.pmids)  # the seeded study's papers were found by no search
    dates = [r["entrez_date"] or "" for r in every]
    assert dates[: dates.index("")] == sorted(dates[: dates.index("")], reverse=True)  # newest first
    asthma = listed(invoke, found, "--search", "asthma")
    assert asthma and {tuple(r["searches"]) for r in asthma} == {("all", "asthma")}
    assert listed(invoke, found, "--status", "relevant") == []
    assert len(listed(invoke, found, "--since", dt.date.today().isoformat())) == len(every)
    assert listed(invoke, found, "--since", (dt.date.today() + dt.timedelta(days=2)).isoformat()) == []
    assert len(listed(invoke, found, "--limit", "3")) == 3
    jsonl = invoke(found, "papers", "list", "--format", "jsonl").stdout.splitlines()
    assert len(jsonl) == len(every) and json.loads(jsonl[0]) == every[0]
    csv = invoke(found, "papers", "list", "--format", "csv").stdout.splitlines()
    assert csv[0].startswith("pmid,title,journal,year,doi,authors,status,searches")
    table = invoke(found, "papers", "list", "--search", "asthma").stdout
    assert table.splitlines()[0].split() == ["PMID", "YEAR", "STATUS", "JOURNAL", "AUTHORS", "TITLE", "SEARCHES"]
    assert "O'Byrne PM et al." in table
    unknown = invoke(found, "papers", "list", "--search", "asthm")
    assert unknown.exit_code == 1 and "unknown saved search 'asthm'; nearest: asthma" in unknown.stderr
    empty = invoke(found, "papers", "list", "--status", "included")
    assert empty.stdout == "" and "no papers match" in empty.stderr


def test_show(invoke, found: str) -> None:
    text_out = invoke(found, "papers", "show", "29768149").stdout
    assert text_out.startswith("PMID 29768149: Inhaled Combined Budesonide-Formoterol as Needed in Mild Asthma.")
    assert "DOI 10.1056/nejmoa1715274" in text_out and "BACKGROUND: In patients with mild asthma" in text_out
    assert "status: new" in text_out and "searches: all (first seen" in text_out and "MeSH: " in text_out
    record = json.loads(invoke(found, "papers", "show", "29768149", "--format", "json").stdout)
    assert record["status"] == "new" and [s["name"] for s in record["searches"]] == ["all", "asthma"]
    assert len(record["mesh"]) == 23 and record["studies"] == []
    missing = invoke(found, "papers", "show", "1")
    assert missing.exit_code == 1 and "no stored paper with PMID 1" in missing.stderr


def test_mark(invoke, found: str) -> None:
    done = invoke(found, "papers", "mark", "29768149", "30108519", "--status", "relevant", "--note", "PGS?",
                  "--curator", "ann")
    assert done.exit_code == 0 and "PMID 29768149: new -> relevant" in done.stderr
    rel = listed(invoke, found, "--status", "relevant")
    assert {r["pmid"] for r in rel} == {29768149, 30108519} and {r["note"] for r in rel} == {"PGS?"}
    invoke(found, "papers", "mark", "30108519", "--status", "irrelevant")
    shown = json.loads(invoke(found, "papers", "show", "30108519", "--format", "json").stdout)
    assert (shown["status"], shown["note"]) == ("irrelevant", "PGS?")  # the note stays until replaced
    assert len(listed(invoke, found, "--status", "new")) == len(listed(invoke, found)) - 2
    bad = invoke(found, "papers", "mark", "29768149", "123", "--status", "irrelevant")
    assert bad.exit_code == 1 and "no stored paper with PMID 123; nothing was marked" in bad.stderr
    assert {r["pmid"] for r in listed(invoke, found, "--status", "relevant")} == {29768149}
    assert invoke(found, "papers", "mark", "1", "--status", "maybe").exit_code == 2


def test_link_to_a_study(invoke, found: str) -> None:
    linked = invoke(found, "papers", "link", "29768149", "--study", "xu2025_trd", "--role", "companion")
    assert linked.exit_code == 0
    assert "PMID 29768149 linked to xu2025_trd as companion; status included" in linked.stderr
    assert [r["pmid"] for r in listed(invoke, found, "--status", "included")] == [29768149]
    record = json.loads(invoke(found, "papers", "show", "29768149", "--format", "json").stdout)
    assert record["studies"] == [{"study": "xu2025_trd", "role": "companion"}]
    study = json.loads(invoke(found, "studies", "show", "xu2025_trd", "--format", "json").stdout)
    assert [(p["role"], p["pmid"]) for p in study["publications"]][-1] == ("companion", 29768149)
    again = invoke(found, "papers", "link", "29768149", "--study", "xu2025_trd")
    assert again.exit_code == 0 and "already linked to xu2025_trd (as companion)" in again.stderr
    engine = make_engine(found)
    with make_sessionmaker(engine)() as session:
        assert len(session.scalars(select(StudyPublication)).all()) == 3  # the seeded two and this one
        log = session.scalars(select(Change).where(Change.entity == "publication")).all()
        assert [(c.study_key, c.after) for c in log] == [("xu2025_trd", {"study": "xu2025_trd", "role": "companion"})]
    engine.dispose()
    unknown = invoke(found, "papers", "link", "29768149", "--study", "xu2025")
    assert unknown.exit_code == 1 and "unknown study 'xu2025'" in unknown.stderr


def test_a_paper_deleted_from_pubmed_leaves_the_list(invoke, found: str) -> None:
    engine = make_engine(found)
    with make_sessionmaker(engine).begin() as session:
        assert upsert_records(session, [DeletedCitation((30108519,))]).deleted == 1
    engine.dispose()
    assert 30108519 not in {r["pmid"] for r in listed(invoke, found)}
    shown = [r for r in listed(invoke, found, "--include-deleted") if r["pmid"] == 30108519]
    assert shown and shown[0]["deleted_from_pubmed"]
    assert "*** deleted from PubMed" in invoke(found, "papers", "show", "30108519").stdout


def test_marked_seeded_publication_is_listed(invoke, seeded_db_url: str) -> None:
    invoke(seeded_db_url, "papers", "mark", "40009368", "--status", "included")
    rows = listed(invoke, seeded_db_url)
    assert [(r["pmid"], r["status"], r["searches"]) for r in rows] == [(40009368, "included", [])]
