"""Bounded resources of WebSockets: the send queue, the worker threads of sync handlers.

Counted, never timed: a fake server whose ``send`` never returns stands for a client that
reads nothing.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import MutableMapping
from typing import Any

import pytest

from tumbler import Tumbler, WebsocketDisconnected, websocket
from tumbler.http.websocket import origin_allowed

SCOPE: dict[str, Any] = {
    "type": "websocket",
    "path": "/flood",
    "root_path": "",
    "query_string": b"",
    "headers": [(b"host", b"localhost")],
    "scheme": "ws",
    "server": ("localhost", 80),
    "client": ("127.0.0.1", 5000),
    "subprotocols": [],
}


async def settle(rounds: int = 200) -> None:
    """Let every ready task run (a bounded number of loop turns)."""
    for _ in range(rounds):
        await asyncio.sleep(0)


def test_a_slow_reader_makes_send_wait_once_the_queue_is_full() -> None:
    app = Tumbler("flood")
    app.config["WEBSOCKET_SEND_QUEUE"] = 5
    sent_by_handler: list[int] = []
    outcome: list[Any] = []
    torn: list[Any] = []

    @app.websocket("/flood")
    async def flood() -> None:
        try:
            for n in range(1000):
                await websocket.send(f"message {n}")
                sent_by_handler.append(n)
        except WebsocketDisconnected as gone:
            outcome.append(gone.code)

    app.teardown_websocket(lambda error: torn.append(error))

    async def scenario() -> tuple[int, int]:
        incoming: asyncio.Queue[MutableMapping[str, Any]] = asyncio.Queue()
        delivered: list[MutableMapping[str, Any]] = []
        stuck = asyncio.Event()

        async def receive() -> MutableMapping[str, Any]:
            return await incoming.get()

        async def send(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "websocket.send":
                await stuck.wait()  # the client reads nothing
                raise OSError("the client went away")
            delivered.append(message)

        incoming.put_nowait({"type": "websocket.connect"})
        task = asyncio.ensure_future(app.asgi(dict(SCOPE), receive, send))
        await settle()
        counts = (len(sent_by_handler), len(delivered))
        stuck.set()  # the server gives up on the client: its send raises
        incoming.put_nowait({"type": "websocket.disconnect", "code": 1006})
        await asyncio.wait_for(task, 10)
        return counts

    handled, delivered = asyncio.run(scenario())
    # one message in the server's send, five in the queue; the seventh send waits
    assert handled == 1 + 5
    assert delivered == 1  # the accept
    assert outcome == [1006]
    assert torn == [None]  # the handler caught the disconnect itself


@pytest.mark.parametrize(
    ("origin", "host", "allowed", "ok"),
    [
        ("http://localhost:80", "localhost", None, True),
        ("https://example.com", "example.com:443", None, True),
        ("https://EXAMPLE.com", "example.com", None, True),
        ("https://example.com", "example.com:8443", None, False),
        ("http://example.com:notaport", "example.com", None, False),
        ("ftp://example.com", "example.com", None, False),
        ("http://[::1]:8000", "[::1]:8000", None, True),
        ("https://sub.example.com", "example.com", None, False),
        ("https://example.com/", None, ["https://example.com"], True),
        ("https://example.com", None, None, False),
    ],
)
def test_origin_rule(origin: str, host: str | None, allowed: list[str] | None, ok: bool) -> None:
    assert origin_allowed(origin, host, allowed) is ok


def test_accept_headers_may_be_a_headers_object() -> None:
    from tumbler.http.datastructures import Headers

    app = Tumbler("headers")

    @app.websocket("/h")
    async def h() -> None:
        await websocket.accept(headers=Headers([("X-One", "1")]))

    with app.test_client().websocket("/h") as ws:
        assert ws.accept_headers["X-One"] == "1"


def test_a_cancelled_connection_still_tears_down_a_sync_handler() -> None:
    app = Tumbler("cancelled")
    torn: list[str] = []
    done = threading.Event()

    @app.websocket("/flood")
    def waits() -> None:
        websocket.send("waiting")
        websocket.receive()

    @app.teardown_websocket
    def teardown(error: BaseException | None) -> None:
        torn.append(type(error).__name__)
        done.set()

    async def scenario() -> None:
        incoming: asyncio.Queue[MutableMapping[str, Any]] = asyncio.Queue()
        sent: list[MutableMapping[str, Any]] = []

        async def receive() -> MutableMapping[str, Any]:
            return await incoming.get()

        async def send(message: MutableMapping[str, Any]) -> None:
            sent.append(message)

        incoming.put_nowait({"type": "websocket.connect"})
        task = asyncio.ensure_future(app.asgi(dict(SCOPE), receive, send))
        for _ in range(1000):  # until the handler waits in receive() on its thread
            if any(m["type"] == "websocket.send" for m in sent):
                break
            await asyncio.sleep(0.01)
        task.cancel()  # as a server that stops the connection's task
        await asyncio.gather(task, return_exceptions=True)
        assert await asyncio.to_thread(done.wait, 10)

    asyncio.run(scenario())
    assert torn == ["WebsocketDisconnected"]


def test_sync_connections_beyond_the_thread_limit_wait_for_a_thread() -> None:
    app = Tumbler("one_thread")
    app.config["WEBSOCKET_SYNC_THREADS"] = 1

    @app.websocket("/flood")
    def held() -> None:
        websocket.send("in")
        websocket.receive()

    async def scenario() -> list[Any]:
        inboxes = [asyncio.Queue[MutableMapping[str, Any]]() for _ in range(2)]
        sent: list[list[str]] = [[], []]

        def server(n: int) -> Any:
            async def send(message: MutableMapping[str, Any]) -> None:
                sent[n].append(message.get("text") or message["type"])

            inboxes[n].put_nowait({"type": "websocket.connect"})
            return asyncio.ensure_future(app.asgi(dict(SCOPE), inboxes[n].get, send))

        async def until(check: Any) -> None:
            for _ in range(1000):
                if check():
                    return
                await asyncio.sleep(0.01)

        first, second = server(0), server(1)
        await until(lambda: "in" in sent[0])
        await settle()
        waiting = list(sent[1])  # nothing yet: no thread for it
        inboxes[0].put_nowait({"type": "websocket.disconnect", "code": 1000})
        await until(lambda: "in" in sent[1])
        inboxes[1].put_nowait({"type": "websocket.disconnect", "code": 1000})
        await asyncio.wait_for(asyncio.gather(first, second), 10)
        return [waiting, sent[1][:2]]

    assert asyncio.run(scenario()) == [[], ["websocket.accept", "in"]]
