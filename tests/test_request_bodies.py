"""Request bodies (issue 14): one stream per request, limits while reading, short bodies,
bodies without a Content-Length, slow bodies, streamed bodies under ASGI, the loop kept free.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import io
import logging
import re
import threading
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any

import pytest
from tests.security.conftest import Raw, call_asgi, call_wsgi

from tumbler import Tumbler, request, stream_request_body
from tumbler.http import formparser
from tumbler.testing import TestClient

FORM_CT = (b"content-type", b"application/x-www-form-urlencoded")
Message = dict[str, Any]


def _post(path: bytes, body: bytes, *headers: tuple[bytes, bytes], length: bool = True) -> Raw:
    extra = [(b"content-length", str(len(body)).encode())] if length else []
    return Raw("POST", path, headers=[*headers, *extra], body=body)


def _messages(*chunks: bytes) -> list[Message]:
    return [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
        for i, c in enumerate(chunks)
    ]


# One stream per request ------------------------------------------------------------------------


def test_stream_is_one_object_read_as_it_goes(app: Tumbler, client: TestClient) -> None:
    """The usual ``while chunk := request.stream.read(n)`` loop ends, with the whole body."""

    @app.post("/")
    def view() -> Any:
        same = request.stream is request.stream
        parts = []
        for _ in range(1000):  # bounded: without one stream per request this never ends
            chunk = request.stream.read(7)
            if not chunk:
                break
            parts.append(chunk)
        return {"same": same, "body": b"".join(parts).decode(), "reads": len(parts)}

    got = client.post("/", data=b"0123456789" * 5).json
    assert got == {"same": True, "body": "0123456789" * 5, "reads": 8}


def test_stream_lines_and_then_get_data_has_the_rest(app: Tumbler, client: TestClient) -> None:
    @app.post("/")
    def view() -> Any:
        first = request.stream.readline()
        rest = request.get_data()
        again = request.stream.read().decode()
        return {"first": first.decode(), "rest": rest.decode(), "again": again}

    got = client.post("/", data=b"line one\nline two\nend").json
    assert got == {"first": "line one\n", "rest": "line two\nend", "again": ""}


class CountingInput(io.BytesIO):
    """A ``wsgi.input`` that counts the bytes read from it."""

    taken = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.taken += len(data)
        return data


def test_wsgi_stream_reads_the_input_as_it_goes() -> None:
    """Reading 10 bytes of a 1 MB body takes 10 bytes from wsgi.input, not the whole body."""
    app = Tumbler(__name__)
    source = CountingInput(b"x" * 1_000_000 + b"NEXT REQUEST")
    taken: list[int] = []

    @app.post("/")
    def view() -> str:
        request.stream.read(10)
        taken.append(source.taken)
        request.stream.read()
        taken.append(source.taken)
        return "ok"

    env = Raw("POST", b"/", headers=[(b"content-length", b"1000000")]).environ()
    env["wsgi.input"] = source
    assert call_wsgi(app.wsgi_app, env).status == 200
    assert taken == [10, 1_000_000]  # never past the Content-Length


@pytest.mark.parametrize("mode", ["wsgi", "asgi"])
def test_limit_is_enforced_while_reading_and_stays_raised(mode: str) -> None:
    """Past ``request.max_content_length`` a read raises 413, and so does every later read.

    The body is read as it comes (under ASGI by a ``stream_request_body`` view): the reads
    within the limit succeed.
    """
    app = Tumbler(__name__)
    app.config["ASGI_SYNC_IN_THREADS"] = True
    seen: list[Any] = []

    @app.before_request
    def limit() -> None:
        request.max_content_length = 25

    @app.post("/")
    @stream_request_body
    def view() -> str:
        for _ in range(10):
            try:
                seen.append(len(request.stream.read(10)))
            except Exception as error:
                seen.append(getattr(error, "code", error))
        return "read"

    body = b"y" * 40
    raw = _post(b"/", body, (b"transfer-encoding", b"chunked"), length=False)
    if mode == "wsgi":
        result = call_wsgi(app.wsgi_app, raw.environ() | {"wsgi.input_terminated": True})
    else:
        result = call_asgi(app.asgi_app, raw.scope(), body, split="bytes1")
    assert result.status == 200
    assert seen == [10, 10] + [413] * 8


# Short and long bodies -------------------------------------------------------------------------


def _short_app() -> Tumbler:
    app = Tumbler(__name__)
    app.config["ASGI_SYNC_IN_THREADS"] = True  # (a sync view may read a streamed body)
    readers: dict[str, Callable[[], Any]] = {
        "get_data": lambda: request.get_data(),
        "form": lambda: request.form,
        "json": lambda: request.get_json(),
        "stream": lambda: request.stream.read(),
        "files": lambda: request.files,
    }

    @app.post("/<reader>")
    def view(reader: str) -> str:
        value = readers[reader]()
        return f"the view saw {value!r} as complete"

    return app


READERS = ["get_data", "form", "json", "stream", "files"]
UPLOAD = b'--b\r\nContent-Disposition: form-data; name="f"; filename="f"\r\n\r\nzzz\r\n--b--\r\n'


def _short(reader: str) -> tuple[Raw, bytes]:
    """A request whose body is valid as far as it goes, declared 10 bytes longer."""
    body, ctype = {
        "form": (UPLOAD, b"multipart/form-data; boundary=b"),
        "files": (UPLOAD, b"multipart/form-data; boundary=b"),
        "json": (b'{"a": [1, 2]}', b"application/json"),
    }.get(reader, (b"hello", b"text/plain"))
    headers = [(b"content-type", ctype), (b"content-length", str(len(body) + 10).encode())]
    return Raw("POST", f"/{reader}".encode(), headers=headers), body


@pytest.mark.parametrize("reader", READERS)
def test_short_body_wsgi_is_400_for_every_reader(reader: str) -> None:
    raw, body = _short(reader)
    env = raw.environ() | {"wsgi.input": io.BytesIO(body)}  # the input ends early
    result = call_wsgi(_short_app().wsgi_app, env)
    assert result.status == 400, result.text
    assert "complete" not in result.text


@pytest.mark.parametrize("streamed", [False, True], ids=["buffered", "streamed"])
@pytest.mark.parametrize("reader", READERS)
def test_short_body_asgi_is_400_for_every_reader(reader: str, streamed: bool) -> None:
    app = _short_app()
    if streamed:
        stream_request_body(app.view_functions["view"])
    raw, body = _short(reader)
    # the server ended the body (more_body false) before its declared length
    result = call_asgi(app.asgi_app, raw.scope(), messages=_messages(body[:3], body[3:]))
    assert result.status == 400, result.text
    assert "complete" not in result.text


@pytest.mark.parametrize("reader", READERS)
def test_disconnect_mid_streamed_body_is_400_for_every_reader(reader: str) -> None:
    app = _short_app()
    stream_request_body(app.view_functions["view"])
    raw, body = _short(reader)
    first = {"type": "http.request", "body": body[:3], "more_body": True}
    result = call_asgi(app.asgi_app, raw.scope(), messages=[first], disconnect_after_body=True)
    assert result.status == 400, result.text
    assert "complete" not in result.text


def test_asgi_body_longer_than_declared_is_400(app: Tumbler) -> None:
    @app.post("/")
    def view() -> Any:
        return request.get_data()

    raw = Raw("POST", b"/", headers=[(b"content-length", b"5")])
    result = call_asgi(app.asgi_app, raw.scope(), messages=_messages(b"12345", b"678"))
    assert result.status == 400


# Framing: Content-Length and Transfer-Encoding ------------------------------------------------


def test_wsgi_never_reads_past_the_body_the_server_framed() -> None:
    """Transfer-Encoding beside Content-Length: the length is ignored. Without the server's
    word that the input ends (``wsgi.input_terminated``) nothing is read; with it, the input
    is read to its end whatever the length said.
    """
    app = Tumbler(__name__)

    @app.post("/")
    def view() -> Any:
        return {"data": request.get_data().decode(), "length": request.content_length}

    raw = Raw(
        "POST",
        b"/",
        headers=[(b"content-length", b"5"), (b"transfer-encoding", b"chunked")],
    )
    smuggled = io.BytesIO(b"0\r\n\r\nGET /admin HTTP/1.1\r\n\r\n")
    env = raw.environ() | {"wsgi.input": smuggled}
    result = call_wsgi(app.wsgi_app, env)
    assert result.status == 200 and smuggled.tell() == 0
    assert result.body == b'{"data":"","length":null}\n'
    env = raw.environ() | {"wsgi.input": io.BytesIO(b"abc"), "wsgi.input_terminated": True}
    assert call_wsgi(app.wsgi_app, env).body == b'{"data":"abc","length":null}\n'


@pytest.mark.parametrize("value", [b" 5", b"5 ", b"\t5", b"5\t", b"05 ", b" 5, 5"])
@pytest.mark.parametrize("mode", ["wsgi", "asgi"])
def test_content_length_is_strict(mode: str, value: bytes) -> None:
    app = Tumbler(__name__)

    @app.post("/")
    def view() -> Any:
        return request.get_data()

    raw = Raw("POST", b"/", headers=[(b"content-length", value)], body=b"12345")
    if mode == "wsgi":
        result = call_wsgi(app.wsgi_app, raw.environ())
    else:
        result = call_asgi(app.asgi_app, raw.scope(), b"12345")
    assert result.status == 400, (value, result.body)
    assert "content-length" in result.text.lower()


# ASGI: a body without a Content-Length ---------------------------------------------------------


@pytest.mark.parametrize("version", ["2", "3"])
def test_asgi_http2_body_without_length_is_read(app: Tumbler, version: str) -> None:
    """HTTP/2 and HTTP/3 send no Content-Length: the messages are the body, limits apply."""

    @app.post("/")
    def view() -> Any:
        return request.form.to_dict()

    app.get("/get")(lambda: "ok")
    scope = Raw("POST", b"/", headers=[FORM_CT]).scope() | {"http_version": version}
    result = call_asgi(app.asgi_app, scope, messages=_messages(b"a=1", b"&b=2", b""))
    assert (result.status, result.body) == (200, b'{"a":"1","b":"2"}\n')
    app.config["MAX_CONTENT_LENGTH"] = 5
    result = call_asgi(app.asgi_app, scope, messages=_messages(b"a=1", b"&b=2"))
    assert result.status == 413
    # HTTP/1.1 says where a body is: a GET without length or chunking waits for none
    result = call_asgi(app.asgi_app, Raw(path=b"/get").scope(), messages=[])
    assert (result.status, result.receive_calls) == (200, 0)


# Slow bodies ----------------------------------------------------------------------------------


class FakeClock:
    """The event loop's clock, advanced by the test (each message takes ``step`` seconds)."""

    def __init__(self, step: float) -> None:
        self.now = 1000.0
        self.step = step

    def __call__(self) -> float:
        return self.now


