"""Flask-CORS: simple requests, preflight OPTIONS, per-resource settings."""

from __future__ import annotations

import pytest
from flask import Flask, abort, jsonify
from flask_cors import CORS


def create_app() -> Flask:
    app = Flask(__name__)
    CORS(
        app,
        resources={
            r"/api/*": {"origins": ["https://shop.example"], "methods": ["GET", "PUT"]},
            r"/public/*": {"origins": "*"},
        },
    )

    @app.route("/api/items", methods=["GET", "PUT"])
    def items() -> object:
        return jsonify(items=[1, 2])

    @app.route("/api/missing")
    def missing() -> object:
        abort(404)

    @app.route("/public/info")
    def info() -> str:
        return "info"

    @app.route("/private")
    def private() -> str:
        return "private"

    return app


@pytest.fixture
def app() -> Flask:
    return create_app()


def test_simple_request_from_an_allowed_origin(app: Flask, protocol: str) -> None:
    client = app.test_client(protocol=protocol)
    response = client.get("/api/items", headers={"Origin": "https://shop.example"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    assert response.get_json() == {"items": [1, 2]}


def test_other_origin_gets_no_grant(app: Flask, protocol: str) -> None:
    client = app.test_client(protocol=protocol)
    response = client.get("/api/items", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_preflight(app: Flask, protocol: str) -> None:
    client = app.test_client(protocol=protocol)
    response = client.options(
        "/api/items",
        headers={
            "Origin": "https://shop.example",
            "Access-Control-Request-Method": "PUT",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    assert "PUT" in response.headers["Access-Control-Allow-Methods"]


def test_per_resource_settings(app: Flask, protocol: str) -> None:
    client = app.test_client(protocol=protocol)
    headers = {"Origin": "https://anyone.example"}
    # origins "*" without send_wildcard: Flask-CORS echoes the caller's origin
    granted = client.get("/public/info", headers=headers).headers["Access-Control-Allow-Origin"]
    assert granted == "https://anyone.example"
    assert "Access-Control-Allow-Origin" not in client.get("/private", headers=headers).headers


def test_error_responses_carry_the_headers_too(app: Flask, protocol: str) -> None:
    """Flask-CORS wraps the app's exception handlers, so a 404 is answered with CORS headers."""
    client = app.test_client(protocol=protocol)
    response = client.get("/api/missing", headers={"Origin": "https://shop.example"})
    assert response.status_code == 404
    assert response.headers["Access-Control-Allow-Origin"] == "https://shop.example"
