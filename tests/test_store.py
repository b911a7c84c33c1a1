"""upsert_records: parsed PubMed records to publications, authors and MeSH, on the engine under test."""

from __future__ import annotations

import multiprocessing
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import fake_eutils
import pytest
from msgspec.structs import replace
from sqlalchemy import func, select
from tracking_helpers import assert_stored, pub

from littrack.db import make_engine, make_sessionmaker
from littrack.errors import ParseError
from littrack.models import Author, MeshHeading, Publication, Study, StudyPublication
from littrack.pubmed.parse import parse_pubmed
from littrack.pubmed.pipeline import parse_in_background
from littrack.pubmed.records import DeletedCitation, PubmedRecord
from littrack.pubmed.store import StoreResult, upsert_records


def records(name: str) -> list[PubmedRecord | DeletedCitation]:
    return parse_pubmed(fake_eutils.DATA_DIR / name)


def real_records() -> list[PubmedRecord]:
    """Every record of the fixture files, the highest version of each PMID."""
    latest: dict[int, PubmedRecord] = {}
    for path in sorted(fake_eutils.DATA_DIR.rglob("*.xml")):
        try:
            items = parse_pubmed(path)
        except ParseError:
            continue  # ESearch answers and deliberately broken files
        for r in items:
            if isinstance(r, PubmedRecord) and (r.pmid not in latest or r.version >= latest[r.pmid].version):
                latest[r.pmid] = r
    assert len(latest) >= 10
    return list(latest.values())


def store(engine, items: Any, **kw: Any) -> StoreResult:  # type: ignore[no-untyped-def]
    with make_sessionmaker(engine).begin() as session:
        return upsert_records(session, items, **kw)


def test_new_records_are_stored_with_every_field(engine) -> None:
    recs = real_records()
    result = store(engine, recs)
    assert (result.new, result.updated, result.unchanged, result.deleted) == (len(recs), 0, 0, 0)
    assert sorted(result.pmids) == sorted(r.pmid for r in recs) and set(result.ids) == set(result.pmids)
    with make_sessionmaker(engine)() as session:
        for rec in recs:
            assert_stored(session, rec)
        nejm = pub(session, 29768149)
        assert nejm.origin == "pubmed" and nejm.doi == "10.1056/nejmoa1715274"
        assert nejm.journal == "The New England journal of medicine" and nejm.year == 2018
        assert [s["label"] for s in nejm.abstract_sections] == ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]
        assert len(nejm.authors) == 10 and nejm.authors[0].display_name == "O'Byrne PM"
        assert len(nejm.mesh_headings) == 23
        imaging = pub(session, 29963580)
        assert "Canadian Respiratory Research Network" in imaging.author_names()
        assert {a.orcid for a in imaging.authors} >= {"0000-0002-4590-7461", "0000-0003-3525-2788"}
        assert pub(session, 1001).pmid_version == 2 and pub(session, 1001).pmcid == "PMC7654321"


def test_resending_changes_nothing(engine) -> None:
    recs = real_records()
    store(engine, recs)
    again = store(engine, recs)
    assert (again.new, again.updated, again.unchanged) == (0, 0, len(recs))
    with make_sessionmaker(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Publication)) == len(recs)


def test_update_file_updates_deletes_and_keeps(engine) -> None:
    first = store(engine, records("pubmed2db/pubmed25n0001.xml"))
    assert (first.new, first.deleted) == (3, 0)
    second = store(engine, records("pubmed2db/pubmed25n0002.xml"))
    assert (second.new, second.updated, second.unchanged, second.deleted) == (0, 1, 0, 1)
    assert second.pmids == [1001]
    with make_sessionmaker(engine)() as session:
        one = pub(session, 1001)
        assert (one.pmid_version, one.title, one.pmcid) == (2, "Revised title for article one.", "PMC7654321")
        assert [a.last_name for a in one.authors] == ["Smith"] and one.mesh_headings == []
        assert pub(session, 1002).pubmed_deleted_at is not None  # marked, not kept as live
        assert pub(session, 1003).pubmed_deleted_at is None
    # A record PubMed sends again after a deletion is live again.
    again = store(engine, [r for r in records("pubmed2db/pubmed25n0001.xml") if r.pmid == 1002])  # type: ignore[union-attr]
    assert again.updated == 1
    with make_sessionmaker(engine)() as session:
        assert pub(session, 1002).pubmed_deleted_at is None


