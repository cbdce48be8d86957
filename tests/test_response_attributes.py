"""Response attributes and ``make_conditional`` (issue 13 "Response"), over WSGI and ASGI."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tumbler import Tumbler, request
from tumbler.http.datastructures import Headers, MultiDict
from tumbler.http.headervalues import ContentRange
from tumbler.http.response import Response
from tumbler.testing import TestClient

LAST_MODIFIED = datetime(2020, 1, 1, tzinfo=UTC)


def test_cache_control_is_live_and_typed(app: Tumbler, client: TestClient) -> None:
    @app.route("/")
    def view() -> Response:
        response = Response("x")
        response.cache_control.max_age = 60
        response.cache_control.public = True
        response.cache_control.no_cache = True
        assert response.cache_control.max_age == 60
        assert response.cache_control.no_store is False
        del response.cache_control.no_cache
        return response

    assert client.get("/").headers["Cache-Control"] == "max-age=60, public"


def test_cache_control_removed_when_emptied() -> None:
    response = Response("x", headers={"Cache-Control": "private, max-age=5"})
    assert response.cache_control.private is True
    assert response.cache_control.max_age == 5
    response.cache_control.private = False
    response.cache_control.max_age = None
    assert "Cache-Control" not in response.headers


def test_vary_allow_and_dates(app: Tumbler, client: TestClient) -> None:
    @app.route("/")
    def view() -> Response:
        response = Response("x", headers={"Vary": "Accept"})
        response.vary.add("cookie")
        response.vary.add("ACCEPT")  # already there, in another case
        response.allow = ["GET", "HEAD"]
        response.expires = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
        response.last_modified = 0
        assert "Cookie" in response.vary and "accept" in response.vary
        return response

    headers = client.get("/").headers
    assert headers["Vary"] == "Accept, cookie"
    assert headers["Allow"] == "GET, HEAD"
    assert headers["Expires"] == "Tue, 01 Jan 2030 12:00:00 GMT"
    assert headers["Last-Modified"] == "Thu, 01 Jan 1970 00:00:00 GMT"


def test_date_properties_read_back_as_utc_datetimes() -> None:
    response = Response("x")
    response.last_modified = LAST_MODIFIED
    assert response.last_modified == LAST_MODIFIED
    assert response.expires is None
    response.expires = None
    assert "Expires" not in response.headers


def test_etags() -> None:
    response = Response("hello")
    assert response.get_etag() == (None, None)
    response.add_etag()
    tag, weak = response.get_etag()
    assert tag == "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d" and weak is False
    response.set_etag("v1", weak=True)
    assert response.headers["ETag"] == 'W/"v1"'
    response.add_etag()  # one is set: kept
    assert response.get_etag() == ("v1", True)
    with pytest.raises(ValueError):
        response.set_etag('a"b')


def test_is_json_content_range_and_allow() -> None:
    assert Response("{}", mimetype="application/json").is_json
    assert Response("{}", mimetype="application/problem+json").is_json
    assert not Response("x").is_json
    response = Response("x")
    assert not response.content_range
    response.content_range = ContentRange("bytes", 0, 5, 10)
    assert response.headers["Content-Range"] == "bytes 0-4/10"
    live = response.content_range
    live.stop = 8
    assert response.headers["Content-Range"] == "bytes 0-7/10"
    response.content_range = None
    assert "Content-Range" not in response.headers


def _conditional_app(app: Tumbler, body: Any = b"hello world") -> None:
    @app.route("/")
    def view() -> Response:
        response = Response(body() if callable(body) else body)
        response.set_etag("abc")
        response.last_modified = LAST_MODIFIED
        return response.make_conditional(request, accept_ranges=True, complete_length=11)


def test_make_conditional_200_sets_date_and_accept_ranges(app: Tumbler, client: TestClient) -> None:
    _conditional_app(app)
    response = client.get("/")
    assert response.status_code == 200
    assert response.data == b"hello world"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert "Date" in response.headers


@pytest.mark.parametrize(
    "headers",
    [
        {"If-None-Match": '"abc"'},
        {"If-None-Match": 'W/"abc", "x"'},
        {"If-Modified-Since": "Wed, 01 Jan 2020 00:00:00 GMT"},
    ],
)
def test_make_conditional_304(app: Tumbler, client: TestClient, headers: dict[str, str]) -> None:
    _conditional_app(app)
    response = client.get("/", headers=headers)
    assert response.status_code == 304
    assert response.data == b""
    assert "Content-Type" not in response.headers
    assert response.headers["ETag"] == '"abc"'


@pytest.mark.parametrize("value", ['"other"', 'W/"abc"'])
def test_make_conditional_412_for_if_match(app: Tumbler, client: TestClient, value: str) -> None:
    _conditional_app(app)
    assert client.get("/", headers={"If-Match": value}).status_code == 412
    assert client.get("/", headers={"If-Match": '"abc"'}).status_code == 200
    assert client.get("/", headers={"If-Match": "*"}).status_code == 200


def test_make_conditional_ignores_other_methods(app: Tumbler, client: TestClient) -> None:
    @app.route("/", methods=["POST"])
    def view() -> Response:
        return Response("x").make_conditional(request)

    response = client.post("/", headers={"If-None-Match": "*"})
    assert response.status_code == 200
    assert "Accept-Ranges" not in response.headers


@pytest.mark.parametrize("streamed", [False, True])
def test_make_conditional_range(app: Tumbler, client: TestClient, streamed: bool) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"hello"
        yield b" world"

    _conditional_app(app, chunks if streamed else b"hello world")
    response = client.get("/", headers={"Range": "bytes=3-7"})
    assert response.status_code == 206
    assert response.data == b"lo wo"
    assert response.headers["Content-Range"] == "bytes 3-7/11"
    assert response.headers["Content-Length"] == "5"
    suffix = client.get("/", headers={"Range": "bytes=-50"})  # longer than the body: all of it
    assert suffix.status_code == 206 and suffix.data == b"hello world"


def test_make_conditional_unsatisfiable_range_is_416(app: Tumbler, client: TestClient) -> None:
    _conditional_app(app)
    response = client.get("/", headers={"Range": "bytes=50-60"})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == "bytes */11"
    assert client.get("/", headers={"Range": "bytes=0-1,4-5"}).status_code == 416


def test_make_conditional_if_range(app: Tumbler, client: TestClient) -> None:
    _conditional_app(app)
    same = client.get("/", headers={"Range": "bytes=0-4", "If-Range": '"abc"'})
    assert (same.status_code, same.data) == (206, b"hello")
    changed = client.get("/", headers={"Range": "bytes=0-4", "If-Range": '"old"'})
    assert (changed.status_code, changed.data) == (200, b"hello world")


def test_make_conditional_takes_an_environ() -> None:
    response = Response("x")
    response.set_etag("e")
    environ = {"REQUEST_METHOD": "GET", "HTTP_IF_NONE_MATCH": '"e"'}
    assert response.make_conditional(environ).status_code == 304


def test_close_and_context_manager_run_on_close_once() -> None:
    closed: list[str] = []

    def body() -> Iterator[bytes]:
        try:
            yield b"x"
        finally:
            closed.append("body")

    stream = body()
    next(stream)
    with Response(stream) as response:
        response.call_on_close(lambda: closed.append("callback"))
    assert closed == ["body", "callback"]
    response.close()
    assert closed == ["body", "callback"]
    assert response.on_close_callbacks == ()


def test_test_response_as_context_manager(app: Tumbler, client: TestClient) -> None:
    app.add_url_rule("/", "v", lambda: "hi")
    with client.get("/") as response:
        assert response.text == "hi"


# Headers: Werkzeug's methods -------------------------------------------------------------------


def test_headers_add_with_options_and_add_header() -> None:
    headers = Headers()
    headers.add("Content-Disposition", "attachment", filename="a b.pdf")
    headers.add_header("X-Flag", "on", secure=True, skipped=None)
    headers.set("Content-Type", "text/plain", charset="utf-8")
    assert headers.items() == [
        ("Content-Disposition", 'attachment; filename="a b.pdf"'),
        ("X-Flag", "on; secure"),
        ("Content-Type", "text/plain; charset=utf-8"),
    ]


def test_headers_setlist_getlist_setlistdefault() -> None:
    headers = Headers([("X-A", "1"), ("Other", "o"), ("x-a", "2")])
    headers.setlist("X-A", ["3", "4"])
    assert headers.getlist("x-a") == ["3", "4"]
    assert headers.items() == [("X-A", "3"), ("Other", "o"), ("X-A", "4")]
    assert headers.setlistdefault("X-New", ["5"]) == ["5"]
    assert headers.setlistdefault("X-New", ["6"]) == ["5"]
    headers.setlist("X-A", [])
    assert "X-A" not in headers
    assert headers.get("x-new", type=int) == 5


def test_headers_index_pop_items_lower_and_extend() -> None:
    headers = Headers([("A", "1"), ("B", "2"), ("C", "3")])
    assert headers[0] == ("A", "1")
    assert list(headers[1:]) == [("B", "2"), ("C", "3")]
    assert headers.pop() == ("C", "3")
    assert headers.pop(0) == ("A", "1")
    assert headers.popitem() == ("B", "2")
    headers.extend({"X": ["1", "2"]}, Y="3")
    headers.extend(MultiDict([("Z", "1"), ("Z", "2")]))
    assert headers.items(lower=True) == [("x", "1"), ("x", "2"), ("y", "3"), ("z", "1"), ("z", "2")]
    assert headers.keys(lower=True) == ["x", "x", "y", "z", "z"]
    headers.update(X="9")
    assert headers.getlist("X") == ["9"]
    assert ("y", "3") in headers.items(lower=True)
    assert "Y" in headers and "y" in headers
    assert headers.to_wsgi_list()[0] == ("Y", "3")
    del headers[0]
    assert headers.keys() == ["Z", "Z", "X"]


def test_headers_and_multidict_passed_as_response_headers(app: Tumbler, client: TestClient) -> None:
    app.add_url_rule("/md", "md", lambda: ("x", 200, MultiDict([("X-A", "1"), ("X-A", "2")])))
    app.add_url_rule("/h", "h", lambda: ("x", Headers([("X-B", "1")])))
    assert client.get("/md").headers.getlist("X-A") == ["1", "2"]
    assert client.get("/h").headers["X-B"] == "1"


def test_more_header_properties(app: Tumbler, client: TestClient) -> None:
    from datetime import timedelta

    @app.route("/")
    def view() -> Response:
        response = Response("x")
        response.content_encoding = "identity"
        response.content_location = "/doc.en"
        response.content_language = ["en", "fr"]
        response.content_language.add("EN")  # already there
        response.age = timedelta(seconds=30)
        response.retry_after = 120
        return response

    headers = client.get("/").headers
    assert headers["Content-Encoding"] == "identity"
    assert headers["Content-Location"] == "/doc.en"
    assert headers["Content-Language"] == "en, fr"
    assert headers["Age"] == "30"
    assert headers["Retry-After"] == "120"
    response = Response("x")
    response.retry_after = LAST_MODIFIED
    assert response.headers["Retry-After"] == "Wed, 01 Jan 2020 00:00:00 GMT"
    assert response.retry_after == LAST_MODIFIED
    response.retry_after = 5
    assert isinstance(response.retry_after, datetime)
    response.age = None
    assert response.age is None and "Age" not in response.headers
    response.headers["Age"] = "7"
    assert response.age == timedelta(seconds=7)
