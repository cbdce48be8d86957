"""Signals: named events that code can subscribe to, with Flask's signal names.

Why our own dispatcher and not blinker: the core must run on the standard library alone, and
what Flask's signals need fits in this module: ``connect`` (weak by default), ``disconnect``,
``connected_to``, ``send`` returning ``[(receiver, result), ...]`` and a ``receivers`` mapping
whose truthiness is the fast path. Receivers are called in the order they were connected,
which blinker does not promise.

The fast path: a sending site writes ``if request_started.receivers: ...``. With nobody
connected that is one attribute read and an empty-dict test, about 30 ns, and no call.

Receivers are ``receiver(sender, **kwargs)``. A receiver connected for a specific sender
only hears sends from that very object (compared by identity); one connected for ``ANY``
hears every send. By default a signal holds its receivers weakly, like blinker: a function
that goes away is disconnected by itself. Objects that cannot be weakly referenced are held
strongly.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import MethodType
from typing import Any, TypeVar

from .lifecycle.handler import Handler, is_async_callable

__all__ = [
    "ANY",
    "Namespace",
    "Signal",
    "appcontext_popped",
    "appcontext_pushed",
    "appcontext_tearing_down",
    "before_render_template",
    "got_request_exception",
    "message_flashed",
    "request_finished",
    "request_started",
    "request_tearing_down",
    "template_rendered",
]

F = TypeVar("F", bound=Callable[..., Any])
Receiver = Callable[..., Any]
AsyncWrapper = Callable[[Callable[..., Any]], Callable[..., Any]]


class _Any:
    """The sender that means "every sender"."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ANY"


#: Connect with ``sender=ANY`` (the default) to hear every sender.
ANY: Any = _Any()
_ANY_ID = id(ANY)


def _key(obj: Any) -> Any:
    """Identity of a receiver or sender; a bound method is its object plus its function."""
    if isinstance(obj, MethodType):
        return (id(obj.__self__), id(obj.__func__))
    return id(obj)


class _Strong:
    """A reference that always answers its object (for ``weak=False`` and the unreferenceable)."""

    __slots__ = ("_obj",)

    def __init__(self, obj: Any) -> None:
        self._obj = obj

    def __call__(self) -> Any:
        return self._obj


#: The signals that have receivers now. PERF: lets the pipeline skip, in one check, the
#: lifecycle signals no one listens to (lifecycle/pipeline.py).
connected: set[Signal] = set()


