"""A named process lock in the app_locks table: taken by inserting its row, kept alive by a heartbeat."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import SQLAlchemyError

from littrack.db import dialect_insert
from littrack.errors import ConcurrencyError
from littrack.models import AppLock
from littrack.models.base import Base, utcnow

logger = logging.getLogger("littrack.lock")

LOCKS = Base.metadata.tables[AppLock.__tablename__]


@dataclass(frozen=True)
class Holder:
    owner: str
    acquired_at: dt.datetime
    expires_at: dt.datetime

    def describe(self) -> str:
        host, pid, _ = ([*self.owner.split(":"), "", "", ""])[:3]
        return f"pid {pid} on {host}, since {self.acquired_at:%Y-%m-%d %H:%M:%S} UTC"


def _alive(owner: str) -> bool:
    """False only when the owner is a process on this host that no longer exists."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


class ProcessLock:
    """`with ProcessLock(engine, "refresh").held(wait=60): ...` — at most one holder across processes.

    The row expires `ttl` seconds after the last heartbeat, so a killed process frees the lock; a holder
    on this host whose process is gone is replaced at once.
    """

    def __init__(self, engine: Engine, name: str, *, ttl: float = 900.0, heartbeat: float | None = None,
                 poll: float = 0.5) -> None:
        self.engine = engine
        self.name = name
        self.ttl = ttl
        self.heartbeat = heartbeat if heartbeat is not None else max(1.0, ttl / 5)
        self.poll = poll
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lost = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _expiry(self) -> dt.datetime:
        return utcnow() + dt.timedelta(seconds=self.ttl)

    def try_acquire(self) -> Holder | None:
        """Take the lock if free (or stale); else return who holds it."""
        now = utcnow()
        # Every write transaction starts with its write, so SQLite never has to upgrade a read lock.
        with self.engine.begin() as conn:
            stmt = dialect_insert(conn, LOCKS).values(
                name=self.name, owner=self.owner, acquired_at=now, expires_at=self._expiry()
            ).on_conflict_do_nothing().returning(LOCKS.c.name)
            if conn.execute(stmt).first() is not None:  # rowcount is not reliable for ON CONFLICT on every driver
                return None
        with self.engine.connect() as conn:
            row = conn.execute(select(LOCKS).where(LOCKS.c.name == self.name)).first()
        if row is None:
            return self.try_acquire()
        holder = Holder(row.owner, row.acquired_at, row.expires_at)
        if holder.expires_at > now and _alive(holder.owner):
            return holder
        logger.warning("lock %r: taking over from %s (%s)", self.name, holder.describe(),
                       "expired" if holder.expires_at <= now else "process gone")
        with self.engine.begin() as conn:
            taken = conn.execute(
                update(LOCKS).where(LOCKS.c.name == self.name, LOCKS.c.owner == holder.owner)
                .values(owner=self.owner, acquired_at=now, expires_at=self._expiry())
            ).rowcount
        return None if taken == 1 else self.try_acquire()

    def acquire(self, wait: float = 0.0, on_wait: Callable[[Holder], None] | None = None) -> None:
        """Take the lock, waiting up to `wait` seconds; raise ConcurrencyError if still held."""
        deadline = time.monotonic() + wait
        told = False
        while True:
            holder = self.try_acquire()
            if holder is None:
                self._start_heartbeat()
                return
            if time.monotonic() >= deadline:
                raise ConcurrencyError(
                    f"another {self.name} is running ({holder.describe()})"
                    + (f"; waited {wait:g} s" if wait else "")
                )
            if not told and on_wait is not None:
                on_wait(holder)
                told = True
            time.sleep(min(self.poll, max(0.0, deadline - time.monotonic())))

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        with self.engine.begin() as conn:
            conn.execute(delete(LOCKS).where(LOCKS.c.name == self.name, LOCKS.c.owner == self.owner))

    def check(self) -> None:
        """Raise if the heartbeat found the lock taken over (this process stalled past the expiry)."""
        if self.lost:
            raise ConcurrencyError(f"lost the {self.name} lock to another process; stopped")

    def _start_heartbeat(self) -> None:
        self._stop.clear()
        self.lost = False
        self._thread = threading.Thread(target=self._beat, name=f"lock-{self.name}", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(self.heartbeat):
            try:
                with self.engine.begin() as conn:
                    kept = conn.execute(
                        update(LOCKS).where(LOCKS.c.name == self.name, LOCKS.c.owner == self.owner)
                        .values(expires_at=self._expiry())
                    ).rowcount
            except SQLAlchemyError as exc:  # a busy database: try again at the next beat
                logger.warning("lock %r: heartbeat failed: %s", self.name, exc)
                continue
            if kept != 1:
                self.lost = True
                return

    @contextmanager
    def held(self, wait: float = 0.0, on_wait: Callable[[Holder], None] | None = None) -> Iterator[ProcessLock]:
        self.acquire(wait, on_wait)
        try:
            yield self
        finally:
            self.release()

