"""Response: status, content type, body, cookies, redirect."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from http import HTTPStatus
from typing import Any

import pytest

from tumbler.http.datastructures import Headers
from tumbler.http.response import Response, redirect


def test_hello_defaults() -> None:
    response = Response("Hello")
    assert response.status == "200 OK"
    assert response.status_code == 200
    assert response.headers.to_wsgi_list() == [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", "5"),
    ]
    assert response.response == [b"Hello"]
    assert not response.is_streamed
    assert repr(response) == "<Response 5 bytes [200 OK]>"


def test_body_kinds() -> None:
    assert Response(b"ab").response == [b"ab"]
    assert Response(bytearray(b"ab")).response == [b"ab"]
    assert Response("hé").headers["Content-Length"] == "3"
    listed = Response(["a", b"b"])
    assert listed.response == [b"a", b"b"] and listed.content_length == 2
    assert not listed.is_streamed
    empty = Response()
    assert empty.response == [] and empty.content_length == 0
    assert repr(empty) == "<Response 0 bytes [200 OK]>"


@pytest.mark.parametrize("code", [204, 304, 101])
def test_no_content_length_where_the_rfc_forbids_it(code: int) -> None:
    assert "Content-Length" not in Response(status=code).headers


@pytest.mark.parametrize(
    ("status", "line", "code"),
    [
        (404, "404 NOT FOUND", 404),
        (HTTPStatus.CREATED, "201 CREATED", 201),
        ("404", "404 NOT FOUND", 404),
        ("404 Custom Reason", "404 Custom Reason", 404),
        (" 202  Later ", "202 Later", 202),
        (599, "599 UNKNOWN", 599),
        ("299", "299 UNKNOWN", 299),
    ],
)
def test_status_forms(status: int | str, line: str, code: int) -> None:
    for response in (Response("x", status=status), Response(b"x", status=status)):
        assert response.status == line
        assert response.status_code == code


def test_status_setters() -> None:
    response = Response("x", status="404 Custom")
    response.status_code = 201
    assert response.status == "201 CREATED"
    response.status = "418 Short And Stout"
    assert response.status_code == 418
    response.status = 500
    assert response.status == "500 INTERNAL SERVER ERROR"


FULLWIDTH_200 = "\uff12\uff10\uff10"


@pytest.mark.parametrize("bad", ["", "abc", "OK 200", "200\r\nX: y", "200 O\nK", FULLWIDTH_200])
def test_bad_status_raises(bad: str) -> None:
    with pytest.raises(ValueError):
        Response("x", status=bad)


@pytest.mark.parametrize(
    ("kwargs", "content_type"),
    [
        ({}, "text/html; charset=utf-8"),
        ({"mimetype": "application/json"}, "application/json"),
        ({"mimetype": "text/plain"}, "text/plain; charset=utf-8"),
        ({"mimetype": "application/xml"}, "application/xml; charset=utf-8"),
        ({"mimetype": "image/svg+xml"}, "image/svg+xml; charset=utf-8"),
        ({"content_type": "text/plain"}, "text/plain"),
        ({"content_type": "a/b", "mimetype": "c/d"}, "a/b"),
        ({"headers": {"Content-Type": "a/b"}}, "a/b"),
        ({"headers": {"content-type": "a/b"}, "mimetype": "text/css"}, "text/css; charset=utf-8"),
        ({"headers": [("X", "1")]}, "text/html; charset=utf-8"),
    ],
)
def test_content_type_defaults(kwargs: dict[str, Any], content_type: str) -> None:
    for body in ("hi", b"hi", None, iter([b"hi"])):
        response = Response(body, **kwargs)
        assert response.content_type == content_type
        assert response.headers.getlist("Content-Type") == [content_type]


def test_injection_through_content_type_or_mimetype_is_refused() -> None:
    with pytest.raises(ValueError):
        Response("x", content_type="text/html\r\nX: y")
    with pytest.raises(ValueError):
        Response("x", mimetype="text/html\nX: y")
    with pytest.raises(ValueError):
        Response("x", headers={"X": "a\r\nb"})


def test_subclass_defaults() -> None:
    class JSONResponse(Response):
        default_mimetype = "application/json"
        default_status = 201

    response = JSONResponse("{}")
    assert response.content_type == "application/json"
    assert response.status == "201 CREATED"

    class Bare(Response):
        default_mimetype = None

    assert "Content-Type" not in Bare("x").headers
    assert "Content-Type" not in Bare(b"x").headers


def test_headers_object_is_used_as_given() -> None:
    headers = Headers([("X", "1")])
    response = Response("x", headers=headers)
    assert response.headers is headers
    assert headers["Content-Length"] == "1"


def test_set_data_updates_content_length() -> None:
    response = Response(b"abc", headers={"Content-Length": "99"})
    assert response.headers.getlist("Content-Length") == ["3"]
    response.set_data("héllo")
    assert response.headers.getlist("Content-Length") == ["6"]
    assert response.get_data() == "héllo".encode()
    response.data = b"xy"
    assert response.data == b"xy" and response.content_length == 2
    assert response.text == "xy"
    assert response.get_data(as_text=True) == "xy"


def test_streamed_body() -> None:
    closed = []

    def generate() -> Iterator[str | bytes]:
        try:
            yield "a"
            yield b"b"
        finally:
            closed.append(True)

    response = Response(generate())
    assert response.is_streamed
    assert "Content-Length" not in response.headers
    assert repr(response) == "<Response streamed [200 OK]>"
    assert response.get_data() == b"ab"
    assert closed == [True]
    assert not response.is_streamed
    assert response.response == [b"a", b"b"]
    assert response.get_data() == b"ab"


def test_iter_encoded() -> None:
    response = Response(iter(["é", b"x"]))
    assert list(response.iter_encoded()) == ["é".encode(), b"x"]


def test_async_body_cannot_be_read_synchronously() -> None:
    async def generate() -> AsyncIterator[bytes]:
        yield b"x"

    body = generate()
    response = Response(body)
    assert response.is_streamed
    with pytest.raises(RuntimeError):
        response.get_data()


def test_json() -> None:
    response = Response('{"a": [1, 2]}', mimetype="application/json")
    assert response.json == {"a": [1, 2]}
    assert response.get_json() == {"a": [1, 2]}
    assert Response("nope").get_json(silent=True) is None
    with pytest.raises(ValueError):
        Response("nope").get_json()


def test_header_properties() -> None:
    response = Response("x")
    response.mimetype = "text/plain"
    assert response.content_type == "text/plain; charset=utf-8"
    assert response.mimetype == "text/plain"
    assert response.mimetype_params == {"charset": "utf-8"}
    response.content_type = "application/json"
    assert response.mimetype == "application/json" and response.mimetype_params == {}
    response.content_type = None
    assert response.mimetype is None
    response.content_length = 10
    assert response.headers["Content-Length"] == "10"
    response.content_length = None
    assert response.content_length is None
    response.location = "/next"
    assert response.location == "/next"
    response.location = None
    assert response.location is None
    with pytest.raises(ValueError):
        response.location = "/a\r\nSet-Cookie: x=1"


def test_direct_passthrough() -> None:
    assert Response("x").direct_passthrough is False
    assert Response("x", direct_passthrough=True).direct_passthrough is True
    assert Response(b"x", direct_passthrough=True).direct_passthrough is True


def test_set_and_delete_cookie() -> None:
    response = Response("x")
    response.set_cookie("session", "a b", httponly=True, samesite="Lax", max_age=60)
    response.delete_cookie("old", path="/app")
    first, second = response.headers.getlist("Set-Cookie")
    assert first.startswith('session="a\\040b"; Expires=')
    assert first.endswith("; Max-Age=60; HttpOnly; Path=/; SameSite=Lax")
    assert second == "old=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/app"
    with pytest.raises(ValueError):
        response.set_cookie("bad;name", "x")
    with pytest.raises(ValueError):
        response.set_cookie("k", "x", domain="a\r\nb")
    assert len(response.headers.getlist("Set-Cookie")) == 2


def test_call_on_close() -> None:
    response = Response("x")
    assert len(response.on_close_callbacks) == 0

    def first() -> None:
        pass

    async def second() -> None:
        pass

    assert response.call_on_close(first) is first
    response.call_on_close(second)
    assert response.on_close_callbacks == (first, second)
    assert Response("y").on_close_callbacks == ()


def test_redirect() -> None:
    response = redirect("/a?b=<c>")
    assert response.status == "302 FOUND"
    assert response.location == "/a?b=%3Cc%3E"  # a valid URI reference
    body = response.get_data(as_text=True)
    assert "/a?b=%3Cc%3E" in body and "<c>" not in body
    assert redirect("/x", 301).status_code == 301
    assert redirect("/café").location == "/caf%C3%A9"

    class Custom(Response):
        pass

    assert type(redirect("/x", Response=Custom)) is Custom
    for bad in ("/a\r\nSet-Cookie: x=1", "/a\nb", "/a\0"):
        with pytest.raises(ValueError):
            redirect(bad)
