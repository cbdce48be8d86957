"""The one context object a request (or an app context) pushes.

A single ``ContextVar`` holds a mutable ``Context``. Copying the ``contextvars`` context for a
worker thread copies the pointer, not the object, so ``g`` and ``after_this_request`` registered
in a thread-pool hop are seen by the request that made the hop.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import sys
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from .http import response as _response_module
from .lifecycle.handler import Handler
from .signals import appcontext_popped, appcontext_pushed

if TYPE_CHECKING:
    from .app import Tumbler
    from .http.exceptions import HTTPException
    from .http.request import Request
    from .http.response import Response
    from .lifecycle.hooks import HookSet
    from .routing import Rule
    from .sessions import SessionMixin
    from .threads import RequestThread

__all__ = [
    "Context",
    "after_this_request",
    "copy_current_request_context",
    "current_context",
    "has_app_context",
    "has_request_context",
]

F = TypeVar("F", bound=Callable[..., Any])

#: "No exception given": ``pop()`` then reads the one being handled, as Flask does.
_sentinel: Any = object()

_cv_context: contextvars.ContextVar[Context | None] = contextvars.ContextVar(
    "tumbler.context", default=None
)
_get_context = _cv_context.get


def _current_config() -> Mapping[str, Any] | None:
    """The current app's config, or None outside an app (``Response.max_cookie_size``)."""
    ctx = _cv_context.get()
    return None if ctx is None else ctx.app.config


# http/ knows no app: its responses find the app's MAX_COOKIE_SIZE through this lookup.
_response_module.current_config = _current_config

_NO_APP = (
    "Working outside of application context. This code needs the running app: call it while "
    "a request is handled, or push a context with 'with app.app_context():'."
)
_NO_REQUEST = (
    "Working outside of request context. This code needs an active HTTP request: call it from "
    "a view, a hook or a callback, or push one with 'with app.test_request_context():'."
)


class AppGlobals:
    """The ``g`` namespace: per-context storage with ``get``, ``pop``, ``setdefault`` and ``in``."""

    if TYPE_CHECKING:  # any attribute may be stored on g; type checkers see Any

        def __getattr__(self, name: str) -> Any: ...

    def get(self, name: str, default: Any = None) -> Any:
        """Return attribute ``name``, or ``default`` when it is not set."""
        return self.__dict__.get(name, default)

    def pop(self, name: str, *default: Any) -> Any:
        """Remove attribute ``name`` and return it; ``default`` if given and missing."""
        if default:
            return self.__dict__.pop(name, default[0])
        return self.__dict__.pop(name)

    def setdefault(self, name: str, default: Any = None) -> Any:
        """Return attribute ``name``, setting it to ``default`` first when it is missing."""
        return self.__dict__.setdefault(name, default)

    def __contains__(self, name: object) -> bool:
        return name in self.__dict__

    def __iter__(self) -> Any:
        return iter(self.__dict__)

    def __repr__(self) -> str:
        return f"<tumbler.g of {self.__dict__!r}>"