def test_an_older_version_is_ignored(engine) -> None:
    store(engine, records("pubmed2db/pubmed25n0002.xml"))
    older = store(engine, records("pubmed2db/pubmed25n0001.xml"))
    assert older.unchanged >= 1 and 1001 in older.pmids
    with make_sessionmaker(engine)() as session:
        assert pub(session, 1001).pmid_version == 2


def test_latest_event_wins_within_one_call(engine) -> None:
    v1 = next(r for r in records("pubmed2db/pubmed25n0001.xml") if getattr(r, "pmid", 0) == 1001)
    v2 = next(r for r in records("pubmed2db/pubmed25n0002.xml") if getattr(r, "pmid", 0) == 1001)
    result = store(engine, [v2, v1, DeletedCitation((555,))])
    assert (result.new, result.deleted) == (1, 0)
    with make_sessionmaker(engine)() as session:
        assert pub(session, 1001).pmid_version == 2


def test_bundle_publication_is_updated_in_place(seeded_engine) -> None:
    rec = replace(real_records()[0], pmid=40009368, doi="10.1001/JAMAPSYCHIATRY.2024.4825")
    result = store(seeded_engine, [rec])
    assert (result.new, result.updated) == (0, 1)
    with make_sessionmaker(seeded_engine)() as session:
        p = pub(session, 40009368)
        assert p.origin == "bundle" and p.title == rec.title and p.doi == "10.1001/jamapsychiatry.2024.4825"
        study = session.scalar(select(Study).where(Study.key == "xu2025_trd"))
        assert p.id in {link.publication_id for link in study.publication_links}  # type: ignore[union-attr]


def test_publication_without_pmid_is_adopted_by_doi(engine) -> None:
    with make_sessionmaker(engine).begin() as session:
        session.add(Publication(title="By hand", doi="10.1056/nejmoa1715274", origin="manual"))
    rec = next(r for r in real_records() if r.pmid == 29768149)
    result = store(engine, [rec])
    assert (result.new, result.updated) == (0, 1)
    with make_sessionmaker(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Publication)) == 1
        assert_stored(session, rec)
        assert pub(session, 29768149).origin == "manual"


def test_doi_held_by_another_paper_is_not_stored_twice(engine, caplog: pytest.LogCaptureFixture) -> None:
    recs = real_records()
    nejm = next(r for r in recs if r.pmid == 29768149)
    twin = replace(nejm, pmid=99000001)
    result = store(engine, [nejm, twin])
    assert result.new == 2
    with make_sessionmaker(engine)() as session:
        assert pub(session, 29768149).doi == "10.1056/nejmoa1715274"
        assert pub(session, 99000001).doi is None
    assert "already belongs to another publication" in caplog.text
    later = replace(nejm, pmid=99000002)
    assert store(engine, [later]).new == 1  # across calls too


def test_preprint_linked_to_its_published_version(engine) -> None:
    base = real_records()[0]
    preprint = replace(base, pmid=91000001, doi="10.1101/2024.01.01.1", pmcid=None, is_preprint=True,
                                   publication_types=("Preprint",), related=(("UpdateIn", 91000002),))
    article = replace(base, pmid=91000002, doi="10.1000/journal.1", pmcid=None,
                                  related=(("UpdateOf", 91000001),))
    store(engine, [preprint])  # the published version is not stored yet: nothing to link
    store(engine, [article])
    with make_sessionmaker(engine)() as session:
        assert pub(session, 91000001).preprint_of.pmid == 91000002  # type: ignore[union-attr]
        assert pub(session, 91000002).preprint_of is None
    # UpdateIn/UpdateOf between two journal articles (a revised review) is not a preprint link.
    revised = replace(base, pmid=91000003, doi=None, pmcid=None, related=(("UpdateOf", 91000002),))
    store(engine, [revised])
    with make_sessionmaker(engine)() as session:
        assert pub(session, 91000002).preprint_of is None


