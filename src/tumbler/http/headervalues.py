"""Parsed header values with Werkzeug's shapes: Cache-Control, ETags, Range, and friends.

Flask code reads and writes these as objects (``response.cache_control.max_age = 60``,
``"abc" in request.if_none_match``, ``request.authorization.username``), so each header has
a small class here. The ones a response owns are *live*: built with an ``on_update``
callback, every change writes the header back, as Werkzeug's do.

Rules of this module: no I/O, no app or request objects; parsing never raises (a malformed
value gives None or an empty object, as in Werkzeug).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

__all__ = [
    "Authorization",
    "ContentRange",
    "ETags",
    "HeaderSet",
    "Range",
    "RequestCacheControl",
    "ResponseCacheControl",
    "UserAgent",
    "generate_etag",
    "parse_dict_header",
    "parse_list_header",
    "quote_etag",
    "unquote_etag",
]

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def _split_outside_quotes(value: str, separator: str) -> list[str]:
    items: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in value:
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            items.append("".join(current))
            current = []
            continue
        current.append(char)
    items.append("".join(current))
    return items


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _quote(value: str) -> str:
    if _TOKEN.fullmatch(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def parse_list_header(value: str | None) -> list[str]:
    """The items of a comma-separated header, quotes removed, empty items dropped."""
    if not value:
        return []
    return [_unquote(item) for item in _split_outside_quotes(value, ",") if item.strip()]


def parse_dict_header(value: str | None, separator: str = ",") -> dict[str, str | None]:
    """``key=value`` items of a list header; a bare key maps to None."""
    result: dict[str, str | None] = {}
    for item in _split_outside_quotes(value or "", separator):
        key, sep, val = item.partition("=")
        key = key.strip()
        if key:
            result[key] = _unquote(val) if sep else None
    return result


# Cache-Control ----------------------------------------------------------------


class _Directive:
    """One Cache-Control directive as a typed attribute (``max_age`` is ``max-age``)."""

    def __init__(self, key: str, kind: type | None, empty: Any = None) -> None:
        self.key = key
        self.kind = kind
        self.empty = empty  # the value of a directive present without an argument

    def __set_name__(self, owner: type, name: str) -> None:
        self.__doc__ = f"The ``{self.key}`` directive."

    def __get__(self, obj: _CacheControl | None, owner: type | None = None) -> Any:
        if obj is None:
            return self
        if self.kind is bool:
            return self.key in obj._values
        if self.key not in obj._values:
            return None
        value = obj._values[self.key]
        if value is None:
            return self.empty
        if self.kind is int:
            return int(value) if value.isdigit() and value.isascii() else None
        return value

    def __set__(self, obj: _CacheControl, value: Any) -> None:
        values = obj._values
        if value is None or value is False:
            values.pop(self.key, None)
        elif value is True or self.kind is bool:
            values[self.key] = None
        else:
            values[self.key] = str(int(value) if self.kind is int else value)
        obj._changed()

    def __delete__(self, obj: _CacheControl) -> None:
        obj._values.pop(self.key, None)
        obj._changed()


class _CacheControl:
    """The directives of a Cache-Control header; subclasses name the typed ones."""

    no_store = _Directive("no-store", bool)
    max_age = _Directive("max-age", int)
    no_transform = _Directive("no-transform", bool)
    stale_if_error = _Directive("stale-if-error", int)

    def __init__(
        self,
        values: Iterable[tuple[str, str | None]] | dict[str, str | None] | None = (),
        on_update: Callable[[Any], None] | None = None,
    ) -> None:
        self._values: dict[str, str | None] = dict(values or ())
        self.on_update = on_update
        #: Whether the header was present (Werkzeug's ``provided``).
        self.provided = values is not None

    @classmethod
    def from_header(cls, value: str | None, on_update: Callable[[Any], None] | None = None) -> Any:
        """Parse a header value (None: an empty object whose ``provided`` is False)."""
        if value is None:
            return cls(None, on_update)
        return cls(((k.lower(), v) for k, v in parse_dict_header(value).items()), on_update)

    def _changed(self) -> None:
        if self.on_update is not None:
            self.on_update(self)

    def __getitem__(self, key: str) -> str | None:
        return self._values[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._values[key] = None if value is None else str(value)
        self._changed()

    def __delitem__(self, key: str) -> None:
        del self._values[key]
        self._changed()

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def get(self, key: str, default: Any = None) -> Any:
        """A directive's raw value."""
        return self._values.get(key, default)

    def pop(self, key: str, default: Any = None) -> Any:
        """Remove a directive and return its raw value."""
        value = self._values.pop(key, default)
        self._changed()
        return value

    def clear(self) -> None:
        """Remove every directive."""
        self._values.clear()
        self._changed()

    def to_header(self) -> str:
        """The header value."""
        return ", ".join(
            key if value is None else f"{key}={_quote(value)}"
            for key, value in self._values.items()
        )

    def __str__(self) -> str:
        return self.to_header()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _CacheControl):
            return self._values == other._values
        return NotImplemented

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()!r}>"


