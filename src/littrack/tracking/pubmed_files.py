"""Load local PubMed XML files (saved EFetch answers, baseline and update files) into publications."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from littrack.errors import ParseError
from littrack.pubmed.pipeline import BATCH_SIZE, parse_in_background
from littrack.pubmed.records import DeletedCitation
from littrack.pubmed.store import upsert_records
from littrack.tracking.triage import put_on_triage_list

# A parser process costs ~0.2 s to start: below this size a file is parsed in this process.
IN_PROCESS_BYTES = 4 << 20


@dataclass
class LoadResult:
    """What loading one file did."""

    file: str
    records: int = 0  # PubmedArticle / PubmedBookArticle records read
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0  # stored publications a DeleteCitation marked deleted from PubMed
    delete_citations: int = 0  # PMIDs listed in DeleteCitation elements
    triaged: int = 0  # papers put on the triage list as 'new'
    seconds: float = 0.0


def load_pubmed_file(session: Session | None, source: str | os.PathLike[str] | BinaryIO, *, name: str | None = None,
                     triage_curator: str | None = None,
                     progress: Callable[[LoadResult], None] | None = None) -> LoadResult:
    """Parse a PubMed XML(.gz) file and upsert its records by PMID in the caller's transaction.

    source: a path, or a binary stream (e.g. stdin) parsed in this process. A large file is parsed by a
    child process while this one stores. Without a session the file is only parsed and counted (a check).
    A faulty file raises ParseError naming it; the records before the fault have then been sent to the
    session, so the caller must roll back (a command's one transaction does). With triage_curator, every
    stored paper not yet on the triage list is put there as 'new' (by that curator).
    progress, if given, is called after each batch with the running totals.
    """
    label = name or (os.fspath(source) if isinstance(source, (str, os.PathLike)) else "<stream>")
    result = LoadResult(label)
    start = time.perf_counter()
    stream: BinaryIO | None = None
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise ParseError(f"{label}: no such file")
        try:
            if path.stat().st_size < IN_PROCESS_BYTES:
                stream = source = open(path, "rb")
        except OSError as exc:
            raise ParseError(f"{label}: cannot read it: {exc.strerror or exc}") from None
    try:
        for batch in parse_in_background(source, BATCH_SIZE):
            for record in batch:
                if type(record) is DeletedCitation:
                    result.delete_citations += len(record.pmids)
                else:
                    result.records += 1
            if session is not None:
                stored = upsert_records(session, batch)
                result.new += stored.new
                result.updated += stored.updated
                result.unchanged += stored.unchanged
                result.deleted += stored.deleted
                if triage_curator is not None:
                    result.triaged += put_on_triage_list(session, list(stored.ids.values()), triage_curator)
            if progress is not None:
                result.seconds = time.perf_counter() - start
                progress(result)
    except ParseError as exc:
        raise ParseError(f"{label}: {exc}") from None
    finally:
        if stream is not None:
            stream.close()
    result.seconds = time.perf_counter() - start
    return result
