"""The floor: a bare WSGI callable and a bare ASGI callable doing the minimum by hand.

Each scenario is a small function of (method, path, query, cookie header, body) returning
(status, headers, body); the WSGI and ASGI adapters only move those values in and out. No
framework can do less work than this for the same answers, so its figures are the floor the
others are compared with.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from ..scenarios import APPS, HOOK_COUNT, HOOK_HEADER

__all__ = ["create", "create_asgi"]

Result = tuple[int, list[tuple[str, str]], bytes]
Handler = Callable[[str, str, str, str, bytes], Result]

TEXT = "text/plain; charset=utf-8"
NOT_FOUND: Result = (404, [("Content-Type", TEXT)], b"Not Found")
REASONS = {200: "200 OK", 404: "404 Not Found"}


def _text(body: str, headers: list[tuple[str, str]] | None = None) -> Result:
    return 200, [("Content-Type", TEXT), *(headers or ())], body.encode()


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def hello(method: str, path: str, query: str, cookie: str, body: bytes) -> Result:
    return _text("Hello") if path == "/hello" else NOT_FOUND


def seed(method: str, path: str, query: str, cookie: str, body: bytes) -> Result:
    if path != "/seed":
        return NOT_FOUND
    language = _cookie(cookie, "user_lang")
    if language is None:
        return _text("lang=en", [("Set-Cookie", "user_lang=en; Path=/")])
    return _text(f"lang={language}")


def params_json(method: str, path: str, query: str, cookie: str, body: bytes) -> Result:
    prefix, _, user_id = path.rpartition("/")
    if prefix != "/users" or not user_id.isdigit():
        return NOT_FOUND
    fields = dict(parse_qsl(query)).get("fields", "").split(",")
    data = json.dumps({"id": int(user_id), "fields": fields}).encode()
    return 200, [("Content-Type", "application/json")], data


def form(method: str, path: str, query: str, cookie: str, body: bytes) -> Result:
    if path != "/form" or method != "POST":
        return NOT_FOUND
    return _text(str(len(parse_qsl(body.decode("latin-1"), keep_blank_values=True))))


def hooks(method: str, path: str, query: str, cookie: str, body: bytes) -> Result:
    if path != "/hooks":
        return NOT_FOUND
    state: dict[str, int] = {}
    for i in range(HOOK_COUNT):
        state[f"hook{i}"] = i
    headers = [("Content-Type", TEXT)]
    for i in range(HOOK_COUNT):
        headers.append((HOOK_HEADER.format(i), str(i)))
    return 200, headers, f"hooks={sum(state.values())}".encode()


def _routes(count: int) -> Handler:
    static = {f"/static{i}": _text(f"static{i}") for i in range(count)}
    dynamic = {f"dyn{i}": f"dyn{i}:" for i in range(count)}

    def routes(method: str, path: str, query: str, cookie: str, body: bytes) -> Result:
        found = static.get(path)
        if found is not None:
            return found
        parts = path.split("/")
        if len(parts) == 3 and parts[2].isdigit():
            prefix = dynamic.get(parts[1])
            if prefix is not None:
                return _text(f"{prefix}{int(parts[2])}")
        return NOT_FOUND

    return routes


def _handler(app_name: str) -> Handler:
    handlers: dict[str, Handler] = {
        "hello": hello,
        "seed": seed,
        "params_json": params_json,
        "form": form,
        "hooks": hooks,
    }
    return handlers.get(app_name) or _routes(APPS[app_name])


def create(app_name: str) -> Any:
    """The bare WSGI callable for ``app_name``."""
    handle = _handler(app_name)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        body = b""
        if method == "POST":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        status, headers, data = handle(
            method,
            environ["PATH_INFO"],
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_COOKIE", ""),
            body,
        )
        start_response(REASONS[status], [*headers, ("Content-Length", str(len(data)))])
        return [data]

    return app


def create_asgi(app_name: str) -> Any:
    """The bare ASGI 3 callable for ``app_name``."""
    handle = _handler(app_name)

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        method = scope["method"]
        body = b""
        if method == "POST":
            more = True
            while more:
                message = await receive()
                body += message.get("body", b"")
                more = message.get("more_body", False)
        cookie = ""
        for name, value in scope["headers"]:
            if name == b"cookie":
                cookie = value.decode("latin-1")
                break
        status, headers, data = handle(
            method, scope["path"], scope["query_string"].decode("latin-1"), cookie, body
        )
        raw = [(k.lower().encode(), v.encode()) for k, v in headers]
        raw.append((b"content-length", str(len(data)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": data})

    return app
