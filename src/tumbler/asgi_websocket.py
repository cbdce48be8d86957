"""The ASGI driver of a WebSocket connection: scope in, the lifecycle driven, the socket closed.

``asgi.py`` hands every ``websocket`` scope to ``serve_websocket``. It routes the handshake,
checks its ``Origin``, pushes the context (``g`` lives as long as the connection), and drives
``lifecycle/websocket.py`` as ``asgi.py`` drives the request pipeline: async calls awaited
on the loop, sync calls (with the stretch of the pipeline after them, ``drive.run_calls``)
on a worker thread (``threads.py``; a pool of its own, ``WEBSOCKET_SYNC_THREADS``): a
plain ``def`` handler's connection holds one thread
for all its sync code; an ``async def`` handler's sync hooks borrow one per stretch, so a
connection waiting on the loop holds no thread. Then it ends the connection:

* an accepted socket is closed with 1000, or 1011 after an unhandled error;
* a socket never accepted is refused: with the response (a rejecting hook's, an HTTP
  error's, a 500) where the server has the ``websocket.http.response`` extension, else with
  a close before accept, which servers answer with 403;
* a client that left gets nothing more.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable, Generator, MutableMapping
from typing import TYPE_CHECKING, Any

from .context import Context, _cv_context
from .http.exceptions import Forbidden, HTTPException
from .http.request import blueprint_chain, untrusted_host
from .http.response import Response
from .http.websocket import (
    CLOSE_INTERNAL_ERROR,
    CLOSE_NORMAL,
    WEBSOCKET_METHOD,
    WebsocketDisconnected,
    origin_allowed,
    websocket_error_for,
)
from .lifecycle.drive import resume, run_calls_here, start
from .lifecycle.handler import Handler
from .lifecycle.hooks import HookSet
from .lifecycle.pipeline import Call
from .lifecycle.websocket import handle_websocket
from .signals import appcontext_popped, appcontext_pushed
from .threads import RequestThread, WorkerPool
from .websocket import CONNECTING, OPEN, Websocket

if TYPE_CHECKING:
    from .app import Tumbler

__all__ = ["serve_websocket", "websocket_context"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

DEFAULT_MAX_MESSAGE_SIZE = 1024 * 1024
DEFAULT_SEND_QUEUE = 16
DEFAULT_SYNC_THREADS = 100


class _AppState:
    """What one app keeps for its websocket routes: frozen hooks, handlers, worker threads."""

    def __init__(self, app: Tumbler) -> None:
        self.hooks: dict[str | None, HookSet] = {}
        self.handlers: dict[str, Handler] = {}
        size = app.config.get("WEBSOCKET_SYNC_THREADS", DEFAULT_SYNC_THREADS)
        self.pool = WorkerPool(int(size))


_STATE: weakref.WeakKeyDictionary[Tumbler, _AppState] = weakref.WeakKeyDictionary()


def _state(app: Tumbler) -> _AppState:
    state = _STATE.get(app)
    if state is None:
        state = _STATE[app] = _AppState(app)
    return state


def _hooks_for(app: Tumbler, state: _AppState, endpoint: str | None) -> HookSet:
    """The websocket hooks of ``endpoint``'s blueprint chain, in call order (cached)."""
    hooks = state.hooks.get(endpoint)
    if hooks is None:
        if not app._got_first_request:
            app._freeze()
        hooks = state.hooks[endpoint] = HookSet.build(
            blueprint_chain(endpoint),
            app.url_value_preprocessors,
            app.before_websocket_funcs,
            app.after_websocket_funcs,
            app.teardown_websocket_funcs,
            app.teardown_appcontext_funcs,
        )
    return hooks


def websocket_context(app: Tumbler, ws: Websocket) -> Context:
    """Route the handshake and check its Host and Origin; the context (not pushed yet)."""
    state = _state(app)
    ctx = Context(app, ws)
    config = ws.config = app.config
    refused: HTTPException | None = None
    if config.get("TRUSTED_HOSTS"):
        refused = untrusted_host(ws, config["TRUSTED_HOSTS"])
    if refused is None and not origin_allowed(
        ws.headers.get("Origin"), ws.headers.get("Host"), config.get("WEBSOCKET_ALLOWED_ORIGINS")
    ):
        refused = Forbidden("WebSocket connections from this origin are not allowed.")
    if refused is None:
        try:
            url_map = app.url_map
            if url_map.host_matching or app.subdomain_matching:
                domain = app._request_domain(ws)
                rule, args = url_map.match(ws.path, WEBSOCKET_METHOD, domain)
            else:
                rule, args = url_map.match(ws.path, WEBSOCKET_METHOD)
        except HTTPException as error:
            refused = websocket_error_for(error)
    if refused is not None:
        ctx.routing_error = ws.routing_exception = refused
        ctx.hooks = _hooks_for(app, state, None)
        return ctx
    ctx.url_rule = ws.url_rule = rule
    ctx.view_args = ws.view_args = args
    endpoint = rule.endpoint
    ctx.hooks = _hooks_for(app, state, endpoint)
    func = app.view_functions[endpoint]
    handler = state.handlers.get(endpoint)
    if handler is None or handler.func is not func:
        handler = state.handlers[endpoint] = Handler(func)
    ctx.view = handler
    return ctx


