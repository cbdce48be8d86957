"""Streaming: server-sent events, a chunked download, and an ``async def`` view.

* ``/events`` sends one server-sent event per tick from an async generator that awaits
  ``asyncio.sleep`` between events. Each chunk is produced with the request context current
  (it reads ``request.args`` and ``g`` without ``stream_with_context``). Teardown runs after
  the last event, or when the client goes away; the generator's ``finally`` runs first.
* ``/download`` streams a CSV file from a plain generator, chunk by chunk.
* ``/slow`` is an ``async def`` view that awaits ``asyncio.sleep``: under ASGI it waits on
  the event loop without holding a thread; under WSGI it runs on the worker thread's loop.
* ``/stats`` counts the streams open now and closed so far: a stream closed by a
  disconnect is counted too, because the generator is closed when the client leaves.

    uvicorn examples.streaming:app.asgi      # ASGI
    gunicorn examples.streaming:app          # WSGI (a sync worker is busy while it streams)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

from tumbler import Response, Tumbler, current_app, g, request

PAGE = """<!doctype html>
<html lang="en"><meta charset="utf-8"><title>tumbler streaming</title>
<h1>Server-sent events</h1>
<p><a href="/download">Download a CSV</a> · <a href="/slow">An async view</a>
 · <a href="/stats">Open streams</a></p>
<ol id="events"></ol>
<script>
  const source = new EventSource("/events?count=10");
  source.onmessage = (event) => {
    const item = document.createElement("li");
    item.textContent = event.data;
    document.getElementById("events").append(item);
  };
  source.addEventListener("done", () => source.close());
</script>
"""


def create_app(test_config: dict[str, Any] | None = None) -> Tumbler:
    app = Tumbler(__name__)
    # Seconds between two events; tests set it to 0.
    app.config["TICK_SECONDS"] = 1.0
    if test_config:
        app.config.from_mapping(test_config)
    stats = app.extensions["streaming"] = {"open": 0, "closed": 0}

    @app.route("/")
    def index() -> str:
        return PAGE

    @app.route("/events")
    def events() -> Response:
        count = min(max(request.args.get("count", 10, type=int), 1), 1000)
        tick = float(current_app.config["TICK_SECONDS"])
        g.count = count

        async def stream() -> AsyncIterator[str]:
            stats["open"] += 1
            try:
                # g (and request, session) are usable here: the request context is current
                # while each chunk is produced, and teardown has not run yet.
                for n in range(1, g.count + 1):
                    yield f"id: {n}\ndata: tick {n} of {g.count}\n\n"
                    if n < g.count:
                        await asyncio.sleep(tick)
                yield "event: done\ndata: bye\n\n"
            finally:
                # Runs at the end, and also when the client disconnects (the generator is
                # closed), before teardown.
                stats["open"] -= 1
                stats["closed"] += 1

        return Response(
            stream(),
            mimetype="text/event-stream",
            # nginx buffers responses unless told not to; events must go out at once.
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @app.route("/download")
    def download() -> Response:
        rows = min(max(request.args.get("rows", 1000, type=int), 1), 1_000_000)

        def lines() -> Iterator[str]:
            yield "n,square\n"
            for n in range(rows):
                yield f"{n},{n * n}\n"

        return Response(
            lines(),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=squares.csv"},
        )

    @app.route("/slow")
    async def slow() -> dict[str, Any]:
        delay = min(max(request.args.get("seconds", 0.5, type=float), 0.0), 5.0)
        await asyncio.sleep(delay)
        return {"waited": delay}

    @app.route("/stats")
    def show_stats() -> dict[str, int]:
        return dict(stats)

    return app


app = create_app()