class RequestCacheControl(_CacheControl):
    """The client's Cache-Control directives (read-only by convention)."""

    no_cache = _Directive("no-cache", bool)
    max_stale = _Directive("max-stale", int, empty=True)
    min_fresh = _Directive("min-fresh", int)
    only_if_cached = _Directive("only-if-cached", bool)


class ResponseCacheControl(_CacheControl):
    """A response's Cache-Control directives; setting one updates the header."""

    no_cache = _Directive("no-cache", str, empty=True)
    public = _Directive("public", bool)
    private = _Directive("private", str, empty=True)
    must_revalidate = _Directive("must-revalidate", bool)
    proxy_revalidate = _Directive("proxy-revalidate", bool)
    s_maxage = _Directive("s-maxage", int)
    immutable = _Directive("immutable", bool)
    must_understand = _Directive("must-understand", bool)
    stale_while_revalidate = _Directive("stale-while-revalidate", int)


# Sets of tokens (Vary, Allow) --------------------------------------------------------------------


class HeaderSet:
    """A case-insensitive, ordered set of header tokens (``Vary``, ``Allow``); live."""

    def __init__(
        self,
        items: Iterable[str] | None = None,
        on_update: Callable[[HeaderSet], None] | None = None,
    ) -> None:
        self._items: list[str] = []
        self._lower: set[str] = set()
        for item in items or ():
            self._add(item)
        self.on_update = on_update

    @classmethod
    def from_header(
        cls, value: str | None, on_update: Callable[[HeaderSet], None] | None = None
    ) -> HeaderSet:
        """Parse a comma-separated header."""
        return cls(parse_list_header(value), on_update)

    def _add(self, item: str) -> bool:
        lower = item.lower()
        if lower in self._lower:
            return False
        self._lower.add(lower)
        self._items.append(item)
        return True

    def _changed(self) -> None:
        if self.on_update is not None:
            self.on_update(self)

    def add(self, item: str) -> None:
        """Add ``item`` unless present (in any case)."""
        if self._add(item):
            self._changed()

    def update(self, items: Iterable[str]) -> None:
        """Add several items."""
        changed = [self._add(item) for item in items]
        if any(changed):
            self._changed()

    def discard(self, item: str) -> None:
        """Remove ``item`` if present."""
        lower = item.lower()
        if lower in self._lower:
            self._lower.discard(lower)
            self._items = [i for i in self._items if i.lower() != lower]
            self._changed()

    def remove(self, item: str) -> None:
        """Remove ``item``; KeyError when missing."""
        if item.lower() not in self._lower:
            raise KeyError(item)
        self.discard(item)

    def clear(self) -> None:
        """Remove everything."""
        self._items, self._lower = [], set()
        self._changed()

    def find(self, item: str) -> int:
        """The index of ``item``, or -1."""
        lower = item.lower()
        for index, value in enumerate(self._items):
            if value.lower() == lower:
                return index
        return -1

    def index(self, item: str) -> int:
        """The index of ``item``; IndexError when missing."""
        found = self.find(item)
        if found < 0:
            raise IndexError(item)
        return found

    def as_set(self, preserve_casing: bool = False) -> set[str]:
        """The items as a plain set (lower-cased unless ``preserve_casing``)."""
        return set(self._items) if preserve_casing else set(self._lower)

    def to_header(self) -> str:
        """The header value."""
        return ", ".join(_quote(item) for item in self._items)

    def __contains__(self, item: object) -> bool:
        return isinstance(item, str) and item.lower() in self._lower

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def __getitem__(self, index: int) -> str:
        return self._items[index]

    def __str__(self) -> str:
        return self.to_header()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, HeaderSet):
            return self._lower == other._lower
        if isinstance(other, set | frozenset | list | tuple):
            return self._lower == {str(item).lower() for item in other}
        return NotImplemented

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._items!r})"


