"""MultiDict and Headers: the multi-valued mappings of HTTP.

``MultiDict`` keeps every value of a repeated key (query strings, forms); indexing gives the
first. ``Headers`` is an ordered list of (name, value) pairs looked up case-insensitively,
and refuses CR, LF and NUL so nothing can inject a header line.

Request headers are plain ``Headers`` built eagerly by ``Headers.from_wsgi_environ`` or
``Headers.from_asgi`` with a read-only flag. We chose that over a lazy environ view because
the request reads single headers straight from the environ or scope on its hot path; the full
``Headers`` object is only built when user code asks for ``request.headers``, and then a flat
list is the fastest thing to search and iterate.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Self, TypeVar, overload
from urllib.parse import quote

from .cookies import parse_cookie
from .exceptions import BadRequestKeyError

__all__ = ["Headers", "ImmutableMultiDict", "MultiDict", "RequestCookies"]

T = TypeVar("T")
_MISSING: Any = object()


def _converted(values: Iterable[Any], type: Callable[[Any], T]) -> list[T]:
    """``values`` converted by ``type``; those it cannot convert are left out (Werkzeug's rule)."""
    converted = []
    for value in values:
        try:
            converted.append(type(value))
        except (ValueError, TypeError):
            pass
    return converted


class MultiDict:
    """A mapping of keys to lists of values; ``md[key]`` is the first value."""

    __slots__ = ("_data",)
    _data: dict[str, list[Any]]

    def __init__(
        self,
        mapping: MultiDict | Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
    ) -> None:
        data: dict[str, list[Any]] = {}
        if mapping is None:
            pass
        elif isinstance(mapping, MultiDict):
            data = {key: list(values) for key, values in mapping._data.items()}
        elif isinstance(mapping, Mapping):
            # As in Werkzeug, a list or tuple value in a plain mapping means several values.
            for key, value in mapping.items():
                if isinstance(value, list | tuple):
                    if value:
                        data[key] = list(value)
                else:
                    data[key] = [value]
        else:
            for key, value in mapping:
                values = data.get(key)
                if values is None:
                    data[key] = [value]
                else:
                    values.append(value)
        self._data = data

    @classmethod
    def _from_lists(cls, data: dict[str, list[Any]]) -> Self:
        """Wrap a dict of non-empty lists without copying (parsers use this)."""
        obj = cls.__new__(cls)
        obj._data = data
        return obj

    def __getitem__(self, key: str) -> Any:
        values = self._data.get(key)
        if not values:
            raise BadRequestKeyError(key)
        return values[0]

    def get(self, key: str, default: Any = None, type: Callable[[Any], T] | None = None) -> Any:
        """The first value for ``key``, converted by ``type``; ``default`` if missing or bad."""
        values = self._data.get(key)
        if not values:
            return default
        if type is None:
            return values[0]
        try:
            return type(values[0])
        except (ValueError, TypeError):
            return default

    def getlist(self, key: str, type: Callable[[Any], T] | None = None) -> list[Any]:
        """Every value for ``key`` (values ``type`` cannot convert are left out)."""
        values = self._data.get(key)
        if not values:
            return []
        if type is None:
            return list(values)
        return _converted(values, type)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __bool__(self) -> bool:
        return bool(self._data)

    def keys(self) -> Iterable[str]:
        """The keys, once each, in first-seen order."""
        return self._data.keys()

    def values(self) -> list[Any]:
        """The first value of every key."""
        return [values[0] for values in self._data.values()]

    def items(self, multi: bool = False) -> list[tuple[str, Any]]:
        """(key, first value) pairs, or every pair with ``multi=True``."""
        if multi:
            return [(key, value) for key, values in self._data.items() for value in values]
        return [(key, values[0]) for key, values in self._data.items()]

    def lists(self) -> list[tuple[str, list[Any]]]:
        """(key, list of values) pairs; the lists are copies."""
        return [(key, list(values)) for key, values in self._data.items()]

    def listvalues(self) -> list[list[Any]]:
        """The list of values of every key (copies)."""
        return [list(values) for values in self._data.values()]

    def to_dict(self, flat: bool = True) -> dict[str, Any]:
        """A plain dict of first values, or of lists with ``flat=False``."""
        if flat:
            return {key: values[0] for key, values in self._data.items()}
        return {key: list(values) for key, values in self._data.items()}

    def copy(self) -> MultiDict:
        """A mutable copy (also of an ImmutableMultiDict, as in Werkzeug)."""
        return MultiDict(self)

    def __copy__(self) -> MultiDict:
        return self.copy()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MultiDict):
            return self._data == other._data
        if isinstance(other, Mapping):
            return self.to_dict() == dict(other)
        return NotImplemented

    # Defining __eq__ without __hash__ makes MultiDict unhashable, as a mutable mapping should be.

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.items(multi=True)!r})"

    # Mutation -----------------------------------------------------------------------------------

    def __setitem__(self, key: str, value: Any) -> None:
        self._data[key] = [value]

    def __delitem__(self, key: str) -> None:
        del self._data[key]

    def add(self, key: str, value: Any) -> None:
        """Append a value for ``key``."""
        values = self._data.get(key)
        if values is None:
            self._data[key] = [value]
        else:
            values.append(value)

    def setlist(self, key: str, values: Iterable[Any]) -> None:
        """Replace every value for ``key`` (an empty list removes the key)."""
        new = list(values)
        if new:
            self._data[key] = new
        else:
            self._data.pop(key, None)

    def setdefault(self, key: str, default: Any = None) -> Any:
        """The first value for ``key``, setting it to ``default`` when missing."""
        values = self._data.get(key)
        if not values:
            self._data[key] = [default]
            return default
        return values[0]

    def pop(self, key: str, default: Any = _MISSING) -> Any:
        """Remove ``key`` and return its first value."""
        values = self._data.pop(key, None)
        if values:
            return values[0]
        if default is _MISSING:
            raise BadRequestKeyError(key)
        return default

    def poplist(self, key: str) -> list[Any]:
        """Remove ``key`` and return all its values (``[]`` when missing)."""
        return self._data.pop(key, [])

    def update(self, other: MultiDict | Mapping[str, Any] | Iterable[tuple[str, Any]]) -> None:
        """Add the values of ``other``, keeping existing ones (Werkzeug's semantics)."""
        for key, value in MultiDict(other).items(multi=True):
            self.add(key, value)

    def clear(self) -> None:
        """Remove everything."""
        self._data.clear()


