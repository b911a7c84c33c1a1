"""Parse a PubMed file in a child process and hand its records to the caller in batches, to overlap with storing."""

# Why a process: parsing and storing each take one core, and a parser thread gains nothing under the GIL.
# The child sends each batch as plain nested tuples (pickling frozen slots dataclasses costs about as much
# as parsing them on the receiving side: their __setstate__ runs in Python); the parent rebuilds the
# records, reusing the MeSH qualifiers it has already built (a vocabulary of about 80). Headings are not
# shared: their combinations with qualifiers are too many to keep.
# With `encoded=True` the parent rebuilds nothing: upsert_records reads the tuples straight into its rows
# (store._prepare_encoded), instead of rebuilding the dataclasses (~74 µs a record) to read them again.
# The queue is bounded, so memory stays flat whatever the file size.

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Iterator
from operator import attrgetter
from queue import Empty
from typing import Any

from littrack.errors import ParseError
from littrack.pubmed.records import (
    AbstractSection,
    Author,
    DeletedCitation,
    MeshHeading,
    MeshQualifier,
    PubmedRecord,
)
from littrack.pubmed.source import Source

BATCH_SIZE = 200
QUEUE_BATCHES = 4  # batches in flight: enough to ride out uneven batches, little memory (~1.5 MB each)
_POLL_SECONDS = 0.5
_BATCH, _END, _ERROR = 0, 1, 2
_DELETED = -1  # first item of an encoded DeletedCitation (a PMID is positive)

_FIELDS = tuple(PubmedRecord.__dataclass_fields__)
_SECTIONS, _AUTHORS, _MESH = (_FIELDS.index(n) for n in ("abstract_sections", "authors", "mesh"))
_record_tuple = attrgetter(*_FIELDS)
_section_tuple = attrgetter(*AbstractSection.__dataclass_fields__)
_author_tuple = attrgetter(*Author.__dataclass_fields__)
_qualifier_tuple = attrgetter(*MeshQualifier.__dataclass_fields__)
_CACHE_MAX = 10_000


class EncodedBatch:
    """A batch as the parser process sent it: records as nested tuples (`encode_record`), not yet rebuilt.

    `upsert_records` stores one without building the dataclasses (the storing process's largest cost
    after the database); `records()` rebuilds them for any other use.
    """

    __slots__ = ("items",)

    def __init__(self, items: list[tuple[Any, ...]]) -> None:
        self.items = items

    def __len__(self) -> int:
        return len(self.items)

    def records(self) -> list[PubmedRecord | DeletedCitation]:
        return _Decoder().batch(self.items)