def test_retraction_notice_flags_the_paper_and_the_flag_stays(engine) -> None:
    base = real_records()[0]
    paper = replace(base, pmid=92000001, doi=None, pmcid=None)
    notice = replace(base, pmid=92000002, doi=None, pmcid=None, is_retraction_notice=True,
                                 publication_types=("Retraction of Publication",),
                                 related=(("RetractionOf", 92000001),))
    store(engine, [paper])
    store(engine, [notice])
    with make_sessionmaker(engine)() as session:
        assert pub(session, 92000001).is_retracted and not pub(session, 92000002).is_retracted
    assert store(engine, [paper]).unchanged == 1  # re-sent without the flag: still retracted
    with make_sessionmaker(engine)() as session:
        assert pub(session, 92000001).is_retracted


def test_many_records_in_chunks(engine) -> None:
    base = next(r for r in real_records() if r.pmid == 29768149)
    many = [replace(base, pmid=93000000 + i, doi=f"10.1000/x.{i}", pmcid=None) for i in range(1234)]
    result = store(engine, many, chunk_size=500)
    assert result.new == 1234 and len(result.pmids) == 1234
    with make_sessionmaker(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Author)) == 1234 * 10
        assert session.scalar(select(func.count()).select_from(MeshHeading)) == 1234 * 23
    changed = [replace(r, title=r.title + " (corrected)") if r.pmid % 2 else r for r in many]
    again = store(engine, changed, chunk_size=300)
    assert (again.new, again.updated, again.unchanged) == (0, 617, 617)


def test_callers_objects_see_the_new_values(engine) -> None:
    rec = real_records()[0]
    store(engine, [rec])
    with make_sessionmaker(engine).begin() as session:
        held = pub(session, rec.pmid)
        assert held.authors is not None
        upsert_records(session, [replace(rec, title="Changed", authors=rec.authors[:1])])
        assert held.title == "Changed" and len(held.authors) == min(1, len(rec.authors))


def test_bad_lengths_are_clipped_not_fatal(engine) -> None:
    rec = replace(real_records()[0], issn="1234-5678 " * 4)
    assert store(engine, [rec]).new == 1
    with make_sessionmaker(engine)() as session:
        assert pub(session, rec.pmid).issn == ("1234-5678 " * 4)[:20]


def test_concurrent_writers_never_duplicate(db_url: str) -> None:
    """Two sessions storing the same records at once (no refresh lock): one row per PMID, no error."""
    recs = real_records()
    base = next(r for r in recs if r.pmid == 29768149)
    many = [replace(base, pmid=94000000 + i, doi=f"10.1000/c.{i}", pmcid=None) for i in range(400)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def writer() -> None:
        engine = make_engine(db_url)
        try:
            barrier.wait()
            with make_sessionmaker(engine).begin() as session:
                upsert_records(session, many + recs)
        except BaseException as exc:
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    engine = make_engine(db_url)
    with make_sessionmaker(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Publication)) == len(many) + len(recs)
        assert session.scalar(select(func.count()).select_from(Author)) == 400 * 10 + sum(
            len([a for a in r.authors if a.last_name or a.collective_name]) for r in recs)
    engine.dispose()


def test_study_links_survive_an_update(seeded_engine) -> None:
    rec = replace(real_records()[0], pmid=39006419, doi=None, pmcid=None, is_preprint=True)
    store(seeded_engine, [rec])
    with make_sessionmaker(seeded_engine)() as session:
        p = pub(session, 39006419)
        assert p.preprint_of is not None and p.preprint_of.pmid == 40009368  # the bundle's link stays
        assert session.scalar(select(func.count()).select_from(StudyPublication)
                              .where(StudyPublication.publication_id == p.id)) == 1


