"""The WSGI adapter: environ in, ``start_response`` and a body iterable out.

It translates and drives; the lifecycle itself is ``lifecycle/``. Sync user code runs
inline. ``async def`` user code runs on one event loop per worker thread, created on first
use and reused for every later call (never a new loop per call: ``threads.run_async``).

Each request runs in its own copy of the thread's ``contextvars`` (its chunks and its
``close()`` too), so a ContextVar a hook sets does not leak into the next request that the
server's thread handles.

A buffered response is torn down before it is returned, as in Flask. A streamed one keeps
its context: each chunk is produced with the request context current, and teardown runs in
``close()``, which the server calls after the last chunk or when the client went away. An
error while a chunk is produced propagates from the iterable after teardown and the log
(``lifecycle/policy.py``), so the server aborts the connection.
"""

from __future__ import annotations

import contextvars
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from .context import Context, _cv_context
from .http.response import Response
from .lifecycle.drive import drive_request, drive_sync
from .lifecycle.pipeline import finish, handle
from .lifecycle.policy import (
    BODILESS,
    context_popped,
    context_pushed,
    needs_finish,
    stream_failed,
)
from .signals import appcontext_popped, appcontext_pushed
from .threads import run_async

if TYPE_CHECKING:
    from .app import Tumbler

__all__ = ["WSGIAdapter", "run_async"]

StartResponse = Callable[..., Any]


def _drive(gen: Any) -> Any:
    return drive_sync(gen, run_async)


class WSGIAdapter:
    """``app.wsgi_app``: the PEP 3333 callable."""

    __slots__ = ("app",)

    def __init__(self, app: Tumbler) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        own = contextvars.copy_context()  # this request's contextvars (module docstring)
        result: Iterable[bytes] = own.run(self._respond, own, environ, start_response)
        return result

    def _respond(
        self, own: contextvars.Context, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        app = self.app
        request = app.wsgi_request_class(environ)
        ctx = app.request_context_for(request)
        ctx.sync_here = True  # this server thread is where sync code runs anyway
        _cv_context.set(ctx)  # in this request's own contextvars: nothing to reset
        try:
            if appcontext_pushed.receivers:
                _drive(context_pushed(app))
            response = drive_request(handle(app, ctx), ctx, run_async)
        except BaseException:
            request.close()
            raise
        start_response(response.status, response.headers.to_wsgi_list())
        head = request.method in BODILESS
        preserve = environ.get("tumbler.preserve_context")
        body = response.response
        if type(body) is list and preserve is None and not needs_finish(app, ctx, response):
            if request._to_close is not None:  # uploads and spooled bodies
                request.close()
            if appcontext_popped.receivers:
                _drive(context_popped(app))
            return [] if head else body  # PERF: no wrapper for plain answers (0.3 µs)
        wsgi_body = WSGIBody(app, ctx, response, head, preserve, own)
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

    __slots__ = ("_app", "_chunks", "_closed", "_ctx", "_own", "_preserve", "_response")

    def __init__(
        self,
        app: Tumbler,
        ctx: Context,
        response: Response,
        head: bool,
        preserve: Callable[[Context], None] | None,
        own: contextvars.Context,
    ) -> None:
        self._app = app
        self._ctx = ctx
        self._response = response
        self._preserve = preserve
        self._own = own
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
        chunk: bytes = self._own.run(self._next)
        return chunk

    def _next(self) -> bytes:
        try:
            chunk = next(self._chunks)
        except StopIteration:
            raise
        except Exception as error:
            # The status line is gone: teardown and the log, then the error goes on to the
            # server, which aborts the connection (lifecycle/policy.py).
            _drive(stream_failed(self._app, self._ctx, error))
            self._close()
            raise
        return chunk.encode() if isinstance(chunk, str) else bytes(chunk)

    def close(self) -> None:
        """Called by the server after the last chunk, or when the client went away."""
        if not self._closed:
            self._own.run(self._close)

    def _close(self) -> None:
        if self._closed:
            return
        self._closed = True
        ctx = self._ctx
        app = self._app
        try:
            try:
                _close_iterable(self._chunks)
                if self._response.response is not self._chunks:  # HEAD, or an async body
                    _close_iterable(self._response.response)
            except Exception as error:
                app.log_exception((type(error), error, error.__traceback__))
            _drive(finish(app, ctx, self._response))
        finally:
            if appcontext_popped.receivers:
                _drive(context_popped(app))
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
