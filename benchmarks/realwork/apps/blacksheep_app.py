"""BlackSheep in its idiom: router decorators, its response helpers, ``on_start``.

No ``from __future__ import annotations`` here: BlackSheep reads the handlers' annotations at
startup to bind the request, so they must be real classes.
"""

from typing import Any

from blacksheep import Application, Request, html, json, text

from ..spec import HELLO, queries_count
from . import async_db
from .peers_wsgi import jinja_template

__all__ = ["blacksheep_app"]


def _first(values: list[str] | None) -> str | None:
    return values[0] if values else None


def blacksheep_app() -> Any:
    app = Application()
    db = async_db.Database()
    template = jinja_template()
    get = app.router.get

    async def start(application: Application) -> None:
        await db.open()

    async def stop(application: Application) -> None:
        await db.close()

    app.on_start += start
    app.on_stop += stop

    @get("/plaintext")
    async def plaintext() -> Any:
        return text(HELLO)

    @get("/json")
    async def json_() -> Any:
        return json({"message": HELLO})

    @get("/db")
    async def single_query() -> Any:
        return json(await db.world())

    @get("/queries")
    async def queries(request: Request) -> Any:
        return json(await db.worlds(queries_count(_first(request.query.get("queries")))))

    @get("/fortunes")
    async def fortunes() -> Any:
        return html(template.render(fortunes=await db.fortunes()))

    @get("/updates")
    async def updates(request: Request) -> Any:
        return json(await db.update(queries_count(_first(request.query.get("queries")))))

    return app
