"""Quart: the Flask-style apps with ``async def`` views and hooks (Quart's idiom), over ASGI.

Same builder as tumbler's async variant. Quart runs sync views in a thread, so async is the
fair way to write a Quart app.
"""

from __future__ import annotations

from typing import Any

import quart

from .flask_style import build_async

__all__ = ["create"]


def create(app_name: str) -> Any:
    """The ASGI callable of Quart app ``app_name``."""
    return build_async(quart, app_name)
