"""Raw drivers for the security suite: plain environs and scopes, no normalising client.

``call_wsgi`` and ``call_asgi`` check the answer is well-formed (one status, headers that are
``str`` pairs without CR, LF or NUL) and let any exception escape, so a test fails when an
adapter raises. ``Raw`` describes one request once, as bytes on the wire, and renders it as an
environ (PEP 3333: latin-1 strings) or a scope (ASGI: bytes headers, a decoded ``path``).
"""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_to_bytes

import pytest

from tumbler import Tumbler

SPLITS = ("one", "bytes1", "64k")


@dataclass
class Result:
    """One answer: status, headers and body, plus what the adapter did to get there."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    starts: int = 1
    completed: bool = True
    receive_calls: int = 0

    def header(self, name: str) -> str | None:
        """The first header called ``name`` (case-insensitive), or None."""
        lower = name.lower()
        for key, value in self.headers:
            if key.lower() == lower:
                return value
        return None

    @property
    def text(self) -> str:
        """The body as text."""
        return self.body.decode("utf-8", "replace")


def _check_headers(headers: Sequence[tuple[Any, Any]]) -> list[tuple[str, str]]:
    out = []
    for name, value in headers:
        assert type(name) is str and type(value) is str, (name, value)
        for char in "\r\n\0":
            assert char not in name and char not in value, (name, value)
        value.encode("latin-1")
        assert name and ":" not in name and " " not in name, name
        out.append((name, value))
    return out


def call_wsgi(app: Callable[..., Any], environ: dict[str, Any]) -> Result:
    """Call a WSGI app with ``environ`` (defaults filled in) and check what comes back."""
    env: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    env.update(environ)
    seen: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        assert type(status) is str
        code, _, reason = status.partition(" ")
        assert len(code) == 3 and code.isdigit() and reason, status
        assert "\r" not in status and "\n" not in status
        seen.append((status, _check_headers(headers)))
        return lambda data: None

    body = app(env, start_response)
    try:
        chunks = [bytes(chunk) for chunk in body]
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    assert len(seen) == 1, seen
    status, headers = seen[0]
    return Result(int(status[:3]), headers, b"".join(chunks))


def _messages(body: bytes, split: str) -> list[dict[str, Any]]:
    size = {"one": max(len(body), 1), "bytes1": 1, "64k": 65536}[split]
    pieces = [body[i : i + size] for i in range(0, len(body), size)] or [b""]
    return [
        {"type": "http.request", "body": piece, "more_body": i < len(pieces) - 1}
        for i, piece in enumerate(pieces)
    ]


def call_asgi(
    app: Callable[..., Awaitable[None]],
    scope: dict[str, Any],
    body_chunks: Sequence[bytes] | bytes = b"",
    *,
    split: str = "one",
    messages: Sequence[dict[str, Any]] | None = None,
    disconnect_after_body: bool = False,
) -> Result:
    """Call an ASGI app with ``scope`` and a body sent as ``split`` says; check the answer.

    After the body, ``receive`` waits until the response is complete and then reports a
    disconnect (as servers do), or reports it at once with ``disconnect_after_body``.
    """
    full: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/",
        "raw_path": b"/",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"localhost")],
        "server": ("localhost", 80),
        "client": ("127.0.0.1", 50000),
    }
    full.update(scope)
    if messages is None:
        data = body_chunks if isinstance(body_chunks, bytes) else b"".join(body_chunks)
        messages = _messages(data, split)
    return asyncio.run(_run_asgi(app, full, list(messages), disconnect_after_body))


async def _run_asgi(
    app: Callable[..., Awaitable[None]],
    scope: dict[str, Any],
    messages: list[dict[str, Any]],
    disconnect_now: bool,
) -> Result:
    sent: list[dict[str, Any]] = []
    done = asyncio.Event()
    calls = 0
    pending = iter(messages)

    async def receive() -> dict[str, Any]:
        nonlocal calls
        calls += 1
        message = next(pending, None)
        if message is not None:
            return message
        if not disconnect_now:
            await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        assert not done.is_set(), ("sent after the response was complete", message)
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            done.set()

    await app(scope, receive, send)
    starts = [m for m in sent if m["type"] == "http.response.start"]
    assert len(starts) == 1, sent
    assert sent[0]["type"] == "http.response.start"
    status = starts[0]["status"]
    assert type(status) is int and 100 <= status <= 599
    headers = []
    for name, value in starts[0]["headers"]:
        assert type(name) is bytes and type(value) is bytes
        headers.append((name.decode("latin-1"), value.decode("latin-1")))
    _check_headers(headers)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return Result(status, headers, body, len(starts), done.is_set(), calls)


@dataclass
class Raw:
    """One request as bytes on the wire, rendered for either adapter."""

    method: str = "GET"
    path: bytes = b"/"  # the raw (still percent-encoded) path
    query: bytes = b""
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""
    host: bytes | None = b"localhost"
    root_path: str = ""

    def all_headers(self) -> list[tuple[bytes, bytes]]:
        """Host first (when set), then the given headers."""
        host = [(b"host", self.host)] if self.host is not None else []
        return host + [(name.lower(), value) for name, value in self.headers]

    def environ(self) -> dict[str, Any]:
        """The PEP 3333 environ: bytes as latin-1 strings, repeated headers joined."""
        env: dict[str, Any] = {
            "REQUEST_METHOD": self.method,
            "PATH_INFO": unquote_to_bytes(self.path).decode("latin-1"),
            "SCRIPT_NAME": self.root_path,
            "QUERY_STRING": self.query.decode("latin-1"),
            "wsgi.input": io.BytesIO(self.body),
        }
        for name, value in self.all_headers():
            key = name.decode("latin-1").upper().replace("-", "_")
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                key = "HTTP_" + key
            text = value.decode("latin-1")
            env[key] = f"{env[key]},{text}" if key in env else text
        return env

    def scope(self) -> dict[str, Any]:
        """The ASGI scope: ``path`` decoded as UTF-8 (as uvicorn does), bytes headers."""
        return {
            "method": self.method,
            "path": unquote_to_bytes(self.path).decode("utf-8", "replace"),
            "raw_path": self.path,
            "root_path": self.root_path,
            "query_string": self.query,
            "headers": self.all_headers(),
        }


Caller = Callable[[Tumbler, Raw], Result]


def caller_for(mode: str) -> Caller:
    """A function that sends a ``Raw`` request to an app over ``mode``."""
    if mode == "wsgi":
        return lambda app, raw: call_wsgi(app.wsgi_app, raw.environ())
    split = mode.partition("-")[2] or "one"
    return lambda app, raw: call_asgi(app.asgi_app, raw.scope(), raw.body, split=split)


@pytest.fixture(params=["wsgi", "asgi"])
def send(request: pytest.FixtureRequest) -> Caller:
    """Send a raw request over WSGI or ASGI (the body in one message)."""
    return caller_for(str(request.param))


@pytest.fixture(params=["wsgi", "asgi-one", "asgi-bytes1", "asgi-64k"])
def send_body(request: pytest.FixtureRequest) -> Caller:
    """Send a raw request with a body: WSGI, or ASGI in one, 1-byte or 64 KiB messages."""
    return caller_for(str(request.param))


def open_fds() -> int:
    """How many file descriptors this process has open."""
    return len(os.listdir("/proc/self/fd"))


def chunks_of(data: bytes, size: int) -> Iterator[bytes]:
    """``data`` in pieces of ``size`` bytes."""
    for i in range(0, len(data), size):
        yield data[i : i + size]