async def serve_websocket(app: Tumbler, scope: Scope, receive: Receive, send: Send) -> None:
    """Serve one ``websocket`` scope from ``connect`` to the end of its teardown."""
    first = await receive()
    if first["type"] != "websocket.connect":  # the client left during the handshake
        return
    config = app.config
    size = config.get("WEBSOCKET_MAX_MESSAGE_SIZE", DEFAULT_MAX_MESSAGE_SIZE)
    ws = Websocket(
        scope,
        receive,
        send,
        max_size=None if size is None else int(size),
        send_queue=int(config.get("WEBSOCKET_SEND_QUEUE", DEFAULT_SEND_QUEUE)),
        json=app.json,
    )
    ctx = websocket_context(app, ws)
    ctx.sync_here = False  # set only while a stretch runs on the thread (run_calls_here)
    ws.start()
    view = ctx.view
    driver = _Driver(_state(app).pool, ctx, keep=view is not None and not view.is_async)
    token = _cv_context.set(ctx)
    try:
        try:
            if appcontext_pushed.receivers:
                await appcontext_pushed.send_async(app)
            response = await driver.drive(handle_websocket(app, ctx))
        except BaseException:  # propagating (PROPAGATE_EXCEPTIONS, or cancelled)
            await _end(ws, ctx, None, scope)
            raise
        await _end(ws, ctx, response, scope)
    finally:
        driver.release()
        _cv_context.reset(token)
        await ws.finish()
        if appcontext_popped.receivers:
            await appcontext_popped.send_async(app)


class _Driver:
    """Makes the pipeline's calls: async ones awaited here, sync ones on a worker thread."""

    __slots__ = ("_ctx", "_keep", "_thread")

    def __init__(self, pool: WorkerPool, ctx: Context, keep: bool) -> None:
        self._thread = RequestThread(pool)
        self._ctx = ctx
        #: Hold the thread until the connection ends (a sync handler's connection); else an
        #: async handler's sync hooks borrow one per stretch, so that a connection that is
        #: waiting on the loop holds no thread.
        self._keep = keep

    async def drive(self, gen: Generator[Call, Any, Response | None]) -> Response | None:
        call, result = start(gen)
        while call is not None:
            handler, args, kwargs = call
            if handler.is_async:
                try:
                    value = await handler.func(*args, **kwargs)
                except BaseException as error:  # thrown back in: the pipeline decides
                    call, result = resume(gen, None, error)
                else:
                    call, result = resume(gen, value, None)
            else:
                # the sync call and every sync call after it, on the thread, in one hop
                call, result = await self._thread.run(run_calls_here, gen, call, self._ctx)
                if not self._keep:
                    self._thread.release()
        response: Response | None = result
        return response

    def release(self) -> None:
        self._thread.release()


async def _end(ws: Websocket, ctx: Context, response: Response | None, scope: Scope) -> None:
    """Close an open socket, or refuse one never accepted; nothing when the client left."""
    failed = ctx.error is not None and not isinstance(ctx.error, WebsocketDisconnected)
    if ws.state == OPEN:
        await ws._close(CLOSE_INTERNAL_ERROR if failed else CLOSE_NORMAL, "")
    elif ws.state == CONNECTING:
        await _refuse(ws, response, scope)


async def _refuse(ws: Websocket, response: Response | None, scope: Scope) -> None:
    """Refuse the handshake with ``response`` where the server can send one, else a 403."""
    extensions = scope.get("extensions") or {}
    if response is None or "websocket.http.response" not in extensions:
        await ws.send_raw({"type": "websocket.close", "code": 1008, "reason": ""})
        return
    body = response.get_data()
    headers = [
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in response.headers.items()
    ]
    await ws.send_raw(
        {
            "type": "websocket.http.response.start",
            "status": response.status_code,
            "headers": headers,
        }
    )
    await ws.send_raw({"type": "websocket.http.response.body", "body": body, "more_body": False})
