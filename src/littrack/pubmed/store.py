"""Store parsed PubMed records as publications with authors and MeSH: bulk upserts by PMID, caller's transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    Table,
    Text,
    bindparam,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import instance_dict

from littrack.db import IN_CHUNK, SQLITE_MAX_PARAMETERS, fast_sqlite_binding, in_chunks
from littrack.errors import NotFound
from littrack.models import Author, MeshHeading, Publication
from littrack.models.base import utcnow
from littrack.pubmed.records import DeletedCitation, PubmedRecord
from littrack.pubmed.rows import (
    AUTH,
    AUTHOR_FIELDS,
    INSERT_COLUMNS,
    JSON_COLUMNS,
    MESH,
    MESH_FIELDS,
    PUB,
    PUB_FIELDS,
    ROW_GETTER,
    Prepared,
    encode_json,
    prepare,
)

logger = logging.getLogger("littrack.store")

CHUNK_SIZE = IN_CHUNK  # PMIDs stored together: their lookups are one IN list each


@dataclass
class StoreResult:
    """What an upsert did: counts, and the PMIDs stored live with their publication ids."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    pmids: list[int] = field(default_factory=list)  # live records of the input, first appearance order
    ids: dict[int, int] = field(default_factory=dict)  # pmid -> publications.id for those

    def merge(self, other: StoreResult) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.deleted += other.deleted
        seen = self.ids
        self.pmids.extend(p for p in other.pmids if p not in seen)
        self.ids.update(other.ids)


def store_record(session: Session, record: PubmedRecord) -> tuple[Publication, bool]:
    """One fetched record as its Publication (through upsert_records, the one mapping of records to rows); True
    when it is new. The caller commits."""
    result = upsert_records(session, [record])
    pub_id = result.ids.get(record.pmid)
    pub = session.get(Publication, pub_id) if pub_id else None
    if pub is None:
        raise NotFound(f"PMID {record.pmid} was fetched but could not be stored")
    return pub, result.new > 0


def upsert_records(
    session: Session, records: Iterable[PubmedRecord | DeletedCitation], *, chunk_size: int = CHUNK_SIZE,
) -> StoreResult:
    """Insert or update publications (with authors and MeSH) by PMID in bulk; the caller commits.

    A re-sent record of the same or a higher PMID version replaces the stored one; a lower version is
    ignored. A DeletedCitation marks the stored publication `pubmed_deleted_at` (its triage and study
    links stay); a record sent again later clears the mark. Preprints are linked to their published
    version (`preprint_of`) when PubMed relates them (UpdateIn/UpdateOf) and both are stored, and a
    retraction notice flags the paper it retracts.
    """
    session.flush()
    result = StoreResult()
    binding = fast_sqlite_binding if session.get_bind().dialect.name == "sqlite" else nullcontext
    for events in _final_states(records, chunk_size):
        with binding():  # not around _final_states: the records' iterator runs other code
            result.merge(_store_chunk(session, events))
    return result


def _final_states(
    records: Iterable[PubmedRecord | DeletedCitation], size: int
) -> Iterator[dict[int, PubmedRecord | None]]:
    """Final state per PMID (None: deleted) for every `size` PMIDs, later events winning."""
    events: dict[int, PubmedRecord | None] = {}
    for item in records:
        if isinstance(item, DeletedCitation):
            for pmid in item.pmids:  # one DeleteCitation of an update file can list thousands
                events.pop(pmid, None)
                events[pmid] = None
                if len(events) >= size:
                    yield events
                    events = {}
            continue
        held = events.get(item.pmid)
        if held is not None and held.version > item.version:
            continue
        events.pop(item.pmid, None)  # the latest event of a PMID goes last
        events[item.pmid] = item
        if len(events) >= size:
            yield events
            events = {}
    if events:
        yield events


