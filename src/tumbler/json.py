"""JSON: the provider behind ``jsonify``, returned dicts and lists, and ``app.json``.

Output is always valid JSON: NaN and Infinity raise ValueError instead of being written as
the bare words ``NaN``/``Infinity`` Python's ``json`` allows by default (Flask writes them),
which JSON does not have and browsers' ``JSON.parse`` refuses.
"""

from __future__ import annotations

import dataclasses
import decimal
import json as _json
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from email.utils import format_datetime
from typing import IO, TYPE_CHECKING, Any

from .context import _get_context, current_context
from .http.request import Request
from .http.response import Response

if TYPE_CHECKING:
    from .app import Tumbler

__all__ = ["DefaultJSONProvider", "JSONProvider", "dump", "dumps", "jsonify", "load", "loads"]


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


_NAN_MESSAGE = (
    "Out of range float values (NaN, Infinity, -Infinity) are not valid JSON, and clients'"
    " parsers refuse them: convert them (to None or a string) before serializing."
)


def _encode(encode: Callable[[Any], str], obj: Any) -> str:
    """``encode(obj)``, with a clear ValueError for NaN and Infinity (``allow_nan=False``)."""
    try:
        return encode(obj)
    except ValueError as error:
        if "Out of range float values" in str(error):
            raise ValueError(_NAN_MESSAGE) from None
        raise


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

    def dump(self, obj: Any, fp: IO[str], **kwargs: Any) -> None:
        """Serialize ``obj`` to the text file ``fp``."""
        fp.write(self.dumps(obj, **kwargs))

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse a JSON string."""
        return _json.loads(s, **kwargs)

    def load(self, fp: IO[Any], **kwargs: Any) -> Any:
        """Parse JSON read from the file ``fp`` (text or binary)."""
        return self.loads(fp.read(), **kwargs)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        """Make a JSON response from one object, several (a list) or keyword arguments."""
        obj = _payload(args, kwargs)
        return self._app.response_class(self.dumps(obj) + "\n", mimetype="application/json")


class DefaultJSONProvider(JSONProvider):
    """Flask's defaults: dataclasses, dates (HTTP format), UUID, Decimal, ``__html__``."""

    #: Called for objects ``json`` cannot serialize: returns something it can, or raises
    #: TypeError. Set it on ``app.json`` (or in a subclass) to serialize more types.
    default: Callable[[Any], Any] = staticmethod(_default)
    ensure_ascii = True
    sort_keys = True
    compact: bool | None = None
    mimetype = "application/json"

    def __init__(self, app: Tumbler) -> None:
        super().__init__(app)
        #: (default, ensure_ascii, sort_keys, compact) -> the encoder ``response`` uses.
        self._encoders: dict[tuple[Callable[[Any], Any], bool, bool, bool], _json.JSONEncoder] = {}

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        """Serialize ``obj``, knowing the extra types; NaN and Infinity raise ValueError.

        Pass ``allow_nan=True`` to write them anyway (not valid JSON).
        """
        kwargs.setdefault("default", self.default)
        kwargs.setdefault("ensure_ascii", self.ensure_ascii)
        kwargs.setdefault("sort_keys", self.sort_keys)
        kwargs.setdefault("allow_nan", False)
        return _encode(lambda value: _json.dumps(value, **kwargs), obj)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        """Make a JSON response; indented in debug mode unless ``compact`` says otherwise."""
        obj = _payload(args, kwargs)
        compact = self.compact if self.compact is not None else not self._app.debug
        if type(self).dumps is DefaultJSONProvider.dumps:
            # PERF: json.dumps() with arguments builds an encoder per call; the encoder
            # for these settings is kept instead (1 µs less a response).
            key = (self.default, bool(self.ensure_ascii), bool(self.sort_keys), bool(compact))
            encoders = self._encoders
            encoder = encoders.get(key)
            if encoder is None:
                if len(encoders) >= _ENCODERS_MAX:  # e.g. a new bound method every time
                    encoders.clear()
                encoder = encoders[key] = _json.JSONEncoder(
                    default=key[0],
                    ensure_ascii=key[1],
                    sort_keys=key[2],
                    allow_nan=False,
                    **_LAYOUT[key[3]],
                )
            text = _encode(encoder.encode, obj)
        else:  # a subclass's own dumps decides
            text = self.dumps(obj, **_LAYOUT[bool(compact)])
        return self._app.response_class(text + "\n", mimetype=self.mimetype)


_LAYOUT: dict[bool, dict[str, Any]] = {True: {"separators": (",", ":")}, False: {"indent": 2}}
_ENCODERS_MAX = 16


def jsonify(*args: Any, **kwargs: Any) -> Response:
    """Make a JSON response with the current app's provider."""
    ctx = _get_context()  # PERF: not through the current_app proxy (0.3 µs)
    app = ctx.app if ctx is not None else current_context().app  # (raises the helpful error)
    return app.json.response(*args, **kwargs)


def dumps(obj: Any, **kwargs: Any) -> str:
    """Serialize with the current app's provider, or the default one outside an app."""
    ctx = _get_context()
    if ctx is not None:
        return ctx.app.json.dumps(obj, **kwargs)
    kwargs.setdefault("default", _default)
    kwargs.setdefault("allow_nan", False)
    return _encode(lambda value: _json.dumps(value, **kwargs), obj)


def dump(obj: Any, fp: IO[str], **kwargs: Any) -> None:
    """Serialize to the text file ``fp``, as ``dumps`` does."""
    ctx = _get_context()
    if ctx is not None:
        ctx.app.json.dump(obj, fp, **kwargs)
    else:
        fp.write(dumps(obj, **kwargs))


def loads(s: str | bytes, **kwargs: Any) -> Any:
    """Parse JSON with the current app's provider, or the standard library outside an app."""
    ctx = _get_context()
    if ctx is not None:
        return ctx.app.json.loads(s, **kwargs)
    return _json.loads(s, **kwargs)


def load(fp: IO[Any], **kwargs: Any) -> Any:
    """Parse JSON read from the file ``fp``, as ``loads`` does."""
    ctx = _get_context()
    if ctx is not None:
        return ctx.app.json.load(fp, **kwargs)
    return _json.loads(fp.read(), **kwargs)


# Request JSON is parsed through the current app's provider, as Flask's Request does.
Request.json_module = sys.modules[__name__]
