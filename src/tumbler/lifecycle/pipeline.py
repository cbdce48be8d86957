"""The request lifecycle, written once for both WSGI and ASGI.

Rules of this module (see README.md beside it):

* It does no I/O, imports neither asyncio nor threading, and touches no context variable.
* Every time it needs user code it *yields* a call, ``(handler, args, kwargs)``, and gets the
  result sent back, or the exception thrown back in. A driver (``drive.py``, the adapters)
  decides where each call runs: inline, awaited, or on the request's worker thread. There is
  one lane: every request takes these steps, in this order.
* One exception, for speed, at the same call sites: while the driver says that sync code
  may run right where the generator runs (``ctx.sync_here``: always under WSGI; under ASGI
  while the generator is advanced on the request's own thread, or on the loop for a route
  that opted in), a *sync* hook, view, callback or teardown callback is called in place
  instead of yielded. PERF: 0.25 µs a call, 25% of a request with hooks under WSGI
  (lifecycle/README.md has the measurement). An exception raised in place is caught by the
  same ``except`` as one thrown in at the ``yield``.
* The steps carry Flask's names and order. Each is also an app method
  (``Tumbler.preprocess_request`` ...). When a subclass or the app instance replaces one
  (``app.step_overrides``), the step yields a call to the replacement instead of running its
  own body; the default app method runs the same generator to its end in place.
* So its ``try``/``except`` blocks read like plain synchronous code, and the order of hooks is
  the same under every server by construction.

Order of one request (Flask's ``wsgi_app`` and ``full_dispatch_request``):

1. ``request_started``, ``url_value_preprocessor`` functions, then ``before_request`` hooks;
   the first hook that returns non-None answers the request (``preprocess_request``).
2. The view, or the routing error, or an automatic OPTIONS answer (``dispatch_request``).
3. An exception from 1 or 2 goes to a matching error handler; HTTP errors without one become
   their own response (``handle_user_exception``, ``handle_http_exception``).
4. The return value becomes a Response (``make_response``, in ``finalize_request``).
5. This request's ``after_this_request`` callbacks, in registration order, then
   ``after_request`` hooks in reverse; each runs at most once. None keeps the response.
   Then the session is saved (``process_response``), and ``request_finished`` is sent.
6. An exception that escapes 1 to 5 becomes a logged 500, through a 500 handler when there
   is one, and is finalized again: the after-chain goes on with the callbacks that have not
   run yet (``handle_exception``). With ``PROPAGATE_EXCEPTIONS`` it propagates instead.
7. Teardown: ``teardown_request`` then ``teardown_appcontext`` callbacks, reversed, each one
   even when another raised (``do_teardown_request``, ``do_teardown_appcontext``). For a
   streamed body the driver runs this after the last chunk (``finish``).
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from ..debug import debug_response, shows_debug_page
from ..http.datastructures import Headers
from ..http.exceptions import HTTPException, InternalServerError, RequestRedirect
from ..http.response import Response, adopt_headers
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
    "STEPS",
    "Call",
    "LifecycleApp",
    "dispatch_request",
    "do_teardown_appcontext",
    "do_teardown_request",
    "finalize_request",
    "finish",
    "full_dispatch_request",
    "handle",
    "handle_exception",
    "handle_http_exception",
    "handle_user_exception",
    "preprocess_request",
    "process_response",
    "teardown",
]

Call = tuple[Handler, tuple[Any, ...], Mapping[str, Any]]
NO_KWARGS: Mapping[str, Any] = {}
NO_ARGS: tuple[()] = ()
Steps = Generator[Call, Any, Any]

#: The app methods the pipeline calls by name when they are replaced.
STEPS = frozenset(
    (
        "preprocess_request",
        "dispatch_request",
        "full_dispatch_request",
        "finalize_request",
        "make_response",
        "process_response",
        "handle_user_exception",
        "handle_http_exception",
        "handle_exception",
        "log_exception",
        "do_teardown_request",
        "do_teardown_appcontext",
    )
)


class LifecycleApp(Protocol):
    """What the pipeline needs from the app object."""

    @property
    def propagate_exceptions(self) -> bool: ...

    @property
    def response_class(self) -> type[Response]: ...

    @property
    def step_overrides(self) -> Mapping[str, Handler]:
        """The step methods (``STEPS``) a subclass or the instance replaced: name -> handler."""

    def make_response(self, rv: Any) -> Response: ...

    def find_error_handler(self, error: BaseException, ctx: Context) -> Handler | None: ...

    def log_exception(self, exc_info: Any) -> None: ...

    def log_teardown_error(self, handler: Handler, error: BaseException) -> None: ...

    def make_default_options_response(self, ctx: Context) -> Response: ...

    def save_session(self, ctx: Context, response: Response) -> None: ...

    @property
    def after_response_hooks(self) -> tuple[Handler, ...]: ...


def _replaced(app: LifecycleApp, name: str) -> Handler | None:
    overrides = app.step_overrides
    return overrides.get(name) if overrides else None


def _overridable(app: LifecycleApp, ctx: Context, name: str, step: Any, *args: Any) -> Steps:
    """Step ``name``: the replacement's answer when it was replaced, else ``step``'s own."""
    replaced = _replaced(app, name)
    if replaced is not None:
        return (yield replaced, args, NO_KWARGS)
    return (yield from step(app, ctx, *args))


def _finalize(
    app: LifecycleApp, ctx: Context, rv: Any, from_error_handler: bool
) -> Generator[Call, Any, Response]:
    replaced = _replaced(app, "finalize_request")
    if replaced is None:
        return (yield from finalize_request(app, ctx, rv, from_error_handler))
    kwargs = {"from_error_handler": True} if from_error_handler else NO_KWARGS
    response: Response = yield replaced, (rv,), kwargs
    return response


# The request ---------------------------------------------------------------------------------


def handle(app: LifecycleApp, ctx: Context) -> Generator[Call, Any, Response]:
    """Run a request up to its finished response; tear down now unless the body streams."""
    response: Response
    overrides = app.step_overrides
    try:
        try:
            replaced = overrides.get("full_dispatch_request") if overrides else None
            if replaced is None:
                response = yield from full_dispatch_request(app, ctx)
            else:
                response = yield replaced, NO_ARGS, NO_KWARGS
        except Exception as error:
            response = yield from _overridable(
                app, ctx, "handle_exception", handle_exception, error
            )
    except BaseException as error:  # propagating: teardown still runs, then it goes on up
        ctx.error = error
        yield from teardown(app, ctx)
        raise
    if type(response.response) is list or not response.is_streamed:
        hooks = ctx.hooks
        assert hooks is not None
        # PERF: ``connected`` is empty when no signal has a receiver: one check, not two.
        if hooks.teardown or connected or overrides:
            yield from teardown(app, ctx)
        else:  # nothing to call: no generator (0.2 µs)
            ctx.torn_down = True
    ctx.response = response  # PERF: a driver may read it here instead of from StopIteration
    return response


def full_dispatch_request(app: LifecycleApp, ctx: Context) -> Steps:
    """Steps 1 to 5: preprocess, dispatch, handle a user exception, finalize.

    PERF: with no step replaced, the view's call is yielded right here (it is all that
    ``dispatch_request`` does), and ``finalize_request`` runs only when it has a callback,
    a session or a signal to see to: two generators less for a plain request (0.4 µs).
    """
    hooks = ctx.hooks
    assert hooks is not None
    overrides = app.step_overrides
    try:
        if connected and request_started.receivers:  # Flask: before any hook
            yield from _each_call(request_started.calls(ctx.app))
        if overrides:  # one of the steps may be replaced
            rv = yield from _overridable(app, ctx, "preprocess_request", preprocess_request)
            if rv is None:
                rv = yield from _overridable(app, ctx, "dispatch_request", dispatch_request)
        else:
            rv = (yield from preprocess_request(app, ctx)) if hooks.has_before else None
            if rv is None:
                view = ctx.view
                if view is None:
                    rv = _without_view(app, ctx)
                else:
                    args = ctx.view_args
                    if ctx.sync_here and not view.is_async:
                        rv = view.func(**args) if args else view.func()
                    else:
                        rv = yield view, NO_ARGS, args
                    if rv is None:
                        _returned(view, rv)  # raises
    except Exception as error:
        rv = yield from _overridable(
            app, ctx, "handle_user_exception", handle_user_exception, error
        )
    if overrides:
        return (yield from _finalize(app, ctx, rv, False))
    if connected or ctx.deferred or hooks.after or ctx._session is not None:
        return (yield from finalize_request(app, ctx, rv))
    if type(rv) is str:  # PERF: the commonest, without a call (0.1 µs)
        return app.response_class.from_text(rv)
    return _response_of(app, rv)


def preprocess_request(app: LifecycleApp, ctx: Context) -> Steps:
    """Step 1: URL value preprocessors, then ``before_request`` hooks until one answers."""
    hooks = ctx.hooks
    assert hooks is not None
    if hooks.preprocess:
        request = ctx.request
        assert request is not None
        args = (request.endpoint, ctx.view_args if ctx.url_rule is not None else None)
        for handler in hooks.preprocess:
            if ctx.sync_here and not handler.is_async:
                handler.func(*args)
            else:
                yield handler, args, NO_KWARGS
    for handler in hooks.before:
        rv = (
            handler.func()
            if ctx.sync_here and not handler.is_async
            else (yield handler, NO_ARGS, NO_KWARGS)
        )
        if rv is not None:
            return rv
    return None


def dispatch_request(app: LifecycleApp, ctx: Context) -> Steps:
    """Step 2: the view's return value (or the routing error, or the OPTIONS answer)."""
    view = ctx.view
    if view is None:
        return _without_view(app, ctx)
    args = ctx.view_args
    if ctx.sync_here and not view.is_async:
        return _returned(view, view.func(**args))
    return _returned(view, (yield view, NO_ARGS, args))


