"""Receiving an ASGI request body: buffered before the view, or streamed to a view that asks.

Rules of this module:

* Whether a body follows is ``ASGIRequest.has_body``: a Content-Length, a Transfer-Encoding,
  or HTTP/2 and later (which need neither). The body is the ``http.request`` messages until
  ``more_body`` is false, whatever the headers said; a declared length that the messages do
  not match is a 400, a disconnect before the end a 400.
* Every wait for a message is bounded twice (``_Pace``): ``ASGI_BODY_TIMEOUT`` seconds
  without a message, and a whole body slower than ``ASGI_BODY_MIN_RATE`` bytes a second
  after that first allowance (Apache's ``RequestReadTimeout ... MinRate``). Either is a 408.
  Time is the event loop's clock (``loop.time()``).
* Nothing here holds the event loop for long: a large body is spooled to disk on a worker
  thread in batches, and a large multipart body is parsed on a worker thread before the
  view (``ASGIRequest.parse_form_early``).
* The errors are left on the request and raised by whatever reads the body, so a view that
  never reads it is not refused.

Theory of operation: the adapter calls ``receive_body`` once, after routing. For a view
marked with ``stream_request_body`` it hands the request an ``ASGIBodyStream``, which pulls
messages when read: ``aread`` on the loop, ``read`` from a worker thread through
``asyncio.run_coroutine_threadsafe``. ``receive_body`` returns the ``receive`` the adapter
uses afterwards (to watch for the client leaving): for a streamed body, one that first
drains what the view left unread.
"""

from __future__ import annotations

import asyncio
import tempfile
import threading
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import IO, TYPE_CHECKING, Any

from .context import Context, _cv_context
from .http.body import CHUNK_SIZE, BodyStream, ShortBody, wants_body_stream
from .http.exceptions import (
    ClientDisconnected,
    HTTPException,
    RequestEntityTooLarge,
    RequestTimeout,
)
from .http.formparser import DEFAULT_SPOOL_THRESHOLD
from .http.protocol_requests import ASGIRequest
from .idle_timer import IdleTimer

if TYPE_CHECKING:
    from .lifecycle.handler import Handler

__all__ = ["ASGIBodyStream", "read_body", "receive_body"]

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]

#: Bytes written to the spool file at a time (on a worker thread).
_SPOOL_BATCH = 64 * 1024
#: Default of ``ASGI_BODY_MIN_RATE``: bytes a second a body must average after the allowance.
DEFAULT_MIN_RATE = 500.0


async def receive_body(
    request: ASGIRequest,
    view: Handler | None,
    receive: Receive,
    config: Mapping[str, Any],
    idle_timer: Callable[[], IdleTimer],
    ctx: Context | None = None,
) -> Receive:
    """Receive ``request``'s body as its view wants it; the ``receive`` to use afterwards.

    A large multipart or JSON body is parsed on a worker thread before the pipeline starts,
    so that ``async def`` code reading it never parses megabytes on the event loop.
    """
    if not request.has_body():
        return receive
    idle = config.get("ASGI_BODY_TIMEOUT")
    pace = _Pace(idle, config.get("ASGI_BODY_MIN_RATE", DEFAULT_MIN_RATE))
    timer = idle_timer() if idle else None
    if view is not None and wants_body_stream(view.func):
        stream = ASGIBodyStream(request, receive, pace, timer)
        request.set_body(stream)
        return stream.receive_after
    threshold = config.get("UPLOAD_SPOOL_THRESHOLD", DEFAULT_SPOOL_THRESHOLD)
    size = await read_body(request, receive, request.max_content_length, threshold, timer, pace)
    if size > CHUNK_SIZE and request.body_error is None:
        if request.mimetype == "multipart/form-data":
            await asyncio.to_thread(request.parse_form_early)
        elif request.is_json and ctx is not None:  # with the app's JSON provider
            await asyncio.to_thread(_in_context, ctx, request.parse_json_early)
    return receive


def _in_context(ctx: Context, func: Callable[[], None]) -> None:
    """Run ``func`` with ``ctx`` current (in the worker thread's own copy of the contextvars)."""
    _cv_context.set(ctx)
    func()


