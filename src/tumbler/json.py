"""JSON: the provider behind ``jsonify``, returned dicts and lists, and ``app.json``."""

from __future__ import annotations

import dataclasses
import decimal
import json as _json
import uuid
from datetime import UTC, date, datetime
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

from .http.response import Response

if TYPE_CHECKING:
    from .app import Tumbler

__all__ = ["DefaultJSONProvider", "JSONProvider", "dumps", "jsonify", "loads"]


def _default(obj: Any) -> Any:
    if isinstance(obj, date):
        if not isinstance(obj, datetime):
            obj = datetime(obj.year, obj.month, obj.day, tzinfo=UTC)
        elif obj.tzinfo is None:
            obj = obj.replace(tzinfo=UTC)
        return format_datetime(obj.astimezone(UTC), usegmt=True)
    if isinstance(obj, decimal.Decimal | uuid.UUID):
        return str(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    if hasattr(obj, "__html__"):
        return str(obj.__html__())
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def _payload(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """What ``jsonify`` serializes: one object, several (a list), or the keyword arguments."""
    if args and kwargs:
        raise TypeError("jsonify() takes positional or keyword arguments, not both")
    return kwargs if not args else args[0] if len(args) == 1 else list(args)


class JSONProvider:
    """The interface: replace ``app.json`` with a subclass to change how JSON is made."""

    def __init__(self, app: Tumbler) -> None:
        self._app = app

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        """Serialize ``obj`` to a JSON string."""
        raise NotImplementedError

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse a JSON string."""
        return _json.loads(s, **kwargs)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        """Make a JSON response from one object, several (a list) or keyword arguments."""
        obj = _payload(args, kwargs)
        return Response(self.dumps(obj) + "\n", mimetype="application/json")


class DefaultJSONProvider(JSONProvider):
    """Flask's defaults: dataclasses, dates (HTTP format), UUID, Decimal, ``__html__``."""

    ensure_ascii = True
    sort_keys = True
    compact: bool | None = None
    mimetype = "application/json"

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        """Serialize ``obj``, knowing the extra types."""
        kwargs.setdefault("default", _default)
        kwargs.setdefault("ensure_ascii", self.ensure_ascii)
        kwargs.setdefault("sort_keys", self.sort_keys)
        return _json.dumps(obj, **kwargs)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        """Make a JSON response; indented in debug mode unless ``compact`` says otherwise."""
        obj = _payload(args, kwargs)
        compact = self.compact if self.compact is not None else not self._app.debug
        if compact:
            text = self.dumps(obj, separators=(",", ":"))
        else:
            text = self.dumps(obj, indent=2)
        return Response(text + "\n", mimetype=self.mimetype)


def jsonify(*args: Any, **kwargs: Any) -> Response:
    """Make a JSON response with the current app's provider."""
    from .globals import current_app

    return current_app.json.response(*args, **kwargs)


def dumps(obj: Any, **kwargs: Any) -> str:
    """Serialize with the current app's provider, or the default one outside an app."""
    from .context import has_app_context
    from .globals import current_app

    if has_app_context():
        return current_app.json.dumps(obj, **kwargs)
    kwargs.setdefault("default", _default)
    return _json.dumps(obj, **kwargs)


def loads(s: str | bytes, **kwargs: Any) -> Any:
    """Parse JSON with the current app's provider, or the standard library outside an app."""
    from .context import has_app_context
    from .globals import current_app

    if has_app_context():
        return current_app.json.loads(s, **kwargs)
    return _json.loads(s, **kwargs)