def _without_view(app: LifecycleApp, ctx: Context) -> Any:
    """No view to call: the routing failed, or a rule answers OPTIONS itself."""
    if ctx.routing_error is not None:
        raise ctx.routing_error
    return app.make_default_options_response(ctx)


def _returned(view: Handler, rv: Any) -> Any:
    if rv is None:
        raise TypeError(
            f"The view function for {view.name!r} did not return a valid response: it "
            "returned None or ended without a return statement."
        )
    return rv


def handle_user_exception(app: LifecycleApp, ctx: Context, error: Exception) -> Steps:
    """Step 3: the error handler's answer for ``error``; re-raised when there is none.

    An error answered here has its ``__traceback__`` dropped: the traceback holds the frames
    that hold the request, which holds the error, a reference cycle left for the garbage
    collector on every 404 (a flood of 404s made GC pauses show in p99 latency). Unhandled
    errors keep theirs for the log and for teardown.
    """
    if isinstance(error, HTTPException):
        return (
            yield from _overridable(app, ctx, "handle_http_exception", handle_http_exception, error)
        )
    handler = app.find_error_handler(error, ctx)
    if handler is None:
        raise error
    rv = yield handler, (error,), NO_KWARGS
    error.__traceback__ = None
    return rv


def handle_http_exception(app: LifecycleApp, ctx: Context, error: HTTPException) -> Steps:
    """Step 3 for HTTP errors: its handler's answer, or the error itself as the response."""
    handler = None
    if error.code is not None and not isinstance(error, RequestRedirect):
        handler = app.find_error_handler(error, ctx)
    if handler is None:
        error.__traceback__ = None
        return error
    rv = yield handler, (error,), NO_KWARGS
    error.__traceback__ = None
    return rv


