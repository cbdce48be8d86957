"""Issue 14, hosts, URLs and headers: what a raw request or a response header can carry.

Raw environs and scopes throughout (``send`` runs each test over WSGI and ASGI): a test
client would add the leading ``/``, upper-case the method and drop odd header names, which
is exactly what these rules are about.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from tests.security.conftest import Caller, Raw, call_asgi

from tumbler import Response, Tumbler, redirect, request, url_for


@pytest.fixture
def app() -> Tumbler:
    """An app that reports the URLs it builds, its host, cookies and environ view."""
    app = Tumbler(__name__)

    @app.route("/")
    @app.route("/<path:rest>")
    def urls(rest: str = "") -> Any:
        return {
            "url": request.url,
            "base_url": request.base_url,
            "host_url": request.host_url,
            "root_url": request.root_url,
            "url_root": getattr(request, "url_root", request.root_url),
            "external": url_for("urls", rest="x", _external=True),
            "path": request.path,
        }

    @app.get("/host")
    def host() -> Any:
        return {"host": request.host}

    @app.get("/cookies")
    def cookies() -> Any:
        return dict(request.cookies)

    @app.get("/environ")
    def environ() -> Any:
        return {k: v for k, v in request.environ.items() if k.isupper() and isinstance(v, str)}

    return app


# The host in every built URL is the validated host ----------------------------------------------

NO_SLASH_PATHS = [b"@evil.com", b"@evil.com/x", b"evil.com", b":80@evil.com", b"?@evil.com"]


@pytest.mark.parametrize("path", NO_SLASH_PATHS)
def test_path_without_slash_never_moves_the_host(app: Tumbler, send: Caller, path: bytes) -> None:
    """A raw path not starting with ``/`` is not glued to the host in any built URL."""
    result = send(app, Raw(path=path))
    assert result.status == 200, result.text
    data = json.loads(result.body)
    assert data.pop("path").startswith("/")
    for name, url in data.items():
        assert urlsplit(url).hostname == "localhost", (name, url)
        assert url.startswith("http://localhost/"), (name, url)


@pytest.mark.parametrize("root", ["@evil.com", "@evil.com/app", "evil.com"])
def test_root_without_slash_never_moves_the_host(app: Tumbler, send: Caller, root: str) -> None:
    """A SCRIPT_NAME / root_path not starting with ``/`` cannot move the host either."""
    result = send(app, Raw(path=b"/a", root_path=root))
    assert result.status == 200, result.text
    data = json.loads(result.body)
    del data["path"]
    for name, url in data.items():
        assert urlsplit(url).hostname == "localhost", (name, url)
        assert url.startswith("http://localhost/"), (name, url)


# Host validation --------------------------------------------------------------------------------

GOOD_HOSTS = [
    b"localhost",
    b"example.com",
    b"example.com.",
    b"a-b.example:8080",
    b"web_1",
    b"xn--caf-dma.example",
    b"127.0.0.1:5000",
    b"[::1]",
    b"[::1]:8000",
    b"[2001:db8::ffff:1.2.3.4]",
    b"example.com:",
]
BAD_HOSTS = [
    b"a,b",
    b"a.example,b.example",
    b"a;b",
    b"a&b",
    b"a!b",
    b"a$b",
    b"a'b",
    b"a(b)",
    b"a*b",
    b"a+b",
    b"a=b",
    b"a%20b",
    b"a~b",
    b"a..b",
    b".a",
    b"a:b",
    b"a:123456",
    b"::1",
    b"[::1",
    b"[abc]",
    b"a" * 64 + b".example",
    b"a." * 200,
]


@pytest.mark.parametrize("host", GOOD_HOSTS)
def test_valid_hosts_pass(app: Tumbler, send: Caller, host: bytes) -> None:
    """DNS labels, IPv4, bracketed IPv6 and an optional port are hosts."""
    result = send(app, Raw(path=b"/host", host=host))
    assert result.status == 200, result.text
    assert json.loads(result.body) == {"host": host.decode()}


@pytest.mark.parametrize("host", BAD_HOSTS)
def test_invalid_hosts_are_400(app: Tumbler, send: Caller, host: bytes) -> None:
    """Sub-delimiters (the comma joining two Host headers too), ``%`` and bad ports: 400."""
    result = send(app, Raw(path=b"/host", host=host))
    assert result.status == 400
    assert host not in result.body


def test_two_host_headers_are_400(app: Tumbler, send: Caller) -> None:
    """Two Host headers (joined with a comma by the server or the adapter): 400."""
    raw = Raw(path=b"/host", host=b"good.example", headers=[(b"host", b"evil.example")])
    assert send(app, raw).status == 400


# The ASGI environ view ----------------------------------------------------------------------------


def test_asgi_environ_drops_underscore_headers(app: Tumbler) -> None:
    """``X_Forwarded_For`` cannot pose as ``X-Forwarded-For``, nor ``Content_Type`` as the
    real Content-Type, in the environ built from an ASGI scope (gunicorn drops them too)."""
    raw = Raw(
        path=b"/environ",
        headers=[
            (b"x_forwarded_for", b"6.6.6.6"),
            (b"content_type", b"text/evil"),
            (b"content_length", b"666"),
            (b"x-real-header", b"kept"),
        ],
    )
    result = call_asgi(app.asgi_app, raw.scope())
    environ = json.loads(result.body)
    assert "HTTP_X_FORWARDED_FOR" not in environ
    assert "CONTENT_TYPE" not in environ and "HTTP_CONTENT_TYPE" not in environ
    assert "CONTENT_LENGTH" not in environ
    assert "6.6.6.6" not in result.text and "evil" not in result.text
    assert environ["HTTP_X_REAL_HEADER"] == "kept"


def test_asgi_environ_keeps_dash_headers(app: Tumbler) -> None:
    """The ordinary spelling still maps to its environ key."""
    raw = Raw(path=b"/environ", headers=[(b"x-forwarded-for", b"1.2.3.4")])
    environ = json.loads(call_asgi(app.asgi_app, raw.scope()).body)
    assert environ["HTTP_X_FORWARDED_FOR"] == "1.2.3.4"


# Methods are case-sensitive ---------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "Get", "gET", "post"])
def test_methods_are_case_sensitive(send: Caller, method: str) -> None:
    """``get`` is not ``GET`` (RFC 9110 §9.1): 405, and the view never runs."""
    app = Tumbler(__name__)
    calls: list[str] = []

    @app.route("/m", methods=["GET", "POST"])
    def view() -> str:
        calls.append(request.method)
        return "ran"

    result = send(app, Raw(method=method, path=b"/m"))
    assert result.status == 405
    assert calls == []
    assert send(app, Raw(method=method.upper(), path=b"/m")).status == 200


def test_method_is_kept_as_sent(send: Caller) -> None:
    """An extension method is seen exactly as the client sent it."""
    app = Tumbler(__name__)
    seen: list[str] = []

    @app.before_request
    def record() -> str:
        seen.append(request.method)
        return "seen"

    send(app, Raw(method="purge", path=b"/"))
    send(app, Raw(method="PURGE", path=b"/"))
    assert seen == ["purge", "PURGE"]


# Response header names are tokens -------------------------------------------------------------

BAD_NAMES = ["", "X A", "X:A", "X-A:", " X", "X\tA", "X\x01A", "X\x7fA", "Xé", "(a)", "a/b", "a@b"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_header_names_must_be_tokens(name: str) -> None:
    """Every way of setting a header refuses a name that is not an RFC 9110 token."""
    response = Response()
    with pytest.raises(ValueError, match="token"):
        response.headers.add(name, "v")
    with pytest.raises(ValueError, match="token"):
        response.headers.set(name, "v")
    with pytest.raises(ValueError, match="token"):
        response.headers[name] = "v"
    with pytest.raises(ValueError, match="token"):
        response.headers.setdefault(name, "v")
    with pytest.raises(ValueError, match="token"):
        response.headers.extend({name: "v"})
    with pytest.raises(ValueError, match="token"):
        Response("x", headers=[(name, "v")])


@pytest.mark.parametrize("name", ["X-Custom", "x_under", "!#$%&'*+-.^_`|~09Az"])
def test_token_header_names_pass(name: str) -> None:
    """Every token character is allowed."""
    response = Response()
    response.headers[name] = "v"
    assert response.headers[name] == "v"


@pytest.mark.parametrize("name", ["X A", "X:A", ""])
def test_view_header_with_bad_name_is_a_500(send: Caller, name: str) -> None:
    """A view returning a header with a bad name is the app's bug: 500, the name never sent."""
    app = Tumbler(__name__)

    @app.get("/")
    def view() -> Any:
        return "x", 200, {name: "v", "X-Good": "1"}

    result = send(app, Raw())
    assert result.status == 500
    assert result.header("X-Good") is None


