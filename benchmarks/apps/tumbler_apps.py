"""tumbler: the Flask-style apps built with the ``tumbler`` module instead of ``flask``.

The same builder as ``flask_apps.py``; only the module passed in differs.
"""

from __future__ import annotations

from typing import Any

import tumbler

from .flask_style import build, build_async

__all__ = ["create", "create_asgi", "create_asgi_async", "create_asgi_loop"]


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
