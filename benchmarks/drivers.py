"""Calling a WSGI or ASGI callable in-process, the way a server would, without a network.

``WSGIDriver`` calls the app with a fresh copy of a prebuilt environ (with a new
``wsgi.input``) and a no-op ``start_response``, then consumes and closes the body iterable.
``ASGIDriver`` awaits the app with a fresh copy of a prebuilt scope, a scripted ``receive``
(one ``http.request`` with the body, then ``http.disconnect``) and a collecting ``send``, all
in one event loop. Both can also return the complete ``Answer`` for checking.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Iterable
from io import BytesIO
from time import perf_counter_ns
from typing import Any, Protocol

from .scenarios import Answer, Scenario

__all__ = ["ASGIDriver", "Driver", "WSGIDriver", "make_environ", "make_scope"]

HOST, PORT = "127.0.0.1", 8000


class Driver(Protocol):
    def answer(self) -> Answer: ...

    def run(self, n: int) -> int:
        """Serve the request ``n`` times; the elapsed nanoseconds."""
        ...


def make_environ(scenario: Scenario) -> dict[str, Any]:
    """The WSGI environ a server would build for ``scenario`` (without ``wsgi.input``)."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scenario.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": scenario.path,
        "QUERY_STRING": scenario.query,
        "SERVER_NAME": HOST,
        "SERVER_PORT": str(PORT),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "50000",
        "HTTP_HOST": f"{HOST}:{PORT}",
        "HTTP_USER_AGENT": "tumbler-bench",
        "HTTP_ACCEPT": "*/*",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in scenario.headers:
        key = name.upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = f"HTTP_{key}"
        environ[key] = value
    return environ


def make_scope(scenario: Scenario) -> dict[str, Any]:
    """The ASGI HTTP scope a server would build for ``scenario``."""
    headers = [
        (b"host", f"{HOST}:{PORT}".encode()),
        (b"user-agent", b"tumbler-bench"),
        (b"accept", b"*/*"),
    ]
    headers += [(name.lower().encode(), value.encode()) for name, value in scenario.headers]
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": scenario.method,
        "scheme": "http",
        "path": scenario.path,
        "raw_path": scenario.path.encode(),
        "query_string": scenario.query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": (HOST, PORT),
    }


def _start_response(
    status: str, headers: list[tuple[str, str]], exc_info: Any = None
) -> Callable[[bytes], None]:
    return _write


def _write(data: bytes) -> None:
    pass


class WSGIDriver:
    """Serve ``scenario`` with the WSGI callable ``app``."""

    def __init__(self, app: Callable[..., Iterable[bytes]], scenario: Scenario) -> None:
        self.app = app
        self.environ = make_environ(scenario)
        self.body = scenario.body

    def answer(self) -> Answer:
        environ = self.environ.copy()
        environ["wsgi.input"] = BytesIO(self.body)
        started: list[tuple[str, list[tuple[str, str]]]] = []
        written: list[bytes] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], None]:
            started.append((status, list(headers)))
            return written.append

        iterable = self.app(environ, start_response)
        try:
            chunks = [bytes(chunk) for chunk in iterable]
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()
        if not started:
            raise RuntimeError("the app never called start_response")
        status, headers = started[-1]
        return Answer(int(status.split(None, 1)[0]), headers, b"".join(written + chunks))

    def run(self, n: int) -> int:
        app, base, body = self.app, self.environ, self.body
        start_response = _start_response
        begin = perf_counter_ns()
        for _ in range(n):
            environ = base.copy()
            environ["wsgi.input"] = BytesIO(body)
            iterable = app(environ, start_response)
            for _chunk in iterable:
                pass
            close = getattr(iterable, "close", None)
            if close is not None:
                close()
        return perf_counter_ns() - begin


_DISCONNECT = {"type": "http.disconnect"}


class ScriptedReceive:
    """``receive`` for one request: its body in one message, then ``http.disconnect``."""

    __slots__ = ("body", "sent")

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.sent = False

    async def __call__(self) -> dict[str, Any]:
        if self.sent:
            return dict(_DISCONNECT)
        self.sent = True
        return {"type": "http.request", "body": self.body, "more_body": False}


class ASGIDriver:
    """Serve ``scenario`` with the ASGI 3 callable ``app`` in the event loop ``loop``."""

    def __init__(self, app: Any, scenario: Scenario, loop: asyncio.AbstractEventLoop) -> None:
        self.app = app
        self.scope = make_scope(scenario)
        self.body = scenario.body
        self.loop = loop

    def answer(self) -> Answer:
        messages: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            messages.append(message)

        async def once() -> None:
            await self.app(dict(self.scope), ScriptedReceive(self.body), send)

        self.loop.run_until_complete(once())
        start = [m for m in messages if m["type"] == "http.response.start"]
        if len(start) != 1:
            raise RuntimeError(f"{len(start)} http.response.start messages")
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in start[0]["headers"]]
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        return Answer(int(start[0]["status"]), headers, body)

    async def _batch(self, n: int) -> int:
        app, base, body = self.app, self.scope, self.body
        sent: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        begin = perf_counter_ns()
        for _ in range(n):
            await app(base.copy(), ScriptedReceive(body), send)
            sent.clear()
        return perf_counter_ns() - begin

    def run(self, n: int) -> int:
        return self.loop.run_until_complete(self._batch(n))
