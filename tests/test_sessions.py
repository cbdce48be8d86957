"""The signed-cookie session: saving rules, cookie settings, tampering, expiry, key rotation."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tumbler import Response, Tumbler, session
from tumbler.testing import TestClient


@pytest.fixture
def secret_app(app: Tumbler) -> Tumbler:
    app.secret_key = "test secret"

    @app.route("/set/<value>")
    def set_value(value: str) -> str:
        session["value"] = value
        return "set"

    @app.route("/get")
    def get_value() -> str:
        return str(session.get("value", "missing"))

    @app.route("/clear")
    def clear() -> str:
        session.clear()
        return "cleared"

    @app.route("/permanent")
    def permanent() -> str:
        session.permanent = True
        session["value"] = "kept"
        return "permanent"

    @app.route("/untouched")
    def untouched() -> str:
        return "untouched"

    return app


def cookie_header(response: Response) -> str:
    return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))


def test_session_round_trip(secret_app: Tumbler, protocol: str) -> None:
    client = secret_app.test_client(protocol=protocol)
    response = client.get("/set/42")
    header = cookie_header(response)
    assert "HttpOnly" in header and "Path=/" in header and "Expires" not in header
    assert response.headers["Vary"] == "Cookie"
    assert client.get("/get").text == "42"


def test_unmodified_session_is_not_saved(secret_app: Tumbler, protocol: str) -> None:
    client = secret_app.test_client(protocol=protocol)
    client.get("/set/1")
    response = client.get("/get")
    assert not any(c.startswith("session=") for c in response.headers.getlist("Set-Cookie"))
    assert response.headers["Vary"] == "Cookie"  # it was read
    untouched = client.get("/untouched")
    assert "Vary" not in untouched.headers
    assert "Set-Cookie" not in untouched.headers


def test_clearing_deletes_the_cookie(secret_app: Tumbler, protocol: str) -> None:
    client = secret_app.test_client(protocol=protocol)
    client.get("/set/1")
    header = cookie_header(client.get("/clear"))
    assert header.startswith("session=;") and "Max-Age=0" in header
    assert client.get("/get").text == "missing"


def test_permanent_session_has_expiry_and_refreshes(secret_app: Tumbler, protocol: str) -> None:
    secret_app.config["PERMANENT_SESSION_LIFETIME"] = 3600
    client = secret_app.test_client(protocol=protocol)
    header = cookie_header(client.get("/permanent"))
    assert "Expires=" in header
    # SESSION_REFRESH_EACH_REQUEST: a permanent session is re-sent even when only read
    assert any(c.startswith("session=") for c in client.get("/get").headers.getlist("Set-Cookie"))


def test_cookie_settings_are_honoured(secret_app: Tumbler, protocol: str) -> None:
    secret_app.config.update(
        SESSION_COOKIE_NAME="sid",
        SESSION_COOKIE_DOMAIN="example.com",
        SESSION_COOKIE_PATH="/app",
        SESSION_COOKIE_HTTPONLY=False,
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_PARTITIONED=True,
    )
    response = secret_app.test_client(protocol=protocol).get("/set/x")
    header = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("sid="))
    for part in ("Domain=example.com", "Path=/app", "Secure", "SameSite=Lax", "Partitioned"):
        assert part in header
    assert "HttpOnly" not in header


@pytest.mark.parametrize(
    "cookie",
    ["garbage", "", "a.b.c", "eyJ2YWx1ZSI6IjEifQ.AAAAAA.badsignature", "x" * 5000, "\u00e9t\u00e9"],
)
def test_tampered_cookie_gives_an_empty_session(
    secret_app: Tumbler, client: TestClient, cookie: str
) -> None:
    client = secret_app.test_client(protocol=client.protocol)
    response = client.get("/get", headers={"Cookie": f"session={cookie}"})
    assert (response.status_code, response.text) == (200, "missing")


def test_signature_from_another_key_is_refused(secret_app: Tumbler, protocol: str) -> None:
    client = secret_app.test_client(protocol=protocol)
    client.get("/set/secret")
    secret_app.config["SECRET_KEY"] = "another key"
    assert client.get("/get").text == "missing"


def test_key_rotation_with_fallbacks(secret_app: Tumbler, protocol: str) -> None:
    client = secret_app.test_client(protocol=protocol)
    client.get("/set/rotated")
    secret_app.config["SECRET_KEY_FALLBACKS"] = ["test secret"]
    secret_app.config["SECRET_KEY"] = "new key"
    assert client.get("/get").text == "rotated"


def test_expired_cookie_gives_an_empty_session(
    secret_app: Tumbler, protocol: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = secret_app.test_client(protocol=protocol)
    client.get("/set/old")
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 32 * 24 * 3600)
    assert client.get("/get").text == "missing"


def test_writing_without_secret_key_is_a_clear_error(app: Tumbler, protocol: str) -> None:
    app.testing = True

    @app.route("/")
    def view() -> str:
        assert session.get("x") is None  # reading the null session is fine
        session["x"] = 1
        return "unreachable"

    with pytest.raises(RuntimeError, match="secret key"):
        app.test_client(protocol=protocol).get("/")


def test_failed_request_does_not_save_the_session(secret_app: Tumbler, protocol: str) -> None:
    @secret_app.route("/fail")
    def fail() -> str:
        session["value"] = "from failed request"
        raise RuntimeError("boom")

    client = secret_app.test_client(protocol=protocol)
    client.get("/set/good")
    response = client.get("/fail")
    assert response.status_code == 500
    assert not any(c.startswith("session=") for c in response.headers.getlist("Set-Cookie"))
    assert client.get("/get").text == "good"


def test_custom_session_interface(app: Tumbler, protocol: str) -> None:
    from tumbler.sessions import SecureCookieSession, SessionInterface

    store: dict[str, Any] = {}

    class MemoryInterface(SessionInterface):
        def open_session(self, app: Tumbler, request: Any) -> SecureCookieSession:
            return SecureCookieSession(store.get("data"))

        def save_session(self, app: Tumbler, session: Any, response: Response) -> None:
            store["data"] = dict(session)

    app.session_interface = MemoryInterface()

    @app.route("/")
    def view() -> str:
        session["n"] = session.get("n", 0) + 1
        return str(session["n"])

    client = app.test_client(protocol=protocol)
    assert client.get("/").text == "1"
    assert client.get("/").text == "2"
