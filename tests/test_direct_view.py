"""The direct-view shortcut (``pipeline.direct_view``): same answers, with or without it.

A request that runs nothing but a sync view is served without the pipeline generator, and
the generator takes over from step 3 as soon as something is left to do. Every case here
runs over WSGI and ASGI, in the app with no hooks (shortcut) and in the same app with a
no-op ``before_request`` hook (full pipeline): the answers must be the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import tumbler.lifecycle.drive as drive
from tumbler import Response, Tumbler, after_this_request, g, session
from tumbler.lifecycle.pipeline import direct_view
from tumbler.signals import request_finished, request_started


@pytest.fixture(params=["direct", "pipeline"])
def lane(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def build(lane: str) -> Tumbler:
    app = Tumbler("direct")
    app.secret_key = "test secret"
    if lane == "pipeline":

        @app.before_request
        def nothing() -> None:
            return None

    @app.route("/text")
    def text() -> str:
        return "plain"

    @app.route("/fails")
    def fails() -> str:
        raise KeyError("boom")

    @app.errorhandler(KeyError)
    def key_error(error: KeyError) -> tuple[str, int]:
        return f"handled {error.args[0]}", 418

    @app.route("/unhandled")
    def unhandled() -> str:
        raise RuntimeError("unhandled")

    @app.route("/none")
    def none() -> None:
        return None

    @app.route("/tuple")
    def pair() -> tuple[str, int, dict[str, str]]:
        return "made", 201, {"X-Made": "yes"}

    @app.route("/deferred")
    def deferred() -> str:
        @after_this_request
        def stamp(response: Response) -> None:
            response.headers["X-Deferred"] = "ran"

        return "with callback"

    @app.route("/session")
    def with_session() -> str:
        session["seen"] = True
        return "session"

    @app.route("/stream")
    def stream() -> Iterator[str]:
        def chunks() -> Iterator[str]:
            yield "a"
            yield "b"

        return chunks()

    @app.route("/g")
    def uses_g() -> str:
        g.x = 1
        return "g"

    _async_routes(app)
    return app


def _async_routes(app: Tumbler) -> None:
    @app.route("/async/text")
    async def async_text() -> str:
        return "async plain"

    @app.route("/async/fails")
    async def async_fails() -> str:
        raise KeyError("async boom")

    @app.route("/async/none")
    async def async_none() -> None:
        return None

    @app.route("/async/deferred")
    async def async_deferred() -> tuple[str, int]:
        @after_this_request
        def stamp(response: Response) -> None:
            response.headers["X-Deferred"] = "async ran"

        return "async with callback", 202


@pytest.mark.parametrize(
    ("path", "status", "body", "header"),
    [
        ("/text", 200, "plain", None),
        ("/fails", 418, "handled boom", None),
        ("/unhandled", 500, None, None),
        ("/none", 500, None, None),
        ("/tuple", 201, "made", ("X-Made", "yes")),
        ("/deferred", 200, "with callback", ("X-Deferred", "ran")),
        ("/stream", 200, "ab", None),
        ("/g", 200, "g", None),
        ("/async/text", 200, "async plain", None),
        ("/async/fails", 418, "handled async boom", None),
        ("/async/none", 500, None, None),
        ("/async/deferred", 202, "async with callback", ("X-Deferred", "async ran")),
    ],
)
def test_same_answer_with_and_without_the_shortcut(
    lane: str,
    protocol: str,
    path: str,
    status: int,
    body: str | None,
    header: tuple[str, str] | None,
) -> None:
    response = build(lane).test_client(protocol=protocol).get(path)
    assert response.status_code == status
    if body is not None:
        assert response.text == body
    if header is not None:
        assert response.headers[header[0]] == header[1]


def test_a_session_opened_by_the_view_is_saved(lane: str, protocol: str) -> None:
    response = build(lane).test_client(protocol=protocol).get("/session")
    assert response.text == "session"
    assert "session=" in response.headers["Set-Cookie"]


def test_propagate_exceptions_lets_a_direct_views_error_through(lane: str, protocol: str) -> None:
    app = build(lane)
    app.config["PROPAGATE_EXCEPTIONS"] = True
    with pytest.raises(RuntimeError, match="unhandled"):
        app.test_client(protocol=protocol).get("/unhandled")


def test_the_shortcut_is_taken_only_when_nothing_else_runs(protocol: str) -> None:
    made: list[str] = []
    real = drive.handle

    def counting(*args: Any) -> Any:
        made.append("generator")
        return real(*args)

    bare = build("direct")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(drive, "handle", counting)
        client = bare.test_client(protocol=protocol)
        assert client.get("/text").text == "plain"
        assert made == []  # served without the generator
        assert client.get("/deferred").headers["X-Deferred"] == "ran"
        assert made == ["generator"]  # the callback needs the rest of the pipeline


def test_direct_view_rules() -> None:
    app = build("direct")

    @app.route("/async")
    async def async_view() -> str:
        return "async"

    with app.test_request_context("/text") as ctx:
        assert direct_view(ctx) is ctx.view
    with app.test_request_context("/async") as ctx:
        assert direct_view(ctx) is ctx.view  # the driver awaits it (or runs it on its loop)
    with app.test_request_context("/missing") as ctx:
        assert direct_view(ctx) is None  # a routing error
    with app.test_request_context("/text") as ctx:

        def listener(sender: Any, **extra: Any) -> None:
            pass

        with request_started.connected_to(listener):
            assert direct_view(ctx) is None  # a lifecycle signal receiver runs
        with request_finished.connected_to(listener):
            assert direct_view(ctx) is None
        assert direct_view(ctx) is ctx.view  # disconnected again
    piped = build("pipeline")
    with piped.test_request_context("/text") as ctx:
        assert direct_view(ctx) is None  # a before_request hook runs


def test_signals_fire_for_a_bare_app(protocol: str) -> None:
    app = build("direct")
    events: list[str] = []

    def started(sender: Any, **extra: Any) -> None:
        events.append("started")

    def finished(sender: Any, response: Response, **extra: Any) -> None:
        events.append(f"finished {response.status_code}")

    with request_started.connected_to(started), request_finished.connected_to(finished):
        assert app.test_client(protocol=protocol).get("/text").text == "plain"
    assert events == ["started", "finished 200"]
