"""Rules 6 and 7: sessions fail closed; hosts are checked; forwarded headers need a ProxyFix."""

from __future__ import annotations

import json
import time
import zlib
from typing import Any

import pytest
from itsdangerous import URLSafeTimedSerializer
from tests.security.conftest import Caller, Raw, call_asgi, call_wsgi

from tumbler import Tumbler, request, session, url_for
from tumbler.proxy_fix import ProxyFix, ProxyFixASGI
from tumbler.sessions import SecureCookieSessionInterface

KEY = "current-key-" + "x" * 20


@pytest.fixture
def app() -> Tumbler:
    """An app with a session and views that read it in different ways."""
    app = Tumbler(__name__)
    app.secret_key = KEY

    @app.route("/get")
    def get() -> Any:
        return {"session": dict(session.items())}

    @app.route("/set")
    def set_() -> str:
        session["user"] = "alice"
        return "set"

    @app.route("/contains")
    def contains() -> str:
        return str("user" in session)

    @app.route("/len")
    def length() -> str:
        return str(len(session))

    @app.route("/iter")
    def iterate() -> str:
        return ",".join(session)

    @app.route("/untouched")
    def untouched() -> str:
        return "no session"

    @app.route("/url")
    def url() -> Any:
        return {"url": request.url, "ext": url_for("url", _external=True)}

    @app.route("/who")
    def who() -> Any:
        return {
            "addr": request.remote_addr,
            "scheme": request.scheme,
            "host": request.host,
            "root": request.root_path,
        }

    return app


def _cookie(value: str) -> list[tuple[bytes, bytes]]:
    return [(b"cookie", b"session=" + value.encode())]


def _signed(payload: Any, key: str = KEY) -> str:
    interface = SecureCookieSessionInterface()
    serializer = URLSafeTimedSerializer(
        key,
        salt=interface.salt,
        serializer=interface.serializer,
        signer_kwargs={"key_derivation": "hmac", "digest_method": interface.digest_method},
    )
    return str(serializer.dumps(payload))


def _session_of(result: Any) -> Any:
    return json.loads(result.body)["session"]


def test_valid_cookie_round_trips(app: Tumbler, send: Caller) -> None:
    """The control: a cookie signed with the key loads."""
    result = send(app, Raw(path=b"/get", headers=_cookie(_signed({"user": "bob"}))))
    assert _session_of(result) == {"user": "bob"}


@pytest.mark.parametrize(
    "mangle",
    [
        lambda v: v[:-1],
        lambda v: v[:10],
        lambda v: v + "x",
        lambda v: "." + v,
        lambda v: v.replace(".", "!", 1),
        lambda v: "garbage",
        lambda v: "",
        lambda v: "a.b.c",
        lambda v: "." * 50,
        lambda v: v[::-1],
    ],
)
def test_tampered_cookie_gives_empty_session(app: Tumbler, send: Caller, mangle: Any) -> None:
    """Tampered, truncated or garbage cookies: an empty session, never an error."""
    value = mangle(_signed({"user": "bob"}))
    result = send(app, Raw(path=b"/get", headers=_cookie(value)))
    assert result.status == 200
    assert _session_of(result) == {}


