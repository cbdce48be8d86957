"""Rules 4 and 5: nothing is injected into headers, cookies or Location; nothing outside a
served folder is served."""

from __future__ import annotations

from typing import Any

import pytest
from tests.security.conftest import Caller, Raw

from tumbler import Response, Tumbler, redirect, request, send_from_directory
from tumbler.files import safe_join
from tumbler.http.cookies import dump_cookie

BAD = ["\r", "\n", "\0", "\r\nSet-Cookie: evil=1", "\u2028", "\x85", "\x0b"]


@pytest.mark.parametrize("bad", ["\r", "\n", "\0", "\r\nX-Evil: 1"])
def test_header_values_and_names_refuse_crlf_nul(bad: str) -> None:
    """Setting a header with CR, LF or NUL in its name or value raises ValueError."""
    response = Response()
    with pytest.raises(ValueError):
        response.headers["X-A"] = f"a{bad}b"
    with pytest.raises(ValueError):
        response.headers.add(f"X{bad}A", "b")
    with pytest.raises(ValueError):
        response.headers.set("X-A", f"a{bad}".encode("latin-1") if bad != "\0" else b"a\0")


@pytest.mark.parametrize("bad", ["\r\n", "\0", "a\nb"])
def test_redirect_refuses_crlf(bad: str) -> None:
    """``redirect()`` to a location with CR, LF or NUL raises before a response exists."""
    with pytest.raises(ValueError):
        redirect(f"/x{bad}Set-Cookie: a=b")


@pytest.mark.parametrize(
    "field",
    ["key", "path", "domain", "samesite", "expires"],
)
@pytest.mark.parametrize("bad", ["a;b", "a\r\nb", "a\0b", "a\nSet-Cookie: x=1", "a\x7fb"])
def test_cookie_attributes_cannot_be_smuggled(field: str, bad: str) -> None:
    """Name, path, domain, samesite and expires with ``;`` or controls raise ValueError."""
    kwargs: dict[str, Any] = {"key": "k", field: bad}
    with pytest.raises(ValueError):
        dump_cookie(**kwargs)


@pytest.mark.parametrize("value", ['"; Domain=evil.com', "a;b", "a\r\nb", "\0", "é; x", "a,b c"])
def test_cookie_values_are_quoted(value: str) -> None:
    """A value with separators or controls comes out as one printable, quoted value."""
    header = dump_cookie("k", value)
    assert header.startswith('k="')
    first = header.split("; ")[0]
    assert first.isascii() and first.isprintable()
    assert header.count(";") == 1 and header.endswith("; Path=/")


@pytest.fixture
def app(tmp_path: Any) -> Tumbler:
    """An app with strict-slash routes and a served folder next to a secret file."""
    app = Tumbler(__name__)
    root = tmp_path / "public"
    root.mkdir()
    (root / "ok.txt").write_text("ok")
    (tmp_path / "secret.txt").write_text("secret")
    (root / "link").symlink_to(tmp_path / "secret.txt")
    (root / "dirlink").symlink_to(tmp_path)
    folder = str(root)

    @app.route("/dir/")
    def directory() -> str:
        return "dir"

    @app.route("/p/<path:rest>/")
    def nested(rest: str) -> str:
        return rest

    @app.route("/files/<path:name>")
    def files(name: str) -> Any:
        return send_from_directory(folder, name)

    @app.route("/go")
    def go() -> Any:
        return redirect(request.args["to"])

    return app


@pytest.mark.parametrize(
    "path",
    [
        b"//evil.com/dir",
        b"/p//evil.com",
        b"/p/%2F%2Fevil.com",
        b"/p/%5Cevil.com",
        b"/p/\\evil.com",
        b"/p/%2F%5Cevil.com",
    ],
)
def test_strict_slash_redirect_stays_on_host(app: Tumbler, send: Caller, path: bytes) -> None:
    """The added-slash redirect never starts with ``//`` or ``/\\``."""
    result = send(app, Raw(path=path))
    if result.status in (301, 308):
        location = result.header("Location") or ""
        assert location.startswith("/"), location
        assert not location.startswith(("//", "/\\")), location
        assert "evil.com" not in location.split("/")[0:3][-1] or location.count("/") >= 2


@pytest.mark.parametrize("root", ["//evil.com", "/\\evil.com"])
def test_strict_slash_redirect_with_odd_root(app: Tumbler, send: Caller, root: str) -> None:
    """Even a SCRIPT_NAME / root_path of ``//evil.com`` cannot make the Location leave."""
    result = send(app, Raw(path=b"/dir", root_path=root))
    assert result.status in (301, 308)
    location = result.header("Location") or ""
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location


