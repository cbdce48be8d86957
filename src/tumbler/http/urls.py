"""Query strings and urlencoded forms: parsing in linear time, building, quoting."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, unquote_to_bytes

from .datastructures import ImmutableMultiDict, MultiDict
from .exceptions import HTTPException, RequestEntityTooLarge

__all__ = ["parse_qsl_to_multidict", "url_encode", "url_quote"]


def _decode(part: str) -> str:
    if part.isascii() and "%" not in part and "+" not in part:
        return part
    return unquote_to_bytes(part.replace("+", " ")).decode("utf-8", "replace")


def parse_qsl_to_multidict(
    query: str | bytes,
    *,
    max_fields: int | None = None,
    too_many: type[HTTPException] = RequestEntityTooLarge,
) -> ImmutableMultiDict:
    """Parse ``a=1&b=2&a=3``; blank values kept; ``too_many`` past ``max_fields`` pairs."""
    if isinstance(query, bytes):
        query = query.decode("latin-1")
    data: dict[str, list[str]] = {}
    if not query:
        return ImmutableMultiDict._from_lists(data)  # type: ignore[no-any-return]
    if max_fields is not None and query.count("&") >= max_fields:
        fields = sum(1 for part in query.split("&") if part)
        if fields > max_fields:
            raise too_many(f"Too many fields: more than {max_fields}.")
    for part in query.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        key = _decode(name)
        values = data.get(key)
        if values is None:
            data[key] = [_decode(value)]
        else:
            values.append(_decode(value))
    return ImmutableMultiDict._from_lists(data)  # type: ignore[no-any-return]


def url_quote(value: str, safe: str = "/:") -> str:
    """Percent-encode ``value`` as UTF-8, keeping ``safe`` characters."""
    return quote(value, safe=safe)


def url_encode(values: MultiDict | Mapping[str, Any] | Iterable[tuple[str, Any]]) -> str:
    """Build a query string; None values are skipped, lists repeat the key."""
    if isinstance(values, MultiDict):
        raw: Iterable[tuple[str, Any]] = values.items(multi=True)
    elif isinstance(values, Mapping):
        raw = values.items()
    else:
        raw = values
    pairs = [
        (key, item)
        for key, value in raw
        for item in (value if isinstance(value, list | tuple) else (value,))
    ]
    return "&".join(
        f"{quote(str(key), safe='')}={quote(str(value), safe='')}"
        for key, value in pairs
        if value is not None
    )
