"""Contexts pushed by hand run teardown when popped, as in Flask; ``app_ctx``/``request_ctx``."""

from __future__ import annotations

import io
import logging
from typing import Any

import pytest

from tumbler import (
    Blueprint,
    Tumbler,
    appcontext_popped,
    appcontext_pushed,
    appcontext_tearing_down,
    current_app,
    g,
    request,
    request_tearing_down,
)
from tumbler.globals import app_ctx, request_ctx
from tumbler.testing import TestClient, make_environ


class Resource:
    """Something opened in a context that teardown must close (a database connection)."""

    def __init__(self) -> None:
        self.closed = False
        self.closed_with: BaseException | str | None = "not closed"

    def close(self, exc: BaseException | None) -> None:
        self.closed = True
        self.closed_with = exc


@pytest.fixture
def tracked(app: Tumbler) -> list[str]:
    """Teardown callbacks that record their order and close ``g.resource``."""
    calls: list[str] = []

    @app.teardown_request
    def close_request(exc: BaseException | None) -> None:
        calls.append("teardown_request")

    @app.teardown_appcontext
    def close_resource(exc: BaseException | None) -> None:
        calls.append("teardown_appcontext")
        resource = g.pop("resource", None)
        if resource is not None:
            resource.close(exc)

    return calls


def test_with_app_context_runs_teardown_appcontext(app: Tumbler, tracked: list[str]) -> None:
    with app.app_context():
        resource = g.resource = Resource()
        assert not resource.closed
    assert resource.closed
    assert resource.closed_with is None
    assert tracked == ["teardown_appcontext"]  # no request: no teardown_request


def test_with_app_context_passes_the_error(app: Tumbler, tracked: list[str]) -> None:
    with pytest.raises(KeyError), app.app_context():
        resource = g.resource = Resource()
        raise KeyError("boom")
    assert resource.closed
    assert isinstance(resource.closed_with, KeyError)


def test_with_test_request_context_runs_both_in_order(app: Tumbler, tracked: list[str]) -> None:
    with app.test_request_context("/x?a=1"):
        assert request.args["a"] == "1"
        resource = g.resource = Resource()
    assert resource.closed
    assert resource.closed_with is None
    assert tracked == ["teardown_request", "teardown_appcontext"]


def test_push_and_pop_by_hand(app: Tumbler, tracked: list[str]) -> None:
    ctx = app.app_context()
    ctx.push()
    resource = g.resource = Resource()
    ctx.pop()
    assert resource.closed
    rctx = app.test_request_context()
    rctx.push()
    resource = g.resource = Resource()
    rctx.pop()
    assert resource.closed
    assert tracked == ["teardown_appcontext", "teardown_request", "teardown_appcontext"]


def test_pop_in_except_block_passes_the_handled_error(app: Tumbler, tracked: list[str]) -> None:
    ctx = app.app_context()
    ctx.push()
    resource = g.resource = Resource()
    try:
        raise ValueError("handled here")
    except ValueError:
        ctx.pop()
    assert isinstance(resource.closed_with, ValueError)
    ctx.push()
    resource = g.resource = Resource()
    ctx.pop(None)  # an explicit None wins over sys.exc_info()
    assert resource.closed_with is None


def test_nested_pushes_of_one_context_tear_down_once(app: Tumbler, tracked: list[str]) -> None:
    ctx = app.app_context()
    with ctx:
        with ctx:
            pass
        assert tracked == []  # the inner pop is not the last one
        assert current_app.name == app.name
    assert tracked == ["teardown_appcontext"]


def test_popping_the_wrong_context_raises(app: Tumbler) -> None:
    outer, inner = app.app_context(), app.app_context()
    outer.push()
    inner.push()
    with pytest.raises(AssertionError, match="Popped wrong context"):
        outer.pop()
    inner.pop()  # nothing changed: they still pop in order
    outer.pop()
    with pytest.raises(RuntimeError, match="not pushed"):
        inner.pop()


def test_cli_command_context_runs_teardown(app: Tumbler, tracked: list[str]) -> None:
    opened: list[Resource] = []

    @app.cli.command()
    def work() -> None:
        g.resource = Resource()
        opened.append(g.resource)

    result = app.test_cli_runner().invoke(args=["work"])
    assert result.exit_code == 0, result.output
    assert opened[0].closed
    assert tracked == ["teardown_appcontext"]


def test_blueprint_teardown_request_for_a_hand_pushed_context(app: Tumbler) -> None:
    calls: list[str] = []
    bp = Blueprint("admin", __name__, url_prefix="/admin")

    @bp.route("/")
    def index() -> str:
        return "admin"

    @bp.teardown_request
    def bp_teardown(exc: BaseException | None) -> None:
        calls.append("blueprint")

    @app.teardown_request
    def app_teardown(exc: BaseException | None) -> None:
        calls.append("app")

    app.register_blueprint(bp)
    with app.test_request_context("/admin/"):
        assert request.blueprint == "admin"
    with app.test_request_context("/elsewhere"):
        pass
    assert calls == ["blueprint", "app", "app"]