# Entity tags ----------------------------------------------------------------

_ETAG = re.compile(r'\s*(W/)?"([^"]*)"\s*|\s*(W/)?([^",\s]+)\s*')


def generate_etag(data: bytes) -> str:
    """An entity-tag for ``data``: its SHA-1 hex digest (Werkzeug's choice)."""
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


def quote_etag(etag: str, weak: bool = False) -> str:
    """``etag`` quoted for a header (``W/"x"`` when weak); a quote inside is a ValueError."""
    if '"' in etag:
        raise ValueError("invalid etag")
    return f'W/"{etag}"' if weak else f'"{etag}"'


def unquote_etag(value: str | None) -> tuple[str | None, bool]:
    """``(tag, weak)`` of a quoted entity-tag (``W/"x"`` gives ``("x", True)``)."""
    if not value:
        return None, False
    value = value.strip()
    weak = value.startswith(("W/", "w/"))
    if weak:
        value = value[2:]
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return value, weak


class ETags:
    """The entity-tags of If-Match or If-None-Match: ``"x" in etags`` tests a strong match."""

    def __init__(
        self,
        strong_etags: Iterable[str] | None = None,
        weak_etags: Iterable[str] | None = None,
        star_tag: bool = False,
    ) -> None:
        self._strong = frozenset(() if star_tag else strong_etags or ())
        self._weak = frozenset(weak_etags or ())
        self.star_tag = star_tag

    @classmethod
    def from_header(cls, value: str | None) -> ETags:
        """Parse a header; ``*`` matches every tag, a malformed list matches none."""
        if not value:
            return cls()
        if value.strip() == "*":
            return cls(star_tag=True)
        strong: list[str] = []
        weak: list[str] = []
        for item in _split_outside_quotes(value, ","):
            if not item.strip():
                continue
            tag, is_weak = unquote_etag(item)
            if not tag or '"' in tag:
                return cls()
            (weak if is_weak else strong).append(tag)
        return cls(strong, weak)

    def is_weak(self, etag: str) -> bool:
        """Whether ``etag`` (unquoted) is listed as a weak tag."""
        return etag in self._weak

    def is_strong(self, etag: str) -> bool:
        """Whether ``etag`` (unquoted) is listed as a strong tag."""
        return etag in self._strong

    def contains(self, etag: str) -> bool:
        """Strong comparison: a listed strong tag, or ``*``."""
        return self.star_tag or etag in self._strong

    def contains_weak(self, etag: str) -> bool:
        """Weak comparison: listed strong or weak, or ``*``."""
        return self.contains(etag) or etag in self._weak

    def contains_raw(self, etag: str) -> bool:
        """Compare a quoted tag: weakly when it is a weak one, else strongly."""
        tag, weak = unquote_etag(etag)
        if tag is None:
            return False
        return self.contains_weak(tag) if weak else self.contains(tag)

    def as_set(self, include_weak: bool = False) -> set[str]:
        """The strong tags (and the weak ones with ``include_weak``)."""
        return set(self._strong | self._weak) if include_weak else set(self._strong)

    def to_header(self) -> str:
        """The header value."""
        if self.star_tag:
            return "*"
        return ", ".join(
            [f'"{tag}"' for tag in sorted(self._strong)]
            + [f'W/"{tag}"' for tag in sorted(self._weak)]
        )

    def __call__(
        self, etag: str | None = None, data: bytes | None = None, include_weak: bool = False
    ) -> bool:
        """Werkzeug's call form: ``etags(tag)`` is ``tag in etags`` (weakly with include_weak)."""
        if etag is None:
            if data is None:
                raise TypeError("either tag or data required")
            etag = generate_etag(data)
        return self.contains_weak(etag) if include_weak else self.contains(etag)

    def __contains__(self, etag: object) -> bool:
        return isinstance(etag, str) and self.contains(etag)

    def __iter__(self) -> Iterator[str]:
        return iter(self._strong)

    def __bool__(self) -> bool:
        return bool(self.star_tag or self._strong or self._weak)

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()!r}>"