def _trickle(app: Tumbler, scope: dict[str, Any], clock: FakeClock, n: int) -> list[Message]:
    """Send ``n`` one-byte messages, each ``clock.step`` seconds after the last (fake time)."""
    sent: list[Message] = []
    count = 0

    async def receive() -> Message:
        nonlocal count
        count += 1
        clock.now += clock.step
        if count > n:
            return {"type": "http.disconnect"}
        return {"type": "http.request", "body": b"a", "more_body": count < n}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    loop = asyncio.new_event_loop()
    loop.time = clock  # type: ignore[method-assign]
    try:
        loop.run_until_complete(app.asgi_app(scope | {"type": "http"}, receive, send))
    finally:
        loop.close()
    return [*sent, {"count": count}]


@pytest.mark.parametrize("streamed", [False, True], ids=["buffered", "streamed"])
def test_asgi_trickling_body_gets_408_within_the_rate_bound(app: Tumbler, streamed: bool) -> None:
    """One byte a second never trips the 60 s idle timeout; the minimum rate stops it."""
    app.config.update(ASGI_BODY_TIMEOUT=60, ASGI_BODY_MIN_RATE=500)

    @app.post("/")
    async def view() -> Any:
        return {"n": len(await request.stream.aread())}

    if streamed:
        stream_request_body(view)
    scope = Raw("POST", b"/", headers=[(b"content-length", b"100000")]).scope()
    sent = _trickle(app, scope, FakeClock(step=1.0), 100_000)
    assert sent[0]["status"] == 408
    assert b"bytes a second" in sent[1]["body"]
    # 60 s allowance plus 1 s per 500 bytes: stopped after about 61 one-byte messages
    assert 55 <= sent[-1]["count"] <= 70
    # 10 bytes a second, 30 s in all: fast enough
    scope = Raw("POST", b"/", headers=[(b"content-length", b"300")]).scope()
    sent = _trickle(app, scope, FakeClock(step=0.1), 300)
    assert (sent[0]["status"], sent[1]["body"]) == (200, b'{"n":300}\n')


