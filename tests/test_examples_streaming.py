"""The streaming example (examples/streaming.py), over both protocols and raw servers."""

from __future__ import annotations

import asyncio
from typing import Any

from examples.streaming import create_app

from tumbler import Tumbler
from tumbler.testing import make_environ


def make_app() -> tuple[Tumbler, list[str]]:
    """A fresh app with no delay between events, and a teardown that records the stats."""
    app = create_app({"TICK_SECONDS": 0})
    events: list[str] = []
    stats = app.extensions["streaming"]

    @app.teardown_request
    def record(error: BaseException | None) -> None:
        events.append(f"teardown open={stats['open']} closed={stats['closed']}")

    return app, events


def test_events_stream_to_the_end_then_teardown(protocol: str) -> None:
    app, events = make_app()
    response = app.test_client(protocol=protocol).get("/events?count=3")
    assert response.status_code == 200
    assert response.content_type == "text/event-stream; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.text.count("data: tick ") == 3
    assert "data: tick 3 of 3\n\n" in response.text
    assert response.text.endswith("event: done\ndata: bye\n\n")
    # Teardown ran once, after the generator finished (its finally already counted it).
    assert events == ["teardown open=0 closed=1"]


def test_chunked_download(protocol: str) -> None:
    app, _ = make_app()
    response = app.test_client(protocol=protocol).get("/download?rows=4")
    assert response.headers["Content-Disposition"] == "attachment; filename=squares.csv"
    assert response.text == "n,square\n0,0\n1,1\n2,4\n3,9\n"


def test_async_view_awaits_sleep(protocol: str) -> None:
    app, _ = make_app()
    response = app.test_client(protocol=protocol).get("/slow?seconds=0.01")
    assert response.json == {"waited": 0.01}


def test_asgi_disconnect_closes_the_generator_before_teardown() -> None:
    app, events = make_app()
    app.config["TICK_SECONDS"] = 0.01

    async def run() -> list[dict[str, Any]]:
        sent: list[dict[str, Any]] = []
        disconnect = asyncio.Event()

        async def receive() -> dict[str, Any]:
            await disconnect.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)
            if len(sent) >= 4:  # the start message and three events
                disconnect.set()

        scope = {
            "type": "http",
            "method": "GET",
            "path": "/events",
            "query_string": b"count=1000",
            "headers": [],
        }
        await asyncio.wait_for(app.asgi(scope, receive, send), timeout=10)
        return sent

    sent = asyncio.run(run())
    assert sent[0]["type"] == "http.response.start"
    assert len(sent) < 50  # stopped long before the 1000th event
    assert events == ["teardown open=0 closed=1"]


def test_wsgi_close_stops_the_generator_before_teardown() -> None:
    app, events = make_app()
    body = app(make_environ("/events", query_string="count=1000"), lambda *args: None)
    chunks = iter(body)
    first, second = next(chunks), next(chunks)
    assert first.startswith(b"id: 1\n") and second.startswith(b"id: 2\n")
    assert events == []  # still streaming: no teardown yet
    assert app.extensions["streaming"]["open"] == 1
    body.close()  # type: ignore[attr-defined]  # what the server does when the client leaves
    assert events == ["teardown open=0 closed=1"]