def finalize_request(
    app: LifecycleApp, ctx: Context, rv: Any, from_error_handler: bool = False
) -> Generator[Call, Any, Response]:
    """Steps 4 and 5: make the response, run the after-chain, send ``request_finished``.

    ``from_error_handler``: finalizing the 500 of ``handle_exception``; an error of a
    ``request_finished`` receiver is then logged, not raised (as in Flask).
    """
    response: Response
    overrides = app.step_overrides
    replaced = overrides.get("make_response") if overrides else None
    if replaced is not None:
        response = yield replaced, (rv,), NO_KWARGS
    elif type(rv) is str:  # PERF: the commonest, without a call (0.1 µs)
        response = app.response_class.from_text(rv)
    else:
        response = _response_of(app, rv)
    if replaced is not None and type(response.headers) is not Headers:
        adopt_headers(response)
    hooks = ctx.hooks
    assert hooks is not None
    if app.step_overrides:
        response = yield from _overridable(app, ctx, "process_response", process_response, response)
    elif ctx.deferred or hooks.after or ctx._session is not None:
        response = yield from process_response(app, ctx, response)
    if connected and request_finished.receivers:  # Flask: after the after_request hooks
        try:
            yield from _each_call(request_finished.calls(ctx.app, response=response))
        except Exception as error:
            if not from_error_handler:
                raise
            yield from _log_exception(app, error)
    return response


