"""Bottle: ``bottle.Bottle()`` apps (WSGI).

Bottle has ``before_request``/``after_request`` hooks but no ``g`` and no
``after_this_request``. Per-request state goes on the request object (Bottle stores such
attributes in the environ); for ``seed`` the ``after_request`` hook sets the cookie when the
``before_request`` hook found none, which is Bottle's nearest mechanism.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import bottle

from ..scenarios import APPS, HOOK_COUNT, HOOK_HEADER

__all__ = ["create"]

request, response = bottle.request, bottle.response


def _hello(app: bottle.Bottle) -> None:
    @app.get("/hello")
    def hello() -> str:
        return "Hello"


def _seed(app: bottle.Bottle) -> None:
    @app.hook("before_request")
    def detect_user_language() -> None:
        language = request.get_cookie("user_lang")
        request.set_language = language is None
        request.language = language or "en"

    @app.hook("after_request")
    def remember_language() -> None:
        if request.set_language:
            response.set_cookie("user_lang", request.language)

    @app.get("/seed")
    def seed() -> str:
        return f"lang={request.language}"


def _params_json(app: bottle.Bottle) -> None:
    @app.get("/users/<user_id:int>")
    def user(user_id: int) -> dict[str, Any]:
        return {"id": user_id, "fields": request.query.get("fields", "").split(",")}


def _form(app: bottle.Bottle) -> None:
    @app.post("/form")
    def form() -> str:
        return str(len(request.forms))


def _hooks(app: bottle.Bottle) -> None:
    for i in range(HOOK_COUNT):
        app.add_hook("before_request", _set_attr(i))
        app.add_hook("after_request", _set_header(i))

    @app.get("/hooks")
    def hooks() -> str:
        r = request
        return f"hooks={r.hook0 + r.hook1 + r.hook2 + r.hook3 + r.hook4}"


def _routes(app: bottle.Bottle, app_name: str) -> None:
    for i in range(APPS[app_name]):
        app.route(f"/static{i}", "GET", _static_view(i))
        app.route(f"/dyn{i}/<item:int>", "GET", _dynamic_view(i))


def _set_attr(i: int) -> Callable[[], None]:
    name = f"hook{i}"

    def before() -> None:
        setattr(request, name, i)

    return before


def _set_header(i: int) -> Callable[[], None]:
    name, value = HOOK_HEADER.format(i), str(i)

    def after() -> None:
        response.set_header(name, value)

    return after


def _static_view(i: int) -> Callable[[], str]:
    text = f"static{i}"

    def view() -> str:
        return text

    return view


def _dynamic_view(i: int) -> Callable[[int], str]:
    prefix = f"dyn{i}:"

    def view(item: int) -> str:
        return f"{prefix}{item}"

    return view


_SETUP: dict[str, Callable[[bottle.Bottle], None]] = {
    "hello": _hello,
    "seed": _seed,
    "params_json": _params_json,
    "form": _form,
    "hooks": _hooks,
}


def create(app_name: str) -> Any:
    """The ``bottle.Bottle`` for ``app_name``."""
    app = bottle.Bottle()
    if app_name in _SETUP:
        _SETUP[app_name](app)
    else:
        _routes(app, app_name)
    return app
