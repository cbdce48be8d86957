"""Chat: a page and a WebSocket per room; every message goes to everyone in the room.

* ``/`` (and ``/room/<room>``) is the page. Its script connects to the URL that
  ``url_for("chat", room=...)`` builds, a ``ws://`` (or ``wss://``) URL.
* ``/ws/<room>`` is an ``async def`` WebSocket handler. Each connection has a bounded inbox
  that a task forwards to the client; a message for a member whose inbox is full is dropped
  for that member, so one slow reader slows nobody else.
* Teardown (``teardown_websocket``) takes the member out of the room whether the handler
  ended, failed, or the browser tab closed.

    python3 dev.py serve --app chat         # uvicorn examples.chat:app.asgi
"""

from __future__ import annotations

import asyncio
import json

from tumbler import Tumbler, WebsocketDisconnected, g, url_for, websocket

app = Tumbler(__name__)

#: room -> the inboxes of the connections in it
ROOMS: dict[str, set[asyncio.Queue[str]]] = {}
INBOX_SIZE = 100
MAX_TEXT = 500

PAGE = """<!doctype html>
<html lang="en"><meta charset="utf-8"><title>tumbler chat: {room}</title>
<style>body {{ font: 16px system-ui; max-width: 40em; margin: 2em auto; }}
#log {{ min-height: 10em; border: 1px solid #ccc; padding: .5em 2em; }}</style>
<h1>Room {room}</h1>
<p id="status">connecting…</p>
<ol id="log"></ol>
<form id="form"><input id="message" autocomplete="off" autofocus maxlength="{max_text}">
<button id="send">Send</button></form>
<script>
  const socket = new WebSocket({url});
  const status = document.getElementById("status");
  socket.onopen = () => {{ status.textContent = "connected"; }};
  socket.onclose = (event) => {{ status.textContent = "closed (" + event.code + ")"; }};
  socket.onmessage = (event) => {{
    const item = document.createElement("li");
    item.textContent = event.data;
    document.getElementById("log").append(item);
  }};
  document.getElementById("form").onsubmit = (event) => {{
    event.preventDefault();
    const input = document.getElementById("message");
    if (input.value) socket.send(input.value);
    input.value = "";
  }};
</script>
"""


@app.route("/")
@app.route("/room/<room>")
def page(room: str = "lobby") -> str:
    # The URL goes into the script as a JSON string: quotes and "</" cannot break out of it.
    url = json.dumps(url_for("chat", room=room)).replace("</", "<\\/")
    name = room.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return PAGE.format(room=name, url=url, max_text=MAX_TEXT)


def broadcast(room: str, text: str) -> None:
    """Queue ``text`` for every member of ``room``; a full inbox misses it."""
    for inbox in ROOMS.get(room, ()):
        if inbox.qsize() < INBOX_SIZE:
            inbox.put_nowait(text)


async def forward(inbox: asyncio.Queue[str]) -> None:
    """Send what arrives in this connection's inbox, until the connection closes."""
    try:
        while True:
            await websocket.send(await inbox.get())
    except WebsocketDisconnected:
        pass


@app.websocket("/ws/<room>")
async def chat(room: str) -> None:
    name = websocket.args.get("name", "guest")[:32]
    inbox: asyncio.Queue[str] = asyncio.Queue()
    g.room, g.inbox = room, inbox
    ROOMS.setdefault(room, set()).add(inbox)
    await websocket.accept()
    sender = asyncio.ensure_future(forward(inbox))
    try:
        while True:
            text = await websocket.receive()
            if isinstance(text, str) and text.strip():
                broadcast(room, f"{name}: {text[:MAX_TEXT]}")
    finally:
        sender.cancel()
        await asyncio.gather(sender, return_exceptions=True)


@app.teardown_websocket
def leave(error: BaseException | None) -> None:
    inbox = g.get("inbox")
    members = ROOMS.get(g.get("room", ""))
    if members is not None and inbox is not None:
        members.discard(inbox)
        if not members:
            del ROOMS[g.room]