def _response_of(app: LifecycleApp, rv: Any) -> Response:
    """The app's default ``make_response``, with the commonest return values first."""
    if type(rv) is str:  # PERF: 0.1 µs
        return app.response_class.from_text(rv)
    response = rv if type(rv) is Response else app.make_response(rv)
    if type(response.headers) is not Headers:  # the view assigned them (Werkzeug's, a dict)
        adopt_headers(response)
    return response


def process_response(app: LifecycleApp, ctx: Context, response: Response) -> Steps:
    """Step 5: this request's callbacks, the ``after_request`` hooks, then the session.

    The place in the chain lives on the context, so when a callback raises (the request
    becomes a 500, ``handle_exception``) the chain resumes after it: none runs twice.
    """
    hooks = ctx.hooks
    assert hooks is not None
    after = hooks.after
    while True:
        # this request's callbacks (the list may grow while they run), then the
        # after_request hooks; once those began, no callback is added
        deferred = ctx.deferred
        if ctx.after_done == 0 and ctx.deferred_done < len(deferred):
            handler = deferred[ctx.deferred_done]
            ctx.deferred_done += 1
        elif ctx.after_done < len(after):
            handler = after[ctx.after_done]
            ctx.after_done += 1
        else:
            break
        rv = (
            handler.func(response)
            if ctx.sync_here and not handler.is_async
            else (yield handler, (response,), NO_KWARGS)
        )
        if rv is not None and rv is not response:
            response = _checked(rv, handler)
        if type(response.headers) is not Headers:  # Flask-CORS assigns a MultiDict
            adopt_headers(response)
    if ctx._session is not None and ctx.error is None:
        app.save_session(ctx, response)
    return response


def handle_exception(
    app: LifecycleApp, ctx: Context, error: Exception
) -> Generator[Call, Any, Response]:
    """Step 6: an unhandled exception becomes a logged 500, finalized; or it propagates."""
    while True:
        rv = yield from _server_error(app, ctx, error)
        try:
            return (yield from _finalize(app, ctx, rv, True))
        except Exception as again:  # a callback failed too: a 500 again, the chain goes on
            error = again


def _server_error(app: LifecycleApp, ctx: Context, error: Exception) -> Steps:
    """The 500 for ``error`` (through a 500 handler when there is one), after logging it."""
    if got_request_exception.receivers:  # Flask: before the propagate check and the log
        yield from _each_call(got_request_exception.calls(ctx.app, exception=error))
    if app.propagate_exceptions:
        if not shows_debug_page(ctx):  # DEBUG's default answers the page, not the server
            raise error
        ctx.error = error
        yield from _log_exception(app, error)
        return debug_response(error, ctx)
    ctx.error = error
    yield from _log_exception(app, error)
    server_error = InternalServerError(original_exception=error)
    handler = app.find_error_handler(server_error, ctx)
    if handler is None:
        return server_error
    try:
        rv = yield handler, (server_error,), NO_KWARGS
        return app.make_response(rv)  # here: an invalid answer is logged, the 500 stands
    except Exception as handler_error:
        yield from _log_exception(app, handler_error)
    return server_error


