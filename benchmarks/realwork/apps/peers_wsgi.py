"""Falcon over WSGI, in Falcon's idiom: resources with ``on_get``, ``resp.media``.

Falcon has no template engine of its own: its users render Jinja2 themselves, as here.
(Flask runs the shared Flask-API app of ``flask_style.py``.)
"""

from __future__ import annotations

from typing import Any

from ..spec import HELLO, TEMPLATE, TEMPLATES, queries_count
from . import sync_db

__all__ = ["falcon_app", "jinja_template"]


def jinja_template() -> Any:
    """The fortunes template from an autoescaping Jinja2 environment."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True
    )
    return environment.get_template(TEMPLATE)


def falcon_app() -> Any:
    import falcon

    db = sync_db.Database()
    template = jinja_template()

    class Plaintext:
        def on_get(self, req: Any, resp: Any) -> None:
            resp.content_type = falcon.MEDIA_TEXT
            resp.text = HELLO

    class Json:
        def on_get(self, req: Any, resp: Any) -> None:
            resp.media = {"message": HELLO}

    class SingleQuery:
        def on_get(self, req: Any, resp: Any) -> None:
            resp.media = db.world()

    class Queries:
        def on_get(self, req: Any, resp: Any) -> None:
            resp.media = db.worlds(queries_count(req.get_param("queries")))

    class Fortunes:
        def on_get(self, req: Any, resp: Any) -> None:
            resp.content_type = falcon.MEDIA_HTML
            resp.text = template.render(fortunes=db.fortunes())

    class Updates:
        def on_get(self, req: Any, resp: Any) -> None:
            resp.media = db.update(queries_count(req.get_param("queries")))

    app = falcon.App()
    app.add_route("/plaintext", Plaintext())
    app.add_route("/json", Json())
    app.add_route("/db", SingleQuery())
    app.add_route("/queries", Queries())
    app.add_route("/fortunes", Fortunes())
    app.add_route("/updates", Updates())
    return app
