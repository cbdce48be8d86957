"""The app the live WebSocket tests serve with uvicorn, hypercorn and granian."""

from __future__ import annotations

import asyncio

from tumbler import Tumbler, abort, g, websocket

app = Tumbler(__name__)
app.config["WEBSOCKET_MAX_MESSAGE_SIZE"] = 1024
asgi = app.asgi

#: token -> what teardown_websocket received, for /torn/<token> to report.
TORN: dict[str, str] = {}


@app.websocket("/echo")
async def echo() -> None:
    while True:
        data = await websocket.receive()
        await websocket.send(data)


@app.websocket("/sync-echo")
def sync_echo() -> None:
    while True:
        websocket.send(websocket.receive())


@app.websocket("/json")
async def json_double() -> None:
    while True:
        data = await websocket.receive_json()
        await websocket.send_json({"double": data["n"] * 2})


@app.websocket("/close/<int:code>")
async def close_with(code: int) -> None:
    await websocket.accept()
    await websocket.close(code, "closing as asked")


@app.websocket("/fail")
async def fail() -> None:
    await websocket.accept()
    raise RuntimeError("the handler failed (expected by the live test)")


@app.websocket("/private")
async def private() -> None:
    abort(401)


@app.websocket("/hold/<token>")
def hold(token: str) -> None:
    g.token = token
    websocket.send("holding")
    websocket.receive()  # the client leaves instead


@app.websocket("/ahold/<token>")
async def ahold(token: str) -> None:
    g.token = token
    await websocket.send("holding")
    await websocket.receive()


@app.teardown_websocket
def remember(error: BaseException | None) -> None:
    token = g.get("token")
    if token is not None:
        TORN[token] = type(error).__name__ if error is not None else "None"


@app.websocket("/torn/<token>")
async def torn(token: str) -> None:
    for _ in range(1000):  # teardown may still be running on the server: wait, boundedly
        if token in TORN:
            break
        await asyncio.sleep(0.01)
    await websocket.send(TORN.get(token, "missing"))


@app.websocket("/g/<int:n>")
async def own_g(n: int) -> None:
    g.n = n
    await websocket.accept()
    await websocket.receive()  # every connection is open before any answers
    await asyncio.sleep(0)
    await websocket.send(str(g.n))


@app.websocket("/sync-g/<int:n>")
def sync_own_g(n: int) -> None:
    g.n = n
    websocket.receive()
    websocket.send(str(g.n))


@app.before_websocket
def started() -> None:
    g.started = True