# Location is a valid URI reference ---------------------------------------------------------------

ODD = '/a b"<>\\^`{|}é\x01\x7f\t?q=ü#f'
ENCODED = "/a%20b%22%3C%3E%5C%5E%60%7B%7C%7D%C3%A9%01%7F%09?q=%C3%BC#f"
URI_CHARS = set(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%"
)


@pytest.mark.parametrize("how", ["redirect", "property", "header", "tuple", "add"])
def test_location_is_a_uri_reference(send: Caller, how: str) -> None:
    """Every character outside the URI set is percent-encoded, however Location is set."""
    app = Tumbler(__name__)

    @app.get("/")
    def view() -> Any:
        if how == "redirect":
            return redirect(ODD)
        if how == "tuple":
            return "", 302, {"Location": ODD}
        response = Response("", status=302)
        if how == "property":
            response.location = ODD
        elif how == "header":
            response.headers["location"] = ODD
        else:
            response.headers.add("LOCATION", ODD)
        return response

    result = send(app, Raw())
    assert result.status == 302
    location = result.header("Location")
    assert location == ENCODED
    assert set(location) <= URI_CHARS


@pytest.mark.parametrize(
    "location",
    ["/a%20b?x=%41&y=[1]#frag", "https://user@[::1]:8080/p;x=1?a=b&c=d", "mailto:a@b.example"],
)
def test_valid_location_is_unchanged(location: str) -> None:
    """A Location that is already a URI (escapes, delimiters, brackets) is sent as given."""
    response = Response()
    response.location = location
    assert response.location == location
    assert redirect(location).location == location


def test_other_headers_are_not_encoded() -> None:
    """Only Location is a URI: other values keep their spaces and quotes."""
    response = Response()
    response.headers["X-Note"] = 'a "b" <c>'
    response.headers["Content-Location"] = "/x"
    assert response.headers["X-Note"] == 'a "b" <c>'


# Cookies decode like query strings --------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (b"a=caf\xe9", {"a": "caf\ufffd"}),
        (b"a=caf\xe9; b=\xff\xfe", {"a": "caf\ufffd", "b": "\ufffd\ufffd"}),
        (b"n\xe9=1; ok=caf\xc3\xa9", {"n\ufffd": "1", "ok": "café"}),
        (b'a="caf\xe9"; b="\\351"', {"a": "caf\ufffd", "b": "\ufffd"}),
    ],
)
def test_cookie_bytes_not_utf8_are_replaced(
    app: Tumbler, send: Caller, header: bytes, expected: dict[str, str]
) -> None:
    """Bytes that are not UTF-8 become U+FFFD, never the Latin-1 character of that byte."""
    result = send(app, Raw(path=b"/cookies", headers=[(b"cookie", header)]))
    assert result.status == 200
    assert json.loads(result.body) == expected
