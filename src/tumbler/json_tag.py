"""Tagged JSON: JSON that keeps tuples, bytes, Markup, UUIDs and datetimes (Flask's format).

The session cookie stores its data this way, so a cookie written by a Flask app reads back
here with the same ``SECRET_KEY``, and the other way round. A value JSON cannot hold is
written as a one-key object whose key is a tag: ``(1, 2)`` becomes ``{" t": [1, 2]}``. The
tags and their order are Flask's:

- ``" di"``: a one-key dict whose key is itself a tag, written ``{key + "__": value}``;
- ``" t"``: a ``tuple``, written as a list;
- ``" b"``: ``bytes``, as base64 text;
- ``" m"``: an object with ``__html__`` (``Markup``), as its HTML text;
- ``" u"``: a ``uuid.UUID``, as its hex digits;
- ``" d"``: a ``datetime``, as an HTTP date (whole seconds, UTC).

Dicts and lists are walked (their items tagged); everything else is passed to JSON as it
is. Register a ``JSONTag`` subclass on a ``TaggedJSONSerializer`` to add a type.
``flask.json.tag`` becomes ``tumbler.json_tag``.
"""

from __future__ import annotations

from base64 import b64decode, b64encode
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from uuid import UUID

from . import json as _json

__all__ = [
    "JSONTag",
    "PassDict",
    "PassList",
    "TagBytes",
    "TagDateTime",
    "TagDict",
    "TagMarkup",
    "TagTuple",
    "TagUUID",
    "TaggedJSONSerializer",
]


class JSONTag:
    """One tagged type: ``check`` recognises it, ``to_json`` and ``to_python`` convert it."""

    #: The tag (start it with a space: keys users write seldom do). Empty: not tagged.
    key: str = ""

    def __init__(self, serializer: TaggedJSONSerializer) -> None:
        self.serializer = serializer

    def check(self, value: Any) -> bool:
        """Whether ``value`` is of this tag's type."""
        raise NotImplementedError

    def to_json(self, value: Any) -> Any:
        """``value`` as something JSON holds (not yet tagged)."""
        raise NotImplementedError

    def to_python(self, value: Any) -> Any:
        """The Python value back from the JSON value."""
        raise NotImplementedError

    def tag(self, value: Any) -> Any:
        """``value`` converted and wrapped in its tag."""
        return {self.key: self.to_json(value)}


class TagDict(JSONTag):
    """A one-key dict whose key is a registered tag: the key gets ``__`` appended."""

    key = " di"

    def check(self, value: Any) -> bool:
        """A dict of one item keyed by a tag."""
        return (
            isinstance(value, dict)
            and len(value) == 1
            and next(iter(value)) in self.serializer.tags
        )

    def to_json(self, value: Any) -> Any:
        """``{key__: tagged value}``."""
        key = next(iter(value))
        return {f"{key}__": self.serializer.tag(value[key])}

    def to_python(self, value: Any) -> Any:
        """The key without its ``__``."""
        key = next(iter(value))
        return {key[:-2]: value[key]}


class PassDict(JSONTag):
    """Any other dict: its values are tagged, the dict itself is not."""

    def check(self, value: Any) -> bool:
        """A dict."""
        return isinstance(value, dict)

    def to_json(self, value: Any) -> Any:
        """The dict with tagged values (keys must be strings, as in JSON)."""
        return {key: self.serializer.tag(item) for key, item in value.items()}

    tag = to_json


class TagTuple(JSONTag):
    """A tuple, written as a list of tagged items."""

    key = " t"

    def check(self, value: Any) -> bool:
        """A tuple."""
        return isinstance(value, tuple)

    def to_json(self, value: Any) -> Any:
        """A list of tagged items."""
        return [self.serializer.tag(item) for item in value]

    def to_python(self, value: Any) -> Any:
        """The tuple."""
        return tuple(value)


class PassList(JSONTag):
    """A list: its items are tagged."""

    def check(self, value: Any) -> bool:
        """A list."""
        return isinstance(value, list)

    def to_json(self, value: Any) -> Any:
        """A list of tagged items."""
        return [self.serializer.tag(item) for item in value]

    tag = to_json