def _store_chunk(session: Session, events: Mapping[int, PubmedRecord | Prepared | None], attempt: int = 0) -> StoreResult:
    result = StoreResult()
    now = utcnow()
    live = {p: r if isinstance(r, Prepared) else prepare(r) for p, r in events.items() if r is not None}
    gone = [p for p, r in events.items() if r is None]
    values = {p: dict(r.values) for p, r in live.items()}  # changed below; a retry starts from the record's own

    dois = {v["doi"] for v in values.values() if v["doi"]}
    pmcids = {v["pmcid"] for v in values.values() if v["pmcid"]}
    conditions = [PUB.c.pmid.in_(list(events))]
    if dois:
        conditions.append(PUB.c.doi.in_(dois))
    if pmcids:
        conditions.append(PUB.c.pmcid.in_(pmcids))
    found = session.execute(
        select(PUB.c.id, PUB.c.pmid, PUB.c.pmid_version, PUB.c.doi, PUB.c.pmcid).where(or_(*conditions))
    ).all()
    by_pmid = {r.pmid: r for r in found if r.pmid is not None}
    orphan_doi = {r.doi: r for r in found if r.doi and r.pmid is None}
    orphan_pmcid = {r.pmcid: r for r in found if r.pmcid and r.pmid is None}

    if gone:
        ids = [by_pmid[p].id for p in gone if p in by_pmid]
        if ids:
            res = cast(CursorResult[Any], session.execute(  # an UPDATE: its result is a cursor's
                update(PUB).where(PUB.c.id.in_(ids), PUB.c.pubmed_deleted_at.is_(None))
                .values(pubmed_deleted_at=now, updated_at=now)
            ))
            result.deleted = res.rowcount or 0
            _expire(session, set(ids), set())

    # Which row each record lands on: its PMID's, else a PMID-less row with its DOI or PMCID (from a bundle).
    target: dict[int, int | None] = {}
    adopted: set[int] = set()
    for p, v in values.items():
        row = by_pmid.get(p)
        if row is None:
            for orphan in (orphan_doi.get(v["doi"]), orphan_pmcid.get(v["pmcid"])):
                if orphan is not None and orphan.id not in adopted:
                    row = orphan
                    adopted.add(orphan.id)
                    break
        target[p] = row.id if row is not None else None
        if row is not None and row.pmid == p and row.pmid_version and live[p].version < row.pmid_version:
            target[p] = -row.id  # an older version than the stored one: leave it

    # DOI and PMCID are unique: one already held by another row is not stored twice.
    owners: dict[tuple[str, str], Any] = {("doi", r.doi): r.id for r in found if r.doi}
    owners.update({("pmcid", r.pmcid): r.id for r in found if r.pmcid})
    dropped: list[str] = []
    for p, v in values.items():
        if (stored := target[p]) is not None and stored < 0:
            continue
        me = target[p] if target[p] is not None else ("new", p)
        for key in ("doi", "pmcid"):
            if v[key] is None:
                continue
            holder = owners.setdefault((key, v[key]), me)
            if holder != me:
                dropped.append(f"PMID {p} ({key} {v[key]})")
                v[key] = None
    if dropped:
        logger.warning("%d record(s) carry a DOI or PMCID that already belongs to another publication; stored "
                       "without it: %s%s", len(dropped), ", ".join(dropped[:5]), " ..." if len(dropped) > 5 else "")

    existing = [t for t in target.values() if t is not None and t > 0]
    current = _current(session, existing)
    pub_updates: list[dict[str, Any]] = []
    replace_authors: dict[int, list[tuple[Any, ...]]] = {}
    replace_mesh: dict[int, list[tuple[Any, ...]]] = {}
    new_pmids: list[int] = []
    for p, t in target.items():
        if t is None:
            new_pmids.append(p)
            continue
        if t < 0:
            result.unchanged += 1
            result.ids[p] = -t
            continue
        pub, authors, mesh = current[t]
        v = values[p]
        v["is_retracted"] = v["is_retracted"] or bool(pub["is_retracted"])  # a retraction is never unflagged
        a_rows, m_rows = live[p].authors, live[p].mesh
        changed = any(pub[k] != v[k] for k in PUB_FIELDS)
        if authors != a_rows:
            replace_authors[t] = a_rows
            changed = True
        if mesh != m_rows:
            replace_mesh[t] = m_rows
            changed = True
        if changed:
            pub_updates.append({"b_id": t, **v, "updated_at": now})
            result.updated += 1
        else:
            result.unchanged += 1
        result.ids[p] = t

    if pub_updates:
        session.execute(update(PUB).where(PUB.c.id == bindparam("b_id")), pub_updates)
    retry: dict[int, PubmedRecord | Prepared | None] = {}
    if new_pmids:
        rows = [{**values[p], "origin": "pubmed", "created_at": now, "updated_at": now} for p in new_pmids]
        inserted = _insert_publications(session, rows)
        for p in new_pmids:
            if p in inserted:
                result.ids[p] = inserted[p]
                replace_authors[inserted[p]] = live[p].authors
                replace_mesh[inserted[p]] = live[p].mesh
                result.new += 1
            else:  # another writer stored this PMID (or its DOI) since we looked: resolve it again
                retry[p] = live[p]
    fresh = set(inserted.values()) if new_pmids else set()
    _replace_children(session, AUTH, AUTHOR_FIELDS, replace_authors, fresh)
    _replace_children(session, MESH, MESH_FIELDS, replace_mesh, fresh)
    _link_related(session, live)
    _expire(session, {t for t in target.values() if t is not None and t > 0}, set(replace_authors) | set(replace_mesh))

    result.pmids = [p for p in live if p in result.ids]
    if retry:
        logger.info("%d PMID(s) were stored by another writer meanwhile; resolving them again", len(retry))
        if attempt >= 2:
            raise RuntimeError(f"PMIDs {sorted(retry)[:10]} could not be stored: concurrent writers kept conflicting")
        result.merge(_store_chunk(session, retry, attempt + 1))
        result.pmids = [p for p in live if p in result.ids]
    return result


