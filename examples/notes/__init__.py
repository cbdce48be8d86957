"""A small notes app: SQLite, a blueprint, a session login, flash messages, templates, JSON.

What it shows, each in a few lines:

* ``db.py``: one SQLite connection per request, opened lazily in ``g`` and closed by a
  ``teardown_appcontext`` callback whatever happened; the schema is created at startup.
* ``views.py``: the ``notes`` blueprint: HTML pages with a validated form, a login held in
  the signed session, ``flash`` messages, a JSON API (``/api/notes``) beside the pages, and an
  ``after_this_request`` callback that adds ``Cache-Control`` only to the pages that ask.

Run it with ``python3 dev.py serve --app notes``, or::

    uvicorn examples.notes:app.asgi      # ASGI
    gunicorn examples.notes:app          # WSGI

The database is ``notes.sqlite3`` in the app's instance folder: by Flask's rule it sits beside
the top-level package, so ``instance/`` at the repository's root, unless ``instance_path``
says otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from tumbler import Tumbler

from . import db
from .views import bp

__all__ = ["app", "create_app"]

#: A fixed key so the demo runs with no setup. It MUST be changed for any real deployment:
#: anyone who knows it can forge a session and log in as anybody. Set NOTES_SECRET_KEY.
DEMO_SECRET_KEY = "notes-demo-secret-change-me"


def create_app(
    test_config: Mapping[str, Any] | None = None, instance_path: str | None = None
) -> Tumbler:
    """Build the app; ``test_config`` overrides the configuration (tests use it)."""
    app = Tumbler(__name__, instance_path=instance_path)
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("NOTES_SECRET_KEY", DEMO_SECRET_KEY),
        DATABASE=os.path.join(app.instance_path, "notes.sqlite3"),
        SESSION_COOKIE_SAMESITE="Lax",
    )
    if test_config is not None:
        app.config.from_mapping(test_config)

    os.makedirs(app.instance_path, exist_ok=True)
    db.init_app(app)
    app.register_blueprint(bp)
    return app


app = create_app()
