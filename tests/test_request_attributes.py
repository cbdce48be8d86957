"""Request attributes Flask code reads (issue 13 "Request"), over WSGI and ASGI."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tumbler import Tumbler, request
from tumbler.json import DefaultJSONProvider
from tumbler.testing import TestClient


def _echo(app: Tumbler, func: Any) -> None:
    app.add_url_rule("/", "echo", lambda: func(), methods=["GET", "POST"])


def test_basic_authorization(app: Tumbler, client: TestClient) -> None:
    def view() -> Any:
        auth = request.authorization
        assert auth is not None
        return [auth.type, auth.username, auth.password, auth.token, auth["username"]]

    _echo(app, view)
    token = base64.b64encode("alice:pä:ss".encode()).decode()
    response = client.get("/", headers={"Authorization": f"Basic {token}"})
    assert response.json == ["basic", "alice", "pä:ss", None, "alice"]


def test_bearer_and_digest_authorization(app: Tumbler, client: TestClient) -> None:
    def view() -> Any:
        auth = request.authorization
        if auth is None:
            return {"auth": None}
        return {"type": auth.type, "token": auth.token, "realm": auth.realm, "user": auth.username}

    _echo(app, view)
    assert client.get("/", headers={"Authorization": "Bearer abc.def"}).json == {
        "type": "bearer",
        "token": "abc.def",
        "realm": None,
        "user": None,
    }
    digest = 'Digest username="bob", realm="here, there", nonce=x'
    assert client.get("/", headers={"Authorization": digest}).json == {
        "type": "digest",
        "token": None,
        "realm": "here, there",
        "user": "bob",
    }
    assert client.get("/").json == {"auth": None}
    assert client.get("/", headers={"Authorization": "Basic !!!"}).json == {"auth": None}


def test_conditional_request_headers(app: Tumbler, client: TestClient) -> None:
    def view() -> Any:
        return {
            "ims": request.if_modified_since.isoformat() if request.if_modified_since else None,
            "ius": str(request.if_unmodified_since),
            "match": ["a" in request.if_match, "b" in request.if_match, bool(request.if_match)],
            "none_match": [
                "x" in request.if_none_match,
                request.if_none_match.contains_weak("w"),
                "w" in request.if_none_match,
                request.if_none_match.is_weak("w"),
            ],
        }

    _echo(app, view)
    response = client.get(
        "/",
        headers={
            "If-Modified-Since": "Sun, 06 Nov 1994 08:49:37 GMT",
            "If-Unmodified-Since": "not a date",
            "If-Match": "*",
            "If-None-Match": '"x", W/"w"',
        },
    )
    assert response.json == {
        "ims": "1994-11-06T08:49:37+00:00",
        "ius": "None",
        "match": [True, True, True],
        "none_match": [True, True, False, True],
    }
    empty = client.get("/").json
    assert empty["match"] == [False, False, False]
    assert empty["ims"] is None


def test_range_origin_and_access_route(app: Tumbler, client: TestClient) -> None:
    def view() -> Any:
        rng = request.range
        return {
            "range": rng.ranges if rng else None,
            "units": rng.units if rng else None,
            "for_length": rng.range_for_length(1000) if rng else None,
            "origin": request.origin,
            "route": request.access_route,
        }

    _echo(app, view)
    response = client.get(
        "/",
        headers={
            "Range": "bytes=0-499",
            "Origin": "https://example.org",
            "X-Forwarded-For": "203.0.113.9, 10.0.0.1",
        },
    )
    assert response.json == {
        "range": [[0, 500]],
        "units": "bytes",
        "for_length": [0, 500],
        "origin": "https://example.org",
        "route": ["203.0.113.9", "10.0.0.1"],
    }
    plain = client.get("/", headers={"Range": "bytes=5-2"}).json
    assert plain["range"] is None and plain["origin"] is None
    assert plain["route"] == ["127.0.0.1"]


def test_url_root_and_host_url(app: Tumbler, client: TestClient) -> None:
    _echo(app, lambda: [request.url_root, request.host_url, request.root_url])
    response = client.get("/", base_url="https://example.com:8443/app")
    assert response.json == [
        "https://example.com:8443/app/",
        "https://example.com:8443/",
        "https://example.com:8443/app/",
    ]


def test_user_agent_is_an_object_with_string(app: Tumbler, client: TestClient) -> None:
    def view() -> Any:
        agent = request.user_agent
        return [agent.string, str(agent), agent.browser, agent.platform, "curl" in agent]

    _echo(app, view)
    assert client.get("/", headers={"User-Agent": "curl/8.5"}).json == [
        "curl/8.5",
        "curl/8.5",
        None,
        None,
        True,
    ]


def test_cookies_getlist_and_first_value_wins(app: Tumbler, client: TestClient) -> None:
    def view() -> Any:
        cookies = request.cookies
        return {
            "get": cookies.get("a"),
            "item": cookies["a"],
            "list": cookies.getlist("a"),
            "other": cookies.getlist("b", type=int),
            "missing": cookies.getlist("zz"),
            "typed": cookies.get("b", type=int),
            "multi": cookies.items(multi=True),
            "flat": cookies.to_dict(),
        }

    _echo(app, view)
    client.use_cookies = False
    response = client.get("/", headers={"Cookie": "a=1; b=2; a=3"})
    assert response.json == {
        "get": "1",
        "item": "1",
        "list": ["1", "3"],
        "other": [2],
        "missing": [],
        "typed": 2,
        "multi": [["a", "1"], ["a", "3"], ["b", "2"]],
        "flat": {"a": "1", "b": "2"},
    }


def test_missing_cookie_by_index_is_a_400_and_cookies_are_read_only(
    app: Tumbler, client: TestClient
) -> None:
    def view() -> Any:
        with pytest.raises(TypeError):
            request.cookies["x"] = "1"  # type: ignore[index]
        return request.cookies["nope"]

    _echo(app, view)
    assert client.get("/", headers={"Cookie": "a=1"}).status_code == 400


class _Provider(DefaultJSONProvider):
    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return {"parsed_by": "app.json", "value": json.loads(s)}


def test_get_json_uses_the_app_json_provider(app: Tumbler, client: TestClient) -> None:
    app.json = _Provider(app)
    _echo(app, lambda: {"got": request.get_json()})
    response = client.post("/", json=[1, 2])
    assert response.json == {"got": {"parsed_by": "app.json", "value": [1, 2]}}


@pytest.mark.parametrize(
    "body",
    [
        b'{"a": NaN}',
        b"[Infinity]",
        b'{"x": -Infinity}',
        b"[1e999]",
        b"[2.5E+308]",
        b"[1" + b"0" * 215 + b".5e95]",  # overflows with a 2-digit exponent
        "[NaN]".encode("utf-16"),  # Python's parser reads UTF-16 and UTF-32 too
    ],
)
def test_non_finite_numbers_in_request_json_are_a_400(
    app: Tumbler, client: TestClient, body: bytes
) -> None:
    _echo(app, lambda: {"got": request.get_json()})
    response = client.post("/", data=body, content_type="application/json")
    assert response.status_code == 400


def test_finite_numbers_and_lookalike_strings_still_parse(app: Tumbler, client: TestClient) -> None:
    _echo(app, lambda: {"got": request.get_json()})
    body = b'["NaN", "Infinity", 1e308, 1e-999, "e123", 12345678901234567890]'
    response = client.post("/", data=body, content_type="application/json")
    assert response.json == {"got": ["NaN", "Infinity", 1e308, 0.0, "e123", 12345678901234567890]}


def test_on_json_loading_failed_can_supply_a_value(app: Tumbler, protocol: str) -> None:
    calls: list[str] = []

    class LenientRequest:
        @staticmethod
        def on_json_loading_failed(e: ValueError | None) -> Any:
            calls.append("none" if e is None else type(e).__name__)
            return {"fallback": True}

    def view() -> Any:
        request.on_json_loading_failed = LenientRequest.on_json_loading_failed  # type: ignore[method-assign]
        return {"got": request.get_json()}

    _echo(app, view)
    client = app.test_client(protocol=protocol)
    bad = client.post("/", data=b"{nope", content_type="application/json")
    assert bad.json == {"got": {"fallback": True}}
    wrong_type = client.post("/", data=b"{}", content_type="text/plain")
    assert wrong_type.json == {"got": {"fallback": True}}
    assert calls == ["JSONDecodeError", "none"]
    client.close()


def test_on_json_loading_failed_defaults_to_400_and_415(app: Tumbler, client: TestClient) -> None:
    _echo(app, lambda: {"got": request.get_json()})
    assert client.post("/", data=b"{nope", content_type="application/json").status_code == 400
    assert client.post("/", data=b"{}", content_type="text/plain").status_code == 415


def test_if_modified_since_is_aware_utc() -> None:
    app = Tumbler("dates")
    with app.test_request_context(headers={"If-Modified-Since": "Sun, 06 Nov 1994 08:49:37 GMT"}):
        assert request.if_modified_since == datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)
        assert request.cache_control.max_age is None


def test_user_agent_class_can_be_replaced(app: Tumbler, client: TestClient) -> None:
    class Parsed:
        def __init__(self, string: str) -> None:
            self.string = string
            self.browser = string.partition("/")[0] or None

    _echo(app, lambda: {"browser": request.user_agent.browser})
    from tumbler.http.request import Request

    Request.user_agent_class = Parsed
    try:
        assert client.get("/", headers={"User-Agent": "Firefox/130"}).json == {"browser": "Firefox"}
    finally:
        del Request.user_agent_class  # back to the mixin's default
    assert client.get("/", headers={"User-Agent": "Firefox/130"}).json == {"browser": None}
