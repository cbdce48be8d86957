"""The ASGI adapter: scope and ``receive`` in, ``send`` out, plus lifespan.

It translates and drives; the lifecycle itself is ``lifecycle/``.

* ``async def`` user code is awaited on the event loop.
* Sync user code runs on the request's worker thread (``threads.RequestThread``): one
  thread per request, taken at its first sync call and kept to its end, so every sync hook,
  the view, callbacks, teardown and each chunk of a sync body run on the same thread. The
  pipeline itself is advanced there while its calls stay sync: a stretch of sync calls costs
  one hop. A request that runs only ``async def`` code takes no thread.
* Sync code runs on the loop only where the developer asked: ``ASGI_SYNC_IN_THREADS = False``
  for the whole app, or ``@sync_on_loop`` on a view for its route. Never decided at run time.
* The body is read before the pipeline starts (bounded by ``MAX_CONTENT_LENGTH``), so
  ``request.form``, ``json`` and ``get_data()`` work in sync and async views alike; a view
  marked ``stream_request_body`` reads it as it arrives instead (``asgi_body.py``).
* A streamed body is sent chunk by chunk while ``receive`` is watched for the client leaving;
  then the body is closed, teardown runs and on-close callbacks run.
* The last message of a response goes out with the context variable cleared (no user code
  runs in ``send``). A server may copy the current contextvars in ``send()``: uvicorn's
  keep-alive timer does, and that copy stayed in the loop's timer heap with this whole
  request until the timer was cancelled and purged. Those objects outlived young-generation
  collections, and the full collections that followed (10-25 ms each, several a second under
  load) were tumbler's p99 latency. Teardown and on-close code get the context back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from time import perf_counter
from typing import TYPE_CHECKING, Any, TypeVar

from .asgi_body import receive_body
from .context import Context, _cv_context
from .http.response import Response
from .idle_timer import IdleTimer
from .lifecycle.drive import resume, run_calls, run_calls_here
from .lifecycle.handler import Handler
from .lifecycle.pipeline import Call, finish, handle
from .lifecycle.policy import (
    BODILESS,
    client_left,
    context_popped,
    context_pushed,
    needs_finish,
    sends_body,
    stream_failed,
)
from .signals import appcontext_popped, appcontext_pushed
from .threads import RequestThread, WorkerPool

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

    __slots__ = ("_idle", "_pool", "app")

    def __init__(self, app: Tumbler) -> None:
        self.app = app
        self._idle: IdleTimer | None = None
        self._pool: WorkerPool | None = None

    async def _other(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self._lifespan(receive, send)
        elif kind == "websocket":
            from .asgi_websocket import serve_websocket

            await serve_websocket(self.app, scope, receive, send)
        else:
            raise ValueError(f"Unsupported ASGI scope type {kind!r}")

    # Threads ------------------------------------------------------------------------------------

    @property
    def pool(self) -> WorkerPool:
        """The worker threads for sync code (``ASGI_THREADS`` of them at most)."""
        pool = self._pool
        if pool is None:
            pool = self._pool = WorkerPool(int(self.app.config["ASGI_THREADS"]))
        return pool

    def thread_for(self, ctx: Context) -> RequestThread:
        """The request's worker thread: made at its first sync run (taken from the pool
        then), the same one for the rest of the request."""
        thread = ctx.sync_thread
        if thread is None:
            thread = ctx.sync_thread = RequestThread(self.pool)
        return thread

    def _sync_on_loop(self, ctx: Context) -> bool:
        """Whether the request's sync code runs on the loop: only where the developer asked
        (``ASGI_SYNC_IN_THREADS = False``, or ``@sync_on_loop`` on the route's view)."""
        view = ctx.view
        return not self.app.config["ASGI_SYNC_IN_THREADS"] or (view is not None and view.on_loop)

    async def _drive(self, gen: Any, ctx: Context) -> Any:
        """Run a pipeline generator to its end: its async calls awaited here, its sync ones
        on the request's worker thread (or here, for a route that opted in)."""
        try:
            call: Call = gen.send(None)
        except StopIteration as stop:
            return stop.value
        return await self._drive_from(gen, call, ctx)

    async def _drive_from(self, gen: Any, call: Call | None, ctx: Context) -> Any:
        """``_drive`` from the generator's first call on."""
        result: Any = None
        while call is not None:
            handler = call[0]
            if handler.is_async:
                args, kwargs = call[1], call[2]
                try:
                    value = await (handler.func(*args, **kwargs) if kwargs else handler.func(*args))
                except BaseException as raised:  # thrown back in: the pipeline decides
                    call, result = resume(gen, None, raised)
                    continue
                try:
                    call = gen.send(value)
                except StopIteration as stop:
                    return stop.value
            elif ctx.sync_here:  # on the loop: the route or the app opted in
                call, result = self._run_on_loop(ctx, run_calls, gen, call, None)
            else:  # this and the sync calls after it, on the request's thread: one hop
                thread = ctx.sync_thread or self.thread_for(ctx)
                call, result = await thread.run(run_calls_here, gen, call, ctx)
        return result

    def _run_on_loop(self, ctx: Context, func: Callable[..., T], *args: Any) -> T:
        """Sync code on the loop, where the developer put it. In debug mode a run that holds
        the loop longer than ``ASGI_SYNC_WARN_AFTER`` seconds is logged; nothing moves."""
        app = self.app
        if not app.debug:
            return func(*args)
        began = perf_counter()
        try:
            return func(*args)
        finally:
            held = perf_counter() - began
            limit = app.config.get("ASGI_SYNC_WARN_AFTER")
            if limit is not None and held > limit:
                rule = ctx.url_rule
                app.logger.warning(
                    "Sync code of endpoint %r held the event loop for %.1f ms (more than "
                    "ASGI_SYNC_WARN_AFTER = %g s). It runs on the loop because the route or "
                    "the app asked for it (sync_on_loop, ASGI_SYNC_IN_THREADS = False); "
                    "while it runs, no other request of this worker makes progress.",
                    None if rule is None else rule.endpoint,
                    held * 1000,
                    limit,
                )

    def _idle_timer(self) -> IdleTimer:
        """The body-read idle timer of the running event loop."""
        loop = asyncio.get_running_loop()
        timer = self._idle
        if timer is None or timer.loop is not loop:
            timer = self._idle = IdleTimer(loop)
        return timer

    # HTTP ---------------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._other(scope, receive, send)
            return
        # PERF: an HTTP request is handled right here, one coroutine less (0.1 µs).
        app = self.app
        request = app.asgi_request_class(scope if type(scope) is dict else dict(scope))
        ctx = app.request_context_for(request)
        receive = await receive_body(request, ctx.view, receive, app.config, self._idle_timer, ctx)
        ctx.thread_lender = self  # (for ensure_async)
        if self._sync_on_loop(ctx):  # the opt-in: sync code in place, on the loop
            ctx.sync_here = True
        token = _cv_context.set(ctx)
        try:
            if appcontext_pushed.receivers:
                await self._drive(context_pushed(app), ctx)
            gen = handle(app, ctx)
            # PERF: next() reports a pipeline that made no call (a plain 404) without a
            # StopIteration to catch; the response is then on the context.
            call = (
                next(gen, None)
                if not ctx.sync_here
                else self._run_on_loop(ctx, next, gen, None)  # (sync code in place)
            )
            response: Response = (
                ctx.response  # type: ignore[assignment]  # (set when call is None; not cast(): PERF)
                if call is None
                else await self._drive_from(gen, call, ctx)
            )
            try:
                if type(response.response) is list and request.method not in BODILESS:
                    # PERF: the commonest answer, sent right here (0.2 µs)
                    start = {
                        "type": "http.response.start",
                        "status": response._status_code,
                        "headers": _encode_headers(response.headers._list),
                    }
                    _cv_context.set(None)  # before the last message (module docstring)
                    await send(start)
                    chunks = response.response
                    body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
                    await send({"type": "http.response.body", "body": body})
                else:
                    await self._send_response(ctx, response, receive, send)
            finally:
                if needs_finish(app, ctx, response):
                    _cv_context.set(ctx)  # teardown and on-close code run in the context
                    await self._drive(finish(app, ctx, response), ctx)
        finally:
            try:
                if appcontext_popped.receivers:
                    await self._drive(context_popped(app), ctx)
            finally:
                _cv_context.reset(token)
                if ctx.sync_thread is not None:
                    ctx.sync_thread.release()
                if request._to_close is not None:
                    request.close()
        preserve = scope.get("tumbler.preserve_context")
        if preserve is not None:
            preserve(ctx)

    async def _send_response(
        self, ctx: Context, response: Response, receive: Receive, send: Send
    ) -> None:
        """The answer to HEAD (the body closed unread), or a streamed body."""
        assert ctx.request is not None
        start = _start_message(response)
        if sends_body(ctx.request.method):
            await send(start)
            await self._stream(ctx, response, receive, send)
            return
        await self._close_body(ctx, response)  # (an async body's aclose() may need it)
        _cv_context.set(None)  # before the last message (module docstring)
        await send(start)
        await send({"type": "http.response.body", "body": b""})

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
            await self._close_body(ctx, response)

    async def _send_chunks(self, ctx: Context, response: Response, send: Send) -> None:
        try:
            async for chunk in self._chunks(ctx, response.response):
                try:
                    await send(_chunk_message(chunk))
                except OSError as error:  # the client left (lifecycle/policy.py)
                    client_left(self.app.logger, error)
                    return
        except asyncio.CancelledError:
            raise
        except Exception as error:
            # The status line is gone: stop without completing the body, so the server
            # closes the connection and the client sees a truncated response.
            await self._drive(stream_failed(self.app, ctx, error), ctx)
            return
        _cv_context.set(None)  # in this task's own copy (module docstring)
        try:
            await send({"type": "http.response.body", "body": b""})
        except OSError as error:
            client_left(self.app.logger, error)

    async def _close_body(self, ctx: Context, response: Response) -> None:
        """Close the body iterable: a sync one on the request's thread (its ``finally``
        blocks are sync user code, and a ``next()`` the client's leaving cancelled may still
        run there: the thread runs this after it)."""
        body: Any = response.response
        aclose = getattr(body, "aclose", None)
        if aclose is not None:
            await aclose()
            return
        close = getattr(body, "close", None)
        if close is None or not isinstance(body, Iterator):
            return
        if ctx.sync_here:
            close()
        else:
            await self.thread_for(ctx).run(close)

    async def _chunks(self, ctx: Context, body: Any) -> Any:
        """The chunks of a body: an async one as it is, a sync one on the request's thread."""
        if hasattr(body, "__aiter__"):
            async for chunk in body:
                yield chunk
            return
        chunks = iter(body)
        while True:
            if ctx.sync_here:
                chunk = self._run_on_loop(ctx, next, chunks, _END)
            else:
                chunk = await self.thread_for(ctx).run(next, chunks, _END)
            if chunk is _END:
                return
            yield chunk

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
                if self._pool is not None:  # waits for running sync code, stops the threads
                    await self._pool.close()
                if failed is not None:
                    await send({"type": "lifespan.shutdown.failed", "message": failed})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                return

    async def _run_all(self, handlers: list[Handler]) -> str | None:
        for handler in handlers:
            thread = RequestThread(self.pool)
            try:
                if handler.is_async:
                    await handler.func()
                elif not self.app.config["ASGI_SYNC_IN_THREADS"]:
                    handler.func()
                else:
                    await thread.run(handler.func)
            except Exception as error:
                self.app.logger.exception("Error in lifespan hook %s", handler.name)
                return f"{type(error).__name__}: {error}"
            finally:
                thread.release()
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


def _start_message(response: Response) -> Message:
    return {
        "type": "http.response.start",
        "status": response._status_code,
        "headers": _encode_headers(response.headers._list),
    }


def _chunk_message(chunk: Any) -> Message:
    data = chunk.encode() if isinstance(chunk, str) else bytes(chunk)
    return {"type": "http.response.body", "body": data, "more_body": True}


async def _wait_disconnect(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
