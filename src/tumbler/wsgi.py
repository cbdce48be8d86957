"""The WSGI adapter: environ in, ``start_response`` and a body iterable out.

It translates and drives; the lifecycle itself is ``lifecycle/pipeline.py``. Sync user code
runs inline. ``async def`` user code runs on one event loop per worker thread, created on
first use and reused for every later call (never a new loop per call).

A buffered response is torn down before it is returned, as in Flask. A streamed one keeps
its context: each chunk is produced with the request context current, and teardown runs in
``close()``, which the server calls after the last chunk or when the client went away.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from .context import Context, _cv_context
from .http.request import WSGIRequest
from .http.response import Response
from .lifecycle.drive import call_direct, drive_request, drive_sync
from .lifecycle.pipeline import direct_view, finish, handle
from .signals import appcontext_popped, appcontext_pushed

if TYPE_CHECKING:
    from .app import Tumbler

__all__ = ["WSGIAdapter", "run_async"]

T = TypeVar("T")
StartResponse = Callable[..., Any]

_local = threading.local()


class _ThreadLoop:
    """This thread's event loop; closed when the thread (and so this holder) goes away."""

    __slots__ = ("loop",)

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def __del__(self) -> None:
        if not self.loop.is_closed():
            self.loop.close()


def run_async(awaitable: Awaitable[T]) -> T:
    """Run an awaitable to completion on this thread's long-lived event loop."""
    holder: _ThreadLoop | None = getattr(_local, "holder", None)
    if holder is None:
        holder = _local.holder = _ThreadLoop()
    return holder.loop.run_until_complete(awaitable)


def _in_loop(func: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
    """For ``Signal.send``: run an ``async def`` receiver on this thread's loop."""
    return lambda *args, **kwargs: run_async(func(*args, **kwargs))


def _drive(gen: Any) -> Any:
    return drive_sync(gen, run_async)


class WSGIAdapter:
    """``app.wsgi_app``: the PEP 3333 callable."""

    __slots__ = ("app",)

    def __init__(self, app: Tumbler) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        app = self.app
        request = WSGIRequest(environ)
        ctx = app.request_context_for(request)
        ctx.sync_here = True  # this server thread is where sync code runs anyway
        token = _cv_context.set(ctx)
        try:
            if appcontext_pushed.receivers:
                appcontext_pushed.send(app, _async_wrapper=_in_loop)
            view = direct_view(ctx)
            result = handle(app, ctx) if view is None else call_direct(app, ctx, view, run_async)
            response = (
                result if isinstance(result, Response) else drive_request(result, ctx, run_async)
            )
        except BaseException:
            request.close()
            raise
        finally:
            _cv_context.reset(token)
        start_response(response.status, response.headers.to_wsgi_list())
        head = request.method == "HEAD"
        preserve = environ.get("tumbler.preserve_context")
        body = response.response
        if (
            type(body) is list
            and response._on_close is None
            and preserve is None
            and not app.after_response_hooks
        ):
            if request._to_close is not None:  # uploads and spooled bodies
                request.close()
            if appcontext_popped.receivers:
                appcontext_popped.send(app, _async_wrapper=_in_loop)
            return [] if head else body  # PERF: no wrapper for plain answers (0.3 µs)
        wsgi_body = WSGIBody(app, ctx, response, head, preserve)
        file_wrapper = environ.get("wsgi.file_wrapper")
        if file_wrapper is not None and not head:
            to_wrap = getattr(response.response, "file_to_wrap", None)  # files.FileBody
            if to_wrap is not None:
                # The server may send the file with sendfile(); its close() closes ``body``.
                wrapped: Iterable[bytes] = file_wrapper(
                    _ClosingFile(to_wrap[0], wsgi_body.close), to_wrap[1]
                )
                return wrapped
        return wsgi_body


class WSGIBody:
    """The body iterable for responses that stream or have code to run after sending."""

    __slots__ = ("_app", "_chunks", "_closed", "_ctx", "_preserve", "_response")

    def __init__(
        self,
        app: Tumbler,
        ctx: Context,
        response: Response,
        head: bool,
        preserve: Callable[[Context], None] | None,
    ) -> None:
        self._app = app
        self._ctx = ctx
        self._response = response
        self._preserve = preserve
        self._closed = False
        body: Any = response.response
        if head:
            self._chunks: Iterator[Any] = iter(())
        elif hasattr(body, "__aiter__"):
            self._chunks = _sync_chunks(body)
        else:
            self._chunks = iter(body)

    def __iter__(self) -> WSGIBody:
        return self

    def __next__(self) -> bytes:
        ctx = self._ctx
        ctx._enter()
        try:
            chunk = next(self._chunks)
        except StopIteration:
            raise
        except Exception as error:
            # The status line is gone: end the body here; the log says why.
            ctx.error = error
            self._app.log_exception(ctx, error)
            raise StopIteration from None
        finally:
            ctx._leave()
        return chunk.encode() if isinstance(chunk, str) else bytes(chunk)

    def close(self) -> None:
        """Called by the server after the last chunk, or when the client went away."""
        if self._closed:
            return
        self._closed = True
        ctx = self._ctx
        ctx._enter()
        try:
            try:
                _close_iterable(self._chunks)
                if self._response.response is not self._chunks:  # HEAD, or an async body
                    _close_iterable(self._response.response)
            except Exception as error:
                self._app.log_exception(ctx, error)
            _drive(finish(self._app, ctx, self._response))
        finally:
            ctx._leave()
            if appcontext_popped.receivers:
                appcontext_popped.send(self._app, _async_wrapper=_in_loop)
            if ctx.request is not None:
                ctx.request.close()
            if self._preserve is not None:
                self._preserve(ctx)


class _ClosingFile:
    """The file handed to ``wsgi.file_wrapper``: reads go to the file, ``close()`` to the body.

    So when the server closes the wrapper, teardown and on-close callbacks still run (the
    body's ``close()`` closes the file too).
    """

    __slots__ = ("_close", "_file")

    def __init__(self, file: Any, close: Callable[[], None]) -> None:
        self._file = file
        self._close = close

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)  # read, fileno, seek, tell

    def close(self) -> None:
        """Close the response body: the file, then teardown."""
        self._close()


def _close_iterable(body: Any) -> None:
    """Close a body iterator (sync or async) if it can be closed; lists cannot."""
    if isinstance(body, list):
        return
    aclose = getattr(body, "aclose", None)
    if aclose is not None:
        run_async(aclose())
        return
    close = getattr(body, "close", None)
    if close is not None:
        close()


def _sync_chunks(body: AsyncIterator[Any]) -> Iterator[Any]:
    """Iterate an async body from sync code, on this thread's loop."""
    iterator = body.__aiter__()
    try:
        while True:
            try:
                yield run_async(iterator.__anext__())
            except StopAsyncIteration:
                return
    finally:
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            run_async(aclose())
