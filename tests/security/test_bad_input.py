"""Rule 1: bad input gets a 4xx that names the problem, never a 500 or an escaped exception."""

from __future__ import annotations

import os
from typing import Any

import pytest
from tests.security.conftest import Caller, Raw

from tumbler import Tumbler, request, send_from_directory, session

MARK = "<script>x</script>"


@pytest.fixture
def app(tmp_path: Any) -> Tumbler:
    """An app whose views read every kind of input."""
    app = Tumbler(__name__)
    app.secret_key = "k" * 32
    (tmp_path / "file.txt").write_bytes(b"0123456789")
    folder = str(tmp_path)

    @app.route("/", methods=["GET", "POST"])
    def index() -> Any:
        return {
            "args": len(request.args),
            "cookies": len(request.cookies),
            "session": len(session),
            "path": request.path,
        }

    @app.route("/url")
    def url() -> str:
        return request.url

    @app.post("/form")
    def form() -> Any:
        return {"n": len(request.form), "files": len(request.files)}

    @app.post("/json")
    def json_view() -> Any:
        return {"type": type(request.get_json()).__name__}

    @app.route("/file")
    def file() -> Any:
        return send_from_directory(folder, "file.txt")

    @app.route("/p/<path:rest>")
    def catch(rest: str) -> str:
        return f"{len(rest)}"

    return app


def _assert_4xx(result: Any, code: int, *words: str) -> None:
    assert result.status == code, (result.status, result.body[:300])
    for word in words:
        assert word.lower() in result.text.lower(), result.text
    assert MARK not in result.text


# Cookies ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cookie",
    [
        b"garbage",
        b";;;===;;",
        b'a="unterminated',
        b'a="\\',
        b'a="\\777\\400"',
        b"\xff\xfe=\xc3\x28",
        b"session=" + b"x" * 100_000,
        b"session=.eJw.bad.sig",
        b"; ".join(b"c%d=%d" % (i, i) for i in range(5000)),
        MARK.encode() + b"=" + MARK.encode(),
        b"a=\x00\x01\x7f",
    ],
)
def test_cookies_never_fail(app: Tumbler, send: Caller, cookie: bytes) -> None:
    """Garbage, huge and many cookies are read without an error."""
    result = send(app, Raw(headers=[(b"cookie", cookie)]))
    assert result.status == 200, result.body[:200]
    assert result.header("Content-Type") == "application/json"


# Query strings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [b"a=%zz&b=%", b"%", b"a=%e9", b"a=\xff\xfe", b"\xc3\x28=1", b"a=%00&%00=b", b"&&&=&=="],
)
def test_odd_queries_are_read(app: Tumbler, send: Caller, query: bytes) -> None:
    """Invalid escapes and bytes that are not UTF-8 decode with replacement, never fail."""
    assert send(app, Raw(query=query)).status == 200


def test_too_many_query_params(app: Tumbler, send: Caller) -> None:
    """10,000 parameters pass ``Request.max_query_params``: 400 that says so."""
    query = b"&".join(b"k%d=v" % i for i in range(10_000))
    _assert_4xx(send(app, Raw(query=query)), 400, "too many")


# Bodies ---------------------------------------------------------------------------------------


def _post(path: bytes, body: bytes, content_type: bytes) -> Raw:
    return Raw(
        "POST",
        path,
        headers=[(b"content-type", content_type), (b"content-length", str(len(body)).encode())],
        body=body,
    )


@pytest.mark.parametrize(
    "body",
    [b"{", b"[1,]", b'{"a": NaN', b"\xff\xfe", MARK.encode(), b"", b'"\\ud800"x'],
)
def test_invalid_json(app: Tumbler, send_body: Caller, body: bytes) -> None:
    """Malformed JSON is a 400 naming JSON, with no input reflected."""
    _assert_4xx(send_body(app, _post(b"/json", body, b"application/json")), 400, "json")