def test_strict_slash_redirect_query_is_clean(app: Tumbler, send: Caller) -> None:
    """A query with raw CR/LF bytes (invalid, but a raw scope can carry them) is a 4xx/3xx
    with no injected header, never a 500."""
    result = send(app, Raw(path=b"/dir", query=b"a=1\r\nSet-Cookie:x=1"))
    assert result.status < 500
    assert result.header("Set-Cookie") is None


@pytest.mark.parametrize("path", [b"/p/a%0D%0ASet-Cookie:%20x=1", b"/p/%00", b"/p/\xff%e9 x"])
def test_strict_slash_redirect_path_is_clean(app: Tumbler, send: Caller, path: bytes) -> None:
    """Decoded CR/LF, NUL and odd bytes in the path never reach the Location raw."""
    result = send(app, Raw(path=path))
    assert result.status in (308, 404), result.status
    assert result.header("Set-Cookie") is None


@pytest.mark.parametrize(
    ("target", "location"),
    [
        (b"%2F%2Fevil.com", "/evil.com"),
        (b"%2F%5Cevil.com", "/evil.com"),
        (b"%5C%5Cevil.com%2Fx", "/evil.com/x"),
        (b"%2F%2F%2Fevil.com", "/evil.com"),
        (b"%2Flocal%2Fpage", "/local/page"),
        (b"https%3A%2F%2Fexample.org%2F", "https://example.org/"),
    ],
)
def test_redirect_never_leaves_the_host_by_accident(
    app: Tumbler, send: Caller, target: bytes, location: str
) -> None:
    """A scheme-relative Location (``//x``, ``/\\x``) becomes a path on this host; an
    absolute URL is the app's explicit choice and is sent as given."""
    result = send(app, Raw(path=b"/go", query=b"to=" + target))
    assert result.status == 302
    assert result.header("Location") == location


def test_redirect_refuses_header_injection(app: Tumbler, send: Caller) -> None:
    """CR/LF in a redirect target is the app's bug: a 500, and no header is sent."""
    result = send(app, Raw(path=b"/go", query=b"to=%2Fx%0D%0ASet-Cookie:%20a=b"))
    assert result.status == 500  # ValueError in the view: the app's bug, no header is sent
    assert result.header("Set-Cookie") is None


# Files ----------------------------------------------------------------------------------------


TRAVERSALS = [
    b"../secret.txt",
    b"..%2Fsecret.txt",
    b"%2e%2e/secret.txt",
    b"%2E%2E%2Fsecret.txt",
    b"..%5Csecret.txt",
    b"..\\secret.txt",
    b"sub/../../secret.txt",
    b"%2Fetc%2Fpasswd",
    b"/etc/passwd",
    b"ok.txt%00.png",
    b"link",
    b"dirlink/secret.txt",
    b"C:secret.txt",
    b"C:%5Csecret.txt",
    b"%5C%5Cserver%5Cshare",
    b"//server/share",
    b".",
    b"",
    b"missing.txt",
]


@pytest.mark.parametrize("name", TRAVERSALS)
def test_nothing_outside_the_root(app: Tumbler, send: Caller, name: bytes) -> None:
    """Every spelling of leaving the folder is a 404 identical to a missing file."""
    missing = send(app, Raw(path=b"/files/missing.txt"))
    result = send(app, Raw(path=b"/files/" + name))
    if result.status == 308:  # "//" merged into "/" by the router: follow it, on this host
        location = result.header("Location") or ""
        assert location.startswith("/files/") and "//" not in location
        result = send(app, Raw(path=location.encode()))
    assert result.status == 404
    assert result.body == missing.body
    assert b"secret" not in result.body
    assert send(app, Raw(path=b"/files/ok.txt")).body == b"ok"


@pytest.mark.parametrize(
    "name",
    ["CON", "con.txt", "NUL", "aux.tar.gz", "COM1", "lpt9.log", "PRN ", "a/CON/b"],
)
def test_windows_device_names(tmp_path: Any, name: str) -> None:
    """Device names are refused on every OS."""
    assert safe_join(str(tmp_path), name) is None


@pytest.mark.parametrize("name", ["C:/x", "c:x", "\\\\srv\\share", "a\\..\\b", "/abs", "a\0b"])
def test_drive_and_unc_paths(tmp_path: Any, name: str) -> None:
    """Drive letters, UNC paths, backslashes, absolute paths and NUL are refused everywhere."""
    assert safe_join(str(tmp_path), name) is None
