"""WebSocket echo cost per message, ``async def`` against ``def`` handlers, in-process.

An in-memory ASGI server (two asyncio queues) feeds each handler N messages and waits for
each echo; the kinds take turns for ROUNDS rounds, and the best and median round are shown.
No network, so what is left is tumbler's own path: the reader and sender tasks, and for the
``def`` handler two thread-loop round trips per message.

    .venv/bin/python scripts/bench_websocket.py
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import MutableMapping
from typing import Any

from tumbler import Tumbler, websocket

N = 2000
ROUNDS = 7

app = Tumbler("bench_websocket")


@app.websocket("/async")
async def echo_async() -> None:
    while True:
        await websocket.send(await websocket.receive())


@app.websocket("/sync")
def echo_sync() -> None:
    while True:
        websocket.send(websocket.receive())


SCOPE: dict[str, Any] = {
    "type": "websocket",
    "path": "/",
    "root_path": "",
    "query_string": b"",
    "headers": [(b"host", b"bench")],
    "scheme": "ws",
    "server": ("bench", 80),
    "client": ("127.0.0.1", 1),
    "subprotocols": [],
}


async def one_round(path: str) -> float:
    """Microseconds per echoed message over one connection."""
    incoming: asyncio.Queue[MutableMapping[str, Any]] = asyncio.Queue()
    outgoing: asyncio.Queue[MutableMapping[str, Any]] = asyncio.Queue()

    async def send(message: MutableMapping[str, Any]) -> None:
        outgoing.put_nowait(message)

    incoming.put_nowait({"type": "websocket.connect"})
    task = asyncio.ensure_future(app.asgi({**SCOPE, "path": path}, incoming.get, send))
    began = time.perf_counter()
    for _ in range(N):
        incoming.put_nowait({"type": "websocket.receive", "text": "x"})
        while (await outgoing.get())["type"] != "websocket.send":
            pass
    elapsed = time.perf_counter() - began
    incoming.put_nowait({"type": "websocket.disconnect", "code": 1000})
    await task
    return elapsed / N * 1e6


async def main() -> None:
    results: dict[str, list[float]] = {"/async": [], "/sync": []}
    for _ in range(ROUNDS):
        for path, times in results.items():
            times.append(await one_round(path))
    for path, times in results.items():
        times.sort()
        print(f"{path}: best {times[0]:.1f} µs/message, median {times[ROUNDS // 2]:.1f}")
    best = results["/sync"][0] / results["/async"][0]
    median = results["/sync"][ROUNDS // 2] / results["/async"][ROUNDS // 2]
    print(f"def / async def: {best:.1f}x (best rounds), {median:.1f}x (medians)")


if __name__ == "__main__":
    asyncio.run(main())
