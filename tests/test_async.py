"""Sync and async code mixed, under both protocols."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from tumbler import Response, Tumbler, after_this_request, g, request
from tumbler.testing import TestClient


def stream_until_disconnect(app: Tumbler, path: str, after_messages: int) -> int:
    """GET ``path`` over ASGI; the client leaves after ``after_messages`` sends. Returns sends."""

    async def run() -> int:
        sent: list[dict[str, Any]] = []
        gone = asyncio.Event()

        async def receive() -> dict[str, Any]:
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)
            if len(sent) >= after_messages:
                gone.set()

        scope = {"type": "http", "method": "GET", "path": path, "query_string": b"", "headers": []}
        await asyncio.wait_for(app.asgi(scope, receive, send), timeout=10)
        return len(sent)

    return asyncio.run(run())


@pytest.mark.parametrize("kinds", ["ssss", "aaaa", "sasa", "asas"])
def test_mixed_hooks_view_and_callbacks(app: Tumbler, client: TestClient, kinds: str) -> None:
    trace: list[str] = []

    def make(kind: str, name: str, takes: str) -> Any:
        if kind == "a":

            async def async_fn(*args: Any) -> Any:
                await asyncio.sleep(0)
                trace.append(name)
                return args[0] if takes == "response" else None

            return async_fn

        def sync_fn(*args: Any) -> Any:
            trace.append(name)
            return args[0] if takes == "response" else None

        return sync_fn

    app.before_request(make(kinds[0], "before", "none"))
    app.after_request(make(kinds[2], "after", "response"))
    app.teardown_request(make(kinds[3], "teardown", "error"))
    deferred = make(kinds[1], "deferred", "response")

    if kinds[1] == "a":

        @app.route("/")
        async def view() -> str:
            after_this_request(deferred)
            trace.append("view")
            return "ok"

    else:

        @app.route("/")
        def view() -> str:
            after_this_request(deferred)
            trace.append("view")
            return "ok"

    assert client.get("/").text == "ok"
    assert trace == ["before", "view", "deferred", "after", "teardown"]


def test_async_error_handler(app: Tumbler, client: TestClient) -> None:
    @app.errorhandler(404)
    async def missing(error: Exception) -> tuple[str, int]:
        await asyncio.sleep(0)
        return "async 404", 404

    assert client.get("/x").text == "async 404"


def test_wsgi_reuses_one_loop_per_thread(app: Tumbler) -> None:
    loops: list[int] = []

    @app.route("/")
    async def view() -> str:
        loops.append(id(asyncio.get_running_loop()))
        return "ok"

    client = app.test_client(protocol="wsgi")
    for _ in range(3):
        client.get("/")
    assert len(set(loops)) == 1

    other: list[int] = []

    def in_thread() -> None:
        client.get("/")
        other.append(loops[-1])

    thread = threading.Thread(target=in_thread)
    thread.start()
    thread.join(timeout=10)
    assert other and other[0] != loops[0]


def test_asgi_sync_view_in_threads_does_not_block_the_loop(app: Tumbler) -> None:
    app.config["ASGI_SYNC_IN_THREADS"] = True
    release = threading.Event()

    @app.route("/block")
    def block() -> str:
        # A sync view that waits: on the loop this would deadlock the other request.
        assert release.wait(timeout=10)
        return "released"

    @app.route("/release")
    async def free() -> str:
        release.set()
        return "set"

    async def call(path: str) -> bytes:
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b""}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "GET", "path": path, "query_string": b"", "headers": []}
        await app.asgi(scope, receive, send)
        return bytes(sent[1]["body"])

    async def both() -> list[bytes]:
        first = asyncio.ensure_future(call("/block"))
        await asyncio.sleep(0.05)
        return [await call("/release"), await first]

    assert asyncio.run(asyncio.wait_for(both(), timeout=20)) == [b"set", b"released"]


def test_sync_code_sees_the_request_in_its_worker_thread(app: Tumbler, protocol: str) -> None:
    app.config["ASGI_SYNC_IN_THREADS"] = True

    @app.before_request
    async def before() -> None:
        g.from_async = "async"

    @app.route("/")
    def view() -> str:
        return f"{g.from_async} {request.path} {threading.current_thread().name}"

    text = app.test_client(protocol=protocol).get("/").text
    assert text.startswith("async / ")
    if protocol == "asgi":
        assert "tumbler" in text  # ran on a worker thread
    else:
        assert "MainThread" in text


def test_asgi_lifespan(app: Tumbler) -> None:
    events: list[str] = []
    app.before_serving(lambda: events.append("startup"))

    @app.after_serving
    async def stop() -> None:
        events.append("shutdown")

    async def run() -> list[str]:
        incoming = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
        sent: list[str] = []

        async def receive() -> dict[str, Any]:
            return incoming.pop(0)

        async def send(message: dict[str, Any]) -> None:
            sent.append(message["type"])

        await app.asgi({"type": "lifespan"}, receive, send)
        return sent

    assert asyncio.run(run()) == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert events == ["startup", "shutdown"]


def test_asgi_lifespan_startup_failure(app: Tumbler, caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> None:
        raise RuntimeError("no database")

    app.before_serving(broken)

    async def run() -> list[dict[str, Any]]:
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "lifespan.startup"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await app.asgi({"type": "lifespan"}, receive, send)
        return sent

    sent = asyncio.run(run())
    assert sent[0]["type"] == "lifespan.startup.failed"
    assert "no database" in sent[0]["message"]


def test_streaming_disconnect_closes_the_generator_and_tears_down(app: Tumbler) -> None:
    events: list[str] = []
    app.teardown_request(lambda e: events.append("teardown"))

    @app.route("/stream")
    async def stream() -> Any:
        async def chunks() -> Any:
            try:
                n = 0
                while True:
                    yield f"chunk {n}\n"
                    n += 1
                    await asyncio.sleep(0.01)
            finally:
                events.append("generator closed")

        return chunks()

    count = stream_until_disconnect(app, "/stream", after_messages=4)
    assert count < 50
    assert events == ["generator closed", "teardown"]


def test_wsgi_close_stops_a_stream_early(app: Tumbler) -> None:
    events: list[str] = []
    app.teardown_request(lambda e: events.append("teardown"))

    @app.route("/stream")
    def stream() -> Any:
        def chunks() -> Any:
            try:
                while True:
                    yield "x"
            finally:
                events.append("generator closed")

        return chunks()

    from tumbler.testing import make_environ

    body = app(make_environ("/stream"), lambda status, headers: None)
    iterator = iter(body)
    assert next(iterator) == b"x"
    body.close()  # type: ignore[attr-defined]
    assert events == ["generator closed", "teardown"]


def test_call_on_close_after_stream(app: Tumbler, client: TestClient) -> None:
    events: list[str] = []

    @app.route("/")
    def view() -> Response:
        response = Response(iter(["a", "b"]))

        @response.call_on_close
        async def closed() -> None:
            events.append("closed")

        return response

    assert client.get("/").text == "ab"
    assert events == ["closed"]


def test_asgi_sync_inline_mode_runs_on_the_loop_thread(app: Tumbler) -> None:
    app.config["ASGI_SYNC_IN_THREADS"] = False

    @app.route("/")
    def view() -> str:
        return threading.current_thread().name

    assert app.test_client(protocol="asgi").get("/").text == "MainThread"


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_form_and_json_work_in_every_view(app: Tumbler, client: TestClient, kind: str) -> None:
    def read() -> dict[str, Any]:
        return {"form": request.form.to_dict(), "json": request.get_json(silent=True)}

    if kind == "async":

        @app.post("/")
        async def view() -> dict[str, Any]:
            return read()

    else:

        @app.post("/")
        def view() -> dict[str, Any]:
            return read()

    assert client.post("/", data={"a": "1"}).json == {"form": {"a": "1"}, "json": None}
    assert client.post("/", json={"b": 2}).json == {"form": {}, "json": {"b": 2}}


def test_asgi_disconnect_closes_a_sync_generator_mid_stream(app: Tumbler) -> None:
    events: list[str] = []
    app.teardown_request(lambda e: events.append("teardown"))

    @app.route("/stream")
    def stream() -> Any:
        def chunks() -> Any:
            import time

            try:
                n = 0
                while True:
                    time.sleep(0.005)  # a sync generator that blocks between chunks
                    yield f"{n}\n"
                    n += 1
            finally:
                events.append("generator closed")

        return chunks()

    stream_until_disconnect(app, "/stream", after_messages=3)
    assert events == ["generator closed", "teardown"]


def test_asgi_middleware_on_asgi_app_is_what_app_asgi_serves(app: Tumbler) -> None:
    @app.route("/")
    def view() -> str:
        return "inner"

    inner = app.asgi_app
    assert app.asgi is inner  # no forwarding layer: the server calls the adapter itself

    class Stamp:
        def __init__(self, wrapped: Any) -> None:
            self.wrapped = wrapped

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            async def stamped(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    message["headers"] = [*message["headers"], (b"x-stamp", b"1")]
                await send(message)

            await self.wrapped(scope, receive, stamped)

    app.asgi_app = Stamp(app.asgi_app)
    assert isinstance(app.asgi, Stamp)  # what a server reading app.asgi now gets
    response = app.test_client(protocol="asgi").get("/")
    assert response.text == "inner"
    assert response.headers["X-Stamp"] == "1"