class Context:
    """Everything that belongs to one request, or to one app context when ``request`` is None."""

    # PERF: class-level defaults for what most requests leave alone (no __slots__).
    hooks: HookSet | None = None
    view: Handler | None = None
    url_rule: Rule | None = None
    routing_error: HTTPException | None = None
    error: BaseException | None = None
    torn_down = False
    #: Set by a driver while sync user code may run wherever the pipeline runs (pipeline.py).
    sync_here = False
    #: The pipeline's place in the after-chain (``process_response``): callbacks and
    #: ``after_request`` hooks already run, so none runs twice when one fails.
    deferred_done = 0
    after_done = 0
    #: Under ASGI, the worker thread of this request (``threads.RequestThread``), once it
    #: ran sync code there, and the adapter that lends it one (``thread_for(ctx)``).
    sync_thread: RequestThread | None = None
    thread_lender: Any = None
    #: The finished response, once ``pipeline.handle`` has made it.
    response: Response | None = None
    _session: SessionMixin | None = None

    #: This request's after_this_request callbacks (a list once the first is registered).
    deferred: list[Handler] | tuple[()] = ()
    view_args: dict[str, Any] = {}  # replaced, never mutated, when a rule matches
    _g: AppGlobals | None = None
    _tokens: list[contextvars.Token[Context | None]] | None = None

    def __init__(self, app: Tumbler, request: Request | None = None) -> None:
        self.app = app
        self.request = request
        # PERF: read on every request (some once a hook), so instance attributes: a class
        # default read through an instance costs 28 ns, an instance attribute 8 ns.
        self.deferred = ()
        self._session = None
        self._g = None

    @property
    def g(self) -> AppGlobals:
        """The ``g`` namespace of this context, made on first use."""
        g = self._g
        if g is None:
            g = self._g = self.app.app_ctx_globals_class()
        return g

    # Pushing and popping -------------------------------------------------------------------
    #
    # ``push``/``pop`` (and ``with``) are Flask's: for a context pushed by hand. Popping the
    # outermost push runs teardown. The adapters, which run teardown through the pipeline,
    # make a context current with ``_enter``/``_leave`` instead.

    def _enter(self) -> None:
        """Make this context current, nothing else (the adapters' and test client's push)."""
        if self._tokens is None:
            self._tokens = []
        self._tokens.append(_cv_context.set(self))

    def _leave(self) -> None:
        """Restore the context that was current before the matching ``_enter``."""
        assert self._tokens, "pop() without a matching push()"
        _cv_context.reset(self._tokens.pop())

    def push(self) -> None:
        """Make this the current context, as Flask's ``ctx.push()``; sends ``appcontext_pushed``."""
        self._enter()
        if appcontext_pushed.receivers:
            appcontext_pushed.send(self.app, _async_wrapper=_in_loop)

    def pop(self, exc: BaseException | None = _sentinel) -> None:
        """Undo ``push()``; the outermost pop runs teardown, as Flask's ``ctx.pop()``.

        ``teardown_request`` callbacks (for a request context), then the request's files are
        closed, then ``teardown_appcontext`` callbacks; each gets ``exc``, by default the
        exception being handled, if any.
        """
        tokens = self._tokens
        if not tokens:
            raise RuntimeError(f"Popped a context that is not pushed: {self!r}.")
        current = _cv_context.get()
        if current is not self:
            raise AssertionError(f"Popped wrong context ({current!r} instead of {self!r}).")
        try:
            if len(tokens) == 1:
                if exc is _sentinel:
                    exc = sys.exc_info()[1]
                self._teardown(exc)
        finally:
            _cv_context.reset(tokens.pop())
            if appcontext_popped.receivers:
                appcontext_popped.send(self.app, _async_wrapper=_in_loop)

    def _teardown(self, exc: BaseException | None) -> None:
        app = self.app
        request = self.request
        self.torn_down = True
        if request is not None:
            try:
                app.do_teardown_request(exc)
            finally:
                request.close()
        app.do_teardown_appcontext(exc)

    def __enter__(self) -> Context:
        self.push()
        return self

    def __exit__(self, exc_type: object, exc_value: BaseException | None, tb: object) -> None:
        self.pop(exc_value)

    @property
    def session(self) -> SessionMixin:
        """This request's session, opened on first use."""
        session = self._session
        if session is None:
            session = self._session = self.app.open_session(self)
        return session

    def __repr__(self) -> str:
        what = f"{self.request!r}" if self.request is not None else "app context"
        return f"<Context {what} of {self.app.name!r}>"


def _in_loop(func: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
    """Run an ``async def`` receiver or callback of a hand-pushed context synchronously.

    It runs on the thread's long-lived loop that the WSGI driver uses (imported only when
    something async has to run outside the pipeline).
    """
    from .wsgi import run_async

    return lambda *args, **kwargs: run_async(func(*args, **kwargs))


def current_context() -> Context:
    """Return the active context, or raise the RuntimeError that tells what to do."""
    ctx = _get_context()
    if ctx is None:
        raise RuntimeError(_NO_APP)
    return ctx


def current_request_context() -> Context:
    """Return the active context if it holds a request."""
    ctx = _get_context()
    if ctx is None or ctx.request is None:
        raise RuntimeError(_NO_REQUEST)
    return ctx


def has_request_context() -> bool:
    """Tell whether a request is active (useful before touching ``request``)."""
    ctx = _get_context()
    return ctx is not None and ctx.request is not None


def has_app_context() -> bool:
    """Tell whether an app context (or a request) is active."""
    return _get_context() is not None


def after_this_request(f: F) -> F:
    """Run ``f(response)`` after this request's response is made; usable as a decorator.

    ``f`` may return a response to replace the current one, or None to keep it.
    """
    ctx = _get_context()
    if ctx is None or ctx.request is None:
        ctx = current_request_context()  # raises the helpful error
    deferred = ctx.deferred
    if deferred:  # PERF: a truth test, not isinstance() (the empty tuple until the first)
        deferred.append(Handler(f))
    else:
        ctx.deferred = [Handler(f)]
    return f


def copy_current_request_context(f: F) -> F:
    """Bind ``f`` to the current request so it can run later, in another thread or task."""
    ctx = current_request_context()

    if inspect.iscoroutinefunction(f):

        @functools.wraps(f)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            token = _cv_context.set(ctx)
            try:
                return await f(*args, **kwargs)
            finally:
                _cv_context.reset(token)

        return async_wrapper  # type: ignore[return-value]

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        token = _cv_context.set(ctx)
        try:
            return f(*args, **kwargs)
        finally:
            _cv_context.reset(token)

    return wrapper  # type: ignore[return-value]
