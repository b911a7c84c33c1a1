"""Process-wide request throttle for the NCBI E-utilities client (NCBI counts requests per IP or API key)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from littrack.http import Sleep

Clock = Callable[[], float]


class RateLimiter:
    """Spaces request starts at least 1/rate seconds apart, across every thread that shares it."""

    def __init__(self, clock: Clock = time.monotonic, sleep: Sleep = time.sleep) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_allowed: float | None = None

    def acquire(self, rate: float, sleep: Sleep | None = None) -> float:
        """Wait until a request may start at `rate` requests/s; return the seconds waited."""
        if not rate > 0:
            raise ValueError(f"rate must be positive, got {rate!r}")
        with self._lock:
            now = self._clock()
            start = now if self._next_allowed is None else max(now, self._next_allowed)
            # Reserve the slot under the lock but sleep outside it, so concurrent
            # callers queue up on distinct slots instead of serialising on the lock.
            self._next_allowed = start + 1.0 / rate
        wait = start - now
        if wait > 0:
            (sleep or self._sleep)(wait)
        return wait

    def reset(self) -> None:
        """Forget past reservations (for tests)."""
        with self._lock:
            self._next_allowed = None


# NCBI counts requests per IP/API key, not per client object: one limiter per process.
PROCESS_LIMITER = RateLimiter()
