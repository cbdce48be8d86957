"""WebSocket pieces that know nothing of servers or apps: close codes, errors, the Origin rule.

The I/O lives in ``tumbler/websocket.py`` (the connection object) and
``tumbler/asgi_websocket.py`` (the ASGI driver); these are plain values and pure functions
both of them, the routing layer and the tests share.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from .exceptions import BadRequest, HTTPException, MethodNotAllowed

__all__ = [
    "CLOSE_GOING_AWAY",
    "CLOSE_INTERNAL_ERROR",
    "CLOSE_NORMAL",
    "CLOSE_TOO_BIG",
    "WEBSOCKET_METHOD",
    "UpgradeRequired",
    "WebsocketDisconnected",
    "http_error_for",
    "origin_allowed",
    "websocket_error_for",
    "websocket_scheme",
]

#: RFC 6455 section 7.4.1 close codes tumbler sends itself.
CLOSE_NORMAL = 1000
CLOSE_GOING_AWAY = 1001
CLOSE_TOO_BIG = 1009
CLOSE_INTERNAL_ERROR = 1011

#: The method a websocket rule is registered under, so that the HTTP routing tree tells a
#: websocket route from an HTTP one at the same path without a second tree.
WEBSOCKET_METHOD = "WEBSOCKET"


class WebsocketDisconnected(Exception):
    """The connection is closed: the client left, or the app closed it.

    Raised by ``websocket.receive()`` and ``send()``. ``code`` is the close code (1006 when
    the connection dropped without one) and ``reason`` the close reason, if any.
    """

    def __init__(self, code: int = 1006, reason: str = "") -> None:
        super().__init__(code, reason)
        self.code = code
        self.reason = reason

    def __str__(self) -> str:
        return f"WebSocket closed with code {self.code}" + (
            f": {self.reason}" if self.reason else ""
        )


class UpgradeRequired(HTTPException):
    """426: a plain HTTP request reached a WebSocket route."""

    code = 426
    description = (
        "This URL is a WebSocket endpoint: connect to it with a WebSocket client. WebSockets "
        "need an ASGI server (serve 'module:app.asgi', e.g. with uvicorn); a WSGI server "
        "cannot upgrade the connection."
    )

    def get_headers(self) -> list[tuple[str, str]]:
        """RFC 7231 6.5.15: a 426 names the protocol to switch to."""
        return [("Upgrade", "websocket"), ("Connection", "Upgrade")]


class WebsocketMismatch(BadRequest):
    """400: a WebSocket handshake reached a URL that only HTTP routes serve."""

    description = "This URL does not accept WebSocket connections."


def _without_websocket(methods: Iterable[str]) -> frozenset[str]:
    return frozenset(m for m in methods if m != WEBSOCKET_METHOD)


def http_error_for(error: HTTPException) -> HTTPException:
    """The routing error an HTTP request gets: 426 when only a websocket rule matched.

    A 405 listing both HTTP methods and the websocket pseudo-method lists only the HTTP ones.
    """
    if isinstance(error, MethodNotAllowed):
        valid: list[str] = error.valid_methods or []
        if WEBSOCKET_METHOD in valid:
            http_methods = _without_websocket(valid) - {"OPTIONS"}
            if not http_methods:
                return UpgradeRequired()
            return MethodNotAllowed(valid_methods=_without_websocket(valid))
    return error


def websocket_error_for(error: HTTPException) -> HTTPException:
    """The routing error a handshake gets: 400 when only HTTP rules matched its path."""
    if isinstance(error, MethodNotAllowed):
        return WebsocketMismatch()
    return error


def websocket_scheme(scheme: str) -> str:
    """``ws`` or ``wss`` for an HTTP scheme (a ws scheme is kept)."""
    return {"http": "ws", "https": "wss"}.get(scheme, scheme)


_DEFAULT_PORTS = {"http": 80, "ws": 80, "https": 443, "wss": 443}


def _host_port(netloc: str, scheme: str) -> tuple[str, int | None] | None:
    """(lower-case host, port) of ``host[:port]``; None when the port is not a number."""
    try:
        parts = urlsplit(f"//{netloc}")
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    return host, port if port is not None else _DEFAULT_PORTS.get(scheme)


def origin_allowed(origin: str | None, host: str | None, allowed: Iterable[str] | None) -> bool:
    """Whether a handshake with this ``Origin`` header may go on.

    Browsers always send ``Origin`` with a WebSocket handshake and let a page open a socket to
    any site, with the user's cookies: cross-site WebSocket hijacking. So a handshake without
    ``Origin`` (not a browser) passes, and one with it passes when the origin is in
    ``allowed`` (``"*"`` allows any) or, when ``allowed`` is None, when it names the same host
    and port as the ``Host`` header the request came with.
    """
    if origin is None:
        return True
    origin = origin.strip()
    if allowed is not None:
        wanted = {item.rstrip("/").lower() for item in allowed}
        return "*" in wanted or origin.rstrip("/").lower() in wanted
    if host is None or origin == "null":
        return False
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    theirs = _host_port(parts.netloc, parts.scheme)
    if theirs is None:
        return False
    # The Host header carries no scheme: its port defaults to the origin's scheme's port.
    ours = _host_port(host.strip(), parts.scheme)
    return ours is not None and theirs == ours