Rows = list[tuple[Any, ...]]


def _current(session: Session, ids: list[int]) -> dict[int, tuple[dict[str, Any], Rows, Rows]]:
    """Stored publication values, author tuples and MeSH tuples of these publications."""
    if not ids:
        return {}
    pubs = {row.id: dict(row._mapping)
            for row in session.execute(select(PUB.c.id, *(PUB.c[k] for k in PUB_FIELDS)).where(PUB.c.id.in_(ids)))}
    children: list[dict[int, Rows]] = []
    for table, fields in ((AUTH, AUTHOR_FIELDS), (MESH, MESH_FIELDS)):
        columns = [sql_cast(table.c[k], Text) if k in ("affiliations", "qualifiers") else table.c[k] for k in fields]
        stmt = (select(table.c.publication_id, *columns)
                .where(table.c.publication_id.in_(ids)).order_by(table.c.publication_id, table.c.position))
        rows: dict[int, Rows] = {pid: [] for pid in pubs}
        for row in session.execute(stmt):
            rows[row[0]].append(tuple(row[1:]))
        children.append(rows)
    authors, mesh = children
    return {pid: (values, authors[pid], mesh[pid]) for pid, values in pubs.items()}


def _insert_publications(session: Session, rows: list[dict[str, Any]]) -> dict[int, int]:
    """INSERT ... ON CONFLICT DO NOTHING in bulk; returns pmid -> id of the rows inserted.

    PostgreSQL: COPY into a temporary table, then one INSERT ... SELECT (psycopg re-parses a multi-row
    VALUES statement of thousands of parameters on every call). SQLite: multi-row VALUES with the
    column types' own bind processors.
    """
    connection = session.connection()
    names = ", ".join(INSERT_COLUMNS)
    postgres = connection.dialect.name == "postgresql"
    # JSON columns as text; on SQLite also each column type's own bind processor (dates, datetimes, booleans).
    convert: list[tuple[int, Callable[[Any], Any]]] = []
    for i, c in enumerate(INSERT_COLUMNS):
        f: Callable[[Any], Any] | None = (
            encode_json if c in JSON_COLUMNS else None if postgres else PUB.c[c].type.bind_processor(connection.dialect))
        if f is not None:
            convert.append((i, f))
    data = []
    for row in map(ROW_GETTER, rows):
        values = list(row)
        for i, f in convert:
            if values[i] is not None:
                values[i] = f(values[i])
        data.append(values)
    if postgres:
        raw: Any = connection.connection.driver_connection  # psycopg's own connection: its cursors have copy()
        with raw.cursor() as cursor:
            cursor.execute(f"CREATE TEMP TABLE littrack_stage ON COMMIT DROP AS SELECT {names} FROM publications "
                           "WITH NO DATA")
            with cursor.copy(f"COPY littrack_stage ({names}) FROM STDIN") as copy:
                for row in data:
                    copy.write_row(row)
            cursor.execute(f"INSERT INTO publications ({names}) SELECT {names} FROM littrack_stage "
                           "ON CONFLICT DO NOTHING RETURNING pmid, id")
            inserted = dict(cursor.fetchall())
            cursor.execute("DROP TABLE littrack_stage")
        return inserted
    one = "(" + ", ".join("?" * len(INSERT_COLUMNS)) + ")"
    inserted = {}
    for part in in_chunks(data, SQLITE_MAX_PARAMETERS // len(INSERT_COLUMNS)):
        sql = (f"INSERT INTO publications ({names}) VALUES {', '.join([one] * len(part))} "
               "ON CONFLICT DO NOTHING RETURNING pmid, id")
        inserted.update(connection.exec_driver_sql(sql, tuple(chain.from_iterable(part))).all())
    return inserted


def _replace_children(session: Session, table: Table, fields: tuple[str, ...],
                      rows_by_pub: dict[int, list[tuple[Any, ...]]], fresh: set[int]) -> None:
    """Replace the author or MeSH rows of these publications (`fresh` ones have none yet).

    Hundreds of thousands of rows per baseline file: they go to the driver as plain tuples (COPY on
    PostgreSQL), past SQLAlchemy's per-row parameter processing, which would cost more than the database.
    """
    if not rows_by_pub:
        return
    old = [pid for pid in rows_by_pub if pid not in fresh]
    if old:
        session.execute(delete(table).where(table.c.publication_id.in_(old)))
    rows = [(pid, *r) for pid, rs in rows_by_pub.items() for r in rs]
    if not rows:
        return
    columns = ("publication_id", *fields)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        raw: Any = connection.connection.driver_connection  # psycopg's own connection: its cursors have copy()
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" * len(columns))
        connection.exec_driver_sql(f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})", rows)


