"""The websocket pipeline driven by hand: the order of calls and what teardown receives."""

from __future__ import annotations

import logging
from collections.abc import Generator
from typing import Any

import pytest

from tumbler import Response, Tumbler
from tumbler.asgi_websocket import _hooks_for, _state
from tumbler.context import Context
from tumbler.http.exceptions import NotFound
from tumbler.http.protocol_requests import WSGIRequest
from tumbler.http.websocket import WebsocketDisconnected
from tumbler.lifecycle.handler import Handler
from tumbler.lifecycle.pipeline import Call
from tumbler.lifecycle.websocket import handle_websocket
from tumbler.testing import make_environ


def build_app(seen: list[Any]) -> Tumbler:
    app = Tumbler("ws_pipeline")

    @app.before_websocket
    def before() -> None: ...

    @app.websocket("/ws")
    def handler() -> None: ...

    @app.after_websocket
    def after(response: Response | None) -> None: ...

    @app.teardown_websocket
    def teardown(error: BaseException | None) -> None:
        seen.append(error)

    @app.teardown_appcontext
    def appcontext(error: BaseException | None) -> None:
        seen.append(error)

    @app.before_request
    def before_request() -> None: ...

    return app


def make_ctx(app: Tumbler, endpoint: str | None = "handler") -> Context:
    ctx = Context(app, WSGIRequest(make_environ("/ws")))
    ctx.hooks = _hooks_for(app, _state(app), endpoint)
    if endpoint is not None:
        ctx.view = Handler(app.view_functions[endpoint])
    return ctx


def calls_of(gen: Generator[Call, Any, Any], answers: dict[str, Any]) -> tuple[list[str], Any]:
    """Advance the pipeline, making each call by hand (answers or exceptions by name)."""
    names: list[str] = []
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            call = gen.throw(error) if error is not None else gen.send(value)
        except StopIteration as stop:
            return names, stop.value
        handler, args, kwargs = call
        names.append(handler.name.rsplit(".", 1)[-1])
        answer = answers.get(names[-1])
        if isinstance(answer, BaseException):
            value, error = None, answer
        else:
            value, error = answer, None
            if names[-1] in ("teardown", "appcontext"):
                handler.func(*args, **kwargs)


def test_order_of_a_connection() -> None:
    seen: list[Any] = []
    app = build_app(seen)
    names, response = calls_of(handle_websocket(app, make_ctx(app)), {})
    assert names == ["before", "handler", "after", "teardown", "appcontext"]
    assert response is None
    assert seen == [None, None]


def test_a_hook_answer_rejects_and_skips_the_handler() -> None:
    seen: list[Any] = []
    app = build_app(seen)
    names, response = calls_of(handle_websocket(app, make_ctx(app)), {"before": ("no", 401)})
    assert names == ["before", "after", "teardown", "appcontext"]
    assert response.status_code == 401


def test_the_client_leaving_reaches_teardown_without_an_error_response() -> None:
    seen: list[Any] = []
    app = build_app(seen)
    gone = WebsocketDisconnected(1001)
    ctx = make_ctx(app)
    names, response = calls_of(handle_websocket(app, ctx), {"handler": gone})
    assert names == ["before", "handler", "after", "teardown", "appcontext"]
    assert response is None
    assert seen == [gone, gone]
    assert ctx.error is gone


def test_an_unhandled_error_is_a_logged_500_and_teardown_gets_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[Any] = []
    app = build_app(seen)
    boom = RuntimeError("boom")
    with caplog.at_level(logging.ERROR):
        _names, response = calls_of(handle_websocket(app, make_ctx(app)), {"handler": boom})
    assert response.status_code == 500
    logged = [r.exc_info[1] for r in caplog.records if r.exc_info]
    assert logged == [boom]
    assert seen == [boom, boom]


def test_a_routing_error_runs_no_hook_before_it() -> None:
    seen: list[Any] = []
    app = build_app(seen)
    ctx = make_ctx(app, None)
    ctx.routing_error = NotFound()
    names, response = calls_of(handle_websocket(app, ctx), {})
    assert names == ["after", "teardown", "appcontext"]
    assert response.status_code == 404
