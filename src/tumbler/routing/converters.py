"""Converters: turn one variable part of a path into a Python value and back.

A converter says what it matches with ``regex``. The matcher compiles that regex once per rule,
but the built-in converters also offer a cheaper check (``_segment_check``: ``str.isdigit`` for
``int``, a set lookup for ``any``) that the matcher uses instead while their regex is the stock
one. ``to_python`` may still refuse a value by raising ``ValidationError``; the matcher then tries
the next candidate rule, as Werkzeug documents.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from .map import Map

__all__ = [
    "DEFAULT_CONVERTERS",
    "AnyConverter",
    "BaseConverter",
    "FloatConverter",
    "ForeignConverter",
    "IntegerConverter",
    "NumberConverter",
    "PathConverter",
    "UUIDConverter",
    "UnicodeConverter",
    "ValidationError",
]

#: Characters a path part keeps unquoted when built (Werkzeug's set: sub-delims, ':', '@', '/').
PATH_SAFE = "!$&'()*+,/:;=@"

SegmentCheck = Callable[[str], bool]
# '[^/]' cannot match a slash, so a regex with '/' only inside negated classes stays in its part.
_NEGATED_CLASS = re.compile(r"\[\^(?:\\.|[^\]\\])*\]")


class ValidationError(ValueError):
    """Raised by ``to_python`` to say "this value does not match": the next rule is tried."""


_PATH_PLAIN = re.compile(r"[A-Za-z0-9_.~!$&'()*+,/:;=@-]*")


def quote_path_part(value: Any) -> str:
    """Percent-quote ``value`` (after ``str``) for use in a URL path."""
    text = value if isinstance(value, str) else str(value)
    if _PATH_PLAIN.fullmatch(text):  # nothing to quote: skip urllib's slower loop
        return text
    return quote(text, safe=PATH_SAFE)


class BaseConverter:
    """Turns one variable part of a path into a Python value and back (subclass to add one)."""

    regex: str = "[^/]+"
    weight: int = 100
    part_isolating: bool = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A subclass whose regex can match a slash is not part-isolating unless it says so."""
        super().__init_subclass__(**kwargs)
        if "part_isolating" not in cls.__dict__:
            cls.part_isolating = "/" not in _NEGATED_CLASS.sub("", cls.regex)

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        self.map = map

    def to_python(self, value: str) -> Any:
        """The value the view receives; raise ``ValidationError`` to refuse the match."""
        return value

    def to_url(self, value: Any) -> str:
        """The percent-quoted path text for ``value``."""
        return quote_path_part(value)

    def _segment_check(self) -> SegmentCheck | None:
        """A cheap stand-in for ``regex`` on one path segment, or None to use the regex."""
        return None

    def _python_converter(self) -> Callable[[str], Any] | None:
        """What the matcher calls for ``to_python`` (None: the text is kept as it is)."""
        if type(self).to_python is BaseConverter.to_python:
            return None
        return self.to_python


def _nonempty(value: str) -> bool:
    return value != ""


class UnicodeConverter(BaseConverter):
    """``string`` (the default): text without a slash, optionally bounded in length."""

    def __init__(
        self,
        map: Map,
        minlength: int = 1,
        maxlength: int | None = None,
        length: int | None = None,
    ) -> None:
        super().__init__(map)
        high: int | None
        if length is not None:
            low = high = int(length)
            self.regex = f"[^/]{{{low}}}"
        else:
            low, high = int(minlength), (None if maxlength is None else int(maxlength))
            if low != 1 or high is not None:
                self.regex = f"[^/]{{{low},{'' if high is None else high}}}"
        self._bounds = (low, high)
        self._stock_regex = self.regex

    def _segment_check(self) -> SegmentCheck | None:
        if self.regex != self._stock_regex or type(self).regex != BaseConverter.regex:
            return None
        low, high = self._bounds
        if low == 1 and high is None:
            return _nonempty
        if low == high:
            return lambda value: len(value) == low
        if high is None:
            return lambda value: len(value) >= low
        return lambda value: low <= len(value) <= high


class PathConverter(BaseConverter):
    """``path``: like ``string`` but may span slashes; tried after every other converter."""

    regex = "[^/].*?"
    weight = 200
    part_isolating = False


class AnyConverter(BaseConverter):
    """``any(a, b, c)``: exactly one of the listed words."""

    def __init__(self, map: Map, *items: Any) -> None:
        super().__init__(map)
        if not items:
            raise ValueError("the 'any' converter needs at least one item, as in any(a, b)")
        self.items = tuple(str(item) for item in items)
        self._item_set = frozenset(self.items)
        self.regex = "(?:" + "|".join(re.escape(item) for item in self.items) + ")"
        self._stock_regex = self.regex

    def to_url(self, value: Any) -> str:
        """The quoted item; a value that is not one of the items is a ``ValueError``."""
        text = str(value)
        if text not in self._item_set:
            choices = ", ".join(repr(item) for item in self.items)
            raise ValueError(f"{value!r} is not one of {choices}")
        return quote_path_part(text)

    def _segment_check(self) -> SegmentCheck | None:
        return self._item_set.__contains__ if self.regex == self._stock_regex else None