def test_a_long_delete_list_is_chunked(engine) -> None:
    base = real_records()[0]
    many = [replace(base, pmid=95000000 + i, doi=None, pmcid=None) for i in range(1200)]
    store(engine, many)
    result = store(engine, [DeletedCitation((*tuple(r.pmid for r in many), 1))], chunk_size=500)
    assert result.deleted == 1200 and result.pmids == []


# --- parse_in_background: a parser process feeding the store ------------------------------------

SYNTH = Path(__file__).resolve().parent.parent / "bench"


def synthetic_file(tmp_path: Path, n: int) -> Path:
    sys.path.insert(0, str(SYNTH))
    try:
        from pubmed_synth import write_pubmed_file
    finally:
        sys.path.remove(str(SYNTH))
    return write_pubmed_file(tmp_path / "synth.xml.gz", n, seed=1)


def test_background_parse_yields_the_same_records_in_order(tmp_path: Path) -> None:
    path = synthetic_file(tmp_path, 120)
    for source in (path, path.read_bytes()):
        batches = list(parse_in_background(source, 50))
        assert [len(b) for b in batches] == [50, 50, 20]
        assert [r for b in batches for r in b] == parse_pubmed(path)
    edge = fake_eutils.DATA_DIR / "handmade/edge_cases.xml"  # DeleteCitations, odd fields
    expected = parse_pubmed(edge)
    assert any(isinstance(r, DeletedCitation) for r in expected)
    assert [r for b in parse_in_background(edge, 3) for r in b] == expected
    with open(edge, "rb") as stream:  # a stream is parsed in this process, same batches
        assert [r for b in parse_in_background(stream, 3) for r in b] == expected


@pytest.mark.parametrize(("size", "batches"), [(1, [[1001], [1002]]), (2, [[1001, 1002]]), (3, [])])
def test_background_parse_of_a_truncated_file_yields_complete_batches_then_fails(size: int, batches: list) -> None:
    seen = []
    with pytest.raises(ParseError, match=r"truncated: <PubmedArticle> at line 1\d\d is never closed"):
        for batch in parse_in_background(fake_eutils.DATA_DIR / "handmade/truncated.xml", size):
            seen.append([r.pmid for r in batch])
    assert seen == batches
    assert not multiprocessing.active_children()


def test_background_parse_of_a_missing_file_fails_like_iter_pubmed(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="cannot read"):
        list(parse_in_background(tmp_path / "nope.xml.gz"))


def test_stopping_early_ends_the_parser_process(tmp_path: Path) -> None:
    path = synthetic_file(tmp_path, 300)
    batches = parse_in_background(path, 5)  # the child fills the bounded queue and waits
    first = next(batches)
    assert len(first) == 5 and len(multiprocessing.active_children()) == 1
    batches.close()
    assert not multiprocessing.active_children()


def test_background_batches_store_as_the_inline_ones(engine, tmp_path: Path) -> None:
    path = synthetic_file(tmp_path, 60)
    totals = StoreResult()
    for batch in parse_in_background(path, 25):
        totals.merge(store(engine, batch))
    assert (totals.new, totals.updated, totals.unchanged) == (60, 0, 0)
    again = store(engine, parse_pubmed(path))
    assert (again.new, again.updated, again.unchanged) == (0, 0, 60)


def _all_rows(engine) -> dict[str, list[tuple]]:  # type: ignore[no-untyped-def]
    out = {}
    with engine.connect() as conn:
        for table in (Publication.__table__, Author.__table__, MeshHeading.__table__):
            columns = [c for c in table.columns if c.name not in ("created_at", "updated_at", "pubmed_deleted_at")]
            if "pubmed_deleted_at" in table.c:  # a time: only whether it is set
                columns.append(table.c.pubmed_deleted_at.is_not(None))
            out[table.name] = [tuple(r) for r in conn.execute(select(*columns).order_by(table.c.id))]
    return out


