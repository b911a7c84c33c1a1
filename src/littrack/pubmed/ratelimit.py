"""Process-wide request throttle and retry-delay helpers for the NCBI E-utilities client."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

Clock = Callable[[], float]
Sleep = Callable[[float], None]


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


def backoff_delay(retry: int, base: float, rng: random.Random | None = None, cap: float = 60.0) -> float:
    """Exponential backoff for the given retry number (1-based), with +-50% jitter."""
    delay = min(cap, base * 2.0 ** (retry - 1))
    return delay * (0.5 + (rng or random).random())


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if absent/bad."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())
