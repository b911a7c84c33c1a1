"""The shared HTTP transport and retry policy (littrack.http), over real loopback HTTP with pytest-httpserver."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from fresh_process import run_cli
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from littrack.errors import LittrackError, NetworkError
from littrack.http import USER_AGENT, HttpClient, Retryable, RetryPolicy, parse_retry_after

LOGGER = "littrack.tests.http"
SECRET = "s3cret-key-77"


class ServiceError(LittrackError):
    """What a service client would define for its refusals."""


class SleepRecorder:
    """A sleep that only records what it was asked to wait."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def client(**policy: object) -> tuple[HttpClient, SleepRecorder]:
    sleep = SleepRecorder()
    options: dict[str, object] = {"max_retries": 2, "backoff": 0.001, "sleep": sleep}
    options.update(policy)
    http = HttpClient(policy=RetryPolicy(**options), timeout=2.0, refused=ServiceError,  # type: ignore[arg-type]
                      logger=logging.getLogger(LOGGER))
    return http, sleep


def raw(body: bytes) -> bytes:
    return body


def retries_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelno == logging.WARNING]


def test_a_503_is_retried_then_the_answer_returned(httpserver: HTTPServer, caplog: pytest.LogCaptureFixture) -> None:
    for _ in range(2):
        httpserver.expect_ordered_request("/svc").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/svc").respond_with_data("answer")
    http, sleep = client()
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        body = http.request("GET", httpserver.url_for("/svc"), {"q": "x"}, what="test service", check=raw)
    assert body == b"answer"
    assert len(httpserver.log) == 3 and len(sleep.calls) == 2
    first, second = retries_logged(caplog)
    assert first.startswith("test service attempt 1/3 failed: HTTP 503; retrying in ")
    assert second.startswith("test service attempt 2/3 failed: HTTP 503; retrying in ")