def parse_in_background(
    source: Source, batch_size: int = BATCH_SIZE, *, encoded: bool = False
) -> Iterator[list[PubmedRecord | DeletedCitation] | EncodedBatch]:
    """Yield the records of a PubMed document in lists of `batch_size`, parsed by a child process.

    The same records, in the same order, as `iter_pubmed(source)`. If the document is faulty, every
    complete batch before the fault is yielded, then the parser's ParseError is raised; the records of
    the unfinished batch are not yielded (a caller storing each batch in a transaction never stores half
    of one). Closing the generator early stops the child. A binary stream (not a path or bytes) is
    parsed in this process, batch by batch, with the same semantics.

    `encoded=True`: batches from the child come as EncodedBatch (for `upsert_records`, which then skips
    rebuilding the records); a stream's batches are still lists of records.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if hasattr(source, "read") and not isinstance(source, (bytes, bytearray, memoryview, str, os.PathLike)):
        yield from _batches_here(source, batch_size)
        return
    if isinstance(source, (bytearray, memoryview)):
        source = bytes(source)
    context = multiprocessing.get_context("spawn")  # no fork of a parent holding threads and DB connections
    queue = context.Queue(QUEUE_BATCHES)
    child = context.Process(target=_produce, args=(source, batch_size, queue), name="littrack-parse", daemon=True)
    child.start()
    decoder = _Decoder()
    try:
        while True:
            try:
                kind, payload = queue.get(timeout=_POLL_SECONDS)
            except Empty:
                if child.is_alive():
                    continue
                try:  # it may have put its last message just before exiting
                    kind, payload = queue.get(timeout=_POLL_SECONDS)
                except Empty:
                    raise ParseError(f"the parser process stopped unexpectedly (exit code {child.exitcode}); "
                                     "rerun, and report it if it happens again") from None
            if kind == _BATCH:
                yield EncodedBatch(payload) if encoded else decoder.batch(payload)
            elif kind == _END:
                break
            else:
                raise payload
    finally:
        if child.is_alive():
            child.terminate()
        child.join(5)
        if child.is_alive():
            child.kill()
            child.join()
        queue.close()
        queue.join_thread()


def _batches_here(source: Source, batch_size: int) -> Iterator[list[PubmedRecord | DeletedCitation]]:
    from littrack.pubmed.parse import iter_pubmed

    batch: list[PubmedRecord | DeletedCitation] = []
    for record in iter_pubmed(source):
        batch.append(record)
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def _produce(source: Source, batch_size: int, queue: Any) -> None:
    """The child: parse, encode and send each batch; then the end, or the error that stopped the parser."""
    from littrack.pubmed.parse import iter_pubmed

    try:
        batch: list[tuple[Any, ...]] = []
        for record in iter_pubmed(source):
            batch.append(encode_record(record))
            if len(batch) >= batch_size:
                queue.put((_BATCH, batch))
                batch = []
        if batch:
            queue.put((_BATCH, batch))
        queue.put((_END, None))
    except BaseException as exc:  # noqa: BLE001 - the parent re-raises it
        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:  # noqa: BLE001 - an exception that does not survive pickling
            exc = ParseError(f"the parser failed: {type(exc).__name__}: {exc}")
        queue.put((_ERROR, exc))


def encode_record(record: PubmedRecord | DeletedCitation) -> tuple[Any, ...]:
    """A record as plain nested tuples in dataclass field order (cheap to pickle; store reads it directly)."""
    if isinstance(record, DeletedCitation):
        return (_DELETED, record.pmids)
    values = list(_record_tuple(record))
    values[_SECTIONS] = tuple(map(_section_tuple, record.abstract_sections))
    values[_AUTHORS] = tuple(map(_author_tuple, record.authors))
    values[_MESH] = tuple([(m.descriptor, m.ui, m.major, tuple(map(_qualifier_tuple, m.qualifiers)))
                           for m in record.mesh])
    return tuple(values)


class _Decoder:
    """Rebuilds records from their tuples; MeSH qualifiers (frozen, a small vocabulary) are shared."""

    def __init__(self) -> None:
        self.qualifiers: dict[tuple[Any, ...], MeshQualifier] = {}

    def batch(self, items: list[tuple[Any, ...]]) -> list[PubmedRecord | DeletedCitation]:
        if len(self.qualifiers) > _CACHE_MAX:
            self.qualifiers.clear()
        return [self.record(item) for item in items]

    def record(self, item: tuple[Any, ...]) -> PubmedRecord | DeletedCitation:
        if item[0] == _DELETED:
            return DeletedCitation(item[1])
        values = list(item)
        values[_SECTIONS] = tuple([AbstractSection(*s) for s in item[_SECTIONS]])
        values[_AUTHORS] = tuple([Author(*a) for a in item[_AUTHORS]])
        qualifier = self.qualifier
        values[_MESH] = tuple([MeshHeading(m[0], m[1], m[2], tuple(map(qualifier, m[3])) if m[3] else ())
                               for m in item[_MESH]])
        return PubmedRecord(*values)

    def qualifier(self, q: tuple[Any, ...]) -> MeshQualifier:
        found = self.qualifiers.get(q)
        if found is None:
            found = self.qualifiers[q] = MeshQualifier(*q)
        return found
