"""blogr: a small blog, written as Flask's tutorial teaches, with tumbler imports."""

from __future__ import annotations

import os
from typing import Any

from tumbler import Tumbler


def create_app(
    test_config: dict[str, Any] | None = None, instance_path: str | None = None
) -> Tumbler:
    """Make the app: settings from the instance folder unless a test gives its own."""
    app = Tumbler(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY="dev",
        DATABASE=os.path.join(app.instance_path, "blogr.sqlite"),
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    @app.route("/ping")
    def ping() -> str:
        return "pong"

    from . import auth, blog, db

    db.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(blog.bp)
    app.add_url_rule("/", endpoint="index")
    return app
