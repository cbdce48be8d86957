"""Flask-Limiter: per-route limits, rate-limit headers, exemptions, async views."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["RATELIMIT_HEADERS_ENABLED"] = True
    limiter = Limiter(
        get_remote_address, app=app, default_limits=["3 per minute"], storage_uri="memory://"
    )

    @app.route("/limited")
    @limiter.limit("2 per minute")
    def limited() -> str:
        return "ok"

    @app.route("/async-limited")
    @limiter.limit("2 per minute")
    async def async_limited() -> str:
        return "async ok"

    @app.route("/default")
    def default() -> str:
        return "default"

    @app.route("/free")
    @limiter.exempt
    def free() -> str:
        return "free"

    return app


@pytest.fixture
def app() -> Flask:
    return create_app()


def test_two_per_minute(app: Flask, protocol: str) -> None:
    client = app.test_client(protocol=protocol)
    assert [client.get("/limited").status_code for _ in range(3)] == [200, 200, 429]


def test_rate_limit_headers(app: Flask, protocol: str) -> None:
    client = app.test_client(protocol=protocol)
    response = client.get("/limited")
    assert response.headers["X-RateLimit-Limit"] == "2"
    assert response.headers["X-RateLimit-Remaining"] == "1"
    assert "X-RateLimit-Reset" in response.headers
    client.get("/limited")
    refused = client.get("/limited")
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers


def test_default_limits_and_exempt_routes(app: Flask, protocol: str) -> None:
    client = app.test_client(protocol=protocol)
    assert [client.get("/default").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert [client.get("/free").status_code for _ in range(5)] == [200] * 5


def test_limit_on_an_async_view(app: Flask, protocol: str) -> None:
    client = app.test_client(protocol=protocol)
    responses = [client.get("/async-limited") for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 429]
    assert responses[0].text == "async ok"