def _link_related(session: Session, live: dict[int, Prepared]) -> None:
    """preprint_of from UpdateIn/UpdateOf when both are stored; is_retracted from a retraction notice."""
    pairs: list[tuple[int, int]] = []  # (preprint PMID, published PMID)
    retracted: set[int] = set()
    for rec in live.values():
        for ref_type, other in rec.related:
            kind = ref_type.casefold()
            if kind == "updatein" and rec.is_preprint:
                pairs.append((rec.pmid, other))
            elif kind == "updateof" and not rec.is_preprint:
                pairs.append((other, rec.pmid))
            elif kind == "retractionof":
                retracted.add(other)
    if retracted:
        session.execute(update(PUB).where(PUB.c.pmid.in_(retracted), PUB.c.is_retracted.is_(False))
                        .values(is_retracted=True, updated_at=utcnow()))
    if not pairs:
        return
    pmids = {p for pair in pairs for p in pair}
    rows = {r.pmid: r for r in session.execute(
        select(PUB.c.id, PUB.c.pmid, PUB.c.is_preprint, PUB.c.preprint_of_id).where(PUB.c.pmid.in_(pmids)))}
    links = []
    for pre, pub in pairs:
        a, b = rows.get(pre), rows.get(pub)
        # UpdateIn/UpdateOf also join revised reviews and guidelines: only a preprint gets preprint_of.
        if a is None or b is None or not a.is_preprint or b.is_preprint or a.preprint_of_id == b.id:
            continue
        links.append({"b_id": a.id, "preprint_of_id": b.id})
    if links:
        session.execute(update(PUB).where(PUB.c.id == bindparam("b_id")), links)
        _expire(session, {link["b_id"] for link in links}, set())


def _expire(session: Session, pub_ids: set[int], replaced: set[int]) -> None:
    """Keep ORM objects the caller may hold in step with the rows written here with Core statements."""
    if not session.identity_map:
        return
    objects = list(session.identity_map.values())
    for obj in objects:  # children first: expiring a publication cascades to the authors it holds
        if isinstance(obj, (Author, MeshHeading)) and instance_dict(obj).get("publication_id") in replaced:
            session.expunge(obj)
    for obj in objects:
        if isinstance(obj, Publication) and instance_dict(obj).get("id") in pub_ids:
            session.expire(obj)