def test_giving_up_names_the_url_and_the_last_failure_without_the_key(
    httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    httpserver.expect_request("/svc").respond_with_data("down", status=502)
    http, _ = client(max_retries=3)
    url = httpserver.url_for("/svc")
    with caplog.at_level(logging.WARNING, logger=LOGGER), pytest.raises(NetworkError) as info:
        http.request("GET", url, {"api_key": SECRET, "q": "x"}, what="test service", check=raw)
    assert str(info.value) == f"test service failed after 4 attempt(s) at {url}; last error: HTTP 502"
    assert len(httpserver.log) == 4 and len(retries_logged(caplog)) == 3
    assert all(request.args["api_key"] == SECRET for request, _ in httpserver.log)  # sent, never shown
    assert SECRET not in caplog.text


def test_a_secret_in_a_failure_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    # A connection failure's text repeats the URL with its query string.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))  # a port nobody listens on
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/svc?api_key={SECRET}"
    sock.close()
    http, _ = client(max_retries=1)
    with caplog.at_level(logging.WARNING, logger=LOGGER), pytest.raises(NetworkError) as info:
        http.request("GET", url, {"token": SECRET}, what="test service", check=raw)
    message = str(info.value)
    assert "failed after 2 attempt(s)" in message and "ConnectionError" in message
    assert SECRET not in message and SECRET not in caplog.text
    assert "\n" not in message


@pytest.mark.parametrize("status", [400, 404])
def test_a_client_error_is_not_retried(httpserver: HTTPServer, status: int) -> None:
    # Some services echo the request in their error page: its secrets stay out of the message.
    httpserver.expect_request("/svc").respond_with_data(f"<p>bad q in /svc?api_key={SECRET}&q=x</p>", status=status)
    http, sleep = client()
    with pytest.raises(ServiceError) as info:
        http.request("GET", httpserver.url_for("/svc"), {"q": "x"}, what="test service", check=raw)
    assert str(info.value) == f"test service refused the request: HTTP {status}: <p>bad q in /svc?api_key=***&q=x</p>"
    assert len(httpserver.log) == 1 and sleep.calls == []


def test_retry_after_seconds_is_honoured(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/svc").respond_with_data("slow down", status=429, headers={"Retry-After": "7"})
    httpserver.expect_ordered_request("/svc").respond_with_data("answer")
    http, sleep = client()
    assert http.request("GET", httpserver.url_for("/svc"), {}, what="test service", check=raw) == b"answer"
    assert sleep.calls == [7.0]


def test_retry_after_date_is_honoured_and_capped(httpserver: HTTPServer) -> None:
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    httpserver.expect_ordered_request("/svc").respond_with_data("", status=503, headers={"Retry-After": soon})
    httpserver.expect_ordered_request("/svc").respond_with_data("", status=503, headers={"Retry-After": "86400"})
    httpserver.expect_ordered_request("/svc").respond_with_data("answer")
    http, sleep = client(max_retry_after=60.0)
    assert http.request("GET", httpserver.url_for("/svc"), {}, what="test service", check=raw) == b"answer"
    assert 25 <= sleep.calls[0] <= 31 and sleep.calls[1] == 60.0


def test_backoff_doubles_with_jitter_up_to_its_cap(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/svc").respond_with_data("", status=500)
    http, sleep = client(max_retries=6, backoff=1.0, max_backoff=8.0)
    with pytest.raises(NetworkError, match="failed after 7 attempt"):
        http.request("GET", httpserver.url_for("/svc"), {}, what="test service", check=raw)
    assert len(sleep.calls) == 6
    for retry, wait in enumerate(sleep.calls, start=1):
        delay = min(8.0, 2.0 ** (retry - 1))
        assert 0.5 * delay <= wait <= 1.5 * delay, (retry, wait)
    assert len(set(sleep.calls)) == 6  # jittered


def test_the_check_decides_which_bodies_to_ask_again_for(httpserver: HTTPServer) -> None:
    # A JSON service that sometimes answers 200 with an HTML maintenance page, as proxies do.
    httpserver.expect_ordered_request("/score").respond_with_data("<html>maintenance</html>", content_type="text/html")
    httpserver.expect_ordered_request("/score").respond_with_json({"id": "PGS000001"})
    http, _ = client()

    def check(body: bytes) -> dict[str, str]:
        if body.lstrip().startswith(b"<"):
            raise Retryable("body is an HTML page, not JSON", error=ServiceError)
        answer: dict[str, str] = json.loads(body)
        return answer

    assert http.request("GET", httpserver.url_for("/score"), {}, what="PGS Catalog", check=check) == {"id": "PGS000001"}
    assert len(httpserver.log) == 2

    httpserver.clear()
    httpserver.expect_request("/score").respond_with_data("<html>maintenance</html>")
    with pytest.raises(ServiceError, match=r"PGS Catalog failed after 3 attempt.*; last error: body is an HTML page"):
        http.request("GET", httpserver.url_for("/score"), {}, what="PGS Catalog", check=check)


def test_any_other_error_of_the_check_stops_at_once(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/svc").respond_with_data("not json")
    http, sleep = client()
    with pytest.raises(json.JSONDecodeError):
        http.request("GET", httpserver.url_for("/svc"), {}, what="test service", check=json.loads)
    assert len(httpserver.log) == 1 and sleep.calls == []


def test_requests_say_who_calls_and_post_sends_a_form(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/svc", method="POST").respond_with_data("posted")
    httpserver.expect_request("/svc", method="GET").respond_with_data("got")
    http, _ = client()
    url = httpserver.url_for("/svc")
    assert http.request("POST", url, {"id": "1,2"}, what="test service", check=raw) == b"posted"
    assert http.request("GET", url, {"id": "3"}, what="test service", check=raw) == b"got"
    (post, _), (get, _) = httpserver.log
    assert post.form["id"] == "1,2" and not post.args
    assert get.args["id"] == "3"
    assert post.headers["User-Agent"] == get.headers["User-Agent"] == USER_AGENT
    http.close()


def test_before_attempt_runs_before_every_attempt(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/svc").respond_with_data("", status=504)
    httpserver.expect_ordered_request("/svc").respond_with_data("answer")
    calls: list[int] = []
    http = HttpClient(policy=RetryPolicy(max_retries=1, backoff=0.0), before_attempt=lambda: calls.append(len(httpserver.log)))
    http.request("GET", httpserver.url_for("/svc"), {}, what="test service", check=raw)
    assert calls == [0, 1]


@pytest.fixture
def threaded_server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)  # a stalled answer must not hold up the next
    server.start()
    yield server
    server.clear()
    server.stop()


def test_a_stalled_answer_times_out_and_is_retried(threaded_server: HTTPServer) -> None:
    def stall(request: Request) -> Response:
        time.sleep(1.0)
        return Response("late")

    threaded_server.expect_ordered_request("/svc").respond_with_handler(stall)
    threaded_server.expect_ordered_request("/svc").respond_with_data("answer")
    sleep = SleepRecorder()
    http = HttpClient(policy=RetryPolicy(max_retries=1, backoff=0.001, sleep=sleep), timeout=0.2)
    assert http.request("GET", threaded_server.url_for("/svc"), {}, what="test service", check=raw) == b"answer"
    assert len(sleep.calls) == 1

    threaded_server.clear()
    threaded_server.expect_request("/svc").respond_with_handler(stall)
    with pytest.raises(NetworkError, match=r"failed after 2 attempt.*last error: timed out after 0.2 s \(ReadTimeout\)"):
        http.request("GET", threaded_server.url_for("/svc"), {}, what="test service", check=raw)


def test_policy_bounds() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        RetryPolicy(max_retries=-1)
    assert RetryPolicy(max_retries=0).attempts == 1


def test_parse_retry_after() -> None:
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30.0
    assert parse_retry_after(format_datetime(now - timedelta(seconds=30), usegmt=True), now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_help_and_effects_do_not_import_tenacity(seeded_db_url: str) -> None:
    # The retry library is for network commands; the fast commands stay fast.
    _, loaded = run_cli(["--help"], ["--db", seeded_db_url, "effects", "--trait", "insomnia"],
                        watch=("tenacity", "littrack.http"))
    assert loaded == []
