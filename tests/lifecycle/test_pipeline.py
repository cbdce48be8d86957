"""The pipeline driven by hand: plain values in, plain values out, no server, no event loop."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Generator
from typing import Any

import pytest

from tumbler import Response, Tumbler
from tumbler.context import Context
from tumbler.http.protocol_requests import WSGIRequest
from tumbler.lifecycle.handler import Handler, is_async_callable
from tumbler.lifecycle.pipeline import Call, handle
from tumbler.testing import make_environ


def make_ctx(app: Tumbler, path: str = "/") -> Context:
    return app.request_context_for(WSGIRequest(make_environ(path)))


def calls_of(gen: Generator[Call, Any, Any], answers: dict[str, Any]) -> tuple[list[str], Any]:
    """Advance the pipeline, answering each call by name (exceptions are thrown in)."""
    names: list[str] = []
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            call = gen.throw(error) if error is not None else gen.send(value)
        except StopIteration as stop:
            return names, stop.value
        handler = call[0]
        names.append(handler.name.rsplit(".", 1)[-1])
        answer = answers.get(names[-1])
        value, error = (None, answer) if isinstance(answer, BaseException) else (answer, None)
        if names[-1] == "view" and answer is None:
            value = "from view"


def build_app() -> Tumbler:
    app = Tumbler("pipeline")

    @app.before_request
    def before() -> None: ...

    @app.route("/")
    def view() -> str: ...

    @app.after_request
    def after(response: Response) -> None: ...

    @app.teardown_request
    def teardown(error: BaseException | None) -> None: ...

    return app


def test_the_order_of_calls_without_any_driver() -> None:
    app = build_app()
    names, response = calls_of(handle(app, make_ctx(app)), {})
    assert names == ["before", "view", "after", "teardown"]
    assert response.get_data() == b"from view"


def test_before_request_answer_skips_the_view() -> None:
    app = build_app()
    names, response = calls_of(handle(app, make_ctx(app)), {"before": "early"})
    assert names == ["before", "after", "teardown"]
    assert response.get_data() == b"early"


def test_routing_error_after_before_hooks() -> None:
    app = build_app()
    names, response = calls_of(handle(app, make_ctx(app, "/missing")), {})
    assert names == ["before", "after", "teardown"]
    assert response.status_code == 404


def test_an_exception_thrown_into_the_view_becomes_a_500() -> None:
    app = build_app()
    app.logger.disabled = True
    ctx = make_ctx(app)
    names, response = calls_of(handle(app, ctx), {"view": RuntimeError("boom")})
    assert names == ["before", "view", "after", "teardown"]
    assert response.status_code == 500
    assert isinstance(ctx.error, RuntimeError)


def test_propagation_still_tears_down() -> None:
    app = build_app()
    app.testing = True
    gen = handle(app, make_ctx(app))
    with pytest.raises(RuntimeError, match="boom"):
        calls_of(gen, {"view": RuntimeError("boom")})


def test_a_streamed_response_leaves_teardown_for_later() -> None:
    app = build_app()
    ctx = make_ctx(app)
    names, response = calls_of(handle(app, ctx), {"view": iter([b"a"])})
    assert names == ["before", "view", "after"]
    assert response.is_streamed
    assert not ctx.torn_down


def test_handlers_are_classified_once() -> None:
    async def coroutine() -> None: ...

    class AsyncCallable:
        async def __call__(self) -> None: ...

    def plain() -> None: ...

    assert Handler(coroutine).is_async
    assert Handler(AsyncCallable()).is_async
    assert not Handler(plain).is_async
    assert not Handler(lambda: None).is_async
    assert not Handler(AsyncCallable).is_async  # the class: calling it makes an instance
    assert is_async_callable(coroutine)
    assert not is_async_callable(plain)
    assert is_async_callable(functools.partial(coroutine))
    assert Handler(functools.partial(coroutine)).is_async
    assert not Handler(functools.partial(plain)).is_async


@pytest.mark.skipif(
    not hasattr(inspect, "markcoroutinefunction"), reason="inspect.markcoroutinefunction: 3.12+"
)
def test_a_function_marked_as_a_coroutine_function_is_awaited() -> None:
    async def coroutine() -> None: ...

    def returns_an_awaitable() -> Any:
        return coroutine()

    marked = inspect.markcoroutinefunction(returns_an_awaitable)  # type: ignore[attr-defined,unused-ignore]
    assert Handler(marked).is_async
    assert is_async_callable(marked)