class NumberConverter(BaseConverter):
    """Shared base of ``int`` and ``float``: bounds, a fixed digit count, an optional sign."""

    weight = 50

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: float | None = None,
        max: float | None = None,
        signed: bool = False,
    ) -> None:
        super().__init__(map)
        self.fixed_digits = int(fixed_digits)
        self.min = min
        self.max = max
        self.signed = bool(signed)
        if self.signed:
            self.regex = "-?" + self.regex
        self._stock_regex = self.regex

    def num_convert(self, value: Any) -> int | float:
        """Turn text (or a number) into this converter's number type."""
        return int(value)

    def to_python(self, value: str) -> Any:
        """The number, refused when it breaks ``fixed_digits``, ``min`` or ``max``."""
        if self.fixed_digits and len(value) != self.fixed_digits:
            raise ValidationError()
        number = self.num_convert(value)
        if (self.min is not None and number < self.min) or (
            self.max is not None and number > self.max
        ):
            raise ValidationError()
        return number

    def to_url(self, value: Any) -> str:
        """The number as text, zero-padded to ``fixed_digits``."""
        text = str(self.num_convert(value))
        if self.fixed_digits:
            text = text.zfill(self.fixed_digits)
        return text

    def _python_converter(self) -> Callable[[str], Any] | None:
        plain = not self.fixed_digits and self.min is None and self.max is None
        cls = type(self)
        if plain and cls.to_python is NumberConverter.to_python:
            if cls.num_convert is IntegerConverter.num_convert:
                return int
            if cls.num_convert is FloatConverter.num_convert:
                return float
        return super()._python_converter()


def _ascii_digits(value: str) -> bool:
    return value.isdigit() and value.isascii()


def _signed_ascii_digits(value: str) -> bool:
    if value[:1] == "-":
        value = value[1:]
    return value.isdigit() and value.isascii()


def _ascii_decimal(value: str) -> bool:
    whole, dot, fraction = value.partition(".")
    return bool(dot) and whole.isdigit() and fraction.isdigit() and value.isascii()


def _signed_ascii_decimal(value: str) -> bool:
    if value[:1] == "-":
        value = value[1:]
    return _ascii_decimal(value)


class IntegerConverter(NumberConverter):
    """``int``: ASCII digits only (leading zeros allowed); a ``-`` only with ``signed=True``."""

    regex = "[0-9]+"

    def num_convert(self, value: Any) -> int:
        """Turn text (or a number) into an int."""
        return int(value)

    def _segment_check(self) -> SegmentCheck | None:
        if type(self).regex != IntegerConverter.regex or self.regex != self._stock_regex:
            return None
        return _signed_ascii_digits if self.signed else _ascii_digits


class FloatConverter(NumberConverter):
    """``float``: ASCII digits with a decimal point (``1.5``, not ``1`` or ``.5``)."""

    regex = r"[0-9]+\.[0-9]+"

    def __init__(
        self,
        map: Map,
        min: float | None = None,
        max: float | None = None,
        signed: bool = False,
    ) -> None:
        super().__init__(map, min=min, max=max, signed=signed)

    def num_convert(self, value: Any) -> float:
        """Turn text (or a number) into a float."""
        return float(value)

    def _segment_check(self) -> SegmentCheck | None:
        if type(self).regex != FloatConverter.regex or self.regex != self._stock_regex:
            return None
        return _signed_ascii_decimal if self.signed else _ascii_decimal


class UUIDConverter(BaseConverter):
    """``uuid``: a hyphenated UUID, either case; the view receives a ``uuid.UUID``."""

    regex = "[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}"
    weight = 50

    def to_python(self, value: str) -> uuid.UUID:
        """A ``uuid.UUID``."""
        return uuid.UUID(value)

    def to_url(self, value: Any) -> str:
        """The hyphenated form."""
        return str(value)

    def _python_converter(self) -> Callable[[str], Any] | None:
        if type(self).to_python is UUIDConverter.to_python:
            return uuid.UUID
        return super()._python_converter()


class ForeignConverter(BaseConverter):
    """A converter of another routing library (Werkzeug's ``BaseConverter``), adapted.

    Flask's docs teach custom converters as subclasses of ``werkzeug.routing.BaseConverter``;
    such a class works in ``app.url_map.converters``. Its ``regex``, ``weight`` and
    ``part_isolating`` are used as they are, and its ``ValidationError`` means "try the next
    rule", as ours does. Werkzeug is never imported: the error is recognised by its name.
    """

    def __init__(self, map: Map, converter: Any) -> None:
        super().__init__(map)
        self.converter = converter
        self.regex = converter.regex
        self.weight = getattr(converter, "weight", BaseConverter.weight)
        self.part_isolating = getattr(converter, "part_isolating", "/" not in self.regex)

    def to_python(self, value: str) -> Any:
        """The wrapped converter's value; its ``ValidationError`` becomes ours."""
        try:
            return self.converter.to_python(value)
        except ValueError as error:
            kind = type(error)
            if kind.__name__ == "ValidationError" and kind.__module__.startswith("werkzeug."):
                raise ValidationError() from None
            raise

    def to_url(self, value: Any) -> str:
        """The wrapped converter's URL text."""
        return str(self.converter.to_url(value))


#: The converters every ``Map`` starts with; ``Map.converters`` is a copy users may extend.
DEFAULT_CONVERTERS: dict[str, type[BaseConverter]] = {
    "default": UnicodeConverter,
    "string": UnicodeConverter,
    "any": AnyConverter,
    "path": PathConverter,
    "int": IntegerConverter,
    "float": FloatConverter,
    "uuid": UUIDConverter,
}
