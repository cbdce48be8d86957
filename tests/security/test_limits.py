"""Rules 2 and 3: work is bounded (linear time, bounded memory) and every default is finite."""

from __future__ import annotations

import asyncio
import io
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest
from tests.counting import assert_linear
from tests.security.conftest import Caller, Raw, call_asgi, call_wsgi

from tumbler import Tumbler, request
from tumbler.config import DEFAULT_CONFIG
from tumbler.http.accept import MIMEAccept, parse_accept
from tumbler.http.cookies import parse_cookie
from tumbler.http.ranges import parse_byte_range
from tumbler.http.request import _JSON_STRING, json_too_deep
from tumbler.http.urls import parse_qsl_to_multidict

# Linear time is checked by counting operations (tests/counting.py), never by timing: the
# counts are exact, so a busy machine cannot fail these tests. benchmarks/linear_time.py
# times the same inputs and reports the ratios.


def test_counting_catches_quadratic_work() -> None:
    """The check has teeth: a quadratic loop written in Python fails it."""

    def pairs(n: int) -> Callable[[], Any]:
        return lambda: sum(1 for i in range(n) for j in range(i))

    with pytest.raises(AssertionError, match="multiplied the work"):
        assert_linear(pairs, 200)


def test_repeated_query_keys_are_linear() -> None:
    """One key repeated n times: linear."""
    assert_linear(lambda n: lambda: parse_qsl_to_multidict(b"a=1&" * n, max_fields=None), 2_000)


def test_escaped_query_is_linear() -> None:
    """Escapes everywhere: linear."""
    assert_linear(lambda n: lambda: parse_qsl_to_multidict(b"%41%zz=%e9&" * n), 1_000)


def test_cookies_are_linear() -> None:
    """Many cookies, repeated names and quoted values: linear."""

    def make(n: int) -> Callable[[], Any]:
        header = "; ".join(f'c{i % 50}="\\101\\"x"' for i in range(n))
        return lambda: parse_cookie(header)

    assert_linear(make, 1_000)


def test_ranges_are_linear() -> None:
    """Thousands of ranges: linear (and the whole file is served)."""

    def make(n: int) -> Callable[[], Any]:
        header = "bytes=" + ",".join(f"{i}-{i}" for i in range(n))
        return lambda: parse_byte_range(header, 10**9)

    assert_linear(make, 2_000)


def test_accept_is_linear() -> None:
    """Accept with thousands of entries: parse and best_match are linear in its size."""

    def make(n: int) -> Callable[[], Any]:
        header = ",".join(f"type{i}/sub{i};q=0.{i % 9 + 1};level=1" for i in range(n))
        offers = ["application/json", "text/html", "image/png"]
        return lambda: parse_accept(header, MIMEAccept).best_match(offers)

    assert_linear(make, 500)


JSON_BODIES: list[Callable[[int], bytes]] = [
    lambda n: b"[" * n + b"]" * n,
    lambda n: b'[["x[",{"a":[]}],' * n + b"0]",
    lambda n: b"[" * 70 + b'"' + b'\\"' * n,  # an unterminated string of escaped quotes
    lambda n: b"[" * 70 + b'"\\' * n,
    lambda n: b"[" * 70 + b'"\\"' * n + b"\\",  # ... ending in a lone backslash
]


JSON_IDS = ["deep", "wide", "escaped-quotes", "quote-backslash", "lone-backslash"]


@pytest.mark.parametrize("body", JSON_BODIES, ids=JSON_IDS)
def test_json_depth_check_is_linear(body: Callable[[int], bytes]) -> None:
    """The nesting check is linear in the body size, deep, wide or full of odd strings.

    Its work is in C: one regex substitution, one ``translate``, and at most ``limit``
    passes of ``bytes.replace``, each linear. The operation count checks the number of
    passes does not grow with the body; the next test checks the substitution scans once.
    """
    small, large = assert_linear(lambda n: lambda: json_too_deep(body(n), 64), 2_000)
    assert large <= small + 20  # the same passes whatever the size: nothing per byte in Python


@pytest.mark.parametrize("body", JSON_BODIES, ids=JSON_IDS)
def test_json_string_pattern_never_rescans(body: Callable[[int], bytes]) -> None:
    """The string pattern matches at every quote it can start at, so ``sub`` scans the body
    once: a failed match would be retried at each later quote, rescanning the rest (80 KB of
    ``"\\"\\"...`` once took 40 s)."""
    data = body(300)
    for start in range(len(data)):
        if data[start] == ord('"'):
            assert _JSON_STRING.match(data, start) is not None, start


def test_multipart_boundary_scan_is_linear(app: Tumbler) -> None:
    """A body full of near-boundaries: linear."""
    from tumbler.http.formparser import parse_multipart

    boundary = "b" * 60
    content_type = f"multipart/form-data; boundary={boundary}"

    def make(n: int) -> Callable[[], Any]:
        junk = (b"\r\n--" + b"b" * 59 + b"x") * n
        body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="f"\r\n\r\n'.encode()
            + junk
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return lambda: parse_multipart(iter([body]), content_type, max_form_memory_size=None)

    assert_linear(make, 500)