@pytest.mark.parametrize("opener", [b"[", b'{"a":'])
def test_deep_json(app: Tumbler, send: Caller, opener: bytes) -> None:
    """100,000 levels of nesting: a 400 naming the depth limit, not a RecursionError 500."""
    body = opener * 100_000
    _assert_4xx(send(app, _post(b"/json", body, b"application/json")), 400, "nest")


def test_json_depth_limit_is_configurable(app: Tumbler, send: Caller) -> None:
    """``MAX_JSON_DEPTH`` allows exactly that depth; one more is refused."""
    app.config["MAX_JSON_DEPTH"] = 5
    ok = b"[" * 5 + b"]" * 5
    assert send(app, _post(b"/json", ok, b"application/json")).status == 200
    deep = b"[" * 6 + b"]" * 6
    _assert_4xx(send(app, _post(b"/json", deep, b"application/json")), 400, "nest")
    strings = b'["[[[[[[[[[[", {"{{{{{{{{": "]]]]"}]'
    assert send(app, _post(b"/json", strings, b"application/json")).status == 200


def test_json_wrong_media_type(app: Tumbler, send: Caller) -> None:
    """JSON sent as text/plain is a 415 naming the expected type."""
    _assert_4xx(send(app, _post(b"/json", b"{}", b"text/plain")), 415, "application/json")


@pytest.mark.parametrize(
    "body",
    [b"a=%zz", b"%", b"a=\xff", b"=&=&", b"a" * 1000, b"a=1&" * 999 + b"a=1"],
)
def test_odd_urlencoded_bodies(app: Tumbler, send_body: Caller, body: bytes) -> None:
    """Odd urlencoded bodies parse, with replacement for invalid bytes."""
    raw = _post(b"/form", body, b"application/x-www-form-urlencoded")
    assert send_body(app, raw).status == 200


def test_too_many_form_fields(app: Tumbler, send_body: Caller) -> None:
    """More fields than ``MAX_FORM_PARTS``: 400."""
    raw = _post(b"/form", b"a=1&" * 2000, b"application/x-www-form-urlencoded")
    _assert_4xx(send_body(app, raw), 400, "too many")


def test_form_over_memory_limit(app: Tumbler, send: Caller) -> None:
    """A urlencoded body over ``MAX_FORM_MEMORY_SIZE``: 413."""
    app.config["MAX_FORM_MEMORY_SIZE"] = 1000
    raw = _post(b"/form", b"a=" + b"x" * 2000, b"application/x-www-form-urlencoded")
    _assert_4xx(send(app, raw), 413)


@pytest.mark.parametrize(
    "content_type",
    [
        b"multipart/form-data",
        b"multipart/form-data; boundary=",
        b'multipart/form-data; boundary="' + b"b" * 300 + b'"',
        b"multipart/form-data; boundary=\x00",
        b"multipart/form-data; boundary=abc",
    ],
)
def test_bad_multipart(app: Tumbler, send_body: Caller, content_type: bytes) -> None:
    """A missing, empty, overlong or mismatched boundary: 400."""
    raw = _post(b"/form", b"--xyz\r\nnot a part\r\n--xyz--\r\n", content_type)
    result = send_body(app, raw)
    assert result.status == 400, result.text


# Headers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "length", [b"-1", b"abc", b"1e3", b" ", b"+5", b"0x10", b"\xff", b"9" * 40]
)
def test_invalid_content_length(app: Tumbler, send: Caller, length: bytes) -> None:
    """A Content-Length that is not a plain decimal number: 400."""
    raw = Raw("POST", b"/form", headers=[(b"content-length", length)], body=b"a=1")
    raw.headers.append((b"content-type", b"application/x-www-form-urlencoded"))
    _assert_4xx(send(app, raw), 400, "content-length")


def test_two_content_lengths(app: Tumbler, send: Caller) -> None:
    """Two different Content-Length values: 400 (a smuggling attempt or a broken client)."""
    raw = Raw(
        "POST",
        b"/form",
        headers=[(b"content-length", b"3"), (b"content-length", b"5")],
        body=b"a=1bb",
    )
    _assert_4xx(send(app, raw), 400, "content-length")


