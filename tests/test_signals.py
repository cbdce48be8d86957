"""Signals: the dispatcher itself, and the template and flash signals the app sends."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest

import tumbler
from tumbler import (
    Tumbler,
    before_render_template,
    flash,
    message_flashed,
    render_template_string,
    template_rendered,
)
from tumbler.signals import ANY, Namespace, Signal
from tumbler.testing import TestClient

FLASK_NAMES = [
    "request_started",
    "request_finished",
    "got_request_exception",
    "request_tearing_down",
    "appcontext_pushed",
    "appcontext_popped",
    "appcontext_tearing_down",
    "template_rendered",
    "before_render_template",
    "message_flashed",
]


def test_flask_names_are_exported() -> None:
    for name in FLASK_NAMES:
        assert isinstance(getattr(tumbler, name), Signal)
        assert name in tumbler.__all__


def test_connect_send_disconnect() -> None:
    signal = Signal("s")
    calls: list[tuple[Any, dict[str, Any]]] = []

    def receiver(sender: Any, **kwargs: Any) -> str:
        calls.append((sender, kwargs))
        return "seen"

    assert not signal.receivers
    assert signal.connect(receiver) is receiver
    assert signal.receivers
    assert signal.send("me", x=1) == [(receiver, "seen")]
    assert calls == [("me", {"x": 1})]
    signal.disconnect(receiver)
    assert not signal.receivers
    assert signal.send("me") == []


def test_receivers_called_in_connection_order() -> None:
    signal = Signal()
    order: list[int] = []
    receivers = [lambda sender, i=i: order.append(i) for i in range(5)]
    for receiver in receivers:
        signal.connect(receiver)
    signal.send(None)
    assert order == [0, 1, 2, 3, 4]


def test_sender_filtering() -> None:
    signal = Signal()
    one, two = object(), object()
    heard: list[str] = []

    def only_one(sender: Any) -> None:
        heard.append("one")

    def everyone(sender: Any) -> None:
        heard.append("any")

    signal.connect(only_one, sender=one)
    signal.connect(everyone, sender=ANY)
    signal.send(two)
    assert heard == ["any"]
    signal.send(one)
    assert heard == ["any", "one", "any"]
    assert signal.has_receivers_for(one)
    signal.disconnect(everyone)
    assert not signal.has_receivers_for(two)
    signal.disconnect(only_one, sender=one)
    assert not signal.receivers


def test_weak_by_default() -> None:
    signal = Signal()

    def receiver(sender: Any) -> None:
        pass

    signal.connect(receiver)
    assert signal.receivers
    del receiver
    gc.collect()
    assert not signal.receivers


def test_weak_bound_method() -> None:
    signal = Signal()

    class Listener:
        def on(self, sender: Any) -> str:
            return "method"

    listener = Listener()
    signal.connect(listener.on)  # a fresh bound method each time: held by WeakMethod
    assert [r for _, r in signal.send(None)] == ["method"]
    signal.disconnect(listener.on)
    assert not signal.receivers
    signal.connect(listener.on)
    del listener
    gc.collect()
    assert not signal.receivers


def test_strong_reference_when_asked() -> None:
    signal = Signal()
    signal.connect(lambda sender: "kept", weak=False)
    gc.collect()
    assert [r for _, r in signal.send(None)] == ["kept"]


def test_dead_sender_forgets_its_receivers() -> None:
    signal = Signal()

    class Sender:
        pass

    sender = Sender()
    signal.connect(print, sender=sender)  # a builtin cannot be weakly referenced: kept
    assert signal.has_receivers_for(sender)
    del sender
    gc.collect()
    assert not signal.receivers


def test_connected_to_and_connect_via() -> None:
    signal = Signal()
    seen: list[Any] = []

    def receiver(sender: Any) -> None:
        seen.append(sender)

    with signal.connected_to(receiver):
        signal.send(1)
    signal.send(2)
    assert seen == [1]
    assert not signal.receivers

    @signal.connect_via(ANY)
    def decorated(sender: Any) -> None:
        seen.append(("via", sender))

    signal.send(3)
    assert seen == [1, ("via", 3)]
    signal.disconnect(decorated)


def test_async_receivers() -> None:
    signal = Signal("async")

    async def receiver(sender: Any, **kwargs: Any) -> str:
        return f"async {kwargs['x']}"

    def sync_receiver(sender: Any, **kwargs: Any) -> str:
        return "sync"

    signal.connect(receiver)
    signal.connect(sync_receiver)
    results = asyncio.run(signal.send_async(None, x=1))
    assert [r for _, r in results] == ["async 1", "sync"]
    with pytest.raises(RuntimeError, match="coroutine"):
        signal.send(None, x=1)

    def wrapper(func: Any) -> Any:
        return lambda *args, **kwargs: asyncio.run(func(*args, **kwargs))

    assert [r for _, r in signal.send(None, _async_wrapper=wrapper, x=2)] == ["async 2", "sync"]


def test_namespace() -> None:
    namespace = Namespace()
    signal = namespace.signal("thing", doc="a thing happened")
    assert namespace.signal("thing") is signal
    assert signal.doc == "a thing happened"
    assert repr(signal) == "<Signal 'thing'>"


# Sent by the app ----------------------------------------------------------------------------


def test_template_signals(app: Tumbler, client: TestClient) -> None:
    events: list[tuple[str, Any, str, dict[str, Any]]] = []

    def before(sender: Any, template: Any, context: dict[str, Any]) -> None:
        events.append(("before", sender, template.render(context), dict(context)))

    def rendered(sender: Any, template: Any, context: dict[str, Any]) -> None:
        events.append(("rendered", sender, template.render(context), dict(context)))

    @app.route("/")
    def index() -> str:
        return render_template_string("{{ x }}", x="hi")

    with (
        before_render_template.connected_to(before, app),
        template_rendered.connected_to(rendered, app),
    ):
        assert client.get("/").text == "hi"
    assert [e[0] for e in events] == ["before", "rendered"]
    for _, sender, text, context in events:
        assert sender is app
        assert text == "hi"
        assert context["x"] == "hi"
        assert "request" in context and "g" in context


def test_template_rendered_after_a_stream_ends(app: Tumbler) -> None:
    from tumbler import stream_template_string

    seen: list[str] = []
    with (
        app.test_request_context("/"),
        template_rendered.connected_to(lambda sender, **kw: seen.append("done")),
    ):
        stream = stream_template_string("a{{ 1 }}b")
        assert seen == []
        assert "".join(stream) == "a1b"
        assert seen == ["done"]


def test_message_flashed(app: Tumbler, client: TestClient) -> None:
    app.secret_key = "signals"
    seen: list[tuple[Any, str, str]] = []

    def receiver(sender: Any, message: str, category: str) -> None:
        seen.append((sender, message, category))

    @app.route("/")
    def index() -> str:
        flash("hello", "info")
        return "ok"

    with message_flashed.connected_to(receiver):
        client.get("/")
    assert seen == [(app, "hello", "info")]


def test_no_receivers_fast_path() -> None:
    # Sending sites test ``signal.receivers`` first: an empty dict, no call made.
    for name in FLASK_NAMES:
        signal = getattr(tumbler, name)
        assert isinstance(signal.receivers, dict)
        assert not signal.receivers, f"{name} has receivers left over from another test"
    assert template_rendered.send(None) == []


def test_sending_sites_skip_send_without_receivers(
    app: Tumbler, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("send() called with nobody listening")

    monkeypatch.setattr(Signal, "send", fail)
    app.secret_key = "fast"
    with app.test_request_context("/"):
        assert render_template_string("{{ 1 }}") == "1"
        flash("x")


def test_calls_for_a_driver() -> None:
    signal = Signal()

    def sync_receiver(sender: Any, **kwargs: Any) -> str:
        return f"sync {kwargs['exc']}"

    async def async_receiver(sender: Any, **kwargs: Any) -> str:
        return "async"

    assert signal.calls("app") == []
    signal.connect(sync_receiver)
    signal.connect(async_receiver)
    calls = signal.calls("app", exc=None)
    assert [(h.func, h.is_async, args, kw) for h, args, kw in calls] == [
        (sync_receiver, False, ("app",), {"exc": None}),
        (async_receiver, True, ("app",), {"exc": None}),
    ]
    handler, args, kwargs = calls[0]
    assert handler.func(*args, **kwargs) == "sync None"


def test_lifecycle_signals_fire_in_flask_order(protocol: str) -> None:
    import tumbler.signals as signals
    from tumbler import Tumbler

    app = Tumbler("signal_order")
    seen: list[str] = []
    app.before_request(lambda: seen.append("before_request") and None)
    app.teardown_request(lambda e: seen.append("teardown_request"))
    app.route("/")(lambda: "ok")

    def receiver(name: str) -> object:
        def receive(sender: object, **extra: object) -> None:
            seen.append(name)

        return receive

    names = [
        "appcontext_pushed",
        "request_started",
        "request_finished",
        "request_tearing_down",
        "appcontext_tearing_down",
        "appcontext_popped",
    ]
    receivers = {name: receiver(name) for name in names}
    for name in names:
        getattr(signals, name).connect(receivers[name], app)
    try:
        assert app.test_client(protocol=protocol).get("/").text == "ok"
    finally:
        for name in names:
            getattr(signals, name).disconnect(receivers[name], app)
    assert seen == [
        "appcontext_pushed",
        "request_started",
        "before_request",
        "request_finished",
        "teardown_request",
        "request_tearing_down",
        "appcontext_tearing_down",
        "appcontext_popped",
    ]


def test_got_request_exception_is_sent(protocol: str) -> None:
    import tumbler.signals as signals
    from tumbler import Tumbler

    app = Tumbler("signal_error")
    app.logger.disabled = True

    @app.route("/")
    def boom() -> str:
        raise KeyError("x")

    errors: list[BaseException] = []

    def receive(sender: object, exception: BaseException, **extra: object) -> None:
        errors.append(exception)

    signals.got_request_exception.connect(receive, app)
    try:
        assert app.test_client(protocol=protocol).get("/").status_code == 500
    finally:
        signals.got_request_exception.disconnect(receive, app)
    assert len(errors) == 1 and isinstance(errors[0], KeyError)
