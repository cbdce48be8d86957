"""Flask: the Flask-style apps built with the ``flask`` module (WSGI)."""

from __future__ import annotations

from typing import Any

import flask

from .flask_style import build

__all__ = ["create"]


def create(app_name: str) -> Any:
    """The WSGI callable of Flask app ``app_name``."""
    return build(flask, app_name)