class _Pace:
    """How long the next body message may take: the idle timeout and the minimum rate."""

    __slots__ = ("idle", "rate", "start", "time")

    def __init__(self, idle: float | None, rate: float | None) -> None:
        loop = asyncio.get_running_loop()
        self.time = loop.time
        self.idle = float(idle) if idle else None
        # The rate is measured after the first idle allowance; without one it is off.
        self.rate = float(rate) if rate and self.idle else None
        self.start = self.time()

    def allowed(self, received: int) -> float | None:
        """Seconds the next message may take after ``received`` bytes; None: no bound."""
        idle = self.idle
        if idle is None or self.rate is None or not received:
            return idle  # (the first message: no clock read)
        return min(idle, self.start + idle + received / self.rate - self.time())

    def too_slow(self, received: int) -> bool:
        """Whether ``received`` bytes arrived later than the minimum rate allows."""
        rate = self.rate
        if rate is None:
            return False
        assert self.idle is not None
        return self.time() > self.start + self.idle + received / rate

    def error(self, waited: float | None) -> RequestTimeout:
        """The 408 for a body that came too slowly (``waited``: the wait that ran out)."""
        if waited is not None and self.idle is not None and waited >= self.idle:
            return RequestTimeout(f"No part of the request body arrived for {self.idle:g} seconds.")
        return RequestTimeout(
            f"The request body arrived slower than {self.rate:g} bytes a second "
            "(ASGI_BODY_MIN_RATE)."
        )


async def _next_message(
    receive: Receive, timer: IdleTimer | None, timeout: float | None
) -> Message | None:
    """The next message, or None when ``timeout`` seconds passed first (see idle_timer.py)."""
    if timer is None or timeout is None:
        return await receive()
    if timeout <= 0:
        return None
    task = asyncio.current_task(timer.loop)
    if task is None:
        return await receive()
    timer.watch(task, timeout)
    try:
        return await receive()
    except asyncio.CancelledError:
        if not timer.timed_out(task):
            raise
        return None
    finally:
        timer.waiting.pop(task, None)


def _unpack(
    message: Message | None, pace: _Pace, received: int, allowed: float | None
) -> tuple[bytes, bool]:
    """A message's body chunk and whether more follows (None: the wait ran out).

    408 or 400 (the client left) raised.
    """
    if message is None:
        raise pace.error(allowed)
    if message["type"] == "http.disconnect":
        raise ClientDisconnected()
    chunk: bytes = message.get("body", b"")
    if received and pace.rate is not None and pace.too_slow(received + len(chunk)):
        raise pace.error(None)
    return chunk, bool(message.get("more_body", False))


async def _body_message(
    receive: Receive, timer: IdleTimer | None, pace: _Pace, received: int
) -> tuple[bytes, bool]:
    """The next body chunk and whether more follows; 408 or 400 (left) raised."""
    allowed = pace.allowed(received)
    return _unpack(await _next_message(receive, timer, allowed), pace, received, allowed)


# Buffered: the whole body before the view -----------------------------------------------------