def test_asgi_streamed_body_time_bound_starts_at_the_first_read(app: Tumbler) -> None:
    """Work the view does before it reads is not the client's slowness."""
    app.config.update(ASGI_BODY_TIMEOUT=60, ASGI_BODY_MIN_RATE=500)
    clock = FakeClock(step=0.1)

    @app.post("/")
    @stream_request_body
    async def view() -> Any:
        clock.now += 600  # ten minutes of work before the body is read
        return {"n": len(await request.stream.aread())}

    scope = Raw("POST", b"/", headers=[(b"content-length", b"300")]).scope()
    sent = _trickle(app, scope, clock, 300)
    assert (sent[0]["status"], sent[1]["body"]) == (200, b'{"n":300}\n')


# Streamed bodies under ASGI -------------------------------------------------------------------


def _counting_receive(chunks: list[bytes], log: list[str]) -> Callable[[], Any]:
    pending = _messages(*chunks)

    async def receive() -> Message:
        if pending:
            log.append("message")
            return pending.pop(0)
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    return receive


def _run(app: Tumbler, scope: dict[str, Any], receive: Callable[[], Any]) -> list[Message]:
    sent: list[Message] = []

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    asyncio.run(app.asgi_app(scope | {"type": "http"}, receive, send))
    return sent


