"""The ASGI adapter: scope and ``receive`` in, ``send`` out, plus lifespan.

It translates and drives; the lifecycle itself is ``lifecycle/pipeline.py``.

* ``async def`` user code is awaited on the event loop.
* Sync user code runs where ``loop_guard.py`` places it: by default on the loop, timed, until
  an endpoint proves it blocks, then on worker threads. On a thread, the rest of the pipeline
  is advanced there until it asks for an async call or ends, so an all-sync request costs one
  thread hop, not one per hook (a hop costs tens of microseconds, docs/performance.md).
* The body is read before the pipeline starts (bounded by ``MAX_CONTENT_LENGTH``), so
  ``request.form``, ``json`` and ``get_data()`` work in sync and async views alike; a view
  marked ``stream_request_body`` reads it as it arrives instead (``asgi_body.py``).
* A streamed body is sent chunk by chunk while ``receive`` is watched for the client leaving;
  then the generator is closed, teardown runs and on-close callbacks run.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Generator, Iterator, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from time import perf_counter
from typing import TYPE_CHECKING, Any, TypeVar

from .asgi_body import receive_body
from .context import Context, _cv_context
from .http.request import ASGIRequest
from .http.response import Response
from .idle_timer import IdleTimer
from .lifecycle.drive import after_direct, call_direct, resume, run_calls, start
from .lifecycle.handler import Handler
from .lifecycle.pipeline import Call, direct_view, finish, handle
from .loop_guard import THREADS, TIMED, LoopGuard, endpoint_of
from .signals import appcontext_popped, appcontext_pushed

if TYPE_CHECKING:
    from .app import Tumbler

__all__ = ["ASGIAdapter"]

T = TypeVar("T")
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_END = object()


class ASGIAdapter:
    """``app.asgi_app``: the ASGI 3 application."""

    __slots__ = ("_executor", "_idle", "app", "guard")

    def __init__(self, app: Tumbler) -> None:
        self.app = app
        self._executor: ThreadPoolExecutor | None = None
        self._idle: IdleTimer | None = None
        #: Where sync code runs; remembers the endpoints that blocked the loop.
        self.guard = LoopGuard()

    async def _other(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self._lifespan(receive, send)
        elif kind == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 1000})
        else:
            raise ValueError(f"Unsupported ASGI scope type {kind!r}")

    # Threads ------------------------------------------------------------------------------------

    def _in_thread(self, func: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        executor = self._executor
        if executor is None:
            executor = self._executor = ThreadPoolExecutor(
                max_workers=int(self.app.config["ASGI_THREADS"]), thread_name_prefix="tumbler"
            )
        run = contextvars.copy_context().run
        return asyncio.get_running_loop().run_in_executor(executor, run, func, *args)

    async def _drive(self, gen: Any, ctx: Context, place: int) -> Any:
        call, result = start(gen)
        if call is not None:
            result = await self._drive_from(gen, call, ctx, place)
        return result

    async def _drive_from(self, gen: Any, call: Call, ctx: Context, place: int) -> Any:
        """Make the pipeline's calls from ``call`` on: async ones awaited, sync ones placed.

        With the default placement every stretch of the pipeline that runs here (it may call
        sync hooks in place, ``ctx.sync_here``) is timed for the loop guard.
        """
        timed = place == TIMED
        limit = self.app.config["ASGI_SYNC_BLOCK_LIMIT"] if timed else 0.0
        # PERF: when the hooks and the view are all async, only a sync after_this_request
        # callback could run here in place: no clock reads until one is registered (0.1 µs
        # an await).
        hooks, view = ctx.hooks, ctx.view
        all_async = hooks is not None and hooks.all_async and (view is None or view.is_async)
        always = timed and not all_async
        result: Any = None
        began = 0.0
        while True:
            handler, args, kwargs = call
            if handler.is_async:
                try:
                    value = await (handler.func(*args, **kwargs) if kwargs else handler.func(*args))
                except BaseException as raised:
                    watch = timed
                    began = perf_counter()
                    next_call, result = resume(gen, None, raised)
                else:
                    # PERF: the all-async loop, with nothing else: no clock, no bool() call
                    # (0.05 µs a call; ctx.deferred is an instance attribute for this)
                    if not (always or (timed and ctx.deferred)):
                        try:
                            call = gen.send(value)
                        except StopIteration as stop:
                            return stop.value
                        continue
                    watch = True
                    began = perf_counter()
                    try:  # resume() inline for the commonest step
                        next_call = gen.send(value)
                    except StopIteration as stop:
                        next_call, result = None, stop.value
            elif place == THREADS:
                watch = False
                next_call, result = await self._in_thread(run_calls, gen, call, None)
            else:
                watch = timed
                began = perf_counter()
                next_call, result = run_calls(gen, call, None)
            if watch:
                elapsed = perf_counter() - began
                if elapsed > limit:
                    self.guard.timed(ctx, elapsed)
            if next_call is None:
                return result
            call = next_call

    def _idle_timer(self) -> IdleTimer:
        """The body-read idle timer of the running event loop."""
        loop = asyncio.get_running_loop()
        timer = self._idle
        if timer is None or timer.loop is not loop:
            timer = self._idle = IdleTimer(loop)
        return timer

    async def _call(self, handler: Handler, *args: Any) -> Any:
        if handler.is_async:
            return await handler.func(*args)
        return await self._in_thread(handler.func, *args)

    # HTTP ---------------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: C901
        # C901: one request's path, inline on purpose (PERF comments below); it reads top-down.
        if scope["type"] != "http":
            await self._other(scope, receive, send)
            return
        # PERF: an HTTP request is handled right here, one coroutine less (0.1 µs).
        app = self.app
        config = app.config
        request = ASGIRequest(scope if type(scope) is dict else dict(scope))
        ctx = app.request_context_for(request)
        receive = await receive_body(request, ctx.view, receive, config, self._idle_timer)
        hooks = ctx.hooks
        assert hooks is not None  # (set by request_context_for)
        token = _cv_context.set(ctx)
        pushed = True
        try:
            if appcontext_pushed.receivers:
                await appcontext_pushed.send_async(app)
            guard = self.guard
            if guard.threaded or config["ASGI_SYNC_IN_THREADS"] != "auto":
                place = guard.placement(config, ctx)
                ctx.sync_here = place != THREADS
            else:
                place = TIMED  # PERF: the default, decided without a call (0.1 µs)
                ctx.sync_here = True
            # PERF: sync code allowed on the loop runs here, without a coroutine per drive;
            # a request that runs nothing but a sync view, without the pipeline generator
            # (and one with hooks without the call that would say so: 50 ns).
            began = perf_counter()
            view = direct_view(ctx) if hooks.bare else None
            if view is None or (place == THREADS and not view.is_async):
                gen: Response | Generator[Call, Any, Response] = handle(app, ctx)
            elif view.is_async:
                try:
                    args = ctx.view_args
                    rv = await (view.func(**args) if args else view.func())
                except BaseException as error:  # as if thrown into the pipeline at the view
                    gen = handle(app, ctx, (None, error))
                else:
                    gen = after_direct(app, ctx, rv)
                began = perf_counter()  # awaiting is not holding the loop
            else:
                gen = call_direct(app, ctx, view, None)
            call: Call | None = None
            if isinstance(gen, Response):
                response = gen
            else:
                # PERF: next() reports the end without a StopIteration to catch (0.1 µs)
                call = next(gen, None)
                if call is None:  # finished in one go: every call was made in place
                    response = ctx.response  # type: ignore[assignment]  # PERF: not cast()
                elif place != THREADS and not call[0].is_async:
                    call, response = run_calls(gen, call, None)
            if place == TIMED:
                elapsed = perf_counter() - began
                if elapsed > config["ASGI_SYNC_BLOCK_LIMIT"]:
                    guard.timed(ctx, elapsed)
            if call is not None:
                response = await self._drive_from(gen, call, ctx, place)
            buffered = type(response.response) is list and request.method != "HEAD"
            try:
                start = {
                    "type": "http.response.start",
                    "status": response._status_code,
                    "headers": _encode_headers(response.headers._list),
                }
                if buffered:
                    # The last message goes out with the context variable reset (no user
                    # code runs in send). A server may copy the current contextvars in
                    # send(): uvicorn's keep-alive timer does, and that copy stayed in the
                    # loop's timer heap with this whole request (context, request, response)
                    # until the timer was cancelled and purged. Those objects outlived
                    # young-generation collections, and the full collections that followed
                    # (10-25 ms each, several a second under load) were tumbler's p99
                    # latency under uvicorn.
                    _cv_context.reset(token)
                    pushed = False
                await send(start)
                if buffered:
                    chunks = response.response
                    body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
                    await send({"type": "http.response.body", "body": body})
                elif request.method == "HEAD":
                    await _close_body(response)  # (an async body's aclose() may need it)
                    _cv_context.reset(token)
                    pushed = False
                    await send({"type": "http.response.body", "body": b""})
                else:  # the sender task drops the context before its last message
                    await self._stream(ctx, response, receive, send)
            finally:
                if not ctx.torn_down or response._on_close is not None or app._after_response:
                    if not pushed:  # teardown and on-close code run in the context
                        token = _cv_context.set(ctx)
                        pushed = True
                    await self._drive(finish(app, ctx, response), ctx, place)
        finally:
            if pushed:
                _cv_context.reset(token)
            if request._to_close is not None:
                request.close()
            if appcontext_popped.receivers:
                await appcontext_popped.send_async(app)
        preserve = scope.get("tumbler.preserve_context")
        if preserve is not None:
            preserve(ctx)

    async def _stream(self, ctx: Context, response: Response, receive: Receive, send: Send) -> None:
        sender = asyncio.ensure_future(self._send_chunks(ctx, response, send))
        watcher = asyncio.ensure_future(_wait_disconnect(receive))
        try:
            await asyncio.wait((sender, watcher), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sender, watcher):
                if not task.done():
                    task.cancel()
            await asyncio.gather(sender, watcher, return_exceptions=True)
            await _close_body(response)

    async def _send_chunks(self, ctx: Context, response: Response, send: Send) -> None:
        body: Any = response.response
        try:
            if hasattr(body, "__aiter__"):
                async for chunk in body:
                    await send(_chunk_message(chunk))
            else:
                chunks = iter(body)
                guard = self.guard
                place = guard.placement(self.app.config, ctx)
                while True:
                    if place == THREADS:
                        pending = self._in_thread(next, chunks, _END)
                        try:
                            chunk = await asyncio.shield(pending)
                        except asyncio.CancelledError:
                            # The client left: let the running next() finish, so the
                            # generator can be closed (it cannot close while executing).
                            await asyncio.wait((pending,))
                            raise
                    elif place == TIMED:
                        began = perf_counter()
                        chunk = next(chunks, _END)
                        guard.timed(ctx, perf_counter() - began)
                        if endpoint_of(ctx) in guard.threaded:  # moved: the next chunk too
                            place = THREADS
                    else:
                        chunk = next(chunks, _END)
                    if chunk is _END:
                        break
                    await send(_chunk_message(chunk))
        except asyncio.CancelledError:
            raise
        except Exception as error:
            # The status line is gone: stop without completing the body, so the server
            # closes the connection and the client sees a truncated response.
            ctx.error = error
            self.app.log_exception(ctx, error)
            return
        _cv_context.set(None)  # in this task's own copy: see the buffered case in __call__
        await send({"type": "http.response.body", "body": b""})

    # Lifespan -----------------------------------------------------------------------------------

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            kind = message["type"]
            if kind == "lifespan.startup":
                failed = await self._run_all(self.app.before_serving_funcs)
                if failed is not None:
                    await send({"type": "lifespan.startup.failed", "message": failed})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif kind == "lifespan.shutdown":
                failed = await self._run_all(self.app.after_serving_funcs)
                if self._executor is not None:
                    self._executor.shutdown(wait=False)
                    self._executor = None
                if failed is not None:
                    await send({"type": "lifespan.shutdown.failed", "message": failed})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                return

    async def _run_all(self, handlers: list[Handler]) -> str | None:
        for handler in handlers:
            try:
                await self._call(handler)
            except Exception as error:
                self.app.logger.exception("Error in lifespan hook %s", handler.name)
                return f"{type(error).__name__}: {error}"
        return None


# PERF: the byte names of the response headers tumbler itself sets.
_HEADER_NAMES = {
    name: name.lower().encode()
    for name in (
        "Content-Type",
        "Content-Length",
        "Set-Cookie",
        "Vary",
        "Location",
        "Cache-Control",
        "ETag",
        "Last-Modified",
        "Allow",
    )
}


# PERF: encoded header pairs that recur (Content-Type, short Content-Lengths, ...), so most
# pairs are one lookup: 0.1 µs less for two headers. Bounded; cookies are never kept.
_ENCODED: dict[tuple[str, str], tuple[bytes, bytes]] = {}
_ENCODED_MAX = 1024


def _encode_headers(pairs: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    """Response headers as ASGI wants them: lower-case names, latin-1 bytes."""
    known = _ENCODED
    encoded = []
    for pair in pairs:  # PERF: a loop, not a comprehension: 0.1 µs less for 2 headers
        found = known.get(pair)
        if found is None:
            name, value = pair
            found = (
                _HEADER_NAMES.get(name) or name.lower().encode("latin-1"),
                value.encode("latin-1"),
            )
            if len(known) < _ENCODED_MAX and name != "Set-Cookie" and len(value) < 100:
                known[pair] = found
        encoded.append(found)
    return encoded


def _chunk_message(chunk: Any) -> Message:
    data = chunk.encode() if isinstance(chunk, str) else bytes(chunk)
    return {"type": "http.response.body", "body": data, "more_body": True}


async def _wait_disconnect(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return


async def _close_body(response: Response) -> None:
    body: Any = response.response
    aclose = getattr(body, "aclose", None)
    if aclose is not None:
        await aclose()
        return
    close = getattr(body, "close", None)
    if close is not None and isinstance(body, Iterator):
        close()
