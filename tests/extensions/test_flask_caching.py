"""Flask-Caching: cached views, memoize, clearing."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_caching import Cache


def create_app() -> tuple[Flask, Cache, list[str]]:
    app = Flask(__name__)
    app.config.update(CACHE_TYPE="SimpleCache", CACHE_DEFAULT_TIMEOUT=300)
    cache = Cache(app)
    calls: list[str] = []

    @app.route("/report")
    @cache.cached()
    def report() -> str:
        calls.append("report")
        return f"report #{len(calls)}"

    @app.route("/async-report")
    @cache.cached()
    async def async_report() -> str:
        calls.append("async")
        return f"async report #{len(calls)}"

    @cache.memoize()
    def square(n: int) -> int:
        calls.append(f"square {n}")
        return n * n

    @app.route("/square/<int:n>")
    def square_view(n: int) -> str:
        return str(square(n))

    app.extensions["test_square"] = square
    return app, cache, calls


@pytest.fixture
def made() -> tuple[Flask, Cache, list[str]]:
    return create_app()


def test_cached_view_runs_once_for_two_requests(
    made: tuple[Flask, Cache, list[str]], protocol: str
) -> None:
    app, _, calls = made
    client = app.test_client(protocol=protocol)
    assert client.get("/report").text == "report #1"
    assert client.get("/report").text == "report #1"
    assert calls == ["report"]


def test_cached_async_view(made: tuple[Flask, Cache, list[str]], protocol: str) -> None:
    app, _, calls = made
    client = app.test_client(protocol=protocol)
    assert client.get("/async-report").text == "async report #1"
    assert client.get("/async-report").text == "async report #1"
    assert calls == ["async"]


def test_memoize_and_clear(made: tuple[Flask, Cache, list[str]], protocol: str) -> None:
    app, cache, calls = made
    client = app.test_client(protocol=protocol)
    assert [client.get("/square/3").text for _ in range(2)] == ["9", "9"]
    assert calls == ["square 3"]
    with app.app_context():
        cache.delete_memoized(app.extensions["test_square"], 3)
    assert client.get("/square/3").text == "9"
    assert calls == ["square 3", "square 3"]
    client.get("/report")
    with app.app_context():
        cache.clear()
    client.get("/report")
    assert calls.count("report") == 2
