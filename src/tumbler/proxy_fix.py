"""Trust ``X-Forwarded-*`` headers from exactly as many proxies as you say, and no more.

Tumbler ignores forwarded headers unless the app is wrapped in one of these middlewares:
a client can send any ``X-Forwarded-For`` it likes, so only the values appended by your own
proxies mean anything. Each proxy appends one value on the right, so with ``x_for=1`` the
rightmost value is the one your proxy saw; with ``x_for=2`` (two proxies in a row) it is the
second from the right. A header with fewer values than that is ignored (something skipped a
proxy), and so is a value that is not a plausible address, scheme, host, port or prefix.

    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)
    app.asgi_app = ProxyFixASGI(app.asgi_app, x_for=1, x_proto=1)

The values before the change are kept (``environ["tumbler.proxy_fix.orig"]``, or
``scope["tumbler.proxy_fix.orig"]``) for code that wants to see them.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

__all__ = ["ProxyFix", "ProxyFixASGI"]

_SCHEMES = frozenset(("http", "https", "ws", "wss"))
_HOST = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=%]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")
_ADDRESS = re.compile(r"[0-9A-Za-z.:\-_\[\]%]{1,100}")
_PREFIX = re.compile(r"(?:/[A-Za-z0-9\-._~!$&'()*+,;=:@%]+)*/?")


def _nth_from_right(value: str | None, hops: int) -> str | None:
    """The ``hops``-th comma-separated value from the right, or None when there are fewer."""
    if not hops or not value:
        return None
    values = value.split(",")
    if len(values) < hops:
        return None
    return values[-hops].strip() or None


class _Forwarded:
    """The trusted values of one request's forwarded headers (None: keep the server's)."""

    __slots__ = ("client", "host", "port", "prefix", "scheme")

    def __init__(self, fix: _Settings, get: Callable[[str], str | None]) -> None:
        client = _nth_from_right(get("x-forwarded-for"), fix.x_for)
        self.client = client if client and _ADDRESS.fullmatch(client) else None
        scheme = _nth_from_right(get("x-forwarded-proto"), fix.x_proto)
        scheme = scheme.lower() if scheme else None
        self.scheme = scheme if scheme in _SCHEMES else None
        host = _nth_from_right(get("x-forwarded-host"), fix.x_host)
        self.host = host if host and _HOST.fullmatch(host) else None
        port = _nth_from_right(get("x-forwarded-port"), fix.x_port)
        self.port = port if port and port.isdigit() and port.isascii() and len(port) <= 5 else None
        prefix = _nth_from_right(get("x-forwarded-prefix"), fix.x_prefix)
        self.prefix = (
            prefix.rstrip("/")
            if prefix
            and prefix.startswith("/")
            and not prefix.startswith("//")
            and _PREFIX.fullmatch(prefix)
            else None
        )


def _with_port(host: str, port: str) -> str:
    """``host`` with its port replaced by ``port``."""
    if host.startswith("["):
        host = host[: host.find("]") + 1]
    else:
        host = host.partition(":")[0]
    return f"{host}:{port}"


class _Settings:
    __slots__ = ("x_for", "x_host", "x_port", "x_prefix", "x_proto")

    def __init__(self, x_for: int, x_proto: int, x_host: int, x_port: int, x_prefix: int) -> None:
        for name, value in (
            ("x_for", x_for),
            ("x_proto", x_proto),
            ("x_host", x_host),
            ("x_port", x_port),
            ("x_prefix", x_prefix),
        ):
            if not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a number of proxies (0 or more).")
        self.x_for = x_for
        self.x_proto = x_proto
        self.x_host = x_host
        self.x_port = x_port
        self.x_prefix = x_prefix


class ProxyFix(_Settings):
    """WSGI middleware: take client, scheme, host, port and prefix from N trusted proxies."""

    __slots__ = ("app",)

    def __init__(
        self,
        app: Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]],
        x_for: int = 1,
        x_proto: int = 1,
        x_host: int = 0,
        x_port: int = 0,
        x_prefix: int = 0,
    ) -> None:
        super().__init__(x_for, x_proto, x_host, x_port, x_prefix)
        self.app = app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        """Rewrite the environ from the trusted forwarded values, then call the app."""
        environ["tumbler.proxy_fix.orig"] = {
            key: environ.get(key)
            for key in ("REMOTE_ADDR", "wsgi.url_scheme", "HTTP_HOST", "SERVER_PORT", "SCRIPT_NAME")
        }
        found = _Forwarded(self, lambda name: environ.get("HTTP_" + name.upper().replace("-", "_")))
        if found.client is not None:
            environ["REMOTE_ADDR"] = found.client
        if found.scheme is not None:
            environ["wsgi.url_scheme"] = found.scheme
        if found.host is not None:
            environ["HTTP_HOST"] = environ["SERVER_NAME"] = found.host
        if found.port is not None:
            host = environ.get("HTTP_HOST")
            if host:
                environ["HTTP_HOST"] = _with_port(host, found.port)
            environ["SERVER_PORT"] = found.port
        if found.prefix is not None:
            environ["SCRIPT_NAME"] = found.prefix + str(environ.get("SCRIPT_NAME", ""))
        return self.app(environ, start_response)


Scope = MutableMapping[str, Any]
ASGIApp = Callable[
    [Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]
]


class ProxyFixASGI(_Settings):
    """ASGI middleware: the same as ``ProxyFix``, applied to a copy of the scope."""

    __slots__ = ("app",)

    def __init__(
        self,
        app: ASGIApp,
        x_for: int = 1,
        x_proto: int = 1,
        x_host: int = 0,
        x_port: int = 0,
        x_prefix: int = 0,
    ) -> None:
        super().__init__(x_for, x_proto, x_host, x_port, x_prefix)
        self.app = app

    async def __call__(
        self,
        scope: Scope,
        receive: Callable[[], Awaitable[Any]],
        send: Callable[[Any], Awaitable[None]],
    ) -> None:
        """Rewrite a copy of an HTTP or websocket scope, then call the app."""
        if scope["type"] in ("http", "websocket"):
            scope = self._fix(scope)
        await self.app(scope, receive, send)

    def _fix(self, scope: Scope) -> Scope:
        headers: list[tuple[bytes, bytes]] = list(scope.get("headers") or ())
        joined: dict[str, str] = {}
        for raw_name, raw_value in headers:
            name = raw_name.decode("latin-1").lower()
            if name.startswith("x-forwarded-"):
                value = raw_value.decode("latin-1")
                joined[name] = f"{joined[name]},{value}" if name in joined else value
        found = _Forwarded(self, joined.get)
        scope = dict(scope)
        scope["tumbler.proxy_fix.orig"] = {
            key: scope.get(key) for key in ("client", "scheme", "headers", "server", "root_path")
        }
        if found.client is not None:
            client = scope.get("client")
            scope["client"] = (found.client, client[1] if client else 0)
        if found.scheme is not None:
            secure = found.scheme in ("https", "wss")
            if scope["type"] == "websocket":
                scope["scheme"] = "wss" if secure else "ws"
            else:
                scope["scheme"] = "https" if secure else "http"
        host: str | None = None
        if found.host is not None:
            host = found.host
        if found.port is not None:
            current = host
            if current is None:
                for raw_name, raw_value in headers:
                    if raw_name.lower() == b"host":
                        current = raw_value.decode("latin-1")
                        break
            if current:
                host = _with_port(current, found.port)
            server = scope.get("server")
            if server:
                scope["server"] = (server[0], int(found.port))
        if host is not None:
            headers = [(n, v) for n, v in headers if n.lower() != b"host"]
            headers.append((b"host", host.encode("latin-1")))
            scope["headers"] = headers
        if found.prefix is not None:
            # Tumbler reads ``path`` as the part after ``root_path``, so only the root moves.
            scope["root_path"] = found.prefix + str(scope.get("root_path", ""))
        return scope
