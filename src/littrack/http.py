"""HTTP for every web service littrack talks to: one requests Session setup and one tenacity retry policy."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import NoReturn, TypeVar

import requests
import tenacity
from tenacity.wait import wait_base

from littrack import __version__
from littrack.errors import LittrackError, NetworkError

T = TypeVar("T")
Sleep = Callable[[float], None]

USER_AGENT = f"littrack/{__version__} (python-requests)"
# Rate limiting (429) and server-side trouble; any other non-2xx status is an answer, not worth repeating.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Query parameters whose values never appear in a message or a log line.
_SECRET_PARAM = re.compile(r"((?:api_?key|access_token|token|password|secret)=)[^&\s'\"]+", re.I)


class Retryable(Exception):
    """One failed attempt worth repeating: why, the error to raise once attempts run out, any Retry-After (s).

    Transport failures raise it here; a client's `check` raises it for a body that is unusable but may be
    right next time (an HTML page sent with 200, a truncated document, a service's "try again" envelope).
    """

    def __init__(
        self, reason: str, *, error: type[LittrackError] = NetworkError, retry_after: float | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.error = error
        self.retry_after = retry_after


def redact(text: str) -> str:
    """The text with the values of secret query parameters (api_key=, token=...) replaced by ***."""
    return _SECRET_PARAM.sub(r"\1***", text)


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


def make_session(user_agent: str = USER_AGENT) -> requests.Session:
    """A requests Session that says who is calling."""
    session = requests.Session()
    session.headers["User-Agent"] = user_agent
    return session


# ---- the retry policy ----------------------------------------------------------------------


class _HonourRetryAfter(wait_base):
    """The backoff, or the server's Retry-After (capped) when that is longer."""

    def __init__(self, backoff: wait_base, cap: float) -> None:
        self.backoff = backoff
        self.cap = cap

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        wait = self.backoff(retry_state)
        failure = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(failure, Retryable) and failure.retry_after is not None:
            wait = max(wait, min(failure.retry_after, self.cap))
        return wait


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded attempts with exponential backoff and jitter; only `Retryable` failures are repeated.

    Retry n waits backoff * 2**(n-1) seconds (at most max_backoff) times a random factor in [0.5, 1.5),
    or the server's Retry-After when longer (at most max_retry_after).
    """

    max_retries: int = 5
    backoff: float = 1.0
    max_backoff: float = 60.0
    max_retry_after: float = 120.0
    sleep: Sleep = time.sleep

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if self.backoff < 0:
            raise ValueError("backoff must be >= 0")

    @property
    def attempts(self) -> int:
        """Attempts in all: the first one and max_retries more."""
        return self.max_retries + 1

    def wait_strategy(self) -> wait_base:
        """The tenacity wait: fixed half plus a uniformly random part of the exponential delay (+-50% jitter)."""
        half = tenacity.wait_exponential(multiplier=self.backoff / 2, max=self.max_backoff / 2)
        spread = tenacity.wait_random_exponential(multiplier=self.backoff, max=self.max_backoff)
        return _HonourRetryAfter(half + spread, self.max_retry_after)

    def call(
        self,
        attempt: Callable[[], T],
        *,
        what: str,
        logger: logging.Logger,
        where: str | None = None,
        give_up: Callable[[Retryable], Exception] | None = None,
    ) -> T:
        """Run `attempt` until it returns, raises a non-Retryable error, or the attempts run out.

        Each retry is logged as a warning on `logger` with what failed and the wait. Once the attempts run
        out, raise `give_up(last failure)`, by default the failure's error class with a one-line message
        naming `what`, `where` (a URL) and the last failure.
        """

        def log_retry(state: tenacity.RetryCallState) -> None:
            failure = state.outcome.exception() if state.outcome else None
            wait = state.next_action.sleep if state.next_action else 0.0
            logger.warning("%s attempt %d/%d failed: %s; retrying in %.2f s",
                           what, state.attempt_number, self.attempts, failure, wait)

        def exhausted(state: tenacity.RetryCallState) -> NoReturn:
            failure = state.outcome.exception() if state.outcome else None
            assert isinstance(failure, Retryable)  # anything else was raised at once
            if give_up is not None:
                raise give_up(failure) from failure
            at = f" at {redact(where.split('?', 1)[0])}" if where else ""
            raise failure.error(
                f"{what} failed after {self.attempts} attempt(s){at}; last error: {failure.reason}"
            ) from failure

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(Retryable),
            stop=tenacity.stop_after_attempt(self.attempts),
            wait=self.wait_strategy(),
            sleep=self.sleep,
            before_sleep=log_retry,
            retry_error_callback=exhausted,
        )
        return retrying(attempt)


# ---- the transport -------------------------------------------------------------------------


def describe(exc: requests.RequestException) -> str:
    """A short, secret-free line for a requests failure."""
    # requests wraps urllib3's MaxRetryError, whose text repeats the whole URL; its
    # `reason` (refused, reset, name resolution...) is what a user needs.
    inner = exc.args[0] if exc.args else None
    reason = getattr(inner, "reason", None)
    detail = reason if reason is not None else exc
    return redact(f"{type(exc).__name__}: {detail}")[:300]


def excerpt(body: bytes, limit: int = 200) -> str:
    """The start of a body on one line, for messages."""
    text = " ".join(body[: limit * 4].decode("utf-8", "replace").split())
    return redact(text[:limit] + ("..." if len(text) > limit else ""))


class HttpClient:
    """Requests to one web service under a RetryPolicy: timeouts, retryable statuses, checked bodies.

    `refused` is the service's error class for a request it answers with a non-retryable status (4xx).
    `before_attempt` runs before every attempt (a client's rate limiter, its request counter).
    """

    def __init__(
        self,
        *,
        policy: RetryPolicy | None = None,
        timeout: float = 30.0,
        refused: type[LittrackError] = LittrackError,
        logger: logging.Logger | None = None,
        session: requests.Session | None = None,
        before_attempt: Callable[[], None] | None = None,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self.timeout = timeout
        self.refused = refused
        self.logger = logger or logging.getLogger("littrack.http")
        self._own_session = session is None
        self.session = session or make_session()
        self._before_attempt = before_attempt

    def close(self) -> None:
        """Close the session if this client created it."""
        if self._own_session:
            self.session.close()

    def request(
        self, method: str, url: str, params: Mapping[str, str], *, what: str, check: Callable[[bytes], T]
    ) -> T:
        """`check(body)` of a 2xx answer, retried under the policy; params go in the query (GET) or form (POST).

        `check` raises Retryable for a body worth asking again for, anything else to stop at once.
        """

        def attempt() -> T:
            if self._before_attempt is not None:
                self._before_attempt()
            return check(self._send(method, url, params, what))

        return self.policy.call(attempt, what=what, where=url, logger=self.logger)

    def _send(self, method: str, url: str, params: Mapping[str, str], what: str) -> bytes:
        # One timeout for connecting and one for each read: a server that stalls mid-body is caught too.
        post = method.upper() == "POST"
        try:
            response = self.session.request(method, url, params=None if post else params, data=params if post else None,
                                            timeout=(self.timeout, self.timeout))
            body = response.content
            response.close()
        except requests.Timeout as exc:
            raise Retryable(f"timed out after {self.timeout:g} s ({type(exc).__name__})") from exc
        except requests.RequestException as exc:
            raise Retryable(describe(exc)) from exc
        status = response.status_code
        if status in RETRY_STATUSES:
            raise Retryable(f"HTTP {status}", retry_after=parse_retry_after(response.headers.get("Retry-After")))
        if not 200 <= status < 300:
            raise self.refused(f"{what} refused the request: HTTP {status}: {excerpt(body)}")
        return body
