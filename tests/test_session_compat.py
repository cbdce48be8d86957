"""Flask-compatible session cookies, refresh and ``session_transaction`` (issue 13 "Sessions").

The expected cookies are computed here from Flask's documented format: the tagged JSON text
(written out by hand below), compact and with sorted keys, signed by itsdangerous's
``URLSafeTimedSerializer`` with salt ``cookie-session``, HMAC key derivation and SHA-1.
Flask itself is not imported.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from itsdangerous import URLSafeTimedSerializer
from markupsafe import Markup

from tumbler import Tumbler, session
from tumbler.json_tag import JSONTag, TaggedJSONSerializer
from tumbler.testing import TestClient

SECRET = "flask-and-tumbler-share-this"

# The payload Flask writes for VALUE (keys sorted, compact separators, ASCII only).
FLASK_TEXT = (
    '{"b":{" b":"AP8="},"d":{" d":"Thu, 02 Jan 2020 03:04:05 GMT"},'
    '"m":{" m":"<b>hi</b>"},"n":{"deep":[{" t":[1,{" b":"eA=="}]}]},'
    '"t":{" t":[1,"two"]},"tagged_key":{" di":{" t__":"not a tuple"}},'
    '"u":{" u":"12345678123456781234567812345678"}}'
)
VALUE: dict[str, Any] = {
    "b": b"\x00\xff",
    "d": datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC),
    "m": Markup("<b>hi</b>"),
    "n": {"deep": [(1, b"x")]},
    "t": (1, "two"),
    "tagged_key": {" t": "not a tuple"},
    "u": uuid.UUID("12345678-1234-5678-1234-567812345678"),
}


class _Text:
    """A pass-through payload serializer: the test writes and reads the JSON text itself."""

    @staticmethod
    def dumps(obj: Any) -> str:
        return obj if isinstance(obj, str) else "{}"  # (itsdangerous probes with a dict)

    @staticmethod
    def loads(text: str) -> str:
        return text


def _flask_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        SECRET,
        salt="cookie-session",
        serializer=_Text,
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )


def _app() -> Tumbler:
    app = Tumbler("sessions_compat")
    app.secret_key = SECRET

    @app.route("/read")
    def read() -> Any:
        data = session["data"]
        return {key: repr(value) for key, value in data.items()}

    @app.route("/write")
    def write() -> str:
        session["data"] = VALUE
        return "ok"

    return app


def test_a_cookie_written_by_flask_is_read(protocol: str) -> None:
    app = _app()
    client = app.test_client(protocol=protocol)
    client.set_cookie("session", _flask_signer().dumps('{"data":' + FLASK_TEXT + "}"))
    assert client.get("/read").json == {key: repr(value) for key, value in VALUE.items()}
    client.close()


def test_a_cookie_written_here_is_what_flask_writes(protocol: str) -> None:
    app = _app()
    client = app.test_client(protocol=protocol)
    client.get("/write")
    payload = _flask_signer().loads(client.get_cookie("session"))
    assert payload == '{"data":' + FLASK_TEXT + "}"
    client.close()


def test_tagged_serializer_round_trip_and_naive_datetime() -> None:
    serializer = TaggedJSONSerializer()
    naive = datetime(2021, 5, 6, 7, 8, 9, 999)
    back = serializer.loads(serializer.dumps({"when": naive, "v": VALUE}))
    assert back["when"] == datetime(2021, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert back["v"] == VALUE
    assert isinstance(back["v"]["m"], Markup)


def test_custom_tag_registration() -> None:
    class Point:
        def __init__(self, x: int) -> None:
            self.x = x

    class TagPoint(JSONTag):
        key = " point"

        def check(self, value: Any) -> bool:
            return isinstance(value, Point)

        def to_json(self, value: Any) -> Any:
            return value.x

        def to_python(self, value: Any) -> Any:
            return Point(value)

    serializer = TaggedJSONSerializer()
    serializer.register(TagPoint, index=0)
    assert serializer.dumps(Point(3)) == '{" point":3}'
    assert serializer.loads('{" point":3}').x == 3
    with pytest.raises(KeyError):
        serializer.register(TagPoint)
    serializer.register(TagPoint, force=True)


def _refresh_app(refresh: bool) -> Tumbler:
    app = Tumbler("sessions_refresh")
    app.secret_key = SECRET
    app.config["SESSION_REFRESH_EACH_REQUEST"] = refresh

    @app.route("/login")
    def login() -> str:
        session.permanent = True
        session["user"] = "ada"
        return "in"

    @app.route("/browser-session")
    def browser_session() -> str:
        session["user"] = "bob"
        return "in"

    @app.route("/page")
    def page() -> str:
        return "does not touch the session"

    return app


def test_permanent_session_is_refreshed_on_every_request(protocol: str) -> None:
    client = _refresh_app(True).test_client(protocol=protocol)
    client.get("/login")
    response = client.get("/page")
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1 and cookies[0].startswith("session=")
    assert "Expires=" in cookies[0]
    assert response.headers["Vary"] == "Cookie"
    client.close()


def test_no_refresh_when_disabled_or_not_permanent(protocol: str) -> None:
    off = _refresh_app(False).test_client(protocol=protocol)
    off.get("/login")
    response = off.get("/page")
    assert response.headers.getlist("Set-Cookie") == []
    assert "Vary" not in response.headers
    off.close()
    browser = _refresh_app(True).test_client(protocol=protocol)
    browser.get("/browser-session")
    response = browser.get("/page")
    assert response.headers.getlist("Set-Cookie") == []
    browser.close()


def test_session_transaction_reads_and_writes(protocol: str) -> None:
    app = _app()
    client = app.test_client(protocol=protocol)
    with client.session_transaction() as sess:
        sess["data"] = {"t": (1, 2)}
    assert client.get("/read").json == {"t": "(1, 2)"}
    client.get("/write")
    with client.session_transaction() as sess:
        assert sess["data"]["u"] == VALUE["u"]
    client.close()


def test_session_transaction_without_cookies_or_secret(client: TestClient) -> None:
    no_cookies = Tumbler("x").test_client(use_cookies=False)
    with pytest.raises(TypeError), no_cookies.session_transaction():
        pass
    with pytest.raises(RuntimeError, match="did not open"), client.session_transaction():
        pass  # no secret key: no session (Flask raises the same)
