"""``request``, ``g``, ``session`` and ``current_app``: typed proxies to the active context.

A proxy looks its target up on every use, so module-level names stay correct across threads
and asyncio tasks. ``_get_current_object()`` returns the real object, e.g. to hand it to a
thread that outlives the request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from .context import (
    AppGlobals,
    Context,
    _get_context,
    current_context,
    current_request_context,
)

if TYPE_CHECKING:
    from .app import Tumbler
    from .http.request import Request
    from .sessions import SessionMixin

__all__ = ["app_ctx", "current_app", "g", "request", "request_ctx", "session"]

T = TypeVar("T")


class ContextProxy(Generic[T]):
    """Forward attribute and item access to the object ``lookup()`` returns right now."""

    __slots__ = ("_lookup", "_name")

    def __init__(self, lookup: Callable[[], T], name: str) -> None:
        object.__setattr__(self, "_lookup", lookup)
        object.__setattr__(self, "_name", name)

    def _get_current_object(self) -> T:
        """Return the proxied object itself."""
        return self._lookup()  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._lookup(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._lookup(), name, value)

    def __delattr__(self, name: str) -> None:
        delattr(self._lookup(), name)

    def __getitem__(self, key: Any) -> Any:
        return self._lookup()[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        self._lookup()[key] = value

    def __delitem__(self, key: Any) -> None:
        del self._lookup()[key]

    def __contains__(self, key: Any) -> bool:
        return key in self._lookup()

    def __iter__(self) -> Iterator[Any]:
        return iter(self._lookup())

    def __len__(self) -> int:
        return len(self._lookup())

    def __bool__(self) -> bool:
        try:
            return bool(self._lookup())
        except RuntimeError:
            return False

    def __eq__(self, other: object) -> bool:
        return bool(self._lookup() == other)

    def __ne__(self, other: object) -> bool:
        return bool(self._lookup() != other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        try:
            obj = self._lookup()
        except RuntimeError:
            return f"<unbound {self._name}>"
        return repr(obj)

    def __dir__(self) -> list[str]:
        try:
            return dir(self._lookup())
        except RuntimeError:
            return []


_OWN = frozenset({"_lookup", "_name", "_get_current_object", "__class__", "__dict__"})


def _make_proxy(lookup: Callable[[], T], name: str) -> ContextProxy[T]:
    """A proxy whose attribute reads go straight to ``lookup()``.

    PERF: ``__getattribute__`` skips the failed normal lookup that ``__getattr__`` waits
    for: ``g.x`` costs 0.25 µs instead of 0.67 µs.
    """

    def __getattribute__(self: ContextProxy[T], attr: str) -> Any:
        if attr in _OWN:
            return object.__getattribute__(self, attr)
        return getattr(lookup(), attr)

    def __setattr__(self: ContextProxy[T], attr: str, value: Any) -> None:
        setattr(lookup(), attr, value)

    def __getitem__(self: ContextProxy[T], key: Any) -> Any:
        return lookup()[key]  # type: ignore[index]

    namespace = {
        "__slots__": (),
        "__getattribute__": __getattribute__,
        "__setattr__": __setattr__,
        "__getitem__": __getitem__,
    }
    cls = type(f"{name.title()}Proxy", (ContextProxy,), namespace)
    proxy: ContextProxy[T] = cls(lookup, name)
    return proxy


class _RequestProxy(ContextProxy["Request"]):
    """``request``: attribute reads with the lookup inline.

    PERF: ``request`` and ``g`` are read several times a request; reading the context here
    instead of calling ``_lookup_request`` is 20 ns less a use (1% of a small request).
    """

    __slots__ = ()

    def __getattribute__(self, attr: str) -> Any:
        ctx = _get_context()
        if ctx is not None and attr not in _OWN:
            target = ctx.request
            if target is not None:
                return getattr(target, attr)
        if attr in _OWN:
            return object.__getattribute__(self, attr)
        return getattr(_lookup_request(), attr)  # raises the helpful error

    def __setattr__(self, attr: str, value: Any) -> None:
        setattr(_lookup_request(), attr, value)


class _GProxy(ContextProxy[AppGlobals]):
    """``g``: attribute reads and writes with the lookup inline (PERF: as ``_RequestProxy``)."""

    __slots__ = ()

    def __getattribute__(self, attr: str) -> Any:
        ctx = _get_context()
        if ctx is not None and attr not in _OWN:
            target = ctx._g
            return getattr(target if target is not None else ctx.g, attr)
        if attr in _OWN:
            return object.__getattribute__(self, attr)
        return getattr(_lookup_g(), attr)  # raises the helpful error

    def __setattr__(self, attr: str, value: Any) -> None:
        ctx = _get_context()
        if ctx is None:
            ctx = current_context()  # raises the helpful error
        target = ctx._g
        setattr(target if target is not None else ctx.g, attr, value)


# PERF: each lookup reads the context variable itself (one call fewer per proxy use).


def _lookup_request() -> Request:
    ctx = _get_context()
    if ctx is None or ctx.request is None:
        return current_request_context().request  # type: ignore[return-value]  # raises
    return ctx.request


def _lookup_g() -> AppGlobals:
    ctx = _get_context()
    if ctx is None:
        return current_context().g  # raises the helpful error
    g = ctx._g
    return g if g is not None else ctx.g


def _lookup_app() -> Tumbler:
    ctx = _get_context()
    if ctx is None:
        return current_context().app  # raises the helpful error
    return ctx.app


def _lookup_session() -> SessionMixin:
    return current_request_context().session


def _lookup_ctx() -> Context:
    ctx = _get_context()
    return ctx if ctx is not None else current_context()  # raises the helpful error


# Typed as the objects they stand for, so user code type-checks as it does with Flask.
request: Request = cast("Request", _RequestProxy(_lookup_request, "request"))
g: AppGlobals = cast(AppGlobals, _GProxy(_lookup_g, "g"))
current_app: Tumbler = cast("Tumbler", _make_proxy(_lookup_app, "current_app"))
session: SessionMixin = cast("SessionMixin", _make_proxy(_lookup_session, "session"))
#: The active context (Flask's ``app_ctx``): ``.app``, ``.g``; extensions may store
#: attributes on it. In tumbler one context object serves as app and request context.
app_ctx: Context = cast(Context, _make_proxy(_lookup_ctx, "app_ctx"))
#: The active context if it holds a request (Flask's ``request_ctx``): ``.request``,
#: ``.session``, ``.app``, ``.g``.
request_ctx: Context = cast(Context, _make_proxy(current_request_context, "request_ctx"))
