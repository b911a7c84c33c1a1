"""`littrack papers load`: PubMed XML files from disk into publications, all files or nothing."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from dbdump import raw_state
from fake_eutils import DATA_DIR
from sqlalchemy import func, select

from littrack.db import make_engine
from littrack.models import Author, Publication
from littrack.tracking import pubmed_files

UPDATES = [DATA_DIR / "pubmed2db" / f"pubmed25n000{n}.xml" for n in (1, 2, 4)]
TRUNCATED = DATA_DIR / "handmade" / "truncated.xml"


def loaded(invoke, url: str, *args: str) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    result = invoke(url, "papers", "load", "--format", "json", *map(str, args))
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def publications(url: str) -> dict[int, tuple[int, str, bool]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(Publication.pmid, Publication.pmid_version, Publication.title,
                                       Publication.pubmed_deleted_at.is_not(None)).where(Publication.pmid.is_not(None)))
            return {pmid: (version, title, deleted) for pmid, version, title, deleted in rows}
    finally:
        engine.dispose()


def test_baseline_then_update_files_store_versions_and_deletions(invoke, db_url: str) -> None:
    rows = loaded(invoke, db_url, *UPDATES)
    assert [(r["file"].rsplit("/", 1)[-1], r["records"], r["new"], r["updated"], r["unchanged"], r["deleted"],
             r["delete_citations"]) for r in rows] == [
        ("pubmed25n0001.xml", 3, 3, 0, 0, 0, 0),
        ("pubmed25n0002.xml", 1, 0, 1, 0, 1, 1),  # PMID 1001 version 2; DeleteCitation of 1002
        ("pubmed25n0004.xml", 2, 2, 0, 0, 0, 0),
    ]
    stored = publications(db_url)
    assert set(stored) == {1001, 1002, 1003, 10137601, 28972331}
    assert stored[1001][0] == 2 and stored[1002][2] is True and stored[1003][2] is False
    assert stored[28972331][1] != "[Not Available]."  # the vernacular title stood in
    shown = invoke(db_url, "papers", "show", "1001", "--format", "json")
    assert shown.exit_code == 0 and json.loads(shown.stdout)["pmid"] == 1001


def test_a_second_load_changes_nothing(invoke, db_url: str) -> None:
    loaded(invoke, db_url, UPDATES[0], UPDATES[2])
    engine = make_engine(db_url)
    with engine.connect() as conn:
        authors = conn.scalar(select(func.count()).select_from(Author))
    before = raw_state(engine)
    again = loaded(invoke, db_url, UPDATES[0], UPDATES[2])
    assert [(r["new"], r["updated"], r["unchanged"]) for r in again] == [(0, 0, 3), (0, 0, 2)]
    assert raw_state(engine) == before
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Author)) == authors > 0
    engine.dispose()


def test_a_faulty_file_stores_nothing_of_any_file(invoke, db_url: str, tmp_path: Path) -> None:
    engine = make_engine(db_url)
    before = raw_state(engine, sequences=False)
    for bad in (TRUNCATED, DATA_DIR / "handmade" / "html_error.html", tmp_path / "missing.xml.gz"):
        result = invoke(db_url, "papers", "load", str(UPDATES[0]), str(bad))
        assert result.exit_code == 1
        message = result.stderr.strip()
        assert message.startswith(f"Error: {bad}: ") and len(message.splitlines()) == 1, message
        assert "nothing was stored (all files load in one transaction)" in message
        assert raw_state(engine, sequences=False) == before
    engine.dispose()


def test_truncated_file_error_names_the_line(invoke, db_url: str) -> None:
    result = invoke(db_url, "papers", "load", str(TRUNCATED))
    assert result.exit_code == 1
    assert f"{TRUNCATED}: document truncated: <PubmedArticle> at line 148 is never closed" in result.stderr
    assert publications(db_url) == {}


def test_large_files_go_through_the_parser_process(invoke, db_url: str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pubmed_files, "IN_PROCESS_BYTES", 0)  # every file counts as large: the child process parses
    packed = tmp_path / "pubmed25n0001.xml.gz"
    with open(UPDATES[0], "rb") as raw, gzip.open(packed, "wb") as out:
        shutil.copyfileobj(raw, out)
    rows = loaded(invoke, db_url, packed, UPDATES[1])
    assert [(r["records"], r["new"], r["updated"], r["deleted"]) for r in rows] == [(3, 3, 0, 0), (1, 0, 1, 1)]
    assert publications(db_url)[1001][0] == 2
    broken = tmp_path / "broken.xml.gz"
    broken.write_bytes(packed.read_bytes()[:-40])
    result = invoke(db_url, "papers", "load", str(broken))
    assert result.exit_code == 1 and f"{broken}: gzip stream ended early" in result.stderr


def test_check_parses_and_stores_nothing(invoke, db_url: str) -> None:
    engine = make_engine(db_url)
    before = raw_state(engine)
    rows = loaded(invoke, db_url, "--check", *UPDATES)
    assert [(r["records"], r["new"], r["delete_citations"]) for r in rows] == [(3, None, 0), (1, None, 1), (2, None, 0)]
    assert raw_state(engine) == before
    bad = invoke(db_url, "papers", "load", "--check", str(TRUNCATED))
    assert bad.exit_code == 1 and "nothing was stored" not in bad.stderr and str(TRUNCATED) in bad.stderr
    engine.dispose()


def test_stdin_and_table(invoke, db_url: str) -> None:
    result = invoke(db_url, "papers", "load", "-", input=UPDATES[2].read_text())
    assert result.exit_code == 0, result.stderr
    header, _rule, row = result.stdout.splitlines()
    assert header.split() == ["FILE", "RECORDS", "NEW", "UPDATED", "UNCHANGED", "DELETED", "DELETE", "CITATIONS",
                              "SECONDS"]
    assert row.split()[:7] == ["<stdin>", "2", "2", "0", "0", "0", "0"]
    assert set(publications(db_url)) == {10137601, 28972331}


def test_two_loads_at_once_leave_no_duplicates(db_url: str, tmp_path: Path) -> None:
    from fake_eutils import Corpus
    from tracking_helpers import no_duplicates, state

    corpus = Corpus()
    corpus.add_fixture_records()
    corpus.add_clones(3000)
    big = tmp_path / "big.xml"
    big.write_bytes(corpus.render(corpus.pmids))
    env = {**os.environ, "LITTRACK_DATABASE_URL": db_url}
    procs = [subprocess.Popen([sys.executable, "-m", "littrack", "papers", "load", "--format", "json", str(big)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    rows = sorted((json.loads(out)[0] for out, _ in outs), key=lambda r: r["new"])
    n = len(corpus)
    assert [(r["records"], r["new"], r["unchanged"] + r["updated"]) for r in rows] == [(n, 0, n), (n, n, 0)]
    s = state(db_url)
    assert s["publications"] >= n and set(corpus.pmids) <= s["pmids"]
    no_duplicates(s)


def test_a_locked_sqlite_database_is_a_one_line_error(invoke, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from littrack import db

    if not db_url.startswith("sqlite"):
        pytest.skip("SQLite's file lock")
    monkeypatch.setattr(db, "BUSY_TIMEOUT_SECONDS", 1)
    holder = db.connect_sqlite(db.sqlite_file(db_url) or "")
    holder.isolation_level = None
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        result = invoke(db_url, "papers", "load", str(UPDATES[0]))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: the database {db_url} stayed locked for 1 s (another littrack command, e.g. a refresh or a load, "
        "is writing); nothing was written: try again when it has finished"]
    assert publications(db_url) == {}
    assert loaded(invoke, db_url, UPDATES[0])[0]["new"] == 3  # the lock gone, the same command goes through


def test_an_unreachable_server_is_a_one_line_error(invoke) -> None:
    pytest.importorskip("psycopg")
    result = invoke("postgresql+psycopg://someone:secret@127.0.0.1:1/nowhere", "papers", "list")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "Error: database error on postgresql+psycopg://someone:***@127.0.0.1:1/nowhere: connection failed")
    assert "secret" not in result.stderr


def test_triage_puts_loaded_papers_on_the_list_and_keeps_decisions(invoke, db_url: str) -> None:
    loaded(invoke, db_url, UPDATES[2])
    assert json.loads(invoke(db_url, "papers", "list", "--format", "json").stdout or "[]") == []  # not without --triage
    marked = invoke(db_url, "papers", "mark", "28972331", "--status", "irrelevant", "--note", "not our field")
    assert marked.exit_code == 0, marked.stderr
    result = invoke(db_url, "papers", "load", "--triage", "--curator", "reviewer-a", "--format", "json",
                    str(UPDATES[0]), str(UPDATES[1]), str(UPDATES[2]))
    assert result.exit_code == 0, result.stderr
    assert [r["triaged"] for r in json.loads(result.stdout)] == [3, 0, 1]  # 10137601 is new to the list
    assert "4 paper(s) put on the triage list as new" in result.stderr
    listed = {r["pmid"]: (r["status"], r["note"]) for r in
              json.loads(invoke(db_url, "papers", "list", "--format", "json").stdout)}
    # 1002 is on the list but PubMed deleted it (update file 0002), so it leaves the default listing.
    assert listed == {1001: ("new", None), 1003: ("new", None), 10137601: ("new", None),
                      28972331: ("irrelevant", "not our field")}
    shown = json.loads(invoke(db_url, "papers", "show", "1001", "--format", "json").stdout)
    assert shown["status"] == "new" and shown["triaged_by"] == "reviewer-a"
    again = invoke(db_url, "papers", "load", "--triage", "--format", "json", str(UPDATES[0]))
    assert [r["triaged"] for r in json.loads(again.stdout)] == [0]


def test_an_unreadable_file_is_a_one_line_error(invoke, db_url: str, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads any file")
    locked = tmp_path / "locked.xml"
    locked.write_bytes(UPDATES[0].read_bytes())
    locked.chmod(0)
    result = invoke(db_url, "papers", "load", str(locked))
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"Error: {locked}: cannot read it: Permission denied; nothing was stored (all "
                                     "files load in one transaction): fix or leave out that file and rerun")