def test_async_view_streams_the_body_as_it_arrives(app: Tumbler) -> None:
    log: list[str] = []

    @app.post("/")
    @stream_request_body
    async def view() -> Any:
        sizes = []
        async for chunk in request.stream:
            log.append(f"chunk {len(chunk)}")
            sizes.append(len(chunk))
        return {"sizes": sizes}

    @app.post("/unread")
    @stream_request_body
    async def unread() -> Any:
        async def gen() -> Any:
            for _ in range(100_000):
                yield b"x"
                await asyncio.sleep(0)

        return gen()

    scope = Raw("POST", b"/", headers=[(b"content-length", b"6")]).scope()
    sent = _run(app, scope, _counting_receive([b"ab", b"cd", b"ef"], log))
    assert sent[1]["body"] == b'{"sizes":[2,2,2]}\n'
    # each chunk reached the view before the next message was received: nothing buffered
    assert log == ["message", "chunk 2", "message", "chunk 2", "message", "chunk 2"]

    # A streamed response after an unread streamed body still notices the client leaving.
    scope = Raw("POST", b"/unread", headers=[(b"content-length", b"4")]).scope()
    messages = [*_messages(b"ab", b"cd"), {"type": "http.disconnect"}]

    async def receive() -> Message:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    sent = _run(app, scope, receive)
    assert sent[0]["status"] == 200
    assert len(sent) < 100_000  # stopped when the client left, not after the whole stream


def test_sync_view_on_a_worker_thread_streams_the_body(app: Tumbler) -> None:
    app.config["ASGI_SYNC_IN_THREADS"] = True
    log: list[str] = []

    @app.post("/")
    @stream_request_body
    def view() -> Any:
        on_loop_thread = threading.current_thread() is threading.main_thread()
        parts = []
        for _ in range(10):  # bounded, should the stream never end
            chunk = request.stream.read(3)
            if not chunk:
                break
            log.append(f"read {chunk.decode()}")
            parts.append(chunk)
        return {"body": b"".join(parts).decode(), "main": on_loop_thread}

    scope = Raw("POST", b"/", headers=[(b"content-length", b"6")]).scope()
    sent = _run(app, scope, _counting_receive([b"ab", b"cd", b"ef"], log))
    assert sent[1]["body"] == b'{"body":"abcdef","main":false}\n'
    assert log == ["message", "message", "read abc", "message", "read def"]


def test_sync_read_on_the_loop_thread_is_refused_clearly(
    app: Tumbler, caplog: pytest.LogCaptureFixture
) -> None:
    app.config["ASGI_SYNC_IN_THREADS"] = False

    @app.post("/")
    @stream_request_body
    def view() -> Any:
        return request.stream.read(3)

    scope = Raw("POST", b"/", headers=[(b"content-length", b"6")]).scope()
    with caplog.at_level(logging.ERROR):
        sent = _run(app, scope, _counting_receive([b"ab", b"cd", b"ef"], []))
    assert sent[0]["status"] == 500
    assert any("event loop's thread" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)


