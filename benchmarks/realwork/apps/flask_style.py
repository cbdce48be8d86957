"""The Flask-API apps, written once: Flask and tumbler run the very same code.

``build(module, name)`` makes the sync app (psycopg) from ``flask`` or ``tumbler``: the
TechEmpower app a Flask user writes, with nothing tuned for the benchmark. tumbler serves it
over WSGI (``app``) and over ASGI (``app.asgi``: the sync views run on worker threads).
``build_async(module, name)`` is the ``async def`` + asyncpg version for tumbler over ASGI.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ..spec import HELLO, TEMPLATE, TEMPLATES, queries_count
from . import async_db, sync_db

__all__ = ["build", "build_async"]

PLAIN = {"Content-Type": "text/plain"}


def build(module: ModuleType, class_name: str) -> Any:
    """The sync app: ``module`` is ``flask`` or ``tumbler``, ``class_name`` its app class."""
    app = getattr(module, class_name)(__name__, template_folder=str(TEMPLATES))
    jsonify, render_template, request = module.jsonify, module.render_template, module.request
    db = sync_db.Database()

    @app.route("/plaintext")
    def plaintext() -> Any:
        return HELLO, PLAIN

    @app.route("/json")
    def json() -> Any:
        return jsonify(message=HELLO)

    @app.route("/db")
    def single_query() -> Any:
        return jsonify(db.world())

    @app.route("/queries")
    def queries() -> Any:
        return jsonify(db.worlds(queries_count(request.args.get("queries"))))

    @app.route("/fortunes")
    def fortunes() -> Any:
        return render_template(TEMPLATE, fortunes=db.fortunes())

    @app.route("/updates")
    def updates() -> Any:
        return jsonify(db.update(queries_count(request.args.get("queries"))))

    return app


def build_async(module: ModuleType, class_name: str) -> Any:
    """The same app with ``async def`` views and asyncpg (tumbler over ASGI)."""
    app = getattr(module, class_name)(__name__, template_folder=str(TEMPLATES))
    jsonify, render_template, request = module.jsonify, module.render_template, module.request
    db = async_db.Database()
    app.before_serving(db.open)
    app.after_serving(db.close)

    @app.route("/plaintext")
    async def plaintext() -> Any:
        return HELLO, PLAIN

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
        return render_template(TEMPLATE, fortunes=await db.fortunes())

    @app.route("/updates")
    async def updates() -> Any:
        return jsonify(await db.update(queries_count(request.args.get("queries"))))

    return app