@pytest.fixture
def app() -> Tumbler:
    """An app that reads forms and JSON."""
    app = Tumbler(__name__)

    @app.post("/form")
    def form() -> Any:
        return {"n": len(request.form)}

    @app.post("/json")
    def json_view() -> Any:
        return {"ok": request.get_json() is not None}

    return app


def test_query_memory_is_bounded(app: Tumbler, send: Caller) -> None:
    """Parsing a 1 MB query string that is refused keeps memory near its size."""
    query = b"a=" + b"x" * 1_000_000
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        send(app, Raw(query=query))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * len(query)


def test_json_bomb_memory_is_bounded(app: Tumbler) -> None:
    """A deep JSON body is refused with memory a small multiple of its size."""
    body = b"[" * 1_000_000
    raw = Raw(
        "POST",
        b"/json",
        headers=[(b"content-type", b"application/json"), (b"content-length", b"1000000")],
        body=body,
    )
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = call_wsgi(app.wsgi_app, raw.environ())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.status == 400
    assert peak < 6 * len(body)


class _NoRead(io.RawIOBase):
    """A wsgi.input that fails the test when read."""

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")

    readline = read


def test_oversized_body_refused_before_read_wsgi(app: Tumbler) -> None:
    """Declared Content-Length over the limit: 413 and wsgi.input is never read."""
    app.config["MAX_CONTENT_LENGTH"] = 1000
    environ = Raw(
        "POST",
        b"/form",
        headers=[
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", b"5000"),
        ],
    ).environ()
    environ["wsgi.input"] = _NoRead()
    result = call_wsgi(app.wsgi_app, environ)
    assert result.status == 413


def test_oversized_body_refused_before_read_asgi(app: Tumbler) -> None:
    """Declared Content-Length over the limit: 413 and receive is never called for the body."""
    app.config["MAX_CONTENT_LENGTH"] = 1000
    scope = Raw(
        "POST",
        b"/form",
        headers=[
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", b"5000"),
        ],
    ).scope()
    result = call_asgi(app.asgi_app, scope, messages=[], disconnect_after_body=True)
    assert result.status == 413
    assert result.receive_calls == 0


def test_undeclared_oversized_body_stops_reading_asgi(app: Tumbler) -> None:
    """Chunked (no Content-Length) past the limit: 413, and reading stops at the limit."""
    app.config["MAX_CONTENT_LENGTH"] = 1000
    scope = Raw(
        "POST",
        b"/form",
        headers=[
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"transfer-encoding", b"chunked"),
        ],
    ).scope()
    messages = [{"type": "http.request", "body": b"a" * 100, "more_body": True}] * 100
    result = call_asgi(app.asgi_app, scope, messages=messages)
    assert result.status == 413
    assert result.receive_calls <= 12


def test_defaults_are_finite() -> None:
    """Every limit has a finite default."""
    for key in (
        "MAX_CONTENT_LENGTH",
        "MAX_FORM_MEMORY_SIZE",
        "MAX_FORM_PARTS",
        "MAX_JSON_DEPTH",
        "ASGI_BODY_TIMEOUT",
    ):
        assert DEFAULT_CONFIG[key] is not None and DEFAULT_CONFIG[key] > 0, key
    from tumbler.http.request import Request

    assert Request.max_query_params > 0


def test_limits_can_change_per_request(app: Tumbler, send: Caller) -> None:
    """``request.max_json_depth`` set in a hook overrides the config for that request."""

    @app.before_request
    def tighten() -> None:
        request.max_json_depth = 2

    body = b"[[[1]]]"
    raw = Raw(
        "POST",
        b"/json",
        headers=[(b"content-type", b"application/json"), (b"content-length", b"7")],
        body=body,
    )
    assert send(app, raw).status == 400


def test_asgi_body_idle_timeout(app: Tumbler) -> None:
    """A client that stops sending the body: 408 after ``ASGI_BODY_TIMEOUT`` seconds."""
    app.config["ASGI_BODY_TIMEOUT"] = 0.05
    scope = Raw(
        "POST",
        b"/form",
        headers=[
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", b"10"),
        ],
    ).scope()
    stalled = asyncio.Event()
    sent: list[dict[str, Any]] = []
    calls = 0

    async def receive() -> dict[str, Any]:
        nonlocal calls
        calls += 1
        if calls == 1:
            return {"type": "http.request", "body": b"a=1", "more_body": True}
        await stalled.wait()  # never set: the client went quiet
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def main() -> None:
        call = app.asgi_app(scope | {"type": "http"}, receive, send)
        await asyncio.wait_for(call, 60)  # only a guard: without the timeout, fail, not hang

    asyncio.run(main())
    assert sent[0]["status"] == 408
    assert b"seconds" in sent[1]["body"]


def test_asgi_body_timeout_off(app: Tumbler) -> None:
    """``ASGI_BODY_TIMEOUT = None`` turns the timer off (slow chunks still arrive)."""
    app.config["ASGI_BODY_TIMEOUT"] = None
    scope = Raw(
        "POST",
        b"/form",
        headers=[
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", b"3"),
        ],
        body=b"a=1",
    ).scope()
    result = call_asgi(app.asgi_app, scope, b"a=1", split="bytes1")
    assert result.status == 200