def _each_call(calls: Iterable[Call]) -> Generator[Call, Any, None]:
    """Yield signal receivers' calls; what they return is not looked at (as in Flask)."""
    for call in calls:
        _ = yield call  # (not `yield from`: a list cannot take what the driver sends)


def _log_exception(app: LifecycleApp, error: BaseException) -> Steps:
    exc_info = (type(error), error, error.__traceback__)
    replaced = _replaced(app, "log_exception")
    if replaced is not None:
        yield replaced, (exc_info,), NO_KWARGS
    else:
        app.log_exception(exc_info)


def _checked(rv: Any, handler: Handler) -> Response:
    if isinstance(rv, Response):
        return rv
    raise TypeError(
        f"The response callback {handler.name!r} returned {type(rv).__name__}; "
        "it must return a Response object, or None to keep the current one."
    )


# Teardown and the end of a response ----------------------------------------------------------


def teardown(app: LifecycleApp, ctx: Context) -> Generator[Call, Any, None]:
    """Step 7: every teardown callback with the unhandled error or None; errors are logged."""
    ctx.torn_down = True
    hooks = ctx.hooks
    assert hooks is not None
    # PERF: ``connected`` is empty when no signal has a receiver: one check, not two.
    if not (hooks.teardown or app.step_overrides or connected):
        return
    for name, step in (
        ("do_teardown_request", do_teardown_request),
        ("do_teardown_appcontext", do_teardown_appcontext),
    ):
        replaced = _replaced(app, name)
        if replaced is None:
            yield from step(app, ctx, ctx.error)
            continue
        try:
            yield replaced, (ctx.error,), NO_KWARGS
        except Exception as error:
            app.log_teardown_error(replaced, error)


def do_teardown_request(
    app: LifecycleApp, ctx: Context, exc: BaseException | None
) -> Generator[Call, Any, None]:
    """The ``teardown_request`` callbacks, then ``request_tearing_down``."""
    hooks = ctx.hooks
    assert hooks is not None
    yield from _each(app, ctx, hooks.teardown[: hooks.request_teardowns], exc)
    if request_tearing_down.receivers:
        yield from _notify(app, request_tearing_down, ctx, exc)


def do_teardown_appcontext(
    app: LifecycleApp, ctx: Context, exc: BaseException | None
) -> Generator[Call, Any, None]:
    """The ``teardown_appcontext`` callbacks, then ``appcontext_tearing_down``."""
    hooks = ctx.hooks
    assert hooks is not None
    yield from _each(app, ctx, hooks.teardown[hooks.request_teardowns :], exc)
    if appcontext_tearing_down.receivers:
        yield from _notify(app, appcontext_tearing_down, ctx, exc)


def _each(
    app: LifecycleApp, ctx: Context, handlers: tuple[Handler, ...], exc: BaseException | None
) -> Generator[Call, Any, None]:
    args = (exc,)
    for handler in handlers:
        try:
            if ctx.sync_here and not handler.is_async:
                handler.func(*args)
            else:
                yield handler, args, NO_KWARGS
        except Exception as error:
            app.log_teardown_error(handler, error)


def _notify(
    app: LifecycleApp, signal: Signal, ctx: Context, exc: BaseException | None
) -> Generator[Call, Any, None]:
    """Send a teardown signal through the driver; a receiver's error is logged like a hook's."""
    for call in signal.calls(ctx.app, exc=exc):
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
            yield handler, NO_ARGS, NO_KWARGS
        except Exception as error:
            app.log_teardown_error(handler, error)
    args = (response,)
    for handler in app.after_response_hooks:
        try:
            yield handler, args, NO_KWARGS
        except Exception as error:
            app.log_teardown_error(handler, error)
