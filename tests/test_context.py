"""Contexts: app_context, test_request_context, g, copy_current_request_context."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tumbler import (
    Tumbler,
    copy_current_request_context,
    current_app,
    g,
    has_app_context,
    has_request_context,
    request,
)
from tumbler.testing import TestClient


def test_app_context(app: Tumbler) -> None:
    assert not has_app_context()
    with app.app_context():
        assert has_app_context()
        assert not has_request_context()
        assert current_app.name == "tests_app"
        g.x = 1
        assert g.x == 1
        with pytest.raises(RuntimeError, match="request context"):
            request.path  # noqa: B018
    assert not has_app_context()


def test_test_request_context(app: Tumbler) -> None:
    @app.route("/items/<int:n>", methods=["GET", "POST"])
    def item(n: int) -> str:
        return str(n)

    with app.test_request_context(
        "/items/5?q=1", method="POST", headers={"X-A": "b"}, data={"f": "v"}
    ):
        assert has_request_context()
        assert request.method == "POST"
        assert request.args["q"] == "1"
        assert request.headers["X-A"] == "b"
        assert request.form["f"] == "v"
        assert request.endpoint == "item"
        assert request.view_args == {"n": 5}


def test_g_namespace_methods(app: Tumbler) -> None:
    with app.app_context():
        assert g.get("missing") is None
        assert g.get("missing", 3) == 3
        assert g.setdefault("k", 1) == 1
        assert g.setdefault("k", 2) == 1
        assert "k" in g
        assert g.pop("k") == 1
        assert "k" not in g
        assert g.pop("k", "default") == "default"
        with pytest.raises(KeyError):
            g.pop("k")


def test_each_app_context_has_its_own_g(app: Tumbler) -> None:
    with app.app_context():
        g.value = "outer"
        with app.app_context():
            assert "value" not in g
        assert g.value == "outer"


def test_copy_current_request_context_in_a_thread_pool(app: Tumbler, client: TestClient) -> None:
    @app.route("/")
    def view() -> str:
        g.user = "ann"

        @copy_current_request_context
        def work() -> str:
            return f"{request.path} {g.user} {threading.current_thread().name != 'MainThread'}"

        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(work).result(timeout=10)

    assert client.get("/").text == "/ ann True"


def test_copy_current_request_context_for_a_coroutine(app: Tumbler, client: TestClient) -> None:
    @app.route("/")
    async def view() -> str:
        @copy_current_request_context
        async def work() -> str:
            await asyncio.sleep(0)
            return request.path

        return await asyncio.ensure_future(work())

    assert client.get("/").text == "/"


def test_proxies_expose_the_real_object(app: Tumbler) -> None:
    with app.test_request_context("/x"):
        real = request._get_current_object()  # type: ignore[attr-defined]
        assert type(real).__name__ == "WSGIRequest"
        assert repr(request) == repr(real)
        assert bool(request)
    assert not bool(request)
    assert repr(request) == "<unbound request>"


def test_config_defaults_and_properties(app: Tumbler) -> None:
    assert app.config["TESTING"] is False
    assert app.config["PROPAGATE_EXCEPTIONS"] is None
    app.testing = True
    app.secret_key = "s"
    assert app.config["TESTING"] is True
    assert app.config["SECRET_KEY"] == "s"
    assert app.propagate_exceptions


def test_stream_with_context_is_a_harmless_passthrough(app: Tumbler, client: TestClient) -> None:
    from tumbler import stream_with_context

    @app.route("/")
    def view() -> object:
        def chunks() -> object:
            yield request.path

        return stream_with_context(chunks())

    assert client.get("/").text == "/"


def test_proxies_outside_a_context_raise_the_helpful_error() -> None:
    with pytest.raises(RuntimeError, match="outside of request context"):
        request.path  # noqa: B018
    with pytest.raises(RuntimeError, match="outside of request context"):
        request.custom = 1  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError, match="outside of application context"):
        g.x  # noqa: B018
    with pytest.raises(RuntimeError, match="outside of application context"):
        g.x = 1
    with pytest.raises(RuntimeError, match="outside of application context"):
        current_app.name  # noqa: B018


def test_g_and_request_proxies_read_and_write_the_current_objects(app: Tumbler) -> None:
    with app.test_request_context("/a"):
        assert "language" not in g  # g is made on first use, by a read as by a write
        g.language = "fr"
        real_g = g._get_current_object()  # type: ignore[attr-defined]
        assert real_g.language == "fr"
        request.custom = "mine"  # type: ignore[attr-defined]
        assert request._get_current_object().custom == "mine"  # type: ignore[attr-defined]
        with app.test_request_context("/b"):
            assert request.path == "/b"
            assert g.get("language") is None
            with pytest.raises(AttributeError):
                request.custom  # type: ignore[attr-defined]  # noqa: B018
        assert request.path == "/a"
        assert g.language == "fr"
