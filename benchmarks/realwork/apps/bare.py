"""The floor: a bare WSGI callable and a bare ASGI callable answering ``plaintext`` and
``json`` by hand (the JSON serialised for each request, as the rules ask). No framework can
do less for the same answers; the servers add ``Server`` and ``Date``."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from ..spec import HELLO

__all__ = ["bare_asgi", "bare_wsgi"]

PLAIN_BODY = HELLO.encode()


def _answer(path: str) -> tuple[str, bytes] | None:
    """(content type, body) for ``path``, or None for a 404."""
    if path == "/plaintext":
        return "text/plain", PLAIN_BODY
    if path == "/json":
        return "application/json", json.dumps({"message": HELLO}).encode()
    return None


def bare_wsgi() -> Any:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        answer = _answer(environ["PATH_INFO"])
        if answer is None:
            start_response("404 Not Found", [("Content-Length", "0")])
            return [b""]
        kind, body = answer
        start_response("200 OK", [("Content-Type", kind), ("Content-Length", str(len(body)))])
        return [body]

    return app


def bare_asgi() -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        answer = _answer(scope["path"])
        status, kind, body = (404, b"text/plain", b"") if answer is None else (200, *answer)
        headers = [
            (b"content-type", kind.encode() if isinstance(kind, str) else kind),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app