def test_other_key_is_never_decompressed(
    app: Tumbler, send: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A zip bomb signed with another key is refused before zlib or json sees it."""
    bomb = {"x": "0" * 5_000_000}  # compresses to a few KB; itsdangerous zlib-compresses it
    value = _signed(bomb, key="attacker-key-" + "y" * 20)
    assert value.startswith(".")  # the compressed form

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("decoded a payload whose signature was not checked")

    monkeypatch.setattr(zlib, "decompress", fail)
    monkeypatch.setattr(json, "loads", fail)
    result = send(app, Raw(path=b"/untouched", headers=_cookie(value)))
    monkeypatch.undo()
    assert result.status == 200
    result = send(app, Raw(path=b"/get", headers=_cookie(_signed({"a": 1}, key="other"))))
    assert _session_of(result) == {}


def test_open_session_checks_signature_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same, directly on the interface (the session is read eagerly here)."""
    app = Tumbler(__name__)
    app.secret_key = KEY
    value = _signed({"x": "0" * 1_000_000}, key="attacker-key-" + "y" * 20)

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("decoded before the signature was checked")

    with app.test_request_context("/", headers={"Cookie": f"session={value}"}) as ctx:
        monkeypatch.setattr(zlib, "decompress", fail)
        monkeypatch.setattr(json, "loads", fail)
        opened = app.session_interface.open_session(app, ctx.request)
        monkeypatch.undo()
    assert opened is not None and dict(opened) == {}


def test_expiry_comes_from_the_signed_timestamp(
    app: Tumbler, send: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cookie older than PERMANENT_SESSION_LIFETIME is empty, whatever it says inside."""
    app.config["PERMANENT_SESSION_LIFETIME"] = 60
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() - 3600)
    old = _signed({"user": "bob", "_permanent": True, "expires": "never"})
    monkeypatch.undo()
    result = send(app, Raw(path=b"/get", headers=_cookie(old)))
    assert _session_of(result) == {}


def test_key_rotation(app: Tumbler, send: Caller) -> None:
    """Cookies signed with a fallback key still load; new cookies use the current key."""
    app.config["SECRET_KEY_FALLBACKS"] = ["old-key-" + "z" * 20]
    old = _signed({"user": "bob"}, key="old-key-" + "z" * 20)
    assert _session_of(send(app, Raw(path=b"/get", headers=_cookie(old)))) == {"user": "bob"}
    app.config["SECRET_KEY_FALLBACKS"] = None
    assert _session_of(send(app, Raw(path=b"/get", headers=_cookie(old)))) == {}
    result = send(app, Raw(path=b"/set"))
    cookie = (result.header("Set-Cookie") or "").split(";")[0].partition("=")[2]
    assert _session_of(send(app, Raw(path=b"/get", headers=_cookie(cookie)))) == {"user": "alice"}


@pytest.mark.parametrize("path", [b"/get", b"/contains", b"/len", b"/iter", b"/set"])
def test_vary_cookie_whenever_read(app: Tumbler, send: Caller, path: bytes) -> None:
    """Any read of the session (get, ``in``, ``len``, iteration) adds ``Vary: Cookie``."""
    result = send(app, Raw(path=path, headers=_cookie(_signed({"user": "bob"}))))
    assert "cookie" in (result.header("Vary") or "").lower(), path


def test_no_vary_when_untouched(app: Tumbler, send: Caller) -> None:
    """A view that never touches the session does not vary on the cookie."""
    result = send(app, Raw(path=b"/untouched", headers=_cookie(_signed({"user": "bob"}))))
    assert result.header("Vary") is None


# Hosts ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "ok"),
    [
        (b"example.com", True),
        (b"EXAMPLE.com:8080", True),
        (b"api.example.org", True),
        (b"example.org", True),
        (b"deep.api.example.org", True),
        (b"[::1]:80", True),
        (b"evil.com", False),
        (b"example.com.evil.com", False),
        (b"evilexample.org", False),
        (b"example.com@evil.com", False),
        (b"exa mple.com", False),
        (b"", False),
    ],
)
def test_trusted_hosts(app: Tumbler, send: Caller, host: bytes, ok: bool) -> None:
    """Only listed hosts (port stripped, any case, ``.x`` for subdomains) get through."""
    app.config["TRUSTED_HOSTS"] = ["example.com", ".example.org", "[::1]"]
    result = send(app, Raw(path=b"/untouched", host=host))
    assert result.status == (200 if ok else 400), result.text
    if not ok:
        assert "host" in result.text.lower()


def test_trusted_hosts_off_by_default(app: Tumbler, send: Caller) -> None:
    """Without TRUSTED_HOSTS any well-formed host is served."""
    assert send(app, Raw(path=b"/untouched", host=b"whatever.test")).status == 200


@pytest.mark.parametrize("host", [b"a b", b"a/b", b"u@h", b"h\x01", b"h\x7f", b"h\r", b"h#x"])
def test_malformed_host_never_in_urls(app: Tumbler, send: Caller, host: bytes) -> None:
    """``request.url`` and ``url_for(_external=True)`` with a malformed Host: 400."""
    result = send(app, Raw(path=b"/url", host=host))
    assert result.status == 400


def test_forwarded_headers_ignored_without_proxy_fix(app: Tumbler, send: Caller) -> None:
    """X-Forwarded-* mean nothing unless a ProxyFix is configured."""
    headers = [
        (b"x-forwarded-for", b"6.6.6.6"),
        (b"x-forwarded-proto", b"https"),
        (b"x-forwarded-host", b"evil.com"),
        (b"x-forwarded-prefix", b"/evil"),
    ]
    data = json.loads(send(app, Raw(path=b"/who", headers=headers)).body)
    assert data == {"addr": "127.0.0.1", "scheme": "http", "host": "localhost", "root": ""}


FORWARDED = [
    (b"x-forwarded-for", b"6.6.6.6, 10.0.0.1, 10.0.0.2"),
    (b"x-forwarded-proto", b"https, http"),
    (b"x-forwarded-host", b"evil.com, good.example"),
    (b"x-forwarded-port", b"443"),
    (b"x-forwarded-prefix", b"/evil, /app"),
]


def _via(app: Tumbler, mode: str, raw: Raw, **hops: int) -> Any:
    if mode == "wsgi":
        result = call_wsgi(ProxyFix(app.wsgi_app, **hops), raw.environ())
    else:
        result = call_asgi(ProxyFixASGI(app.asgi_app, **hops), raw.scope())
    assert result.status == 200, result.text
    return json.loads(result.body)


@pytest.mark.parametrize("mode", ["wsgi", "asgi"])
def test_proxy_fix_trusts_exactly_n_hops(app: Tumbler, mode: str) -> None:
    """x_for=1 takes the rightmost value, x_for=2 the second from the right, and so on."""
    raw = Raw(path=b"/who", headers=FORWARDED)
    one = _via(app, mode, raw, x_for=1, x_proto=1)
    assert one["addr"] == "10.0.0.2" and one["scheme"] == "http" and one["host"] == "localhost"
    two = _via(app, mode, raw, x_for=2, x_proto=2, x_host=1, x_port=1, x_prefix=1)
    assert two == {
        "addr": "10.0.0.1",
        "scheme": "https",
        "host": "good.example:443",
        "root": "/app",
    }
    many = _via(app, mode, raw, x_for=5, x_proto=3, x_host=0, x_prefix=3)
    assert many == {"addr": "127.0.0.1", "scheme": "http", "host": "localhost", "root": ""}


@pytest.mark.parametrize("mode", ["wsgi", "asgi"])
@pytest.mark.parametrize(
    ("name", "value"),
    [
        (b"x-forwarded-for", b"<script>"),
        (b"x-forwarded-proto", b"javascript"),
        (b"x-forwarded-host", b"evil.com/path"),
        (b"x-forwarded-host", b"a@b"),
        (b"x-forwarded-port", b"80x"),
        (b"x-forwarded-prefix", b"//evil.com"),
        (b"x-forwarded-prefix", b"/a b"),
    ],
)
def test_proxy_fix_ignores_implausible_values(
    app: Tumbler, mode: str, name: bytes, value: bytes
) -> None:
    """A forwarded value that is not an address, scheme, host, port or prefix is ignored."""
    raw = Raw(path=b"/who", headers=[(name, value)])
    data = _via(app, mode, raw, x_for=1, x_proto=1, x_host=1, x_port=1, x_prefix=1)
    assert data == {"addr": "127.0.0.1", "scheme": "http", "host": "localhost", "root": ""}


def test_proxy_fix_rejects_negative_hops(app: Tumbler) -> None:
    """Hop counts are numbers of proxies."""
    with pytest.raises(ValueError):
        ProxyFix(app.wsgi_app, x_for=-1)
