"""Falcon: ``falcon.App`` (WSGI) and ``falcon.asgi.App`` (ASGI).

Falcon has no request hooks nor ``after_this_request``; the idiomatic equivalent is
middleware with ``process_request``/``process_response`` and ``req.context``:

* ``seed``: a middleware reads the cookie in ``process_request``, stores the language in
  ``req.context`` and, when the cookie was absent, notes that a cookie must be set; its
  ``process_response`` sets it (``secure=False, http_only=False`` like Flask's defaults).
* ``hooks``: five middleware objects, each setting a ``req.context`` attribute before the
  responder and a header after it.
* Responses are ``text/plain`` (Falcon's default media type is JSON).
"""

from __future__ import annotations

from typing import Any

import falcon
import falcon.asgi

from ..scenarios import APPS, HOOK_COUNT, HOOK_HEADER

__all__ = ["create", "create_asgi"]

TEXT = falcon.MEDIA_TEXT


# WSGI ------------------------------------------------------------------------------------------


class Text:
    """A resource answering GET with a fixed text."""

    def __init__(self, text: str) -> None:
        self.text = text

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = TEXT
        resp.text = self.text


class Seed:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = TEXT
        resp.text = f"lang={req.context.language}"


class LanguageMiddleware:
    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        language = req.cookies.get("user_lang")
        req.context.set_language = language is None
        req.context.language = language or "en"

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: Any, succeeded: bool
    ) -> None:
        if req.context.set_language:
            resp.set_cookie("user_lang", req.context.language, secure=False, http_only=False)


class User:
    def on_get(self, req: falcon.Request, resp: falcon.Response, user_id: int) -> None:
        resp.media = {"id": user_id, "fields": req.get_param("fields", default="").split(",")}


class Form:
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = TEXT
        resp.text = str(len(req.get_media()))


class Hooks:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx = req.context
        resp.content_type = TEXT
        resp.text = f"hooks={ctx.hook0 + ctx.hook1 + ctx.hook2 + ctx.hook3 + ctx.hook4}"


class HookMiddleware:
    def __init__(self, i: int) -> None:
        self.attr, self.i = f"hook{i}", i
        self.header, self.value = HOOK_HEADER.format(i), str(i)

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        setattr(req.context, self.attr, self.i)

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: Any, succeeded: bool
    ) -> None:
        resp.set_header(self.header, self.value)


class Dynamic:
    def __init__(self, i: int) -> None:
        self.prefix = f"dyn{i}:"

    def on_get(self, req: falcon.Request, resp: falcon.Response, item: int) -> None:
        resp.content_type = TEXT
        resp.text = f"{self.prefix}{item}"


def create(app_name: str) -> Any:
    """The ``falcon.App`` for ``app_name``."""
    middleware: list[Any] = []
    if app_name == "seed":
        middleware = [LanguageMiddleware()]
    elif app_name == "hooks":
        middleware = [HookMiddleware(i) for i in range(HOOK_COUNT)]
    app = falcon.App(middleware=middleware)
    if app_name == "hello":
        app.add_route("/hello", Text("Hello"))
    elif app_name == "seed":
        app.add_route("/seed", Seed())
    elif app_name == "params_json":
        app.add_route("/users/{user_id:int}", User())
    elif app_name == "form":
        app.add_route("/form", Form())
    elif app_name == "hooks":
        app.add_route("/hooks", Hooks())
    else:
        for i in range(APPS[app_name]):
            app.add_route(f"/static{i}", Text(f"static{i}"))
            app.add_route(f"/dyn{i}/{{item:int}}", Dynamic(i))
    return app


# ASGI ------------------------------------------------------------------------------------------


class AsyncText:
    def __init__(self, text: str) -> None:
        self.text = text

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.content_type = TEXT
        resp.text = self.text


class AsyncSeed:
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.content_type = TEXT
        resp.text = f"lang={req.context.language}"


class AsyncLanguageMiddleware:
    async def process_request(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        language = req.cookies.get("user_lang")
        req.context.set_language = language is None
        req.context.language = language or "en"

    async def process_response(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, resource: Any, ok: bool
    ) -> None:
        if req.context.set_language:
            resp.set_cookie("user_lang", req.context.language, secure=False, http_only=False)


class AsyncUser:
    async def on_get(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, user_id: int
    ) -> None:
        resp.media = {"id": user_id, "fields": req.get_param("fields", default="").split(",")}


class AsyncForm:
    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.content_type = TEXT
        resp.text = str(len(await req.get_media()))


class AsyncHooks:
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        ctx = req.context
        resp.content_type = TEXT
        resp.text = f"hooks={ctx.hook0 + ctx.hook1 + ctx.hook2 + ctx.hook3 + ctx.hook4}"


class AsyncHookMiddleware:
    def __init__(self, i: int) -> None:
        self.attr, self.i = f"hook{i}", i
        self.header, self.value = HOOK_HEADER.format(i), str(i)

    async def process_request(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        setattr(req.context, self.attr, self.i)

    async def process_response(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, resource: Any, ok: bool
    ) -> None:
        resp.set_header(self.header, self.value)


class AsyncDynamic:
    def __init__(self, i: int) -> None:
        self.prefix = f"dyn{i}:"

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, item: int) -> None:
        resp.content_type = TEXT
        resp.text = f"{self.prefix}{item}"


def create_asgi(app_name: str) -> Any:
    """The ``falcon.asgi.App`` for ``app_name``."""
    middleware: list[Any] = []
    if app_name == "seed":
        middleware = [AsyncLanguageMiddleware()]
    elif app_name == "hooks":
        middleware = [AsyncHookMiddleware(i) for i in range(HOOK_COUNT)]
    app = falcon.asgi.App(middleware=middleware)
    if app_name == "hello":
        app.add_route("/hello", AsyncText("Hello"))
    elif app_name == "seed":
        app.add_route("/seed", AsyncSeed())
    elif app_name == "params_json":
        app.add_route("/users/{user_id:int}", AsyncUser())
    elif app_name == "form":
        app.add_route("/form", AsyncForm())
    elif app_name == "hooks":
        app.add_route("/hooks", AsyncHooks())
    else:
        for i in range(APPS[app_name]):
            app.add_route(f"/static{i}", AsyncText(f"static{i}"))
            app.add_route(f"/dyn{i}/{{item:int}}", AsyncDynamic(i))
    return app
