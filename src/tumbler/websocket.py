"""The WebSocket connection a handler talks through, and ``websocket``, its context-local proxy.

``Websocket`` is a request (the handshake's path, args, headers, cookies, view_args, ...) with
messages on top. Its I/O runs on the server's event loop:

* a *reader* task takes the server's ``websocket.receive`` messages into a small bounded
  inbox (so a handler that stops reading makes the server stop reading the socket), checks
  each against the size limit, and notes the client leaving;
* a *sender* task passes messages from a bounded outbox to the server's ``send``: a handler
  that sends faster than the client reads waits once the outbox is full, so memory stays
  bounded by ``WEBSOCKET_SEND_QUEUE`` messages (plus what the server itself buffers).

Every public method works from both kinds of handler: on the event loop (``async def``) it
returns an awaitable; on a worker thread (a plain ``def`` handler) it blocks until done, the
work being handed to the loop with ``asyncio.run_coroutine_threadsafe``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from .context import _get_context
from .globals import _make_proxy
from .http.datastructures import Headers
from .http.protocol_requests import ASGIRequest
from .http.websocket import CLOSE_NORMAL, CLOSE_TOO_BIG, WebsocketDisconnected

if TYPE_CHECKING:
    from .json import JSONProvider

__all__ = ["Websocket", "websocket"]

T = TypeVar("T")
Message = MutableMapping[str, Any]
HeadersLike = Iterable[tuple[str, str]] | Mapping[str, str] | Headers | None
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

CONNECTING, OPEN, CLOSED = "connecting", "open", "closed"
#: Messages the reader may hold for a handler that is not receiving.
INBOX_SIZE = 16


def _http_scope(scope: MutableMapping[str, Any]) -> dict[str, Any]:
    """The handshake as the request attributes read it (a websocket scope has no method)."""
    http = dict(scope)
    http.setdefault("method", "GET")
    return http


class Websocket(ASGIRequest):
    """One WebSocket connection: the handshake's request attributes and its messages.

    ``receive()``, ``send()``, ``receive_json()``, ``send_json()``, ``accept()`` and
    ``close()`` are awaited in an ``async def`` handler and called plainly in a ``def`` one.
    The first ``send`` or ``receive`` accepts the connection when the handler did not.
    """

    def __init__(
        self,
        scope: MutableMapping[str, Any],
        receive: Receive,
        send: Send,
        *,
        max_size: int | None,
        send_queue: int,
        json: JSONProvider | None = None,
    ) -> None:
        super().__init__(_http_scope(scope))
        self._server_receive = receive
        self._server_send = send
        self._max_size = max_size
        self._json = json
        self.state = CONNECTING
        #: The close code and reason, once the connection is closed (by either side).
        self.close_code: int | None = None
        self.close_reason = ""
        #: The subprotocol the handler accepted, if any.
        self.subprotocol: str | None = None
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._inbox: deque[str | bytes] = deque()
        self._readable = asyncio.Event()
        self._room = asyncio.Event()
        self._outbox: asyncio.Queue[Message | None] = asyncio.Queue(max(1, send_queue))
        self._sender_failed = False
        self._tasks: list[asyncio.Task[None]] = []

    # Request-like attributes -------------------------------------------------------------------

    @property
    def scheme(self) -> str:
        """``http`` or ``https``: the scheme of the site, so ``url_for`` builds page URLs."""
        return "https" if self._scope.get("scheme") in ("wss", "https") else "http"

    @property
    def requested_subprotocols(self) -> list[str]:
        """The subprotocols the client offered, in its order of preference."""
        return [str(item) for item in self._scope.get("subprotocols") or ()]

    # The public API: awaitable on the loop, blocking on a worker thread ----------------------

    def receive(self) -> Any:
        """The next message: ``str`` for text, ``bytes`` for binary.

        Raises ``WebsocketDisconnected`` once the connection is closed.
        """
        return self._bridge(self._receive())

    def send(self, data: str | bytes) -> Any:
        """Send a text (``str``) or binary (``bytes``) message."""
        return self._bridge(self._send(data))

    def receive_json(self) -> Any:
        """The next message, decoded as JSON."""
        return self._bridge(self._receive_json())

    def send_json(self, obj: Any) -> Any:
        """Send ``obj`` encoded as JSON, in a text message."""
        return self._bridge(self._send(self._dumps(obj)))

    def accept(
        self,
        headers: HeadersLike = None,
        subprotocol: str | None = None,
    ) -> Any:
        """Complete the handshake, with extra response ``headers`` and a chosen ``subprotocol``.

        Accepting twice does nothing; accepting a closed connection raises
        ``WebsocketDisconnected``.
        """
        return self._bridge(self._accept(headers, subprotocol))

    def close(self, code: int = CLOSE_NORMAL, reason: str = "") -> Any:
        """Close the connection; before accepting, this refuses the handshake (a 403)."""
        return self._bridge(self._close(code, reason))

    def _bridge(self, coro: Coroutine[Any, Any, T]) -> Any:
        if threading.get_ident() == self._loop_thread:
            return coro
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result()
        except concurrent.futures.CancelledError:  # the server is stopping the connection
            raise WebsocketDisconnected(self.close_code or 1001) from None

    # On the event loop -----------------------------------------------------------------------

    async def _receive(self) -> str | bytes:
        if self.state == CONNECTING:
            await self._accept(None, None)
        while not self._inbox:
            if self.state == CLOSED:
                raise WebsocketDisconnected(self.close_code or 1006, self.close_reason)
            self._readable.clear()
            await self._readable.wait()
        data = self._inbox.popleft()
        self._room.set()
        return data

    async def _receive_json(self) -> Any:
        return self._loads(await self._receive())

    async def _send(self, data: str | bytes) -> None:
        if isinstance(data, str):
            message: Message = {"type": "websocket.send", "text": data}
        elif isinstance(data, bytes | bytearray | memoryview):
            message = {"type": "websocket.send", "bytes": bytes(data)}
        else:
            raise TypeError(f"send() takes str or bytes, not {type(data).__name__}")
        if self.state == CONNECTING:
            await self._accept(None, None)
        await self._put(message)

    async def _put(self, message: Message) -> None:
        if self.state == CLOSED or self._sender_failed:
            raise WebsocketDisconnected(self.close_code or 1006, self.close_reason)
        await self._outbox.put(message)  # waits while the outbox is full: backpressure

    async def _accept(
        self,
        headers: HeadersLike,
        subprotocol: str | None,
    ) -> None:
        if self.state == OPEN:
            return
        if self.state == CLOSED:
            raise WebsocketDisconnected(self.close_code or 1006, self.close_reason)
        if subprotocol is not None and subprotocol not in self.requested_subprotocols:
            raise ValueError(f"The client did not offer the subprotocol {subprotocol!r}.")
        if headers is None:
            pairs: Iterable[tuple[str, str]] = ()
        elif isinstance(headers, Mapping | Headers):
            pairs = headers.items()
        else:
            pairs = headers
        message: Message = {
            "type": "websocket.accept",
            "subprotocol": subprotocol,
            "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in pairs],
        }
        self.subprotocol = subprotocol
        self.state = OPEN
        await self._outbox.put(message)

    async def _close(self, code: int, reason: str) -> None:
        if self.state == CLOSED:
            return
        self._closed(code, reason)
        await self._outbox.put({"type": "websocket.close", "code": code, "reason": reason})

    def _closed(self, code: int, reason: str = "") -> None:
        """Mark the connection closed; a waiting ``receive`` wakes up to raise."""
        self.state = CLOSED
        if self.close_code is None:
            self.close_code, self.close_reason = code, reason
        self._readable.set()

    def _dumps(self, obj: Any) -> str:
        if self._json is not None:
            return str(self._json.dumps(obj))
        import json

        return json.dumps(obj)

    def _loads(self, data: str | bytes) -> Any:
        if self._json is not None:
            return self._json.loads(data)
        import json

        return json.loads(data)

    # The driver's side ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start the reader and sender tasks (the driver calls this after ``connect``)."""
        self._tasks = [
            asyncio.ensure_future(self._reader()),
            asyncio.ensure_future(self._sender()),
        ]

    async def _reader(self) -> None:
        limit = self._max_size
        while True:
            message = await self._server_receive()
            kind = message["type"]
            if kind == "websocket.disconnect":
                self._closed(int(message.get("code") or 1005), str(message.get("reason") or ""))
                return
            if kind != "websocket.receive":
                continue
            data: str | bytes | None = message.get("text")
            if data is None:
                data = message.get("bytes") or b""
            if limit is not None and _too_big(data, limit):
                await self._close(CLOSE_TOO_BIG, f"Messages are limited to {limit} bytes.")
                return
            self._inbox.append(data)
            self._readable.set()
            while len(self._inbox) >= INBOX_SIZE and self.state != CLOSED:
                self._room.clear()
                await self._room.wait()

    async def _sender(self) -> None:
        send = self._server_send
        outbox = self._outbox
        while True:
            message = await outbox.get()
            if message is None:
                return
            if self._sender_failed:
                continue  # drained, so that no send() waits on a full outbox forever
            try:
                await send(message)
            except Exception:  # the server refuses: the client is gone (ASGI spec 2.4: OSError)
                self._sender_failed = True
                self._closed(1006)

    async def finish(self) -> None:
        """Send what is queued, then stop the reader and sender (the driver's last step).

        A call still waiting in ``receive()`` (a sync handler's, when the server cancelled
        the connection) wakes up and raises ``WebsocketDisconnected``.
        """
        if self.state != CLOSED:
            self._closed(1001)
        reader, sender = self._tasks or (None, None)
        if sender is not None and not sender.done():
            await self._outbox.put(None)
            await sender
        if reader is not None and not reader.done():
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)

    async def send_raw(self, message: Message) -> None:
        """Queue a server message as is (the driver's rejection answers)."""
        self.state = CLOSED
        await self._outbox.put(message)


def _too_big(data: str | bytes, limit: int) -> bool:
    size = len(data)
    if isinstance(data, bytes) or size > limit:
        return size > limit
    # PERF: a str of n characters encodes to n to 4n bytes: encode only when in between.
    return size * 4 > limit and len(data.encode()) > limit


def _lookup_websocket() -> Websocket:
    ctx = _get_context()
    connection = ctx.request if ctx is not None else None
    if not isinstance(connection, Websocket):
        raise RuntimeError(
            "Working outside of websocket context. 'websocket' is the connection of a "
            "handler registered with @app.websocket(...): use it there, in its hooks, or "
            "in code they call."
        )
    return connection


#: The current WebSocket connection, in a websocket handler and its hooks.
websocket: Websocket = cast(Websocket, _make_proxy(_lookup_websocket, "websocket"))
