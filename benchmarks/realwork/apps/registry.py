"""Every app the benchmark runs, by name: its factory, its interface and its database driver.

``served.py`` builds the app a server process loads from ``REALWORK_APP``; the runner pairs
each app with the servers of its interface (``servers.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..spec import TYPES

__all__ = ["APPS", "App", "by_name"]

ALL_TYPES = tuple(TYPES)
FLOOR_TYPES = ("plaintext", "json")


@dataclass(frozen=True)
class App:
    """One app: ``interface`` is ``wsgi`` or ``asgi``; ``views`` says how its code is written."""

    name: str
    interface: str
    views: str
    factory: Callable[[], Any]
    types: tuple[str, ...] = ALL_TYPES


def _tumbler_wsgi() -> Any:
    import tumbler

    from .flask_style import build

    return build(tumbler, "Tumbler")


def _tumbler_asgi_sync() -> Any:
    import tumbler

    from .flask_style import build

    app = build(tumbler, "Tumbler")
    # Before the sync-under-ASGI redesign (issue 12) the default placement ("auto") runs sync
    # views on the loop: ask for worker threads explicitly. After it, threads are the default
    # and the setting is left alone.
    if app.config.get("ASGI_SYNC_IN_THREADS") == "auto":
        app.config["ASGI_SYNC_IN_THREADS"] = True
    return app.asgi


def _tumbler_asgi_async() -> Any:
    import tumbler

    from .flask_style import build_async

    return build_async(tumbler, "Tumbler").asgi


def _flask() -> Any:
    import flask

    from .flask_style import build

    return build(flask, "Flask")


def _lazy(module: str, name: str) -> Callable[[], Any]:
    def factory() -> Any:
        from importlib import import_module

        return getattr(import_module(f"{__package__}.{module}"), name)()

    return factory


APPS: dict[str, App] = {
    app.name: app
    for app in (
        App("tumbler", "wsgi", "sync + psycopg", _tumbler_wsgi),
        App("flask", "wsgi", "sync + psycopg", _flask),
        App("falcon", "wsgi", "sync + psycopg", _lazy("peers_wsgi", "falcon_app")),
        App("bare-wsgi", "wsgi", "by hand", _lazy("bare", "bare_wsgi"), FLOOR_TYPES),
        App("tumbler-async", "asgi", "async def + asyncpg", _tumbler_asgi_async),
        App("tumbler-sync", "asgi", "def on threads + psycopg", _tumbler_asgi_sync),
        App("starlette", "asgi", "async def + asyncpg", _lazy("peers_asgi", "starlette_app")),
        App(
            "starlette-sync",
            "asgi",
            "def on threads + psycopg",
            _lazy("peers_asgi", "starlette_sync_app"),
        ),
        App("falcon-asgi", "asgi", "async def + asyncpg", _lazy("peers_asgi", "falcon_asgi_app")),
        App("quart", "asgi", "async def + asyncpg", _lazy("peers_asgi", "quart_app")),
        App("blacksheep", "asgi", "async def + asyncpg", _lazy("blacksheep_app", "blacksheep_app")),
        App("bare-asgi", "asgi", "by hand", _lazy("bare", "bare_asgi"), FLOOR_TYPES),
    )
}


def by_name(names: list[str] | None) -> list[App]:
    """The apps named (all when ``names`` is empty); an unknown name is an error."""
    if not names:
        return list(APPS.values())
    unknown = [name for name in names if name not in APPS]
    if unknown:
        raise SystemExit(f"unknown app(s): {', '.join(unknown)}; known: {', '.join(APPS)}")
    return [APPS[name] for name in names]
