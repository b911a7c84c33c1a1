"""Byte sources for the PubMed parser: bytes, XML text, paths and streams, gzip or not."""

from __future__ import annotations

import os
import stat
import threading
import zlib
from collections.abc import Callable, Generator, Iterator
from queue import Empty, Queue
from typing import BinaryIO

from littrack.errors import ParseError

Source = bytes | bytearray | memoryview | str | os.PathLike[str] | BinaryIO

READ_SIZE = 1 << 18
# Gunzipped pieces are larger: the helper thread takes the GIL about once per output block of
# zlib (32 KB doubling up) and per read, and each time may wait up to a switch interval (5 ms)
# for the parsing thread to let go of it. With 2 MB pieces it still fell behind and the parser
# waited for it (~4% of the wall time); 3 MB pieces keep it ahead. Larger pieces cost memory (4 MB: +8 MiB
# peak) for no further gain.
INFLATE_SIZE = 3 << 20
QUEUE_PIECES = 3
_GZIP_MAGIC = b"\x1f\x8b"
_DONE = object()


class _Stream:
    """A read() over bytes already in memory."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self._view = memoryview(data)
        self._pos = 0

    def read(self, size: int) -> bytes:
        chunk = self._view[self._pos:self._pos + size].tobytes()
        self._pos += len(chunk)
        return chunk

    def close(self) -> None:
        self._view.release()


Opened = tuple[BinaryIO | _Stream, bool]  # a readable binary stream, and whether its opener must close it


def open_source(source: Source) -> Opened:
    """A readable binary stream for source, and whether the caller must close it."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return _Stream(bytes(source)), True
    if isinstance(source, str) and source.lstrip("\ufeff \t\r\n").startswith("<"):
        return _Stream(source.encode("utf-8")), True
    if isinstance(source, (str, os.PathLike)):
        try:
            return open(source, "rb"), True
        except OSError as exc:
            raise ParseError(f"cannot read {os.fspath(source)!r}: {exc.strerror or exc}") from exc
    if hasattr(source, "read"):
        return source, False
    raise TypeError(f"iter_pubmed() takes bytes, str, a path or a binary stream, not {type(source).__name__}")


def reader(source: Source, stream: BinaryIO | _Stream) -> Callable[[], Opened] | None:
    """A way to open source again from its start (stream: what open_source made of it), or None for
    a caller's stream, a pipe or a device, which cannot be read twice. A regular file is opened again
    by its path: it is taken not to change while it is being read."""
    if isinstance(stream, _Stream):
        data = stream.data
        return lambda: (_Stream(data), True)
    if isinstance(source, (str, os.PathLike)):
        try:
            regular = stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
        except (OSError, ValueError):
            return None
        if regular:
            return lambda: open_source(source)
    return None


def chunks(stream: BinaryIO | _Stream) -> Generator[bytes, None, None]:
    """The document bytes, gunzipped when the input starts with the gzip magic number."""
    first = stream.read(READ_SIZE)
    while 0 < len(first) < len(_GZIP_MAGIC):  # a stream may hand out single bytes
        more = stream.read(READ_SIZE)
        if not more:
            break
        first += more
    if first.startswith(_GZIP_MAGIC):
        # zlib releases the GIL while inflating, so a helper thread hides most of the cost
        # of decompression behind the parsing done here (a baseline file is ~10x compressed).
        yield from _in_thread(_gunzip(stream, first))
        return
    while first:
        yield first
        first = stream.read(READ_SIZE)


def _gunzip(stream: BinaryIO | _Stream, data: bytes) -> Iterator[bytes]:
    inflater = zlib.decompressobj(wbits=31)
    while data:
        try:
            while data:
                # max_length keeps each piece small however well the input compresses.
                yield inflater.decompress(data, INFLATE_SIZE)
                data = inflater.unconsumed_tail
                if inflater.eof and inflater.unused_data.strip(b"\x00"):  # a further member follows
                    data = inflater.unused_data.lstrip(b"\x00")  # gzip allows zero padding between
                    inflater = zlib.decompressobj(wbits=31)
        except zlib.error as exc:
            raise ParseError(f"corrupt gzip data: {exc}") from None
        data = stream.read(INFLATE_SIZE // 4)
    if not inflater.eof:
        raise ParseError("gzip stream ended early (truncated file or download)")


def _in_thread(pieces: Iterator[bytes]) -> Iterator[bytes]:
    """Run pieces in a helper thread, a few items ahead of the consumer."""
    queue: Queue[object] = Queue(maxsize=QUEUE_PIECES)
    stop = threading.Event()

    def produce() -> None:
        try:
            for piece in pieces:
                queue.put(piece)
                if stop.is_set():
                    return
            queue.put(_DONE)
        except BaseException as exc:
            queue.put(exc)

    worker = threading.Thread(target=produce, name="littrack-gunzip", daemon=True)
    worker.start()
    try:
        while (item := queue.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, bytes)
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # drain so that a put() blocked on a full queue returns
            try:
                queue.get_nowait()
            except Empty:
                worker.join(0.01)
