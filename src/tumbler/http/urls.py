"""Query strings and urlencoded forms: parsing in linear time, building, quoting.

Only ``&`` separates fields (``;`` is data), as in Python since 3.9.2 and in Werkzeug. Names
and values are percent-decoded as UTF-8 with ``errors="replace"``; an invalid escape such as
``%zz`` is kept as written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_from_bytes, unquote_to_bytes

from .datastructures import ImmutableMultiDict, MultiDict, uri_reference
from .exceptions import TooManyFields

__all__ = ["iri_to_uri", "parse_qsl_to_multidict", "url_encode", "url_quote"]

# Every ASCII character: quote_from_bytes then escapes only the non-ASCII bytes.
_ASCII = "".join(map(chr, range(128)))


def _decode(part: str) -> str:
    if "%" not in part:
        return part.replace("+", " ") if "+" in part else part
    return unquote_to_bytes(part.replace("+", " ")).decode("utf-8", "replace")


def _split(query: str, max_fields: int | None) -> list[str]:
    parts = query.split("&")
    if max_fields is not None and len(parts) > max_fields:
        fields = sum(1 for part in parts if part)
        if fields > max_fields:
            raise TooManyFields(f"Too many query or form fields: more than {max_fields}.")
    return parts


def parse_qsl_to_multidict(
    query: str | bytes, *, max_fields: int | None = None
) -> ImmutableMultiDict:
    """Parse ``a=1&b=2&a=3``; blank values kept; TooManyFields past ``max_fields`` fields.

    ``bytes`` is the raw query (raw non-ASCII bytes are read as UTF-8); ``str`` is text.
    """
    data: dict[str, list[str]] = {}
    if not query:
        return ImmutableMultiDict._from_lists(data)
    if isinstance(query, bytes):
        # Escape raw non-ASCII bytes so they decode as UTF-8 like escaped ones (WSGI's latin-1
        # strings would otherwise turn into mojibake).
        query = query.decode("ascii") if query.isascii() else quote_from_bytes(query, _ASCII)
    escaped = "%" in query
    if not escaped and "+" in query:
        query = query.replace("+", " ")  # PERF: with no escapes, "+" is all there is to decode
    for part in _split(query, max_fields):
        if not part:
            continue
        key, _, value = part.partition("=")
        if escaped:
            key = _decode(key)
            value = _decode(value)
        values = data.get(key)
        if values is None:
            data[key] = [value]
        else:
            values.append(value)
    return ImmutableMultiDict._from_lists(data)


def url_quote(value: str | bytes, safe: str = "/:") -> str:
    """Percent-encode ``value`` (str as UTF-8), keeping ``safe`` characters."""
    return quote(value, safe=safe)


def url_encode(values: MultiDict | Mapping[str, Any] | Iterable[tuple[str, Any]]) -> str:
    """Build a query string in the given order; None values are skipped, lists repeat the key."""
    if isinstance(values, MultiDict):
        raw: Iterable[tuple[str, Any]] = values.items(multi=True)
    elif isinstance(values, Mapping):
        raw = values.items()
    else:
        raw = values
    out = []
    for key, value in raw:
        for item in value if isinstance(value, list | tuple) else (value,):
            if item is not None:
                out.append(f"{quote(str(key), safe='')}={quote(str(item), safe='')}")
    return "&".join(out)


def iri_to_uri(iri: str) -> str:
    """``iri`` as a valid URI reference: every character a URI may not hold (non-ASCII as
    UTF-8, spaces, controls, ``"<>\\^`{|}``) is percent-encoded; delimiters and escapes stay."""
    return uri_reference(iri)
