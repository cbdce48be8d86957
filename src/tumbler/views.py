"""Class-based views: ``View`` and ``MethodView``, used as in Flask.

``as_view`` turns a class into a view function. The app classifies a view as sync or async
once, when it is registered, by whether the *function* is a coroutine function
(``lifecycle/handler.py``). So ``as_view`` decides the function's kind from the class:

* every dispatch target is sync: a plain ``def`` view, run where the request's sync code
  runs (under ASGI the request's worker thread);
* every dispatch target is ``async def``: an ``async def`` view (awaited on the loop);
* a ``MethodView`` mixing both, e.g. a sync ``get`` and an async ``post``: an ``async def``
  view that awaits the handler when it is async. A sync handler of such a class runs through
  ``ensure_async``: under ASGI on the request's worker thread, like all the request's other
  sync code (on the loop where the route or the app opted in); under WSGI inline.

``decorators`` are applied to the view function, as in Flask. When the view is async and a
decorator returns a plain ``def`` wrapper (a typical ``login_required``), the result is
wrapped once more in an ``async def`` that awaits whatever the decorated view returns, so
ordinary sync decorators keep working on async views. Such a decorator's own code runs on
the event loop under ASGI; keep it cheap.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection
from typing import Any, ClassVar, Protocol, cast

from .context import _get_context
from .lifecycle.handler import is_async_callable
from .threads import ensure_async

__all__ = ["MethodView", "View", "ViewFunction", "http_method_funcs"]

#: The method names ``MethodView`` dispatches to.
http_method_funcs: frozenset[str] = frozenset(
    ["get", "post", "head", "options", "delete", "put", "trace", "patch"]
)


class ViewFunction(Protocol):
    """What ``as_view`` returns: a view function that remembers its class."""

    view_class: type[View]
    methods: Collection[str] | None
    provide_automatic_options: bool | None
    __name__: str
    __doc__: str | None
    __module__: str

    def __call__(self, **kwargs: Any) -> Any:
        """Handle one request."""


class View:
    """Subclass and implement ``dispatch_request``; register with ``as_view(name)``."""

    #: The methods this view is registered for (``GET`` when None, as for functions).
    methods: ClassVar[Collection[str] | None] = None
    #: Whether the app answers OPTIONS itself (None: unless OPTIONS is in ``methods``).
    provide_automatic_options: ClassVar[bool | None] = None
    #: Decorators applied, in order, to the function ``as_view`` returns.
    decorators: ClassVar[list[Callable[..., Any]]] = []
    #: Make a new instance per request (True) or one instance shared by all requests.
    init_every_request: ClassVar[bool] = True

    def dispatch_request(self, **kwargs: Any) -> Any:
        """Handle the request; the URL's variables arrive as keyword arguments."""
        raise NotImplementedError()

    @classmethod
    def _dispatch_kind(cls) -> str:
        """``"sync"``, ``"async"`` or ``"mixed"``: the kind of function ``as_view`` returns."""
        return "async" if is_async_callable(cls.dispatch_request) else "sync"

    @classmethod
    def as_view(cls, name: str, *class_args: Any, **class_kwargs: Any) -> ViewFunction:
        """Return a view function for this class; the arguments go to the constructor."""
        shared = None if cls.init_every_request else cls(*class_args, **class_kwargs)

        def instance() -> View:
            if shared is not None:
                return shared
            return cls(*class_args, **class_kwargs)

        view: Callable[..., Any]
        if cls._dispatch_kind() == "sync":

            def view(**kwargs: Any) -> Any:
                return instance().dispatch_request(**kwargs)

        else:

            async def view(**kwargs: Any) -> Any:
                return await _maybe_await(instance().dispatch_request(**kwargs))

        if cls.decorators:
            _describe(view, cls, name)
            is_async = is_async_callable(view)
            for decorator in cls.decorators:
                view = decorator(view)
            if is_async and not is_async_callable(view):
                view = _awaiting(view)
        _describe(view, cls, name)
        view.__dict__.update(
            view_class=cls,
            methods=cls.methods,
            provide_automatic_options=cls.provide_automatic_options,
        )
        return cast(ViewFunction, view)


def _describe(func: Callable[..., Any], cls: type[View], name: str) -> None:
    func.__name__ = func.__qualname__ = name
    func.__doc__ = cls.__doc__
    func.__module__ = cls.__module__


async def _maybe_await(value: Any) -> Any:
    if inspect.isawaitable(value):
        return await value
    return value


def _awaiting(func: Callable[..., Any]) -> Callable[..., Any]:
    """An ``async def`` around ``func`` that awaits what it returns when that is awaitable."""

    async def view(**kwargs: Any) -> Any:
        return await _maybe_await(func(**kwargs))

    return view


_KINDS: dict[type[View], str] = {}


def _kind_of(cls: type[View]) -> str:
    kind = _KINDS.get(cls)
    if kind is None:
        kind = _KINDS[cls] = cls._dispatch_kind()
    return kind


class MethodView(View):
    """Dispatch to the method named after the HTTP method: ``get``, ``post``, ...

    ``methods`` is derived from the handlers the class defines or inherits. HEAD falls back
    to ``get``. Handlers may be ``async def``; see the module docstring for mixed classes.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "methods" in cls.__dict__:
            return
        methods: set[str] = set()
        for base in cls.__bases__:
            methods.update(getattr(base, "methods", None) or ())
        methods.update(key.upper() for key in http_method_funcs if hasattr(cls, key))
        if methods:
            cls.methods = methods

    @classmethod
    def _dispatch_kind(cls) -> str:
        if cls.dispatch_request is not MethodView.dispatch_request:
            return super()._dispatch_kind()  # a custom dispatch_request decides
        kinds = {
            is_async_callable(getattr(cls, key)) for key in http_method_funcs if hasattr(cls, key)
        }
        if kinds == {True}:
            return "async"
        return "mixed" if True in kinds else "sync"

    def _handler_for(self, method: str) -> Callable[..., Any]:
        handler = getattr(self, method.lower(), None)
        if handler is None and method == "HEAD":
            handler = getattr(self, "get", None)
        if handler is None:
            raise AssertionError(f"Unimplemented method {method!r}")
        return cast(Callable[..., Any], handler)

    def dispatch_request(self, **kwargs: Any) -> Any:
        """Call the handler for this request's method with the URL's variables."""
        ctx = _get_context()
        if ctx is None or ctx.request is None:
            raise RuntimeError("MethodView.dispatch_request() needs an active request.")
        handler = self._handler_for(ctx.request.method)
        if not is_async_callable(handler) and _kind_of(type(self)) == "mixed":
            return ensure_async(handler)(**kwargs)  # an async view: off the loop
        return handler(**kwargs)
