"""A server that copies the contextvars in send() must not keep the request alive.

uvicorn schedules its keep-alive timer from inside the last send() of a response; the timer
holds a copy of the current contextvars until it is cancelled and purged. The adapter sends
the last message with its context variable reset, so such a copy holds nothing of the request
and the request's objects are freed by reference counting, without the garbage collector.
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
import weakref
from collections.abc import Iterator
from typing import Any

import pytest

from tumbler import Response, Tumbler, after_this_request, g, has_request_context, request
from tumbler.context import _get_context


def _scope(path: str, method: str = "GET") -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"test")],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }


class KeepAliveServer:
    """Drives the app as uvicorn does: the last send() copies the contextvars and keeps it."""

    def __init__(self, app: Tumbler) -> None:
        self.app = app
        self.kept: list[contextvars.Context] = []
        self.in_request_at_last_send: list[bool] = []
        self.messages: list[dict[str, Any]] = []

    def request(self, path: str, method: str = "GET") -> None:
        received: list[bool] = []

        async def receive() -> dict[str, Any]:
            if received:  # the client stays: wait, as a server does, until it is cancelled
                await asyncio.Event().wait()
            received.append(True)
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            self.messages.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self.in_request_at_last_send.append(has_request_context())
                self.kept.append(contextvars.copy_context())  # as loop.call_later does

        asyncio.run(self.app.asgi(_scope(path, method), receive, send))


@pytest.fixture
def no_gc() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _app_with_watched_context(refs: list[weakref.ref[Any]]) -> Tumbler:
    app = Tumbler(__name__)

    @app.before_request
    def watch() -> None:
        ctx = _get_context()
        assert ctx is not None
        refs.append(weakref.ref(ctx))
        g.language = "en"

        @after_this_request
        def remember(response: Response) -> None:
            response.set_cookie("user_lang", "en")

    @app.route("/text", methods=["GET", "HEAD"])
    def text() -> str:
        return f"lang={g.language}"

    @app.route("/async")
    async def from_async() -> str:
        return "async"

    @app.route("/stream")
    def stream() -> Response:
        def chunks() -> Iterator[str]:
            yield request.path  # the context is there while the body is made
            yield "!"

        return Response(chunks())

    return app


@pytest.mark.parametrize(
    ("path", "method"), [("/text", "GET"), ("/text", "HEAD"), ("/async", "GET"), ("/stream", "GET")]
)
def test_the_last_message_leaves_nothing_of_the_request_in_a_context_copy(
    no_gc: None, path: str, method: str
) -> None:
    refs: list[weakref.ref[Any]] = []
    server = KeepAliveServer(_app_with_watched_context(refs))
    server.request(path, method)
    assert server.in_request_at_last_send == [False]
    assert len(server.kept) == 1  # the copy is still held, as the timer holds it
    assert refs and refs[0]() is None  # freed by reference counting alone


def test_the_body_is_complete_and_the_streamed_body_saw_the_context(no_gc: None) -> None:
    refs: list[weakref.ref[Any]] = []
    server = KeepAliveServer(_app_with_watched_context(refs))
    server.request("/stream")
    body = b"".join(
        m.get("body", b"") for m in server.messages if m["type"] == "http.response.body"
    )
    assert body == b"/stream!"
    start = server.messages[0]
    assert (b"set-cookie", b"user_lang=en; Path=/") in start["headers"]


def test_code_after_the_response_still_runs_in_the_context() -> None:
    app = Tumbler(__name__)
    seen: list[str] = []

    @app.route("/")
    def view() -> Response:
        response = Response("ok")
        response.call_on_close(lambda: seen.append(f"on close {request.path}"))
        return response

    @app.after_response
    def after(response: Response) -> None:
        seen.append(f"after response {request.path} {response.status_code}")

    @app.teardown_request
    def teardown(error: BaseException | None) -> None:
        seen.append(f"teardown {request.path}")

    server = KeepAliveServer(app)
    server.request("/")
    assert server.in_request_at_last_send == [False]
    assert seen == ["teardown /", "on close /", "after response / 200"]
