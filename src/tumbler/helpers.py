"""Module-level helpers that act on the current app: ``url_for``, ``make_response``, ..."""

from __future__ import annotations

from typing import Any, TypeVar

from .globals import current_app
from .http.response import Response
from .http.response import redirect as _redirect

__all__ = ["make_response", "redirect", "stream_with_context", "url_for"]

T = TypeVar("T")


def url_for(endpoint: str, **values: Any) -> str:
    """Build a URL for ``endpoint`` with the current app (see ``Tumbler.url_for``)."""
    return current_app.url_for(endpoint, **values)


def make_response(*args: Any) -> Response:
    """Turn a view-style return value into a Response, to change it before returning it."""
    if not args:
        return current_app.response_class()
    return current_app.make_response(args[0] if len(args) == 1 else args)


def redirect(location: str, code: int = 302) -> Response:
    """A redirect response to ``location``."""
    return _redirect(location, code)


def stream_with_context(generator_or_function: T) -> T:
    """Return its argument unchanged: tumbler streams with the request context already.

    Kept so Flask code that wraps its generators ports with only its imports changed.
    """
    return generator_or_function