class TagBytes(JSONTag):
    """Bytes, as base64 text."""

    key = " b"

    def check(self, value: Any) -> bool:
        """Bytes."""
        return isinstance(value, bytes)

    def to_json(self, value: Any) -> Any:
        """Base64 text."""
        return b64encode(value).decode("ascii")

    def to_python(self, value: Any) -> Any:
        """The bytes."""
        return b64decode(value)


class TagMarkup(JSONTag):
    """Safe HTML (an object with ``__html__``, such as ``markupsafe.Markup``)."""

    key = " m"

    def check(self, value: Any) -> bool:
        """An object with a callable ``__html__``."""
        return callable(getattr(value, "__html__", None))

    def to_json(self, value: Any) -> Any:
        """Its HTML."""
        return str(value.__html__())

    def to_python(self, value: Any) -> Any:
        """A ``Markup`` (a plain ``str`` when markupsafe is not installed)."""
        try:
            from markupsafe import Markup
        except ImportError:  # pragma: no cover - markupsafe comes with the templates extra
            return str(value)
        return Markup(value)


class TagUUID(JSONTag):
    """A UUID, as its 32 hex digits."""

    key = " u"

    def check(self, value: Any) -> bool:
        """A ``uuid.UUID``."""
        return isinstance(value, UUID)

    def to_json(self, value: Any) -> Any:
        """The hex digits."""
        return value.hex

    def to_python(self, value: Any) -> Any:
        """The UUID."""
        return UUID(value)


class TagDateTime(JSONTag):
    """A datetime, as an HTTP date: whole seconds, UTC (a naive one is taken as UTC)."""

    key = " d"

    def check(self, value: Any) -> bool:
        """A ``datetime``."""
        return isinstance(value, datetime)

    def to_json(self, value: Any) -> Any:
        """``Wed, 21 Oct 2015 07:28:00 GMT``."""
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return format_datetime(value.astimezone(UTC).replace(microsecond=0), usegmt=True)

    def to_python(self, value: Any) -> Any:
        """An aware UTC datetime."""
        parsed = parsedate_to_datetime(value)
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


class TaggedJSONSerializer:
    """Compact JSON with tags for the types JSON lacks (the session cookie's format)."""

    #: The tag classes every serializer starts with, in the order they are tried.
    default_tags: list[type[JSONTag]] = [
        TagDict,
        PassDict,
        TagTuple,
        PassList,
        TagBytes,
        TagMarkup,
        TagUUID,
        TagDateTime,
    ]

    def __init__(self) -> None:
        self.tags: dict[str, JSONTag] = {}
        self.order: list[JSONTag] = []
        for cls in self.default_tags:
            self.register(cls)

    def register(
        self, tag_class: type[JSONTag], force: bool = False, index: int | None = None
    ) -> None:
        """Add a tag type (tried last, or at ``index``); ``force`` replaces a same-key tag."""
        tag = tag_class(self)
        if tag.key:
            if not force and tag.key in self.tags:
                raise KeyError(f"Tag '{tag.key}' is already registered.")
            self.tags[tag.key] = tag
        if index is None:
            self.order.append(tag)
        else:
            self.order.insert(index, tag)

    def tag(self, value: Any) -> Any:
        """``value`` with every tagged type converted."""
        for tag in self.order:
            if tag.check(value):
                return tag.tag(value)
        return value

    def untag(self, value: dict[str, Any]) -> Any:
        """The Python value of a one-key tagged dict (other dicts are returned as they are)."""
        if len(value) != 1:
            return value
        key = next(iter(value))
        tag = self.tags.get(key)
        return value if tag is None else tag.to_python(value[key])

    def _untag_scan(self, value: Any) -> Any:
        if isinstance(value, dict):
            return self.untag({key: self._untag_scan(item) for key, item in value.items()})
        if isinstance(value, list):
            return [self._untag_scan(item) for item in value]
        return value

    def dumps(self, value: Any) -> str:
        """Tag ``value`` and write compact JSON (through the current app's JSON provider)."""
        return _json.dumps(self.tag(value), separators=(",", ":"))

    def loads(self, value: str | bytes) -> Any:
        """Read JSON and turn every tagged value back into its Python type."""
        return self._untag_scan(_json.loads(value))
