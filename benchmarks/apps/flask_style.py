"""The benchmark apps for frameworks with Flask's API, written once.

``build(module, app_name)`` works with the ``flask`` and ``tumbler`` modules (sync views and
hooks); ``build_async(module, app_name)`` with ``tumbler`` and ``quart`` (``async def`` views
and hooks). The code is plain Flask: the modules differ only by the name of the app class.
Each ``_name(app, fw)`` function below registers one app's views and hooks.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import ModuleType
from typing import Any

from ..scenarios import APPS, HOOK_COUNT, HOOK_HEADER

__all__ = ["build", "build_async"]

_APP_CLASSES = ("Tumbler", "Flask", "Quart")

Setup = Callable[[Any, ModuleType], None]


def _new_app(fw: ModuleType) -> Any:
    for name in _APP_CLASSES:
        app_class = getattr(fw, name, None)
        if app_class is not None:
            return app_class(__name__)
    raise TypeError(f"{fw.__name__} has none of {_APP_CLASSES}")


def build(fw: ModuleType, app_name: str) -> Any:
    """The Flask-style app ``app_name`` with sync views and hooks, made with module ``fw``."""
    app = _new_app(fw)
    if app_name in _SYNC:
        _SYNC[app_name](app, fw)
    else:
        _routes(app, app_name)
    return app


def build_async(fw: ModuleType, app_name: str) -> Any:
    """The same app as ``build`` with every view and hook an ``async def``."""
    app = _new_app(fw)
    if app_name in _ASYNC:
        _ASYNC[app_name](app, fw)
    else:
        _routes_async(app, app_name)
    return app


# Sync ------------------------------------------------------------------------------------------


def _hello(app: Any, fw: ModuleType) -> None:
    @app.route("/hello")
    def hello() -> str:
        return "Hello"


def _seed(app: Any, fw: ModuleType) -> None:
    request, g = fw.request, fw.g

    @app.before_request
    def detect_user_language() -> None:
        language = request.cookies.get("user_lang")
        if language is None:
            language = "en"

            @fw.after_this_request
            def remember_language(response: Any) -> Any:
                response.set_cookie("user_lang", language)
                return response

        g.language = language

    @app.route("/seed")
    def seed() -> str:
        return f"lang={g.language}"


def _params_json(app: Any, fw: ModuleType) -> None:
    request = fw.request

    @app.route("/users/<int:user_id>")
    def user(user_id: int) -> Any:
        return fw.jsonify(id=user_id, fields=request.args.get("fields", "").split(","))


def _form(app: Any, fw: ModuleType) -> None:
    request = fw.request

    @app.route("/form", methods=["POST"])
    def form() -> str:
        return str(len(request.form))


def _hooks(app: Any, fw: ModuleType) -> None:
    g = fw.g
    for i in range(HOOK_COUNT):
        app.before_request(_set_g(g, i))
        app.after_request(_set_header(i))

    @app.route("/hooks")
    def hooks() -> str:
        return f"hooks={g.hook0 + g.hook1 + g.hook2 + g.hook3 + g.hook4}"


def _routes(app: Any, app_name: str) -> None:
    for i in range(APPS[app_name]):
        app.add_url_rule(f"/static{i}", f"static{i}", _static_view(i))
        app.add_url_rule(f"/dyn{i}/<int:item>", f"dyn{i}", _dynamic_view(i))


def _set_g(g: Any, i: int) -> Callable[[], None]:
    name = f"hook{i}"

    def before() -> None:
        setattr(g, name, i)

    before.__name__ = f"before_{i}"
    return before


def _set_header(i: int) -> Callable[[Any], Any]:
    name, value = HOOK_HEADER.format(i), str(i)

    def after(response: Any) -> Any:
        response.headers[name] = value
        return response

    after.__name__ = f"after_{i}"
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


_SYNC: dict[str, Setup] = {
    "hello": _hello,
    "seed": _seed,
    "params_json": _params_json,
    "form": _form,
    "hooks": _hooks,
}


# Async -----------------------------------------------------------------------------------------


def _hello_async(app: Any, fw: ModuleType) -> None:
    @app.route("/hello")
    async def hello() -> str:
        return "Hello"


def _seed_async(app: Any, fw: ModuleType) -> None:
    request, g = fw.request, fw.g

    @app.before_request
    async def detect_user_language() -> None:
        language = request.cookies.get("user_lang")
        if language is None:
            language = "en"

            @fw.after_this_request
            async def remember_language(response: Any) -> Any:
                response.set_cookie("user_lang", language)
                return response

        g.language = language

    @app.route("/seed")
    async def seed() -> str:
        return f"lang={g.language}"


def _params_json_async(app: Any, fw: ModuleType) -> None:
    request = fw.request

    @app.route("/users/<int:user_id>")
    async def user(user_id: int) -> Any:
        return fw.jsonify(id=user_id, fields=request.args.get("fields", "").split(","))


async def _form_length(request: Any) -> int:
    """``len(request.form)``; Quart's ``request.form`` is awaitable."""
    form = request.form
    if inspect.isawaitable(form):
        form = await form
    return len(form)


def _form_async(app: Any, fw: ModuleType) -> None:
    request = fw.request

    @app.route("/form", methods=["POST"])
    async def form() -> str:
        return str(await _form_length(request))


def _hooks_async(app: Any, fw: ModuleType) -> None:
    g = fw.g
    for i in range(HOOK_COUNT):
        app.before_request(_set_g_async(g, i))
        app.after_request(_set_header_async(i))

    @app.route("/hooks")
    async def hooks() -> str:
        return f"hooks={g.hook0 + g.hook1 + g.hook2 + g.hook3 + g.hook4}"


def _routes_async(app: Any, app_name: str) -> None:
    for i in range(APPS[app_name]):
        app.add_url_rule(f"/static{i}", f"static{i}", _static_view_async(i))
        app.add_url_rule(f"/dyn{i}/<int:item>", f"dyn{i}", _dynamic_view_async(i))


def _set_g_async(g: Any, i: int) -> Callable[[], Any]:
    name = f"hook{i}"

    async def before() -> None:
        setattr(g, name, i)

    before.__name__ = f"before_{i}"
    return before


def _set_header_async(i: int) -> Callable[[Any], Any]:
    name, value = HOOK_HEADER.format(i), str(i)

    async def after(response: Any) -> Any:
        response.headers[name] = value
        return response

    after.__name__ = f"after_{i}"
    return after


def _static_view_async(i: int) -> Callable[[], Any]:
    text = f"static{i}"

    async def view() -> str:
        return text

    return view


def _dynamic_view_async(i: int) -> Callable[[int], Any]:
    prefix = f"dyn{i}:"

    async def view(item: int) -> str:
        return f"{prefix}{item}"

    return view


_ASYNC: dict[str, Setup] = {
    "hello": _hello_async,
    "seed": _seed_async,
    "params_json": _params_json_async,
    "form": _form_async,
    "hooks": _hooks_async,
}
