"""Werkzeug's objects, recognised without importing Werkzeug.

Flask apps and extensions raise ``werkzeug.exceptions.NotFound`` and return Werkzeug
responses. Werkzeug is not a dependency of tumbler, so nothing here imports it: when the app
has imported Werkzeug, its modules are in ``sys.modules``, and that is where we look. When it
has not, none of its objects can exist, and every check is one dictionary lookup.

Each of Werkzeug's own exception classes has a tumbler twin of the same name (``NotFound``
and ``NotFound``); ``twin`` maps one to the other, so error handlers registered for either
catch both.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from . import exceptions as _exceptions
from .datastructures import Headers
from .exceptions import HTTPException

if TYPE_CHECKING:
    from .response import Response

__all__ = [
    "foreign_error_classes",
    "is_foreign_headers",
    "is_werkzeug_http_class",
    "response_from_foreign",
    "twin",
]

_WERKZEUG_EXCEPTIONS = "werkzeug.exceptions"


def _werkzeug_base(module_name: str, class_name: str) -> type | None:
    module = sys.modules.get(module_name)
    cls = getattr(module, class_name, None) if module is not None else None
    return cls if isinstance(cls, type) else None


def is_werkzeug_http_class(cls: type) -> bool:
    """Whether ``cls`` is ``werkzeug.exceptions.HTTPException`` or a subclass of it."""
    base = _werkzeug_base(_WERKZEUG_EXCEPTIONS, "HTTPException")
    return base is not None and issubclass(cls, base)


def twin(cls: type[BaseException]) -> type[BaseException]:
    """Tumbler's class of the same name for one of Werkzeug's own exception classes.

    A subclass an app or extension wrote stays itself: only the classes defined in
    ``werkzeug.exceptions`` have twins.
    """
    if cls.__module__ != _WERKZEUG_EXCEPTIONS:
        return cls
    found = getattr(_exceptions, cls.__name__, None)
    if isinstance(found, type) and issubclass(found, HTTPException):
        return found
    return cls


def foreign_error_classes(error: BaseException) -> tuple[type[BaseException], ...] | None:
    """The MRO of a Werkzeug HTTP error with tumbler's twins in place; None for other errors."""
    base = _werkzeug_base(_WERKZEUG_EXCEPTIONS, "HTTPException")
    if base is None or not isinstance(error, base):
        return None
    return tuple(twin(cls) for cls in type(error).__mro__)


def is_foreign_headers(value: object) -> bool:
    """Whether ``value`` is Werkzeug's ``Headers`` (iterable pairs, not a Mapping)."""
    base = _werkzeug_base("werkzeug.datastructures", "Headers")
    return base is not None and isinstance(value, base)


def _is(value: Any, cls: type | None) -> bool:
    """isinstance, without narrowing ``value`` (it keeps its duck-typed ``Any``)."""
    return cls is not None and isinstance(value, cls)


def response_from_foreign(value: Any, response_class: type[Response]) -> Response | None:
    """A tumbler response for a Werkzeug response or HTTP exception; None for anything else.

    The body is streamed when it was streamed; the Werkzeug response's ``close`` runs once
    tumbler's response is sent.
    """
    if _is(value, _werkzeug_base(_WERKZEUG_EXCEPTIONS, "HTTPException")):
        value = value.get_response()
    if not _is(value, _werkzeug_base("werkzeug.sansio.response", "Response")):
        return None
    headers = Headers(list(value.headers))
    body: Any = value.iter_encoded() if value.is_streamed else value.get_data()
    response = response_class(body, status=value.status, headers=headers)
    close = getattr(value, "close", None)
    if close is not None:
        response.call_on_close(close)
    return response