def test_batches_from_the_parser_process_store_exactly_as_parsed_here(databases, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Records that crossed the process boundary (msgpack) leave every row as the records parsed here do."""
    files = [synthetic_file(tmp_path, 90), fake_eutils.DATA_DIR / "handmade/edge_cases.xml",
             fake_eutils.DATA_DIR / "pubmed2db/pubmed25n0001.xml", fake_eutils.DATA_DIR / "pubmed2db/pubmed25n0002.xml"]
    assert all(f.exists() for f in files)
    long = replace(real_records()[0], issn="1234-5678 " * 4, pmid=99999991)
    engines = [make_engine(databases.copy(seeded=False)) for _ in range(2)]
    try:
        background, inline = engines
        for path in files + files:  # twice: new, then unchanged
            for batch in parse_in_background(path, 20):
                store(background, batch)
            parsed = parse_pubmed(path)
            for i in range(0, len(parsed), 20):
                store(inline, parsed[i:i + 20])
        for engine in engines:
            store(engine, [long])
        rows = _all_rows(background)
        assert rows == _all_rows(inline)
        assert len(rows["publications"]) > 90 and rows["publication_authors"] and rows["publication_mesh"]
    finally:
        for engine in engines:
            engine.dispose()


def test_sqlite_binds_none_and_bool_as_ever() -> None:
    """Inside fast_sqlite_binding (the fast adapters for None and bool) the stored values are as without it."""
    from littrack.db import fast_sqlite_binding

    def stored() -> list[tuple[Any, ...]]:
        conn = sqlite3.connect(":memory:")
        conn.execute("CREATE TABLE t (a, b, c)")
        conn.executemany("INSERT INTO t VALUES (?, ?, ?)", [(None, True, False), (1, None, "x")])
        rows = conn.execute("SELECT typeof(a), typeof(b), b, c FROM t ORDER BY rowid").fetchall()
        rows.append(conn.execute("SELECT ? IS NULL, ?", (None, True)).fetchone())
        conn.close()
        return rows

    expected = [("null", "integer", 1, 0), ("integer", "null", None, "x"), (1, 1)]
    assert stored() == expected
    with fast_sqlite_binding():
        assert (type(None), sqlite3.PrepareProtocol) in sqlite3.adapters
        assert stored() == expected
    assert stored() == expected


def test_littrack_leaves_the_processs_sqlite3_adapters_as_they_were(tmp_path: Path) -> None:
    """sqlite3's adapters are process-wide: storing records must neither leave littrack's behind nor drop
    another library's (which must not change what littrack stores either)."""
    code = f"""if True:
        import sqlite3
        pristine = dict(sqlite3.adapters)
        from littrack import migrate
        from littrack.db import make_engine, make_sessionmaker
        from littrack.tracking.pubmed_files import load_pubmed_file

        engine = make_engine("sqlite:///{tmp_path / 't.db'}")
        migrate.upgrade(engine)
        with make_sessionmaker(engine).begin() as session:
            assert load_pubmed_file(session, {str(fake_eutils.DATA_DIR / 'pubmed2db/pubmed25n0001.xml')!r}).new > 0
        assert dict(sqlite3.adapters) == pristine, "littrack left adapters behind"

        sqlite3.register_adapter(bool, lambda b: "yes" if b else "no")  # another library's, for its own tables
        theirs = dict(sqlite3.adapters)
        with make_sessionmaker(engine).begin() as session:
            assert load_pubmed_file(session, {str(fake_eutils.DATA_DIR / 'biopython/pubmed4.xml')!r}).new == 1
        assert dict(sqlite3.adapters) == theirs, "littrack dropped another library's adapter"
        with engine.connect() as conn:
            major = conn.exec_driver_sql("SELECT DISTINCT typeof(major), major FROM publication_mesh").all()
        assert sorted(major) == [("integer", 0), ("integer", 1)], major
        print("ok")
    """
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