def test_streamed_view_may_raise_the_limit_for_itself(app: Tumbler) -> None:
    """``request.max_content_length`` set before reading applies (not possible when buffered)."""
    app.config["MAX_CONTENT_LENGTH"] = 10

    @app.post("/big")
    @stream_request_body
    async def big() -> Any:
        request.max_content_length = 1000
        return {"n": len(await request.stream.aread())}

    @app.post("/small")
    async def small() -> Any:
        request.max_content_length = 1000
        return {"n": len(request.get_data())}

    body = b"q" * 100
    for path, status in ((b"/big", 200), (b"/small", 413)):
        raw = _post(path, body)
        assert call_asgi(app.asgi_app, raw.scope(), body, split="64k").status == status


# The event loop stays free -------------------------------------------------------------------


def test_large_multipart_is_parsed_off_the_loop(app: Tumbler, monkeypatch: Any) -> None:
    """An async view reading the form of a 4 MB upload: no part of it is parsed on the loop."""
    threads: list[int] = []
    feed = formparser.MultipartReceiver.feed

    def counting_feed(self: Any, data: bytes) -> None:
        threads.append(threading.get_ident())
        feed(self, data)

    monkeypatch.setattr(formparser.MultipartReceiver, "feed", counting_feed)

    tighten: list[bool] = []

    @app.before_request
    def limit() -> None:
        if tighten:
            request.max_form_parts = 1

    @app.post("/")
    async def view() -> Any:
        return {"size": len(request.files["f"].read()), "a": request.form["a"]}

    body = (
        b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n'
        b'--b\r\nContent-Disposition: form-data; name="f"; filename="f"\r\n\r\n'
        + b"u" * 4_000_000
        + b"\r\n--b--\r\n"
    )
    raw = _post(b"/", body, (b"content-type", b"multipart/form-data; boundary=b"))
    loop_thread = threading.get_ident()  # asyncio.run runs the loop on this thread
    result = call_asgi(app.asgi_app, raw.scope(), body, split="64k")
    assert (result.status, result.body) == (200, b'{"a":"1","size":4000000}\n')
    assert len(threads) > 50
    assert loop_thread not in threads

    # A limit set on the request after that early parse still applies: parsed again.
    tighten.append(True)
    assert call_asgi(app.asgi_app, raw.scope(), body, split="64k").status == 413


def test_security_page_streaming_example_runs(protocol: str) -> None:
    page = (Path(__file__).resolve().parent.parent / "docs" / "security.md").read_text()
    (code,) = [
        b
        for b in re.findall(r"```python\n(.*?)```", page, re.S)
        if "aread" in b or "stream_request_body" in b
    ]
    namespace: dict[str, Any] = {"__name__": "docs_security_stream"}
    exec(code, namespace)
    app = namespace["app"]
    app.config["MAX_CONTENT_LENGTH"] = 10
    app.config["ASGI_SYNC_IN_THREADS"] = True  # sync code that streams runs on a thread
    client = app.test_client(protocol=protocol)
    try:
        body = b"b" * 100_000  # over the app's limit: the view raised it for itself
        got = client.post("/upload", data=body).json
        assert got == {"sha256": hashlib.sha256(body).hexdigest()}
        assert client.post("/count", data=b"c" * 5).json == {"size": 5}
    finally:
        client.close()


@pytest.mark.parametrize("reader", ["get_data", "form", "stream", "limit", "short"])
def test_reading_a_body_leaves_nothing_for_the_gc(
    app: Tumbler, client: TestClient, reader: str
) -> None:
    """The body stream and the request hold no cycle: freed by reference counting."""

    @app.post("/")
    def view() -> str:
        if reader == "limit":
            request.max_content_length = 100
        data = request.form if reader == "form" else request.stream.read(4)
        return str(len(data) + len(request.get_data()))

    data = {"a": "1"} if reader == "form" else b"body"
    headers = {"Content-Length": "10"} if reader == "short" else None
    status = 400 if reader == "short" else 200
    for _ in range(5):
        assert client.post("/", data=data, headers=headers).status_code == status
    gc.collect()
    gc.disable()
    try:
        for _ in range(30):
            client.post("/", data=data, headers=headers)
        left = gc.collect()
    finally:
        gc.enable()
    assert left == 0