async def read_body(
    request: ASGIRequest,
    receive: Receive,
    limit: int | None,
    spool_threshold: int = DEFAULT_SPOOL_THRESHOLD,
    timer: IdleTimer | None = None,
    pace: _Pace | None = None,
) -> int:
    """Buffer the body; on a failure stop reading and leave the error on the request.

    Past ``limit``: 413. Too slow (``pace``): 408. A disconnect, or a length other than
    the declared one: 400. Return the number of bytes received.

    A body up to ``spool_threshold`` stays bytes (the cheap path of small posts). A larger
    one goes to a temporary file, written on a worker thread in batches of about 64 KiB so
    that neither the disk nor a flood of tiny chunks holds up the event loop.
    """
    declared = request.content_length
    if limit is not None and declared is not None and declared > limit:
        request.body_error = RequestEntityTooLarge()
        return 0
    if pace is None:
        pace = _Pace(None, None)
    parts: list[bytes] = []
    pending = total = 0  # bytes in ``parts``, bytes received
    spool: IO[bytes] | None = None
    try:
        more = True
        while more:
            allowed = pace.allowed(total)
            # PERF: the wait inline, one coroutine less for each message
            message = await (_next_message(receive, timer, allowed) if timer else receive())
            try:
                chunk, more = _unpack(message, pace, total, allowed)
            except (ClientDisconnected, RequestTimeout) as error:
                request.body_error = error
                break
            if not chunk:
                continue
            total += len(chunk)
            if (declared is not None and total > declared) or (limit is not None and total > limit):
                request.body_error = _over(total, declared)
                break
            parts.append(chunk)
            pending += len(chunk)
            if pending > spool_threshold if spool is None else pending >= _SPOOL_BATCH:
                spool = await asyncio.to_thread(_spill, spool, parts)
                parts, pending = [], 0
        else:
            if declared is not None and total < declared:
                request.body_error = ShortBody()
        if spool is not None and parts:
            await asyncio.to_thread(_spill, spool, parts)
    except BaseException:
        if spool is not None:
            spool.close()
        raise
    request.set_body(b"".join(parts) if spool is None else spool)
    return total


def _over(total: int, declared: int | None) -> HTTPException:
    if declared is not None and total > declared:
        return ShortBody("The request body is longer than its Content-Length.")
    return RequestEntityTooLarge()


def _spill(spool: IO[bytes] | None, parts: list[bytes]) -> IO[bytes]:
    """Append ``parts`` to the body's temporary file (made on first use); on a worker thread."""
    if spool is None:
        spool = tempfile.TemporaryFile()  # noqa: SIM115 -- closed by Request.close()
    try:
        spool.writelines(parts)
    except BaseException:
        spool.close()
        raise
    return spool


# Streamed: read as the view reads -----------------------------------------------------------

_ON_LOOP = (
    "request.stream.read() was called on the event loop's thread, where waiting for the "
    "body would stop every other request: in an async view use "
    "'await request.stream.aread(n)' or 'async for chunk in request.stream'; sync code "
    "that reads a streamed body must run on a worker thread (ASGI_SYNC_IN_THREADS)."
)
_ABANDONED = (
    "The request body can no longer be read: the response was already being sent. Read a "
    "streamed body (stream_request_body) in the view, before returning."
)


class ASGIBodyStream(BodyStream):
    """``request.stream`` of a view marked ``stream_request_body``: the messages as they come."""

    def __init__(
        self, request: ASGIRequest, receive: Receive, pace: _Pace, timer: IdleTimer | None
    ) -> None:
        super().__init__(request.content_length, request.max_content_length)
        self._receive = receive
        self._pace = pace
        self._timer = timer
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._lock = asyncio.Lock()
        self._more = True
        self._started = False
        self._disconnected = False
        self._abandoned = False

    async def _apull(self, size: int) -> bytes:
        async with self._lock:
            if self._abandoned:
                raise RuntimeError(_ABANDONED)
            if not self._started:  # the time bound counts from the view's first read
                self._started = True
                self._pace.start = self._pace.time()
            while self._more:
                try:
                    chunk, self._more = await _body_message(
                        self._receive, self._timer, self._pace, self.received
                    )
                except ClientDisconnected:
                    self._more = False
                    self._disconnected = True
                    raise
                if chunk:
                    return chunk
            return b""

    def _pull(self, size: int) -> bytes:
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        loop = self._loop
        if running is loop or threading.get_ident() == self._loop_thread:
            raise RuntimeError(_ON_LOOP)
        return asyncio.run_coroutine_threadsafe(self._apull(size), loop).result()

    async def receive_after(self) -> Message:
        """The adapter's ``receive`` after the view: what the view left unread is drained."""
        async with self._lock:
            self._abandoned = True
            while self._more and not self._disconnected:
                message = await self._receive()
                if message["type"] == "http.disconnect":
                    self._disconnected = True
                    break
                self._more = bool(message.get("more_body", False))
            if self._disconnected:
                return {"type": "http.disconnect"}
        return await self._receive()
