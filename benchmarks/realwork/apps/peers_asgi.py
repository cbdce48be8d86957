"""The ASGI peers, each in its own idiom, with asyncpg (``async_db.py``).

* Starlette: ``Route``s, its response classes, a lifespan context; Jinja2 directly (what
  Starlette's own ``Jinja2Templates`` wraps, minus the request it requires in the context).
  ``starlette_sync_app`` is the same with plain ``def`` endpoints and psycopg: Starlette runs
  those on anyio's worker threads, which is what tumbler's sync views are measured against.
* Falcon ASGI: resources with ``async def on_get``, a middleware's ``process_startup``.
* Quart: the Flask API with ``async def`` views, ``before_serving``.
* BlackSheep: in ``blacksheep_app.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from ..spec import HELLO, TEMPLATE, TEMPLATES, queries_count
from . import async_db, sync_db
from .peers_wsgi import jinja_template

__all__ = ["falcon_asgi_app", "quart_app", "starlette_app", "starlette_sync_app"]


def starlette_app() -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse
    from starlette.routing import Route

    db = async_db.Database()
    template = jinja_template()

    async def plaintext(request: Request) -> PlainTextResponse:
        return PlainTextResponse(HELLO)

    async def json(request: Request) -> JSONResponse:
        return JSONResponse({"message": HELLO})

    async def single_query(request: Request) -> JSONResponse:
        return JSONResponse(await db.world())

    async def queries(request: Request) -> JSONResponse:
        return JSONResponse(await db.worlds(queries_count(request.query_params.get("queries"))))

    async def fortunes(request: Request) -> HTMLResponse:
        return HTMLResponse(template.render(fortunes=await db.fortunes()))

    async def updates(request: Request) -> JSONResponse:
        return JSONResponse(await db.update(queries_count(request.query_params.get("queries"))))

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        await db.open()
        yield
        await db.close()

    routes = [
        Route("/plaintext", plaintext),
        Route("/json", json),
        Route("/db", single_query),
        Route("/queries", queries),
        Route("/fortunes", fortunes),
        Route("/updates", updates),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def starlette_sync_app() -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse
    from starlette.routing import Route

    db = sync_db.Database()
    template = jinja_template()

    def plaintext(request: Request) -> PlainTextResponse:
        return PlainTextResponse(HELLO)

    def json(request: Request) -> JSONResponse:
        return JSONResponse({"message": HELLO})

    def single_query(request: Request) -> JSONResponse:
        return JSONResponse(db.world())

    def queries(request: Request) -> JSONResponse:
        return JSONResponse(db.worlds(queries_count(request.query_params.get("queries"))))

    def fortunes(request: Request) -> HTMLResponse:
        return HTMLResponse(template.render(fortunes=db.fortunes()))

    def updates(request: Request) -> JSONResponse:
        return JSONResponse(db.update(queries_count(request.query_params.get("queries"))))

    routes = [
        Route("/plaintext", plaintext),
        Route("/json", json),
        Route("/db", single_query),
        Route("/queries", queries),
        Route("/fortunes", fortunes),
        Route("/updates", updates),
    ]
    return Starlette(routes=routes)


def falcon_asgi_app() -> Any:
    import falcon
    import falcon.asgi

    db = async_db.Database()
    template = jinja_template()

    class Pool:
        async def process_startup(self, scope: Any, event: Any) -> None:
            await db.open()

        async def process_shutdown(self, scope: Any, event: Any) -> None:
            await db.close()

    class Plaintext:
        async def on_get(self, req: Any, resp: Any) -> None:
            resp.content_type = falcon.MEDIA_TEXT
            resp.text = HELLO

    class Json:
        async def on_get(self, req: Any, resp: Any) -> None:
            resp.media = {"message": HELLO}

    class SingleQuery:
        async def on_get(self, req: Any, resp: Any) -> None:
            resp.media = await db.world()

    class Queries:
        async def on_get(self, req: Any, resp: Any) -> None:
            resp.media = await db.worlds(queries_count(req.get_param("queries")))

    class Fortunes:
        async def on_get(self, req: Any, resp: Any) -> None:
            resp.content_type = falcon.MEDIA_HTML
            resp.text = template.render(fortunes=await db.fortunes())

    class Updates:
        async def on_get(self, req: Any, resp: Any) -> None:
            resp.media = await db.update(queries_count(req.get_param("queries")))

    app = falcon.asgi.App(middleware=[Pool()])
    app.add_route("/plaintext", Plaintext())
    app.add_route("/json", Json())
    app.add_route("/db", SingleQuery())
    app.add_route("/queries", Queries())
    app.add_route("/fortunes", Fortunes())
    app.add_route("/updates", Updates())
    return app


def quart_app() -> Any:
    from quart import Quart, jsonify, render_template, request

    app = Quart(__name__, template_folder=str(TEMPLATES))
    db = async_db.Database()
    app.before_serving(db.open)
    app.after_serving(db.close)

    @app.route("/plaintext")
    async def plaintext() -> Any:
        return HELLO, {"Content-Type": "text/plain"}

    @app.route("/json")
    async def json() -> Any:
        return jsonify(message=HELLO)

    @app.route("/db")
    async def single_query() -> Any:
        return jsonify(await db.world())

    @app.route("/queries")
    async def queries() -> Any:
        return jsonify(await db.worlds(queries_count(request.args.get("queries"))))

    @app.route("/fortunes")
    async def fortunes() -> Any:
        return await render_template(TEMPLATE, fortunes=await db.fortunes())

    @app.route("/updates")
    async def updates() -> Any:
        return jsonify(await db.update(queries_count(request.args.get("queries"))))

    return app
