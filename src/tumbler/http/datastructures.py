"""MultiDict and Headers: the multi-valued mappings of HTTP.

``MultiDict`` keeps every value of a repeated key (query strings, forms); indexing gives the
first. ``Headers`` is an ordered list of (name, value) pairs looked up case-insensitively,
and refuses CR, LF and NUL so nothing can inject a header line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar, overload

from .exceptions import BadRequestKeyError

__all__ = ["Headers", "ImmutableMultiDict", "MultiDict"]

T = TypeVar("T")
_MISSING: Any = object()


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
            for key, value in mapping.items():
                if isinstance(value, list | tuple):
                    if value:
                        data[key] = list(value)
                else:
                    data[key] = [value]
        else:
            for key, value in mapping:
                data.setdefault(key, []).append(value)
        self._data = data

    @classmethod
    def _from_lists(cls, data: dict[str, list[Any]]) -> Any:
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
        """Every value for ``key`` (those ``type`` cannot convert are skipped)."""
        values = self._data.get(key, [])
        if type is None:
            return list(values)
        converted = []
        for value in values:
            try:
                converted.append(type(value))
            except (ValueError, TypeError):
                pass
        return converted

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __bool__(self) -> bool:
        return bool(self._data)

    def keys(self) -> Iterable[str]:
        """The keys, once each."""
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
        """(key, list of values) pairs."""
        return [(key, list(values)) for key, values in self._data.items()]

    def to_dict(self, flat: bool = True) -> dict[str, Any]:
        """A plain dict of first values, or of lists with ``flat=False``."""
        if flat:
            return {key: values[0] for key, values in self._data.items()}
        return {key: list(values) for key, values in self._data.items()}

    def copy(self) -> MultiDict:
        """A mutable copy."""
        return MultiDict(self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MultiDict):
            return self._data == other._data
        if isinstance(other, Mapping):
            return self.to_dict() == dict(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.items(multi=True)!r})"

    # Mutation -----------------------------------------------------------------------------------

    def __setitem__(self, key: str, value: Any) -> None:
        self._data[key] = [value]

    def __delitem__(self, key: str) -> None:
        del self._data[key]

    def add(self, key: str, value: Any) -> None:
        """Append a value for ``key``."""
        self._data.setdefault(key, []).append(value)

    def setlist(self, key: str, values: Iterable[Any]) -> None:
        """Replace every value for ``key``."""
        values = list(values)
        if values:
            self._data[key] = values
        else:
            self._data.pop(key, None)

    def setdefault(self, key: str, default: Any = None) -> Any:
        """The first value for ``key``, setting it to ``default`` when missing."""
        if key not in self._data:
            self._data[key] = [default]
        return self._data[key][0]

    def pop(self, key: str, default: Any = _MISSING) -> Any:
        """Remove ``key`` and return its first value."""
        values = self._data.pop(key, None)
        if values:
            return values[0]
        if default is _MISSING:
            raise BadRequestKeyError(key)
        return default

    def poplist(self, key: str) -> list[Any]:
        """Remove ``key`` and return all its values."""
        return self._data.pop(key, [])

    def update(self, other: MultiDict | Mapping[str, Any] | Iterable[tuple[str, Any]]) -> None:
        """Add the values of ``other`` (keeping existing ones, as Werkzeug does)."""
        for key, value in MultiDict(other).items(multi=True):
            self.add(key, value)

    def clear(self) -> None:
        """Remove everything."""
        self._data.clear()


class ImmutableMultiDict(MultiDict):
    """A read-only MultiDict, for ``request.args`` and ``request.form``."""

    __slots__ = ()

    def _immutable(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(f"'{type(self).__name__}' objects are immutable")

    __setitem__ = __delitem__ = add = setlist = setdefault = pop = poplist = _immutable
    update = clear = _immutable

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self.items(multi=True)))


def _check(name: str, value: str) -> None:
    for text in (name, value):
        if "\n" in text or "\r" in text or "\0" in text:
            raise ValueError("Header names and values must not contain CR, LF or NUL characters.")


def _as_str(value: Any) -> str:
    return value if type(value) is str else str(value)


class Headers:
    """HTTP headers: ordered (name, value) pairs, case-insensitive lookups, several values."""

    __slots__ = ("_list", "_readonly")

    def __init__(
        self,
        defaults: Headers | Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
    ) -> None:
        self._readonly = False
        self._list: list[tuple[str, str]] = []
        if defaults is not None:
            self.extend(defaults)

    @classmethod
    def _trusted(cls, pairs: list[tuple[str, str]], readonly: bool = False) -> Headers:
        """Wrap pairs already known to be clean (no validation: the hot path)."""
        obj = cls.__new__(cls)
        obj._list = pairs
        obj._readonly = readonly
        return obj

    @classmethod
    def from_wsgi_environ(cls, environ: Mapping[str, Any]) -> Headers:
        """The request headers of a WSGI environ, read-only."""
        pairs: list[tuple[str, str]] = []
        for key, value in environ.items():
            if key.startswith("HTTP_"):
                if key in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                    continue
                pairs.append((key[5:].replace("_", "-").title(), value))
            elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
                pairs.append((key.replace("_", "-").title(), value))
        return cls._trusted(pairs, readonly=True)

    @classmethod
    def from_asgi(cls, raw: Iterable[tuple[bytes, bytes]]) -> Headers:
        """The request headers of an ASGI scope, read-only."""
        pairs = [(name.decode("latin-1").title(), value.decode("latin-1")) for name, value in raw]
        return cls._trusted(pairs, readonly=True)

    def _writable(self) -> None:
        if self._readonly:
            raise TypeError("Request headers are read-only.")

    # Reading ------------------------------------------------------------------------------------

    def __getitem__(self, name: str) -> str:
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

    def getlist(self, name: str) -> list[str]:
        """Every value of ``name``, in order."""
        lower = name.lower()
        return [value for key, value in self._list if key.lower() == lower]

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

    def keys(self) -> list[str]:
        """Header names, in order (repeated names repeated)."""
        return [key for key, _ in self._list]

    def values(self) -> list[str]:
        """Header values, in order."""
        return [value for _, value in self._list]

    def items(self) -> list[tuple[str, str]]:
        """(name, value) pairs, in order."""
        return list(self._list)

    def to_wsgi_list(self) -> list[tuple[str, str]]:
        """The pairs as a WSGI server wants them (the list itself: don't mutate it)."""
        return self._list

    def copy(self) -> Headers:
        """A writable copy."""
        return Headers._trusted(list(self._list))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Headers):
            return [(k.lower(), v) for k, v in self._list] == [
                (k.lower(), v) for k, v in other._list
            ]
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._list!r})"

    def __str__(self) -> str:
        return "".join(f"{key}: {value}\r\n" for key, value in self._list) + "\r\n"

    # Writing ------------------------------------------------------------------------------------

    def add(self, name: str, value: Any) -> None:
        """Append a header (another value when the name exists)."""
        self._writable()
        value = _as_str(value)
        _check(name, value)
        self._list.append((name, value))

    def set(self, name: str, value: Any) -> None:
        """Replace every value of ``name`` with one value (in the first one's place)."""
        self._writable()
        value = _as_str(value)
        _check(name, value)
        lower = name.lower()
        pairs = self._list
        for index, (key, _) in enumerate(pairs):
            if key.lower() == lower:
                pairs[index] = (name, value)
                self._list = pairs[: index + 1] + [
                    pair for pair in pairs[index + 1 :] if pair[0].lower() != lower
                ]
                return
        pairs.append((name, value))

    __setitem__ = set

    def setdefault(self, name: str, default: Any) -> str:
        """The first value of ``name``, adding ``default`` when missing."""
        found = self.get(name)
        if found is not None:
            return found
        self.add(name, default)
        return _as_str(default)

    def remove(self, name: str) -> None:
        """Remove every value of ``name`` (no error when missing)."""
        self._writable()
        lower = name.lower()
        self._list = [pair for pair in self._list if pair[0].lower() != lower]

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self.remove(name)

    def pop(self, name: str, default: Any = _MISSING) -> Any:
        """Remove ``name`` and return its first value."""
        value = self.get(name, _MISSING)
        if value is _MISSING:
            if default is _MISSING:
                raise KeyError(name)
            return default
        self.remove(name)
        return value

    def extend(self, other: Headers | Mapping[str, Any] | Iterable[tuple[str, Any]]) -> None:
        """Add every pair of ``other`` (list values of a mapping add several headers)."""
        if isinstance(other, Headers):
            pairs: Iterable[tuple[str, Any]] = other._list
        elif isinstance(other, Mapping):
            pairs = [
                (key, item)
                for key, value in other.items()
                for item in (value if isinstance(value, list | tuple) else (value,))
            ]
        else:
            pairs = other
        for name, value in pairs:
            self.add(name, value)

    def update(self, other: Headers | Mapping[str, Any] | Iterable[tuple[str, Any]]) -> None:
        """Replace the names ``other`` has with its values (several values stay several)."""
        incoming = Headers(other)
        for name in dict.fromkeys(key.lower() for key, _ in incoming):
            self.remove(name)
        self.extend(incoming)

    def clear(self) -> None:
        """Remove every header."""
        self._writable()
        self._list = []
