"""tumbler: the Flask-style apps built with the ``tumbler`` module instead of ``flask``.

The same builder as ``flask_apps.py``; only the module passed in differs.
"""

from __future__ import annotations

from typing import Any

import tumbler

from .flask_style import build, build_async

__all__ = [
    "create",
    "create_asgi",
    "create_asgi_async",
    "create_asgi_loop",
    "create_blocking",
    "create_blocking_loop",
]


def create(app_name: str) -> Any:
    """The WSGI callable: the app itself."""
    return build(tumbler, app_name)


def create_asgi(app_name: str) -> Any:
    """The ASGI 3 callable ``app.asgi`` of the app with sync views and hooks (defaults: on
    worker threads, one per request)."""
    return build(tumbler, app_name).asgi


def create_asgi_loop(app_name: str) -> Any:
    """The same sync app with its sync code on the event loop (the documented opt-in)."""
    app = build(tumbler, app_name)
    app.config["ASGI_SYNC_IN_THREADS"] = False
    return app.asgi


def create_asgi_async(app_name: str) -> Any:
    """The ASGI 3 callable of the app with ``async def`` views and hooks."""
    return build_async(tumbler, app_name).asgi


def _blocking_app() -> tumbler.Tumbler:
    """Issue 12's app: ``/block`` waits on a blocking call (``time.sleep``, as a sync
    database driver does) for ``?ms=`` milliseconds; ``/ping`` is an ``async def`` endpoint
    whose latency shows whether the loop stayed free."""
    import time

    app = tumbler.Tumbler(__name__)

    @app.route("/block")
    def block() -> str:
        time.sleep(float(tumbler.request.args.get("ms", "1")) / 1000)
        return "blocked"

    @app.route("/ping")
    async def ping() -> str:
        return "pong"

    return app


def create_blocking(app_name: str) -> Any:
    """The blocking app over ASGI with the default placement (sync code on threads)."""
    return _blocking_app().asgi


def create_blocking_loop(app_name: str) -> Any:
    """The blocking app with its sync code on the loop (the opt-in, misused on purpose)."""
    app = _blocking_app()
    app.config["ASGI_SYNC_IN_THREADS"] = False
    return app.asgi
