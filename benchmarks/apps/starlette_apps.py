"""Starlette: ``starlette.applications.Starlette`` apps (ASGI).

Starlette has no request hooks nor ``g``; the idiomatic fast equivalent is pure ASGI
middleware (not ``BaseHTTPMiddleware``, which Starlette's docs steer away from for speed) and
``request.state``:

* ``seed``: a middleware reads the cookie (``HTTPConnection.cookies``), stores the language
  in ``scope["state"]`` and, when the cookie was absent, appends a ``Set-Cookie`` header to
  the ``http.response.start`` message (the same attributes as ``Response.set_cookie``'s
  defaults: ``Path=/; SameSite=lax``).
* ``hooks``: five such middleware, each setting a state attribute before the endpoint and a
  header on the way out.
* ``form``: ``request.form()`` needs the ``python-multipart`` package even for urlencoded
  bodies, and it is not in the bench extra; the endpoint parses the body with
  ``urllib.parse.parse_qsl`` instead.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, request_response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..scenarios import APPS, HOOK_COUNT, HOOK_HEADER

__all__ = ["create", "create_blocking", "create_sync"]


async def hello(request: Request) -> Response:
    return PlainTextResponse("Hello")


async def seed(request: Request) -> Response:
    return PlainTextResponse(f"lang={request.state.language}")


async def user(request: Request) -> Response:
    fields = request.query_params.get("fields", "").split(",")
    return JSONResponse({"id": request.path_params["user_id"], "fields": fields})


async def form(request: Request) -> Response:
    return PlainTextResponse(str(len(parse_qsl(await request.body(), keep_blank_values=True))))


async def hooks(request: Request) -> Response:
    s = request.state
    return PlainTextResponse(f"hooks={s.hook0 + s.hook1 + s.hook2 + s.hook3 + s.hook4}")


# The same endpoints as plain ``def`` functions: Starlette runs them on anyio's worker
# threads (``run_in_threadpool``), as tumbler runs sync views under ASGI by default.


def hello_sync(request: Request) -> Response:
    return PlainTextResponse("Hello")


def seed_sync(request: Request) -> Response:
    return PlainTextResponse(f"lang={request.state.language}")


def user_sync(request: Request) -> Response:
    fields = request.query_params.get("fields", "").split(",")
    return JSONResponse({"id": request.path_params["user_id"], "fields": fields})


def hooks_sync(request: Request) -> Response:
    s = request.state
    return PlainTextResponse(f"hooks={s.hook0 + s.hook1 + s.hook2 + s.hook3 + s.hook4}")


SYNC_ENDPOINTS = {hello: hello_sync, seed: seed_sync, user: user_sync, hooks: hooks_sync}


class LanguageMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        language = HTTPConnection(scope).cookies.get("user_lang")
        scope.setdefault("state", {})["language"] = language or "en"
        if language is not None:
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append(
                    "set-cookie", "user_lang=en; Path=/; SameSite=lax"
                )
            await send(message)

        await self.app(scope, receive, send_with_cookie)


class HookMiddleware:
    def __init__(self, app: ASGIApp, i: int) -> None:
        self.app, self.i, self.attr = app, i, f"hook{i}"
        self.header, self.value = HOOK_HEADER.format(i).lower(), str(i)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})[self.attr] = self.i

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append(self.header, self.value)
            await send(message)

        await self.app(scope, receive, send_with_header)


def _static(text: str) -> Any:
    async def endpoint(request: Request) -> Response:
        return PlainTextResponse(text)

    return endpoint


def _dynamic(prefix: str) -> Any:
    async def endpoint(request: Request) -> Response:
        return PlainTextResponse(f"{prefix}{request.path_params['item']}")

    return endpoint


def create_sync(app_name: str) -> Any:
    """The ``Starlette`` app for ``app_name`` with ``def`` endpoints where the scenario has
    one (``form`` awaits the body and the routing apps stay as they are)."""
    app = create(app_name)
    for route in app.router.routes:
        sync = SYNC_ENDPOINTS.get(getattr(route, "endpoint", None))
        if sync is not None and isinstance(route, Route):
            route.endpoint = sync
            route.app = request_response(sync)
    return app


def create(app_name: str) -> Any:
    """The ``Starlette`` app for ``app_name``."""
    middleware: list[Middleware] = []
    routes: list[Route] = []
    if app_name == "hello":
        routes = [Route("/hello", hello)]
    elif app_name == "seed":
        routes = [Route("/seed", seed)]
        middleware = [Middleware(LanguageMiddleware)]
    elif app_name == "params_json":
        routes = [Route("/users/{user_id:int}", user)]
    elif app_name == "form":
        routes = [Route("/form", form, methods=["POST"])]
    elif app_name == "hooks":
        routes = [Route("/hooks", hooks)]
        middleware = [Middleware(HookMiddleware, i=i) for i in range(HOOK_COUNT)]
    else:
        for i in range(APPS[app_name]):
            routes.append(Route(f"/static{i}", _static(f"static{i}")))
            routes.append(Route(f"/dyn{i}/{{item:int}}", _dynamic(f"dyn{i}:")))
    return Starlette(routes=routes, middleware=middleware)


def _block(request: Request) -> Response:
    import time

    time.sleep(float(request.query_params.get("ms", "1")) / 1000)
    return PlainTextResponse("blocked")


async def _ping(request: Request) -> Response:
    return PlainTextResponse("pong")


def create_blocking(app_name: str) -> Any:
    """Issue 12's app: a ``def`` endpoint that blocks (on anyio's threads) and an async one."""
    return Starlette(routes=[Route("/block", _block), Route("/ping", _ping)])