# Ranges ----------------------------------------------------------------


def _plain_int(value: str) -> int:
    value = value.strip(" \t")
    if not (value.isdigit() and value.isascii()) or len(value) > 18:
        raise ValueError(value)
    return int(value)


class Range:
    """A parsed Range header: ``units`` and ``ranges`` as (start, stop) pairs, stop exclusive.

    A suffix range (``bytes=-500``) is ``(-500, None)``; an open one (``bytes=9-``) is
    ``(9, None)``.
    """

    def __init__(self, units: str, ranges: list[tuple[int, int | None]]) -> None:
        self.units = units
        self.ranges = ranges

    @classmethod
    def from_header(cls, value: str | None) -> Range | None:
        """Parse a header; None when missing or malformed (as Werkzeug)."""
        if not value or "=" not in value:
            return None
        units, _, spec = value.partition("=")
        ranges: list[tuple[int, int | None]] = []
        last_end = 0
        try:
            for item in spec.split(","):
                item = item.strip(" \t")
                begin_text, dash, end_text = item.partition("-")
                if not dash or last_end < 0:
                    return None
                if not begin_text.strip(" \t"):  # a suffix: the last N bytes
                    length = _plain_int(end_text)
                    if length == 0:
                        return None
                    ranges.append((-length, None))
                    last_end = -1
                    continue
                begin = _plain_int(begin_text)
                if begin < last_end:
                    return None
                end = _plain_int(end_text) + 1 if end_text.strip(" \t") else None
                if end is not None and end <= begin:
                    return None
                ranges.append((begin, end))
                last_end = -1 if end is None else end
        except ValueError:
            return None
        return cls(units.strip(" \t").lower(), ranges)

    def range_for_length(self, length: int | None) -> tuple[int, int] | None:
        """The one byte range to serve of ``length`` bytes, or None (several, or outside).

        A suffix longer than the whole selects the whole (RFC 9110 §14.1.2).
        """
        if self.units != "bytes" or length is None or len(self.ranges) != 1:
            return None
        start, stop = self.ranges[0]
        if stop is None:
            stop = length
            if start < 0:
                start = max(start + length, 0)
        if not 0 <= start < length or start >= stop:
            return None
        return start, min(stop, length)

    def make_content_range(self, length: int | None) -> ContentRange | None:
        """The ContentRange answering this range for ``length`` bytes, or None."""
        found = self.range_for_length(length)
        if found is None:
            return None
        return ContentRange(self.units, found[0], found[1], length)

    def to_content_range_header(self, length: int | None) -> str | None:
        """The Content-Range value answering this range, or None."""
        found = self.make_content_range(length)
        return None if found is None else found.to_header()

    def to_header(self) -> str:
        """The header value."""
        parts = []
        for start, stop in self.ranges:
            if stop is None:
                parts.append(f"{start}-" if start >= 0 else str(start))
            else:
                parts.append(f"{start}-{stop - 1}")
        return f"{self.units}={','.join(parts)}"

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()!r}>"


