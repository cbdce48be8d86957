"""The frameworks under test: how to build each one's app for a scenario.

Each ``Framework`` names a module of this package and the factory in it that returns the
WSGI or ASGI callable for one of the apps in ``scenarios.APPS``. Modules are imported only
when a framework is used, so a framework that is not installed (or, while tumbler is being
written, does not import) is skipped with its error instead of stopping the suite.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["FRAMEWORKS", "Framework", "by_name"]

Protocol = Literal["wsgi", "asgi"]


@dataclass(frozen=True)
class Framework:
    """One framework in one configuration (protocol, sync or async views)."""

    name: str
    protocol: Protocol
    module: str
    factory: str
    #: The distribution whose version the report records.
    package: str
    #: What the report says about how the scenarios are written for it.
    note: str = ""

    @property
    def is_tumbler(self) -> bool:
        return self.package == "tumbler"

    def create(self, app_name: str) -> Any:
        """Import the framework's module and build the callable for ``app_name``."""
        module = importlib.import_module(f"{__name__}.{self.module}")
        return getattr(module, self.factory)(app_name)


FRAMEWORKS: tuple[Framework, ...] = (
    Framework(
        "tumbler", "wsgi", "tumbler_apps", "create", "tumbler", "the Flask apps, imports changed"
    ),
    Framework("flask", "wsgi", "flask_apps", "create", "flask"),
    Framework("falcon", "wsgi", "falcon_apps", "create", "falcon", "middleware + req.context"),
    Framework("bottle", "wsgi", "bottle_apps", "create", "bottle", "hooks + request attributes"),
    Framework("bare-wsgi", "wsgi", "bare_apps", "create", "", "the floor: by hand"),
    Framework(
        "tumbler-asgi",
        "asgi",
        "tumbler_apps",
        "create_asgi",
        "tumbler",
        "app.asgi, sync views on worker threads, one per request (the default)",
    ),
    Framework(
        "tumbler-asgi-loop",
        "asgi",
        "tumbler_apps",
        "create_asgi_loop",
        "tumbler",
        "app.asgi, sync views on the event loop (ASGI_SYNC_IN_THREADS = False, opt-in)",
    ),
    Framework(
        "tumbler-asgi-async",
        "asgi",
        "tumbler_apps",
        "create_asgi_async",
        "tumbler",
        "app.asgi, async def views and hooks",
    ),
    Framework("quart", "asgi", "quart_apps", "create", "quart", "async def views and hooks"),
    Framework("starlette", "asgi", "starlette_apps", "create", "starlette", "pure ASGI middleware"),
    Framework(
        "starlette-sync",
        "asgi",
        "starlette_apps",
        "create_sync",
        "starlette",
        "plain def endpoints (run on anyio's worker threads), pure ASGI middleware",
    ),
    Framework(
        "falcon-asgi", "asgi", "falcon_apps", "create_asgi", "falcon", "middleware + req.context"
    ),
    Framework("bare-asgi", "asgi", "bare_apps", "create_asgi", "", "the floor: by hand"),
)


def by_name(names: list[str] | None) -> list[Framework]:
    """The frameworks called ``names`` (all of them for None), in the suite's order."""
    if not names:
        return list(FRAMEWORKS)
    known = {f.name: f for f in FRAMEWORKS}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"unknown framework(s): {', '.join(unknown)}; known: {', '.join(known)}")
    return [f for f in FRAMEWORKS if f.name in names]
