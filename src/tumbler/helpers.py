"""Module-level helpers that act on the current app: ``url_for``, ``abort``, ``redirect``, ..."""

from __future__ import annotations

from typing import Any, NoReturn, TypeVar

from .context import _get_context
from .globals import current_app
from .http.exceptions import abort as _abort
from .http.response import Response
from .http.response import redirect as _redirect

__all__ = [
    "abort",
    "get_template_attribute",
    "make_response",
    "redirect",
    "stream_with_context",
    "url_for",
]

T = TypeVar("T")


def url_for(endpoint: str, **values: Any) -> str:
    """Build a URL for ``endpoint`` with the current app (see ``Tumbler.url_for``)."""
    return current_app.url_for(endpoint, **values)


def make_response(*args: Any) -> Response:
    """Turn a view-style return value into a Response, to change it before returning it."""
    if not args:
        return current_app.response_class()
    return current_app.make_response(args[0] if len(args) == 1 else args)


def abort(code: int | Response, *args: Any, **kwargs: Any) -> NoReturn:
    """Raise the HTTP exception for ``code``: through ``current_app.aborter`` when an app is
    current (so an app can change the mapping), else with the default mapping."""
    ctx = _get_context()
    if ctx is not None:
        ctx.app.aborter(code, *args, **kwargs)
    _abort(code, *args, **kwargs)


def redirect(location: str, code: int = 302, Response: type[Response] | None = None) -> Response:
    """A redirect response to ``location``: ``current_app.redirect`` when an app is current."""
    ctx = _get_context()
    if ctx is not None and Response is None:
        return ctx.app.redirect(location, code)
    return _redirect(location, code, Response=Response)


def get_template_attribute(template_name: str, attribute: str) -> Any:
    """A macro or variable a template defines, e.g. to call a macro from Python code."""
    return getattr(current_app.jinja_env.get_template(template_name).module, attribute)


def stream_with_context(generator_or_function: T) -> T:
    """Return its argument unchanged: tumbler streams with the request context already.

    Kept so Flask code that wraps its generators ports with only its imports changed.
    """
    return generator_or_function