class _Part:
    """One part of a ContentRange; setting it writes the header back."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = "_" + name

    def __get__(self, obj: ContentRange | None, owner: type | None = None) -> Any:
        return self if obj is None else getattr(obj, self.name)

    def __set__(self, obj: ContentRange, value: Any) -> None:
        setattr(obj, self.name, value)
        if obj.on_update is not None:
            obj.on_update(obj)


class ContentRange:
    """A Content-Range value (``bytes 0-499/1234``); live when it belongs to a response."""

    units = _Part()
    start = _Part()
    stop = _Part()
    length = _Part()
    _units: str | None
    _start: int | None
    _stop: int | None
    _length: int | None

    def __init__(
        self,
        units: str | None,
        start: int | None,
        stop: int | None,
        length: int | None = None,
        on_update: Callable[[ContentRange], None] | None = None,
    ) -> None:
        self.on_update = None
        self.set(start, stop, length, units)
        self.on_update = on_update

    @classmethod
    def from_header(
        cls, value: str | None, on_update: Callable[[ContentRange], None] | None = None
    ) -> ContentRange | None:
        """Parse a header; None when missing or malformed."""
        if not value:
            return None
        units, _, rest = value.strip().partition(" ")
        span, slash, total = rest.strip().partition("/")
        if not slash:
            return None
        try:
            length = None if total.strip() == "*" else _plain_int(total)
            if span.strip() == "*":
                return cls(units, None, None, length, on_update)
            first, dash, last = span.partition("-")
            if not dash:
                return None
            start, stop = _plain_int(first), _plain_int(last) + 1
        except ValueError:
            return None
        if stop <= start or (length is not None and stop > length):
            return None
        return cls(units, start, stop, length, on_update)

    def set(
        self,
        start: int | None,
        stop: int | None,
        length: int | None = None,
        units: str | None = "bytes",
    ) -> None:
        """Change every part at once."""
        self._units, self._start, self._stop, self._length = units, start, stop, length
        if self.on_update is not None:
            self.on_update(self)

    def unset(self) -> None:
        """Remove the header."""
        self.set(None, None, units=None)

    def to_header(self) -> str:
        """The header value ("" when unset)."""
        if self._units is None:
            return ""
        total = "*" if self._length is None else str(self._length)
        if self._start is None or self._stop is None:
            return f"{self._units} */{total}"
        return f"{self._units} {self._start}-{self._stop - 1}/{total}"

    def __bool__(self) -> bool:
        return self._units is not None

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()!r}>"


# Authorization and User-Agent ----------------------------------------------------------------


class Authorization:
    """The Authorization header: ``type``, then ``username``/``password`` (Basic), ``token``
    (Bearer and other token schemes) or ``parameters`` (Digest and other parameter schemes).
    """

    def __init__(
        self,
        auth_type: str,
        data: dict[str, str | None] | None = None,
        token: str | None = None,
    ) -> None:
        self.type = auth_type
        self.parameters = dict(data or {})
        self.token = token

    @classmethod
    def from_header(cls, value: str | None) -> Authorization | None:
        """Parse a header; None when missing or malformed."""
        if not value:
            return None
        scheme, _, rest = value.strip().partition(" ")
        scheme, rest = scheme.lower(), rest.strip()
        if not scheme:
            return None
        if scheme == "basic":
            try:
                decoded = base64.b64decode(rest, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeError, ValueError):
                return None
            username, sep, password = decoded.partition(":")
            if not sep:
                return None
            return cls(scheme, {"username": username, "password": password})
        if "=" in rest.rstrip("="):
            return cls(scheme, parse_dict_header(rest))
        return cls(scheme, None, rest or None)

    def __getattr__(self, name: str) -> str | None:
        # Werkzeug's Authorization answers any parameter as an attribute (None when absent).
        if name.startswith("__"):
            raise AttributeError(name)
        parameters: dict[str, str | None] = self.__dict__.get("parameters", {})
        return parameters.get(name)

    def __getitem__(self, key: str) -> str | None:
        return self.parameters[key]

    def get(self, key: str, default: Any = None) -> Any:
        """A parameter, or ``default``."""
        return self.parameters.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self.parameters

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Authorization):
            return NotImplemented
        return (self.type, self.parameters, self.token) == (
            other.type,
            other.parameters,
            other.token,
        )

    def to_header(self) -> str:
        """The header value."""
        if self.type == "basic":
            raw = f"{self.parameters.get('username', '')}:{self.parameters.get('password', '')}"
            return "Basic " + base64.b64encode(raw.encode()).decode("ascii")
        if self.token is not None:
            return f"{self.type.title()} {self.token}"
        params = ", ".join(f"{k}={_quote(v or '')}" for k, v in self.parameters.items())
        return f"{self.type.title()} {params}"

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.type!r}>"


class UserAgent(str):
    """The User-Agent header: a ``str`` with Werkzeug's ``.string`` and its (None) fields.

    Werkzeug stopped parsing user agents; like it, ``platform``, ``browser``, ``version``
    and ``language`` are None. Set ``Request.user_agent_class`` to plug in a parser.
    """

    platform: str | None = None
    browser: str | None = None
    version: str | None = None
    language: str | None = None

    @property
    def string(self) -> str:
        """The header value."""
        return str.__str__(self)

    def to_header(self) -> str:
        """The header value."""
        return str.__str__(self)
