"""Issue 14, sessions and cookies: SameSite=Lax by default, and a warning for cookies too big
for browsers (``MAX_COOKIE_SIZE``, ``response.max_cookie_size``, as in Flask)."""

from __future__ import annotations

import hashlib
import re
import warnings
from typing import Any

import pytest

from tumbler import Response, Tumbler, session
from tumbler.config import DEFAULT_CONFIG
from tumbler.testing import TestClient


@pytest.fixture
def app() -> Tumbler:
    """An app with sessions, a view that stores ``n`` bytes in the session, one that sets a
    plain cookie of ``n`` bytes."""
    app = Tumbler(__name__)
    app.secret_key = "test secret"

    @app.get("/session/<int:n>")
    def store(n: int) -> str:
        session["data"] = _incompressible(n)  # the session cookie is compressed when it helps
        return "stored"

    @app.get("/cookie/<int:n>")
    def cookie(n: int) -> Any:
        response = Response("set")
        response.set_cookie("big", "y" * n)
        return response

    return app


def _incompressible(n: int) -> str:
    digests = (hashlib.sha256(str(i).encode()).hexdigest() for i in range(n // 64 + 1))
    return "".join(digests)[:n]


def _set_cookies(response: Any) -> list[str]:
    return [value for name, value in response.headers.items() if name.lower() == "set-cookie"]


# SameSite ---------------------------------------------------------------------------------------


def test_session_cookie_is_samesite_lax_by_default(app: Tumbler, client: TestClient) -> None:
    """The default is ``Lax`` (Flask's is None): see docs/migrating.md for why."""
    assert DEFAULT_CONFIG["SESSION_COOKIE_SAMESITE"] == "Lax"
    (cookie,) = _set_cookies(client.get("/session/3"))
    assert cookie.startswith("session=")
    assert "; SameSite=Lax" in cookie


@pytest.mark.parametrize(("setting", "attribute"), [(None, None), ("Strict", "Strict")])
def test_session_samesite_can_be_changed(
    app: Tumbler, client: TestClient, setting: str | None, attribute: str | None
) -> None:
    """``None`` leaves the attribute out, as Flask's default does; ``Strict`` is kept."""
    app.config["SESSION_COOKIE_SAMESITE"] = setting
    (cookie,) = _set_cookies(client.get("/session/3"))
    if attribute is None:
        assert "SameSite" not in cookie
    else:
        assert f"; SameSite={attribute}" in cookie


# The size limit ---------------------------------------------------------------------------------


def test_max_cookie_size_reads_the_app_config(app: Tumbler) -> None:
    """4093 outside an app; the app's ``MAX_COOKIE_SIZE`` inside one; settable per response."""
    assert DEFAULT_CONFIG["MAX_COOKIE_SIZE"] == 4093
    assert Response().max_cookie_size == 4093
    app.config["MAX_COOKIE_SIZE"] = 100
    with app.app_context():
        response = Response()
        assert response.max_cookie_size == 100
        response.max_cookie_size = 50
        assert response.max_cookie_size == 50
    assert Response().max_cookie_size == 4093


def test_a_cookie_over_the_limit_warns_naming_its_size() -> None:
    """The warning names the cookie, its size and the limit; the cookie is still set."""
    response = Response()
    value = "v" * 5000
    expected = len(f"big={value}; Path=/")
    with pytest.warns(UserWarning, match=rf"'big' cookie is {expected} bytes.*4093-byte limit"):
        response.set_cookie("big", value)
    assert _set_cookies(response) == [f"big={value}; Path=/"]


def test_the_size_counts_the_attributes_too() -> None:
    """The limit is on the whole Set-Cookie value, as browsers count it (and Flask)."""
    response = Response()
    response.max_cookie_size = 60
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        response.set_cookie("k", "v" * 40)  # 49 bytes with "; Path=/"
    with pytest.warns(UserWarning, match="is 7[0-9] bytes, over the 60-byte limit"):
        response.set_cookie("k", "v" * 40, domain="example.com", secure=True)


def test_a_cookie_at_the_limit_and_a_zero_limit_do_not_warn(app: Tumbler) -> None:
    """Exactly the limit is fine; ``MAX_COOKIE_SIZE = 0`` turns the check off."""
    value = "v" * (4093 - len("k=; Path=/"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Response().set_cookie("k", value)
        app.config["MAX_COOKIE_SIZE"] = 0
        with app.app_context():
            Response().set_cookie("k", value * 3)


def test_a_big_cookie_from_a_view_warns(app: Tumbler, client: TestClient) -> None:
    """Over WSGI and ASGI: the view's cookie is sent, with a warning naming its size."""
    with pytest.warns(UserWarning, match=r"'big' cookie is 5\d\d\d bytes") as record:
        response = client.get("/cookie/5000")
    assert response.status_code == 200
    assert len(record) == 1
    assert len(_set_cookies(response)[0]) > 5000


def test_a_big_session_warns(app: Tumbler, client: TestClient) -> None:
    """The session cookie is checked too: the app's limit, the session cookie's own size."""
    app.config["MAX_COOKIE_SIZE"] = 300
    with pytest.warns(UserWarning, match=r"'session' cookie is \d+ bytes.*300-byte") as record:
        response = client.get("/session/2000")
    assert response.status_code == 200
    (cookie,) = _set_cookies(response)
    said = re.search(r"is (\d+) bytes", str(record[0].message))
    assert said is not None and int(said.group(1)) == len(cookie)


def test_a_small_session_does_not_warn(app: Tumbler, client: TestClient) -> None:
    """Under the limit, nothing is said (pytest turns any warning into an error here)."""
    response = client.get("/session/100")
    assert response.status_code == 200
    assert len(_set_cookies(response)) == 1
