"""The test client's WebSocket: ``with client.websocket("/chat/x") as ws: ...``, sync.

It plays an ASGI server in memory on the client's event loop: the app's coroutine runs as a
task there, and the loop runs while the test waits for the app (``receive()``, entering and
leaving the ``with`` block). A plain ``def`` handler runs on its worker thread meanwhile, as
under a real server. WebSockets need ASGI, so this drives ``app.asgi`` whatever protocol the
client uses for HTTP.
"""

from __future__ import annotations

import asyncio
import json as _json
from collections.abc import Iterable, MutableMapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .http.datastructures import Headers
from .http.websocket import WebsocketDisconnected
from .testing import HeadersLike, RequestSpec, TestResponse

if TYPE_CHECKING:
    from .testing import TestClient

__all__ = ["WebsocketRejected", "WebsocketSession"]

Message = MutableMapping[str, Any]


class WebsocketRejected(Exception):
    """The app refused the handshake; ``response`` is the HTTP answer (a bare 403 if none)."""

    def __init__(self, response: TestResponse) -> None:
        super().__init__(f"WebSocket handshake refused with {response.status}")
        self.response = response
        self.status_code = response.status_code


class WebsocketSession:
    """One WebSocket connection from the test client to the app."""

    __test__ = False

    def __init__(
        self,
        client: TestClient,
        path: str = "/",
        *,
        subprotocols: Iterable[str] = (),
        headers: HeadersLike = None,
        query_string: str | bytes | None = None,
        base_url: str | None = None,
        http_response: bool = True,
        timeout: float = 10.0,
    ) -> None:
        spec = RequestSpec(path, base_url, query_string, "GET", headers=headers)
        if client.use_cookies and client.cookies:
            cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
            spec.headers.append(("Cookie", cookie))
        scope = spec.scope()
        del scope["method"]
        scope["type"] = "websocket"
        scope["scheme"] = "wss" if spec.scheme == "https" else "ws"
        scope["subprotocols"] = list(subprotocols)
        # The extension that lets a refused handshake carry an HTTP answer (as uvicorn has);
        # http_response=False plays a server without it, which answers a refusal with 403.
        scope["extensions"] = {"websocket.http.response": {}} if http_response else {}
        self.scope = scope
        self._client = client
        self._timeout = timeout
        self._to_app: asyncio.Queue[Message] = asyncio.Queue()
        self._from_app: asyncio.Queue[Message] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._gone = False
        #: The subprotocol and extra headers the app accepted with.
        self.subprotocol: str | None = None
        self.accept_headers = Headers()
        #: The close code and reason once the app closed the connection.
        self.close_code: int | None = None
        self.close_reason = ""

    # The connection ------------------------------------------------------------------------------

    def __enter__(self) -> WebsocketSession:
        loop = self._client._get_loop()
        self._task = loop.create_task(self._client.app.asgi(self.scope, self._receive, self._send))
        self._to_app.put_nowait({"type": "websocket.connect"})
        message = self._next()
        if message["type"] == "websocket.accept":
            self.subprotocol = message.get("subprotocol")
            for name, value in message.get("headers") or ():
                self.accept_headers.add(name.decode("latin-1"), value.decode("latin-1"))
            return self
        self._leave(1000)
        raise WebsocketRejected(self._rejection(message))

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._leave(1000, raise_app_error=kind is None)

    def _rejection(self, first: Message) -> TestResponse:
        if first["type"] == "websocket.close":  # what a server answers without the extension
            return TestResponse(b"", status=403)
        assert first["type"] == "websocket.http.response.start", first
        body = b""
        while True:
            message = self._next()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        response = TestResponse(body, status=first["status"])
        response.headers = Headers(
            [(k.decode("latin-1"), v.decode("latin-1")) for k, v in first.get("headers") or ()]
        )
        return response

    # What a test calls ---------------------------------------------------------------------------

    def send(self, data: str | bytes) -> None:
        """Send a text or binary message to the app."""
        if self._gone or self.close_code is not None:
            raise WebsocketDisconnected(self.close_code or 1000, self.close_reason)
        key = "text" if isinstance(data, str) else "bytes"
        self._to_app.put_nowait({"type": "websocket.receive", key: data})

    def send_json(self, obj: Any) -> None:
        """Send ``obj`` as JSON text."""
        self.send(_json.dumps(obj))

    def receive(self) -> str | bytes:
        """The app's next message; ``WebsocketDisconnected`` with its code once it closed."""
        if self.close_code is not None:
            raise WebsocketDisconnected(self.close_code, self.close_reason)
        message = self._next()
        if message["type"] == "websocket.close":
            self.close_code = int(message.get("code") or 1000)
            self.close_reason = str(message.get("reason") or "")
            raise WebsocketDisconnected(self.close_code, self.close_reason)
        assert message["type"] == "websocket.send", message
        text = message.get("text")
        return text if text is not None else bytes(message.get("bytes") or b"")

    def receive_json(self) -> Any:
        """The app's next message, decoded from JSON."""
        return _json.loads(self.receive())

    def close(self, code: int = 1000) -> None:
        """Leave with ``code``, and wait for the app to finish (its teardown included)."""
        self._leave(code)

    # The server side ---------------------------------------------------------------------------

    async def _receive(self) -> Message:
        return await self._to_app.get()

    async def _send(self, message: Message) -> None:
        if self._gone:
            raise OSError("the test client has disconnected")  # ASGI 2.4: sends then fail
        self._from_app.put_nowait(dict(message))

    def _next(self) -> Message:
        loop = self._client._get_loop()
        return loop.run_until_complete(self._wait_message())

    async def _wait_message(self) -> Message:
        assert self._task is not None
        getter = asyncio.ensure_future(self._from_app.get())
        done, _ = await asyncio.wait(
            (getter, self._task), timeout=self._timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if getter in done:
            return getter.result()
        getter.cancel()
        await asyncio.gather(getter, return_exceptions=True)
        if self._task.done():
            self._task.result()  # the app's exception, if it raised
            raise AssertionError("The app ended the connection without another message.")
        raise TimeoutError(f"The app sent nothing within {self._timeout} seconds.")

    def _leave(self, code: int, raise_app_error: bool = True) -> None:
        """Disconnect (if still connected) and run the app to its end."""
        task = self._task
        if task is None:
            return
        if not self._gone:
            self._gone = True
            self._to_app.put_nowait({"type": "websocket.disconnect", "code": code})
        loop = self._client._get_loop()
        if not task.done():
            loop.run_until_complete(asyncio.wait((task,), timeout=self._timeout))
        if not task.done():
            task.cancel()
            loop.run_until_complete(asyncio.gather(task, return_exceptions=True))
            raise TimeoutError(f"The app did not finish within {self._timeout} s of the close.")
        error = task.exception()
        if error is not None and raise_app_error:
            raise error