def test_repeated_equal_content_length(app: Tumbler, send: Caller) -> None:
    """The same Content-Length twice is allowed (RFC 9110 §8.6)."""
    raw = Raw(
        "POST",
        b"/form",
        headers=[
            (b"content-length", b"3"),
            (b"content-length", b"3"),
            (b"content-type", b"application/x-www-form-urlencoded"),
        ],
        body=b"a=1",
    )
    assert send(app, raw).status == 200


@pytest.mark.parametrize(
    "value", [b"\xff\xfe\xfd", "é".encode(), b"\x01\x7f", b"\xe2\x80\xa8", MARK.encode()]
)
def test_odd_header_bytes(app: Tumbler, send: Caller, value: bytes) -> None:
    """Non-ASCII and control bytes in headers that the app reads never fail."""
    headers = [
        (b"accept", value),
        (b"accept-language", value),
        (b"user-agent", value),
        (b"x-custom", value),
        (b"cookie", b"a=" + value),
    ]
    assert send(app, Raw(headers=headers)).status == 200


# Paths -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [b"/%00", b"/p/%00x", b"/p/%ff%fe", b"/p/\xc3\x28", b"/p/" + b"a" * 100_000, b"/%2e%2e/x"],
)
def test_odd_paths(app: Tumbler, send: Caller, path: bytes) -> None:
    """NUL, invalid UTF-8 and overlong paths are routed (or 404), never a 500."""
    result = send(app, Raw(path=path))
    assert result.status in (200, 404), result.text[:300]
    assert MARK not in result.text


def test_path_not_reflected_in_404(app: Tumbler, send: Caller) -> None:
    """The 404 page does not echo the path."""
    result = send(app, Raw(path=b"/" + MARK.encode()))
    assert result.status == 404
    assert MARK not in result.text


# Ranges ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        b"garbage",
        b"bytes=",
        b"bytes=a-b",
        b"bytes=5-1",
        b"bytes=" + b"9" * 5000 + b"-",
        b"bytes=" + b",".join(b"%d-%d" % (i, i) for i in range(5000)),
        b"items=0-1",
    ],
)
def test_odd_ranges_serve_the_whole_file(app: Tumbler, send: Caller, value: bytes) -> None:
    """Invalid, foreign-unit and multi-range headers are ignored: 200 with the whole file."""
    result = send(app, Raw(path=b"/file", headers=[(b"range", value)]))
    assert result.status == 200
    assert result.body == b"0123456789"


def test_unsatisfiable_range(app: Tumbler, send: Caller) -> None:
    """A range past the end: 416 with ``Content-Range: bytes */size``."""
    result = send(app, Raw(path=b"/file", headers=[(b"range", b"bytes=100-200")]))
    assert result.status == 416
    assert result.header("Content-Range") == "bytes */10"


def test_good_range(app: Tumbler, send: Caller) -> None:
    """A valid range is a 206 (the control for the tests above)."""
    result = send(app, Raw(path=b"/file", headers=[(b"range", b"bytes=2-4")]))
    assert result.status == 206
    assert result.body == b"234"


def test_url_with_odd_host_is_a_400(app: Tumbler, send: Caller) -> None:
    """A Host with characters no host has never lands in ``request.url``."""
    for host in (b"a b", b"evil.com/x", b"u@evil.com", b"a\x00b", b"a\\b", b"<x>"):
        result = send(app, Raw(path=b"/url", host=host))
        _assert_4xx(result, 400, "host")


def test_fd_count_is_stable(app: Tumbler, send: Caller) -> None:
    """Bad requests do not leak file descriptors."""
    send(app, Raw(path=b"/file"))
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(20):
        send(app, Raw(path=b"/file", headers=[(b"range", b"bytes=100-")]))
        send(app, _post(b"/json", b"[" * 1000, b"application/json"))
    assert len(os.listdir("/proc/self/fd")) <= before
