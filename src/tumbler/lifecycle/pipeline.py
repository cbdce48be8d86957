"""The request lifecycle, written once for both WSGI and ASGI.

Rules of this module (see README.md beside it):

* It does no I/O, imports neither asyncio nor threading, and touches no context variable.
* Every time it needs user code it *yields* a call, ``(handler, args, kwargs)``, and gets the
  result sent back, or the exception thrown back in. A driver (``drive.py``) decides how to
  run each call: inline, awaited, on a worker thread, or on a per-thread event loop.
* Except where the driver set ``ctx.sync_here``: sync code may run right where the generator
  runs, so the hot calls (hooks, view, after-chain, teardown) of sync handlers are made in
  place. PERF: a yield and a send less per call, 0.2 µs each. Async handlers are yielded.
* So its ``try``/``except`` blocks read like plain synchronous code, and the order of hooks is
  the same under every server by construction.

Order of one request:

1. ``url_value_preprocessor`` functions, then ``before_request`` hooks; the first hook that
   returns non-None answers the request.
2. The view (or the routing error, or an automatic OPTIONS answer).
3. An exception from 1 or 2 goes to a matching error handler; HTTP errors without one become
   their own response.
4. The return value becomes a Response.
5. This request's ``after_this_request`` callbacks, in registration order, then
   ``after_request`` hooks in reverse; each runs at most once. None keeps the response.
6. The session is saved (when it was opened).
7. Teardown: ``teardown_request`` then ``teardown_appcontext`` callbacks, reversed, each one
   even when another raised. For a streamed body the driver runs this after the last chunk.

An exception that escapes 3, or is raised in 4 to 6, becomes a logged 500 (through a 500
handler when there is one); the after-chain then goes on with the callbacks that have not run
yet. With ``PROPAGATE_EXCEPTIONS`` it propagates instead, after teardown.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from ..debug import debug_response, shows_debug_page
from ..http.exceptions import HTTPException, InternalServerError, RequestRedirect
from ..http.response import Response
from ..signals import (
    appcontext_tearing_down,
    connected,
    got_request_exception,
    request_finished,
    request_started,
    request_tearing_down,
)
from .handler import Handler

if TYPE_CHECKING:
    from ..context import Context
    from ..signals import Signal

__all__ = [
    "NO_KWARGS",
    "Call",
    "LifecycleApp",
    "direct_response",
    "direct_view",
    "finish",
    "handle",
    "teardown",
]

Call = tuple[Handler, tuple[Any, ...], Mapping[str, Any]]
NO_KWARGS: Mapping[str, Any] = {}
NO_ARGS: tuple[()] = ()


class LifecycleApp(Protocol):
    """What the pipeline needs from the app object."""

    @property
    def propagate_exceptions(self) -> bool: ...

    @property
    def response_class(self) -> type[Response]: ...

    def make_response(self, rv: Any) -> Response: ...

    def find_error_handler(self, error: BaseException, ctx: Context) -> Handler | None: ...

    def log_exception(self, ctx: Context, error: BaseException) -> None: ...

    def log_teardown_error(self, handler: Handler, error: BaseException) -> None: ...

    def make_default_options_response(self, ctx: Context) -> Response: ...

    def save_session(self, ctx: Context, response: Response) -> None: ...

    @property
    def after_response_hooks(self) -> tuple[Handler, ...]: ...


def handle(  # noqa: C901
    app: LifecycleApp, ctx: Context, outcome: tuple[Any, BaseException | None] | None = None
) -> Generator[Call, Any, Response]:
    # C901: steps 1 to 3, 5 and 6 are inline on purpose (PERF below); it still reads top-down.
    """Run a request up to its finished response; tear down now unless the body streams.

    ``outcome`` is ``(result, exception)`` of a view the driver already called itself
    (``direct_view``): the request then goes on from step 3.
    """
    hooks = ctx.hooks
    assert hooks is not None
    here = ctx.sync_here
    try:
        try:
            try:  # steps 1 to 3
                rv = None
                if outcome is not None:  # the driver called the view itself (direct_view)
                    rv, raised = outcome
                    if raised is not None:
                        raise raised
                    if rv is None:
                        raise TypeError(_no_return(ctx.view))
                else:  # inline, not a sub-generator: PERF 0.3 µs
                    if connected and request_started.receivers:  # Flask: before any hook
                        yield from request_started.calls(ctx.app)
                    if hooks.has_before:  # step 1
                        if hooks.preprocess:
                            args = _preprocess_args(ctx)
                            for handler in hooks.preprocess:
                                if here and not handler.is_async:
                                    handler.func(*args)
                                else:
                                    yield handler, args, NO_KWARGS
                        for handler in hooks.before:
                            rv = (
                                handler.func()
                                if here and not handler.is_async
                                else (yield handler, NO_ARGS, NO_KWARGS)
                            )
                            if rv is not None:
                                break
                    if rv is None:  # step 2
                        view = ctx.view
                        if view is None:  # routing failed, or a rule answers OPTIONS itself
                            if ctx.routing_error is not None:
                                raise ctx.routing_error
                            rv = app.make_default_options_response(ctx)
                        else:
                            values = ctx.view_args
                            if not here or view.is_async:
                                rv = yield view, NO_ARGS, values
                            else:  # PERF: f() is 20 ns less than f(**{})
                                rv = view.func(**values) if values else view.func()
                            if rv is None:
                                raise TypeError(_no_return(view))
            except Exception as error:
                rv = yield from _handle_user_exception(app, ctx, error)
            # step 4
            if type(rv) is str:  # PERF: the commonest return value (0.1 µs)
                response = app.response_class.from_text(rv)
            else:
                response = rv if type(rv) is Response else app.make_response(rv)
        except Exception as error:
            response = yield from _internal_error(app, ctx, error)
        # Steps 5 and 6: pass the response down this request's callbacks, then save the
        # session. ``i`` and ``j`` survive an exception, so a failing callback turns the
        # response into a 500 and the chain resumes after it: no callback runs twice.
        # PERF: skipped outright when there is nothing to run (0.3 µs); inline, not a
        # sub-generator (3% of a request with an after_this_request callback).
        if ctx.deferred or hooks.after or ctx._session is not None:
            deferred = ctx.deferred
            after = hooks.after
            i = j = 0
            while True:
                try:
                    while True:
                        # this request's callbacks (the list may grow while they run), then
                        # the after_request hooks; once those began, no callback is added
                        if j == 0 and i < len(deferred):
                            handler = deferred[i]
                            i += 1
                        elif j < len(after):
                            handler = after[j]
                            j += 1
                        else:
                            break
                        rv = (
                            handler.func(response)
                            if here and not handler.is_async
                            else (yield handler, (response,), NO_KWARGS)
                        )
                        if rv is not None and rv is not response:
                            response = _checked(rv, handler)
                    if ctx._session is not None and ctx.error is None:
                        app.save_session(ctx, response)
                    break
                except Exception as error:
                    response = yield from _internal_error(app, ctx, error)
        if connected and request_finished.receivers:  # Flask: after after_request hooks
            try:
                yield from request_finished.calls(ctx.app, response=response)
            except Exception as error:
                response = yield from _internal_error(app, ctx, error)
    except BaseException as error:  # propagating: teardown still runs, then it goes on up
        ctx.error = error
        yield from teardown(app, ctx)
        raise
    if type(response.response) is list or not response.is_streamed:
        ctx.torn_down = True
        # PERF: ``connected`` is empty when no signal has a receiver: one check, not two.
        if hooks.teardown or (
            connected and (request_tearing_down.receivers or appcontext_tearing_down.receivers)
        ):
            yield from teardown(app, ctx)
    ctx.response = response  # PERF: a driver may read it here instead of from StopIteration
    return response


def _no_return(view: Handler | None) -> str:
    name = view.name if view is not None else "?"
    return (
        f"The view function for {name!r} did not return a valid response: it returned None "
        "or ended without a return statement."
    )


_LIFECYCLE_SIGNALS = frozenset(
    (request_started, request_finished, request_tearing_down, appcontext_tearing_down)
)


def direct_view(ctx: Context) -> Handler | None:
    """The view, when it is all a request runs; else None.

    PERF: then a driver may call (or await) it itself, with no pipeline generator (0.5 µs a
    request), and pass its result to ``direct_response``. That is the case for a view with
    no preprocessor, hook or teardown callback, and no lifecycle signal receiver.
    """
    hooks = ctx.hooks
    if hooks is not None and hooks.bare and connected.isdisjoint(_LIFECYCLE_SIGNALS):
        return ctx.view
    return None


def direct_response(app: LifecycleApp, ctx: Context, rv: Any) -> Response | None:
    """The response for a direct view's ``str`` result when nothing is left to do.

    Nothing is left when the view registered no ``after_this_request`` callback and opened
    no session; teardown is then done (there are no teardown callbacks). None means: run
    ``handle(app, ctx, (rv, None))`` for the rest.
    """
    if type(rv) is str and not ctx.deferred and ctx._session is None:
        ctx.torn_down = True
        return app.response_class.from_text(rv)
    return None


def teardown(app: LifecycleApp, ctx: Context) -> Generator[Call, Any, None]:
    """Call every teardown callback with the unhandled error or None; log their errors."""
    assert ctx.hooks is not None
    ctx.torn_down = True
    args = (ctx.error,)
    teardown = ctx.hooks.teardown
    split = ctx.hooks.request_teardowns
    here = ctx.sync_here
    for i, handler in enumerate(teardown):
        if i == split and request_tearing_down.receivers:
            yield from _notify(app, request_tearing_down, ctx)
        try:
            if here and not handler.is_async:
                handler.func(*args)
            else:
                yield handler, args, NO_KWARGS
        except Exception as error:
            app.log_teardown_error(handler, error)
    if split == len(teardown) and request_tearing_down.receivers:
        yield from _notify(app, request_tearing_down, ctx)
    if appcontext_tearing_down.receivers:
        yield from _notify(app, appcontext_tearing_down, ctx)


def _notify(app: LifecycleApp, signal: Signal, ctx: Context) -> Generator[Call, Any, None]:
    """Send a teardown signal through the driver; a receiver's error is logged like a hook's."""
    for call in signal.calls(ctx.app, exc=ctx.error):
        try:
            yield call
        except Exception as error:
            app.log_teardown_error(call[0], error)


def finish(app: LifecycleApp, ctx: Context, response: Response) -> Generator[Call, Any, None]:
    """After the body went out (or the client left): teardown if still due, then on-close code.

    ``response.call_on_close`` callbacks run first, then the app's ``after_response`` hooks.
    Their errors are logged; nothing can reach the client any more.
    """
    if not ctx.torn_down:
        yield from teardown(app, ctx)
    for func in response.on_close_callbacks:
        handler = Handler(func)
        try:
            yield handler, (), NO_KWARGS
        except Exception as error:
            app.log_teardown_error(handler, error)
    args = (response,)
    for handler in app.after_response_hooks:
        try:
            yield handler, args, NO_KWARGS
        except Exception as error:
            app.log_teardown_error(handler, error)


def _preprocess_args(ctx: Context) -> tuple[str | None, dict[str, Any] | None]:
    request = ctx.request
    assert request is not None
    return request.endpoint, ctx.view_args if ctx.url_rule is not None else None


def _handle_user_exception(
    app: LifecycleApp, ctx: Context, error: Exception
) -> Generator[Call, Any, Any]:
    """Find and call the error handler for ``error``; re-raise when there is none.

    An error answered here (by its own page or by a handler) has its ``__traceback__``
    dropped once answered: the traceback holds the frames that hold the request, which
    holds the error, a reference cycle left for the garbage collector on every 404 (about
    20 objects a request; a flood of 404s made GC pauses show in p99 latency). Unhandled
    errors keep theirs for the log and for teardown.
    """
    if isinstance(error, HTTPException) and (
        error.code is None or isinstance(error, RequestRedirect)
    ):
        error.__traceback__ = None
        return error
    handler = app.find_error_handler(error, ctx)
    if handler is None:
        if isinstance(error, HTTPException):
            error.__traceback__ = None
            return error
        raise error
    rv = yield handler, (error,), NO_KWARGS
    error.__traceback__ = None
    return rv


def _internal_error(
    app: LifecycleApp, ctx: Context, error: Exception
) -> Generator[Call, Any, Response]:
    """Turn an unhandled exception into a 500, or let it propagate when configured to."""
    if got_request_exception.receivers:  # Flask: before the propagate check and the log
        yield from got_request_exception.calls(ctx.app, exception=error)
    if app.propagate_exceptions:
        if not shows_debug_page(ctx):  # DEBUG's default answers the page, not the server
            raise error
        ctx.error = error
        app.log_exception(ctx, error)
        return debug_response(error, ctx)
    ctx.error = error
    app.log_exception(ctx, error)
    server_error = InternalServerError(original_exception=error)
    handler = app.find_error_handler(server_error, ctx)
    if handler is not None:
        try:
            rv = yield handler, (server_error,), NO_KWARGS
            return app.make_response(rv)
        except Exception as handler_error:
            app.log_exception(ctx, handler_error)
    return server_error.get_response()


def _checked(rv: Any, handler: Handler) -> Response:
    if isinstance(rv, Response):
        return rv
    raise TypeError(
        f"The response callback {handler.name!r} returned {type(rv).__name__}; "
        "it must return a Response object, or None to keep the current one."
    )