class Signal:
    """A named event: receivers ``connect`` to it and are called on each ``send``."""

    __slots__ = (
        "__weakref__",
        "_async",
        "_plans",
        "_sender_refs",
        "_senders",
        "doc",
        "name",
        "receivers",
    )

    def __init__(self, name: str | None = None, doc: str | None = None) -> None:
        self.name = name
        self.doc = doc
        #: Receiver key -> reference to the receiver; empty means nobody listens (fast path).
        self.receivers: dict[Any, Callable[[], Any]] = {}
        # receiver key -> ids of the senders it listens to (_ANY_ID for every sender)
        self._senders: dict[Any, set[int]] = {}
        # sender id -> weak reference that unhooks the sender's receivers when it goes away
        self._sender_refs: dict[int, Any] = {}
        # receiver key -> whether it is ``async def`` (decided once, at connect)
        self._async: dict[Any, bool] = {}
        # sender id -> (reference, is async) of its receivers; emptied on every change
        self._plans: dict[int, tuple[tuple[Callable[[], Any], bool], ...]] = {}

    # Connecting ---------------------------------------------------------------------------

    def connect(self, receiver: F, sender: Any = ANY, weak: bool = True) -> F:
        """Call ``receiver(sender, **kwargs)`` on each send from ``sender`` (ANY: from all)."""
        key = _key(receiver)
        if key not in self.receivers:
            self.receivers[key] = self._reference(receiver, key) if weak else _Strong(receiver)
            self._async[key] = is_async_callable(receiver)
            connected.add(self)
        self._plans.clear()
        if sender is ANY:
            self._senders.setdefault(key, set()).add(_ANY_ID)
        else:
            self._watch(sender)
            self._senders.setdefault(key, set()).add(id(sender))
        return receiver

    def connect_via(self, sender: Any = ANY, weak: bool = False) -> Callable[[F], F]:
        """Decorator form of ``connect``; holds the receiver strongly by default, like blinker."""

        def decorator(receiver: F) -> F:
            return self.connect(receiver, sender, weak)

        return decorator

    @contextmanager
    def connected_to(self, receiver: Receiver, sender: Any = ANY) -> Iterator[Receiver]:
        """Connect ``receiver`` (strongly) for the duration of a ``with`` block."""
        self.connect(receiver, sender, weak=False)
        try:
            yield receiver
        finally:
            self.disconnect(receiver, sender)

    def disconnect(self, receiver: Receiver, sender: Any = ANY) -> None:
        """Stop calling ``receiver`` for ``sender``; ``ANY`` removes it for every sender."""
        key = _key(receiver)
        senders = self._senders.get(key)
        if senders is None:
            return
        if sender is ANY:
            senders.clear()
        else:
            senders.discard(id(sender))
        self._plans.clear()
        if not senders:
            self._forget(key)

    def _forget(self, key: Any) -> None:
        self.receivers.pop(key, None)
        self._senders.pop(key, None)
        self._async.pop(key, None)
        self._plans.clear()
        if not self.receivers:
            connected.discard(self)

    def _watch(self, sender: Any) -> None:
        """Forget a sender's connections when it is garbage collected (its id may be reused)."""
        sender_id = id(sender)
        if sender_id in self._sender_refs:
            return
        this = weakref.ref(self)

        def gone(_: Any) -> None:
            signal = this()
            if signal is not None:
                signal._sender_refs.pop(sender_id, None)
                signal._plans.clear()
                for key, senders in list(signal._senders.items()):
                    senders.discard(sender_id)
                    if not senders:
                        signal._forget(key)

        try:
            self._sender_refs[sender_id] = weakref.ref(sender, gone)
        except TypeError:  # not weakly referenceable: kept by id only
            pass

    def _reference(self, receiver: Any, key: Any) -> Callable[[], Any]:
        this = weakref.ref(self)

        def gone(_: Any) -> None:
            signal = this()
            if signal is not None:
                signal._forget(key)

        try:
            if isinstance(receiver, MethodType):
                return weakref.WeakMethod(receiver, gone)
            return weakref.ref(receiver, gone)
        except TypeError:  # builtins and objects without __weakref__
            return _Strong(receiver)

    # Sending ------------------------------------------------------------------------------

    def _plan(self, sender_id: int) -> tuple[tuple[Callable[[], Any], bool], ...]:
        """The receivers for one sender, worked out once until the connections change."""
        plan = self._plans.get(sender_id)
        if plan is None:
            plan = self._plans[sender_id] = tuple(
                (ref, self._async[key])
                for key, ref in self.receivers.items()
                if (senders := self._senders.get(key))
                and (_ANY_ID in senders or sender_id in senders)
            )
        return plan

    def receivers_for(self, sender: Any) -> Iterator[Receiver]:
        """The live receivers a send from ``sender`` reaches, in the order they connected."""
        if not self.receivers:
            return
        for ref, _ in self._plan(id(sender)):
            receiver = ref()
            if receiver is not None:
                yield receiver

    def has_receivers_for(self, sender: Any) -> bool:
        """Tell whether a send from ``sender`` would reach anybody."""
        return next(self.receivers_for(sender), None) is not None

    def send(
        self, sender: Any = None, /, *, _async_wrapper: AsyncWrapper | None = None, **kwargs: Any
    ) -> list[tuple[Receiver, Any]]:
        """Call every receiver for ``sender`` with ``kwargs``; return ``(receiver, result)``s.

        An ``async def`` receiver needs ``_async_wrapper``, which turns it into a sync callable.
        """
        if not self.receivers:
            return []
        results: list[tuple[Receiver, Any]] = []
        for ref, is_async in self._plan(id(sender)):
            receiver = ref()
            if receiver is None:
                continue
            if is_async:
                if _async_wrapper is None:
                    raise RuntimeError(
                        f"Signal {self.name!r}: cannot send to the coroutine function "
                        f"{receiver!r} from sync code; use send_async() or pass _async_wrapper."
                    )
                result = _async_wrapper(receiver)(sender, **kwargs)
            else:
                result = receiver(sender, **kwargs)
            results.append((receiver, result))
        return results

    def calls(
        self, sender: Any = None, /, **kwargs: Any
    ) -> list[tuple[Handler, tuple[Any], dict[str, Any]]]:
        """A send as ``(handler, args, kwargs)`` calls, for the pipeline to yield to its driver.

        The driver then runs sync receivers inline and awaits ``async def`` ones, as it does
        for hooks. Handlers are made per call, so receivers stay weakly held.
        """
        args = (sender,)
        found: list[tuple[Handler, tuple[Any], dict[str, Any]]] = []
        for ref, _ in self._plan(id(sender)):
            receiver = ref()
            if receiver is not None:
                found.append((Handler(receiver), args, kwargs))
        return found

    async def send_async(self, sender: Any = None, /, **kwargs: Any) -> list[tuple[Receiver, Any]]:
        """Like ``send``, from async code: ``async def`` receivers are awaited."""
        results: list[tuple[Receiver, Any]] = []
        for receiver in self.receivers_for(sender):
            result = receiver(sender, **kwargs)
            if inspect.isawaitable(result):
                result = await result
            results.append((receiver, result))
        return results

    def __repr__(self) -> str:
        return f"<Signal {self.name!r}>"


class Namespace(dict[str, Signal]):
    """A set of named signals, for extensions: ``my_signals.signal("name")``."""

    def signal(self, name: str, doc: str | None = None) -> Signal:
        """The signal called ``name`` in this namespace, created on first use."""
        found = self.get(name)
        if found is None:
            found = self[name] = Signal(name, doc)
        return found


_signals = Namespace()

#: Sent with the app as sender before the first ``before_request`` hook.
request_started = _signals.signal("request-started")
#: Sent after the after-request chain, with ``response=``.
request_finished = _signals.signal("request-finished")
#: Sent when an unhandled exception is about to become a 500, with ``exception=``.
got_request_exception = _signals.signal("got-request-exception")
#: Sent after the ``teardown_request`` callbacks, with ``exc=`` (the error or None).
request_tearing_down = _signals.signal("request-tearing-down")
#: Sent after the ``teardown_appcontext`` callbacks, with ``exc=``.
appcontext_tearing_down = _signals.signal("appcontext-tearing-down")
#: Sent when an app (or request) context is pushed for the first time.
appcontext_pushed = _signals.signal("appcontext-pushed")
#: Sent when an app (or request) context has been popped for good.
appcontext_popped = _signals.signal("appcontext-popped")
#: Sent before a template renders, with ``template=`` and ``context=``.
before_render_template = _signals.signal("before-render-template")
#: Sent after a template rendered, with ``template=`` and ``context=``.
template_rendered = _signals.signal("template-rendered")
#: Sent by ``flash()``, with ``message=`` and ``category=``.
message_flashed = _signals.signal("message-flashed")