# A virtual subclass: isinstance(md, Mapping) holds (as for Werkzeug's dict-based MultiDict)
# without inheriting Mapping's method signatures, which differ (items(multi=...)).
Mapping.register(MultiDict)


class ImmutableMultiDict(MultiDict):
    """A read-only MultiDict, for ``request.args`` and ``request.form``."""

    __slots__ = ()

    def _immutable(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(f"'{type(self).__name__}' objects are immutable")

    __setitem__ = __delitem__ = add = setlist = setdefault = pop = poplist = _immutable
    update = clear = _immutable

    def __hash__(self) -> int:
        return hash(tuple(self.items(multi=True)))


class RequestCookies(dict[str, str]):
    """``request.cookies``: a read-only dict of first values with MultiDict's methods.

    The first value of a repeated name wins for ``[]`` and ``get``, as in Werkzeug;
    ``getlist`` reads every value from the header. A missing key is a 400
    (``BadRequestKeyError``), as for ``request.args``. PERF: a dict subclass built from the
    parsed dict, so a lookup costs what a dict lookup costs.
    """

    # The Cookie header it was parsed from, for ``getlist``. PERF: a slot, not a __dict__.
    __slots__ = ("_header",)
    _header: str

    @classmethod
    def from_header(cls, header: str) -> RequestCookies:
        """Parse a Cookie header (PERF: dict's own constructor, one attribute set)."""
        cookies = cls(parse_cookie(header))
        cookies._header = header
        return cookies

    def __missing__(self, key: str) -> str:
        raise BadRequestKeyError(key)

    def get(self, key: str, default: Any = None, type: Callable[[str], Any] | None = None) -> Any:
        """The first value of ``key`` converted by ``type``; ``default`` if missing or bad."""
        value = dict.get(self, key, _MISSING)
        if value is _MISSING:
            return default
        if type is None:
            return value
        try:
            return type(value)
        except (ValueError, TypeError):
            return default

    def getlist(self, key: str, type: Callable[[str], T] | None = None) -> list[Any]:
        """Every value the client sent for ``key``, in order."""
        if key not in self:
            return []
        values = [self[key]]
        header: str | None = getattr(self, "_header", None)
        if header is not None and header.count(key) > 1:
            values = []
            for part in header.split(";"):
                value = parse_cookie(part).get(key)
                if value is not None:
                    values.append(value)
        if type is None:
            return values
        return _converted(values, type)

    def items(self, multi: bool = False) -> Any:
        """(name, first value) pairs, or every pair with ``multi=True``."""
        if not multi:
            return dict.items(self)
        return [(key, value) for key in self for value in self.getlist(key)]

    def lists(self) -> list[tuple[str, list[str]]]:
        """(name, every value) pairs."""
        return [(key, self.getlist(key)) for key in self]

    def to_dict(self, flat: bool = True) -> dict[str, Any]:
        """A plain dict of first values, or of lists with ``flat=False``."""
        return dict(self) if flat else dict(self.lists())

    def _immutable(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(f"'{type(self).__name__}' objects are immutable")

    __setitem__ = __delitem__ = setdefault = pop = popitem = update = clear = _immutable


_UNSAFE = ("\r", "\n", "\0")
# RFC 9110 §5.6.2 token: all a field name may hold (no space, colon, control or non-ASCII).
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# RFC 3986: the characters a URI reference may hold as they are ("%" keeps its escapes).
_URI_CHARS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%"
)
_URI_SAFE = "".join(sorted(_URI_CHARS))


def uri_reference(text: str) -> str:
    """``text`` with every character a URI may not hold percent-encoded (as UTF-8).

    Spaces, controls, non-ASCII and ``"<>\\^`{|}`` are escaped; delimiters and existing
    ``%XX`` escapes are kept, so an already valid URI comes back unchanged.
    """
    if _URI_CHARS.issuperset(text):  # PERF: the usual location, already a URI
        return text
    return quote(text, safe=_URI_SAFE)


def _clean(name: str, value: Any) -> str:
    """Return ``value`` as str; ValueError if the name or value could break a header line.

    A ``Location`` value is made a valid URI reference (RFC 9110 §10.2.2).
    """
    text: str
    if type(value) is str:
        text = value
    else:
        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    if "\r" in text or "\n" in text or "\0" in text:
        raise ValueError("Header names and values must not contain CR, LF or NUL characters.")
    is_location = _CLEAN_NAMES.get(name)
    if is_location is None:
        is_location = _check_name(name)
    if is_location:
        text = uri_reference(text)
    return text


# PERF: header names already checked (-> whether the name is Location); they come from code,
# so few. Bounded all the same.
_CLEAN_NAMES: dict[str, bool] = {}
_CLEAN_NAMES_MAX = 512


def _check_name(name: str) -> bool:
    """ValueError unless ``name`` is a token; whether it is ``Location`` (any case)."""
    if type(name) is not str or _TOKEN.fullmatch(name) is None:
        if any(char in str(name) for char in _UNSAFE):
            raise ValueError("Header names and values must not contain CR, LF or NUL characters.")
        raise ValueError(
            f"Invalid header name {name!r}: it must be an RFC 9110 token (no space, colon or "
            "control character, and not empty)."
        )
    is_location = name.lower() == "location"
    if len(_CLEAN_NAMES) < _CLEAN_NAMES_MAX:
        _CLEAN_NAMES[name] = is_location
    return is_location


# PERF: environ key -> header name ("" for keys that are not headers), filled as keys are seen.
# Bounded, because header names come from clients.
_ENVIRON_NAMES: dict[str, str] = {
    "CONTENT_TYPE": "Content-Type",
    "CONTENT_LENGTH": "Content-Length",
    "HTTP_CONTENT_TYPE": "",
    "HTTP_CONTENT_LENGTH": "",
}
_ENVIRON_NAMES_MAX = 512


def _environ_name(key: str) -> str:
    name = key[5:].replace("_", "-").title() if key.startswith("HTTP_") else ""
    if len(_ENVIRON_NAMES) < _ENVIRON_NAMES_MAX:
        _ENVIRON_NAMES[key] = name
    return name


def _pairs_of(other: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """The (name, value) pairs of a mapping (list values: several), MultiDict or iterable."""
    if not isinstance(other, Mapping):
        return list(other)
    lists = getattr(other, "lists", None) if type(other) is not dict else None
    if lists is not None:  # a MultiDict, ours or Werkzeug's: every value of every key
        return [(key, item) for key, values in lists() for item in values]
    return [
        (key, item)
        for key, value in other.items()
        for item in (value if isinstance(value, list | tuple) else (value,))
    ]


def _with_options(value: Any, options: Mapping[str, Any]) -> str:
    """``value; key=val`` as Werkzeug writes header parameters (``_`` in a key becomes ``-``)."""
    parts = [str(value)]
    for key, option in options.items():
        key = key.replace("_", "-")
        if option is None or option is False:
            continue
        if option is True:
            parts.append(key)
            continue
        text = str(option)
        if not _TOKEN.fullmatch(text):
            text = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        parts.append(f"{key}={text}")
    return "; ".join(parts)


_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


class Headers:
    """HTTP headers: ordered (name, value) pairs, case-insensitive lookups, several values."""

    __slots__ = ("_list", "_readonly")
    _list: list[tuple[str, str]]
    _readonly: bool

    def __init__(
        self,
        defaults: Headers | Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
    ) -> None:
        self._readonly = False
        self._list = []
        if defaults is not None:
            self.extend(defaults)

    @classmethod
    def _trusted(cls, pairs: list[tuple[str, str]], readonly: bool = False) -> Self:
        """Wrap pairs already known to be clean, without copying or checking (the hot path)."""
        obj = cls.__new__(cls)
        obj._list = pairs
        obj._readonly = readonly
        return obj

    @classmethod
    def from_wsgi_environ(cls, environ: Mapping[str, Any]) -> Self:
        """The read-only request headers of a WSGI environ (``HTTP_*`` and the two CONTENT_*)."""
        names = _ENVIRON_NAMES
        pairs: list[tuple[str, str]] = []
        for key, value in environ.items():
            name = names.get(key)
            if name is None:
                name = _environ_name(key)
            if name and value:
                pairs.append((name, value))
        return cls._trusted(pairs, readonly=True)

    @classmethod
    def from_asgi(cls, raw: Iterable[tuple[bytes, bytes]]) -> Self:
        """The read-only request headers of an ASGI scope, decoded as latin-1."""
        pairs = [(name.decode("latin-1").title(), value.decode("latin-1")) for name, value in raw]
        return cls._trusted(pairs, readonly=True)

    def _writable(self) -> None:
        if self._readonly:
            raise TypeError("Request headers are read-only.")

    # Reading ------------------------------------------------------------------------------------

    @overload
    def __getitem__(self, name: str) -> str: ...
    @overload
    def __getitem__(self, name: int) -> tuple[str, str]: ...
    @overload
    def __getitem__(self, name: slice) -> Headers: ...

    def __getitem__(self, name: str | int | slice) -> Any:
        if type(name) is not str:  # Werkzeug: an index gives a pair, a slice a Headers
            if isinstance(name, slice):
                return Headers._trusted(self._list[name])
            if isinstance(name, int):
                return self._list[name]
        lower = name.lower()
        for key, value in self._list:
            if key.lower() == lower:
                return value
        raise KeyError(name)

    @overload
    def get(self, name: str) -> str | None: ...
    @overload
    def get(self, name: str, default: T) -> str | T: ...
    @overload
    def get(self, name: str, default: Any = None, type: Callable[[str], T] = ...) -> Any: ...

    def get(self, name: str, default: Any = None, type: Callable[[str], Any] | None = None) -> Any:
        """The first value of ``name``, converted by ``type``; ``default`` if missing or bad."""
        lower = name.lower()
        for key, value in self._list:
            if key.lower() == lower:
                if type is None:
                    return value
                try:
                    return type(value)
                except (ValueError, TypeError):
                    return default
        return default

    def getlist(self, name: str, type: Callable[[str], T] | None = None) -> list[Any]:
        """Every value of ``name`` in order (values ``type`` cannot convert are left out)."""
        lower = name.lower()
        values = [value for key, value in self._list if key.lower() == lower]
        if type is None:
            return values
        return _converted(values, type)

    get_all = getlist

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        lower = name.lower()
        return any(key.lower() == lower for key, _ in self._list)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._list)

    def __len__(self) -> int:
        return len(self._list)

    def __bool__(self) -> bool:
        return bool(self._list)

    def keys(self, lower: bool = False) -> list[str]:
        """Header names in order (a repeated name appears each time); lower-cased if asked."""
        if lower:
            return [key.lower() for key, _ in self._list]
        return [key for key, _ in self._list]

    def values(self) -> list[str]:
        """Header values in order."""
        return [value for _, value in self._list]

    def items(self, lower: bool = False) -> list[tuple[str, str]]:
        """(name, value) pairs in order, as a new list; names lower-cased if asked."""
        if lower:
            return [(key.lower(), value) for key, value in self._list]
        return list(self._list)

    def to_wsgi_list(self) -> list[tuple[str, str]]:
        """The pairs as a WSGI server wants them: the internal list itself, so don't mutate it."""
        return self._list

    def copy(self) -> Headers:
        """A writable copy (also of read-only request headers)."""
        return Headers._trusted(list(self._list))

    def __copy__(self) -> Headers:
        return self.copy()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Headers):
            return [(k.lower(), v) for k, v in self._list] == [
                (k.lower(), v) for k, v in other._list
            ]
        return NotImplemented

    # Defining __eq__ without __hash__ makes Headers unhashable, as a mutable container should be.

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._list!r})"

    def __str__(self) -> str:
        return "".join(f"{key}: {value}\r\n" for key, value in self._list) + "\r\n"

    # Writing ------------------------------------------------------------------------------------

    def add(self, name: str, value: Any, **options: Any) -> None:
        """Append a header; keyword options become parameters (``filename="a.pdf"``)."""
        self._writable()
        if options:
            value = _with_options(value, options)
        self._list.append((name, _clean(name, value)))

    add_header = add

    def __setitem__(self, name: str, value: Any) -> None:
        """Replace every value of ``name`` with one value, kept where the first one was."""
        if self._readonly:
            self._writable()  # raises
        value = _clean(name, value)
        lower = name.lower()
        size = len(name)
        pairs = self._list
        # PERF: a counted loop, no enumerate(); lengths first, so few lower() (18% a set)
        index = 0
        for key, _ in pairs:
            if len(key) == size and key.lower() == lower:
                break
            index += 1
        else:
            pairs.append((name, value))
            return
        pairs[index] = (name, value)
        rest = pairs[index + 1 :]
        if any(key.lower() == lower for key, _ in rest):
            pairs[index + 1 :] = [pair for pair in rest if pair[0].lower() != lower]

    def set(self, name: str, value: Any, **options: Any) -> None:
        """As ``headers[name] = value``; keyword options become parameters, as in ``add``."""
        self[name] = _with_options(value, options) if options else value

    def setlist(self, name: str, values: Iterable[Any]) -> None:
        """Replace every value of ``name`` with ``values`` (none removes the header)."""
        values = list(values)
        if not values:
            self.remove(name)
            return
        self[name] = values[0]
        for value in values[1:]:
            self.add(name, value)

    def setdefault(self, name: str, default: Any) -> str:
        """The first value of ``name``, adding ``default`` when missing."""
        found: str | None = self.get(name)
        if found is not None:
            return found
        self._writable()
        value = _clean(name, default)
        self._list.append((name, value))
        return value

    def setlistdefault(self, name: str, default: Iterable[Any]) -> list[str]:
        """Every value of ``name``, setting them to ``default`` first when missing."""
        if name not in self:
            self.setlist(name, default)
        return self.getlist(name)

    def remove(self, name: str) -> None:
        """Remove every value of ``name`` (no error when missing)."""
        self._writable()
        lower = name.lower()
        self._list[:] = [pair for pair in self._list if pair[0].lower() != lower]

    def __delitem__(self, name: str | int | slice) -> None:
        self._writable()
        if not isinstance(name, str):
            del self._list[name]
            return
        if name not in self:
            raise KeyError(name)
        self.remove(name)

    def pop(self, name: str | int | None = None, default: Any = _MISSING) -> Any:
        """Remove ``name`` and return its first value (KeyError if missing and no default).

        As in Werkzeug, no name pops the last pair and an int pops the pair at that index.
        """
        self._writable()
        if name is None or isinstance(name, int):
            return self._list.pop(-1 if name is None else name)
        value = self.get(name, _MISSING)
        if value is _MISSING:
            if default is _MISSING:
                raise KeyError(name)
            return default
        self.remove(name)
        return value

    def popitem(self) -> tuple[str, str]:
        """Remove and return the last pair."""
        self._writable()
        return self._list.pop()

    def extend(
        self,
        other: Headers | Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        """Add every pair of ``other`` and of the keywords; a list value adds several headers.

        A MultiDict (tumbler's or Werkzeug's) adds every value of every key.
        """
        self._writable()
        if isinstance(other, Headers):
            self._list.extend(other._list)  # already clean
        elif other is not None:
            self._append(_pairs_of(other))
        if kwargs:
            self._append(_pairs_of(kwargs))

    def _append(self, pairs: Iterable[tuple[str, Any]]) -> None:
        append = self._list.append
        for name, value in pairs:
            append((name, _clean(name, value)))

    def update(
        self,
        other: Headers | Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        """Replace the names ``other`` has with its values (several values stay several)."""
        self._writable()
        incoming = Headers()
        if other is not None:
            incoming.extend(other)
        if kwargs:
            incoming.extend(kwargs)
        names = {key.lower() for key, _ in incoming._list}
        self._list[:] = [pair for pair in self._list if pair[0].lower() not in names]
        self._list.extend(incoming._list)

    def clear(self) -> None:
        """Remove every header."""
        self._writable()
        self._list.clear()
