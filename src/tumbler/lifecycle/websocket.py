"""The lifecycle of one WebSocket connection, a generator driven like ``pipeline.handle``.

It follows the rules of this folder (README.md): no I/O, no asyncio or threading, no context
variable; every user call is yielded to the driver (``asgi_websocket.py``), which awaits async
ones and runs sync ones on the connection's worker thread. It reuses the request pipeline's
steps: ``preprocess_request``, ``handle_user_exception``, the 500 rule, ``_checked`` and
``teardown``; only the order around the handler is its own.

Order of one connection:

1. A routing error (no websocket rule at the path, or the ``Origin`` refused) goes straight
   to step 4: nothing of the app runs for a handshake that has no handler.
2. ``url_value_preprocessor`` functions, then ``before_websocket`` hooks; the first that
   returns non-None rejects the handshake with that response (if the handler never ran).
3. The handler, with the rule's values.
4. An exception from 1 to 3 goes to a matching error handler, as for a request; an HTTP
   error without one becomes its own response. ``WebsocketDisconnected`` (the client left,
   or the app closed) is no error: it only reaches teardown. An unhandled exception is
   logged and becomes a 500 (the driver closes an accepted socket with 1011 instead); with
   ``PROPAGATE_EXCEPTIONS`` it propagates after teardown.
5. ``after_websocket`` hooks in reverse, each given the response (None when there is none)
   and able to replace it.
6. ``teardown_websocket`` then ``teardown_appcontext`` callbacks, reversed, every one, each
   given the exception (``WebsocketDisconnected`` when the client left) or None.

The result is the response, or None. The driver sends it as the handshake's HTTP answer
while the socket is not accepted, and drops it once it is.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from ..http.websocket import WebsocketDisconnected
from .pipeline import (
    NO_ARGS,
    NO_KWARGS,
    Call,
    LifecycleApp,
    _checked,
    _server_error,
    handle_user_exception,
    preprocess_request,
    teardown,
)

if TYPE_CHECKING:
    from ..context import Context
    from ..http.response import Response

__all__ = ["handle_websocket"]


def handle_websocket(app: LifecycleApp, ctx: Context) -> Generator[Call, Any, Response | None]:
    """Run a connection from its handshake to its teardown; the rejection response or None."""
    response: Response | None = None
    try:
        try:
            try:
                rv = yield from _before_and_handler(app, ctx)
            except WebsocketDisconnected as gone:
                ctx.error = gone
                rv = None
            except Exception as error:
                rv = yield from handle_user_exception(app, ctx, error)
            if rv is not None:
                response = app.make_response(rv)
        except Exception as error:
            response = app.make_response((yield from _server_error(app, ctx, error)))
        response = yield from _after(app, ctx, response)
    except BaseException as error:  # propagating: teardown still runs, then it goes on up
        ctx.error = error
        yield from teardown(app, ctx)
        raise
    yield from teardown(app, ctx)
    return response


def _before_and_handler(app: LifecycleApp, ctx: Context) -> Generator[Call, Any, Any]:
    """Steps 1 to 3: a hook's answer, the handler's return value, or None."""
    if ctx.routing_error is not None:
        raise ctx.routing_error
    rv = yield from preprocess_request(app, ctx)
    if rv is not None:
        return rv
    view = ctx.view
    assert view is not None, "a matched websocket rule has a handler"
    return (yield view, NO_ARGS, ctx.view_args)


def _after(
    app: LifecycleApp, ctx: Context, response: Response | None
) -> Generator[Call, Any, Response | None]:
    """Step 5: each ``after_websocket`` hook once; one that raises makes the response a 500."""
    assert ctx.hooks is not None
    for handler in ctx.hooks.after:
        try:
            rv = yield handler, (response,), NO_KWARGS
            if rv is not None:
                response = _checked(rv, handler)
        except Exception as error:
            response = app.make_response((yield from _server_error(app, ctx, error)))
    return response