def test_async_teardown_in_a_hand_pushed_context(app: Tumbler) -> None:
    calls: list[Any] = []

    @app.teardown_appcontext
    async def close(exc: BaseException | None) -> None:
        calls.append(exc)

    with app.app_context():
        pass
    assert calls == [None]


def test_a_failing_teardown_is_logged_and_the_others_run(
    app: Tumbler, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[str] = []

    @app.teardown_appcontext
    def second(exc: BaseException | None) -> None:
        calls.append("second")

    @app.teardown_appcontext
    def first(exc: BaseException | None) -> None:
        raise RuntimeError("teardown failed")

    with caplog.at_level(logging.ERROR), app.app_context():
        pass
    assert calls == ["second"]
    assert "teardown failed" in caplog.text


def test_request_files_are_closed_when_popped(app: Tumbler) -> None:
    with app.test_request_context(
        "/", method="POST", data={"f": (io.BytesIO(b"data"), "a.txt")}
    ) as ctx:
        upload = request.files["f"]
        assert upload.read() == b"data"
    assert ctx.request is not None
    assert upload.stream.closed


def test_signals_for_hand_pushed_contexts(app: Tumbler) -> None:
    seen: list[str] = []

    def on_push(sender: Tumbler, **kwargs: Any) -> None:
        seen.append("pushed")

    def on_request_down(sender: Tumbler, **kwargs: Any) -> None:
        seen.append(f"request_tearing_down {kwargs['exc']!r}")

    def on_down(sender: Tumbler, **kwargs: Any) -> None:
        seen.append(f"appcontext_tearing_down {kwargs['exc']!r}")

    def on_pop(sender: Tumbler, **kwargs: Any) -> None:
        seen.append("popped")

    with (
        appcontext_pushed.connected_to(on_push, app),
        request_tearing_down.connected_to(on_request_down, app),
        appcontext_tearing_down.connected_to(on_down, app),
        appcontext_popped.connected_to(on_pop, app),
        app.test_request_context(),
    ):
        pass
    assert seen == [
        "pushed",
        "request_tearing_down None",
        "appcontext_tearing_down None",
        "popped",
    ]


# Set-up is not over after a hand-made request context ------------------------------------------


def test_test_request_context_does_not_end_setup(app: Tumbler, protocol: str) -> None:
    @app.route("/first")
    def first() -> str:
        return "first"

    with app.test_request_context("/first"):
        assert request.endpoint == "first"

    @app.route("/second")  # Flask allows this: no request was handled yet
    def second() -> str:
        return f"second {g.hooked}"

    @app.before_request
    def hook() -> None:
        g.hooked = "yes"

    with app.test_client(protocol=protocol) as client:
        assert client.get("/second").text == "second yes"
    with pytest.raises(AssertionError, match="first request"):
        app.add_url_rule("/third", "third", lambda: "x")


def test_request_context_from_environ(app: Tumbler) -> None:
    @app.route("/items/<int:n>")
    def item(n: int) -> str:
        return str(n)

    ctx = app.request_context(make_environ("/items/3", method="GET"))
    with ctx:
        assert request.view_args == {"n": 3}
        assert request_ctx.request is ctx.request


# app_ctx and request_ctx ------------------------------------------------------------------------


def test_app_ctx_and_request_ctx_proxies(app: Tumbler) -> None:
    with app.app_context() as ctx:
        assert app_ctx._get_current_object() is ctx
        assert app_ctx.app is app
        assert app_ctx.g is g._get_current_object()  # type: ignore[attr-defined]
        with pytest.raises(RuntimeError, match="request context"):
            request_ctx.request  # noqa: B018
    with app.test_request_context("/") as rctx:
        assert request_ctx._get_current_object() is rctx
        assert request_ctx.request is request._get_current_object()  # type: ignore[attr-defined]
        assert app_ctx.app is app
    with pytest.raises(RuntimeError, match="application context"):
        app_ctx.app  # noqa: B018


class Extension:
    """An extension that keeps its state on the context and on g, as Flask extensions do."""

    def __init__(self, app: Tumbler) -> None:
        app.extensions["demo"] = self

        @app.teardown_appcontext
        def release(exc: BaseException | None) -> None:
            connection = getattr(app_ctx._get_current_object(), "demo_connection", None)
            if connection is not None:
                connection.close(exc)

    def connection(self) -> Resource:
        ctx = app_ctx._get_current_object()
        if not hasattr(ctx, "demo_connection"):
            ctx.demo_connection = Resource()  # type: ignore[attr-defined]
        g.setdefault("demo_calls", 0)
        g.demo_calls += 1
        return ctx.demo_connection  # type: ignore[attr-defined,no-any-return]


def test_extension_state_on_the_context(app: Tumbler, protocol: str) -> None:
    ext = Extension(app)
    opened: list[Resource] = []

    @app.route("/")
    def index() -> str:
        connection = ext.connection()
        assert ext.connection() is connection
        opened.append(connection)
        return str(g.demo_calls)

    client: TestClient
    with app.test_client(protocol=protocol) as client:
        assert client.get("/").text == "2"
    assert opened[0].closed
    with app.app_context():
        connection = ext.connection()
        app_ctx.other = "set through the proxy"
        assert app_ctx._get_current_object().other == "set through the proxy"  # type: ignore[attr-defined]
    assert connection.closed
