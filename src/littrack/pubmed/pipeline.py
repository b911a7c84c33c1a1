"""Parse a PubMed file in a child process and hand its records to the caller in batches, to overlap with storing."""

# Why a process: parsing and storing each take one core, and a parser thread gains nothing under the GIL.
# The child sends each batch as one msgpack message (msgspec encodes the record Structs as arrays, in C);
# the parent decodes it straight back into records, also in C. Pickling would run Python code per object
# on both sides, about as costly as parsing the records again. The queue is bounded, so memory stays flat
# whatever the file size.

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Iterator
from queue import Empty
from typing import Any

from msgspec.msgpack import Decoder, Encoder

from littrack.errors import ParseError
from littrack.pubmed.records import DeletedCitation, PubmedRecord
from littrack.pubmed.source import Source

BATCH_SIZE = 200
QUEUE_BATCHES = 4  # batches in flight: enough to ride out uneven batches, little memory (~1.5 MB each)
_POLL_SECONDS = 0.5
_BATCH, _END, _ERROR = 0, 1, 2


def parse_in_background(source: Source, batch_size: int = BATCH_SIZE) -> Iterator[list[PubmedRecord | DeletedCitation]]:
    """Yield the records of a PubMed document in lists of `batch_size`, parsed by a child process.

    The same records, in the same order, as `iter_pubmed(source)`. If the document is faulty, every
    complete batch before the fault is yielded, then the parser's ParseError is raised; the records of
    the unfinished batch are not yielded (a caller storing each batch in a transaction never stores half
    of one). Closing the generator early stops the child. A binary stream (not a path or bytes) is
    parsed in this process, batch by batch, with the same semantics.
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
    decode = Decoder(list[PubmedRecord | DeletedCitation]).decode
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
                yield decode(payload)
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

    encode = Encoder().encode
    try:
        batch: list[PubmedRecord | DeletedCitation] = []
        for record in iter_pubmed(source):
            batch.append(record)
            if len(batch) >= batch_size:
                queue.put((_BATCH, encode(batch)))
                batch = []
        if batch:
            queue.put((_BATCH, encode(batch)))
        queue.put((_END, None))
    except BaseException as exc:
        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:
            exc = ParseError(f"the parser failed: {type(exc).__name__}: {exc}")
        queue.put((_ERROR, exc))
