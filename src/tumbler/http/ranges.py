"""Conditional requests (RFC 9110 §13) and byte ranges (§14) as pure functions.

Why a module of its own: the rules are fiddly (which header wins, weak or strong comparison,
which ranges are invalid and which unsatisfiable), and pure functions let the tests feed
plain values in and check plain values out, with no app, request or file.

Rules of this module: no I/O, no app or request objects, no clock. Header values come in as
``str | None``; times are whole POSIX seconds (HTTP dates have one-second resolution).

Theory of operation, for a GET or HEAD of a representation with ``etag`` and
``last_modified`` (either may be None):

1. ``evaluate_preconditions`` follows the order of RFC 9110 §13.2.2: If-Match, else
   If-Unmodified-Since (412 when they fail); then If-None-Match, else If-Modified-Since
   (304 when they say "not modified"). None means: go on and answer normally.
2. ``if_range_allows`` decides whether a Range header may be used at all (§13.1.5).
3. ``parse_byte_range`` turns one ``bytes=`` range into ``(start, stop)``; it returns None
   for anything it ignores (other units, invalid syntax, several ranges) and raises
   ``UnsatisfiableRange`` for a valid range that misses the representation (416).
"""

from __future__ import annotations

import re
from datetime import UTC
from email.utils import formatdate, parsedate_to_datetime

__all__ = [
    "UnsatisfiableRange",
    "etag_matches",
    "evaluate_preconditions",
    "http_date",
    "if_range_allows",
    "parse_byte_range",
    "parse_etags",
    "parse_http_date",
    "quote_etag",
]

#: The ETags a header lists, as (weak, opaque-tag) pairs; ``STAR`` for ``*``.
ETagList = list[tuple[bool, str]]
STAR = "*"

_ETAG = re.compile(r'\s*(W/)?"([^"]*)"\s*')
_UNQUOTED = re.compile(r"\s*([!#-~]+)\s*")  # lenient: a bare token some clients send
_INT_RANGE = re.compile(r"([0-9]+)-([0-9]*)")
_SUFFIX_RANGE = re.compile(r"-([0-9]+)")


class UnsatisfiableRange(Exception):
    """A syntactically valid range that selects no byte of the representation (416)."""


# Dates --------------------------------------------------------------------------------------


def http_date(timestamp: float) -> str:
    """An IMF-fixdate, e.g. ``Sun, 06 Nov 1994 08:49:37 GMT``."""
    return formatdate(timestamp, usegmt=True)


def parse_http_date(value: str | None) -> int | None:
    """Whole POSIX seconds of an HTTP date in any of the three formats; None if invalid."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:  # asctime has no zone: it is GMT by definition (§5.6.7)
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp())


# Entity tags ---------------------------------------------------------------------------------


def quote_etag(value: str, weak: bool = False) -> str:
    """``value`` as an entity-tag; a value already quoted (``"x"``, ``W/"x"``) is kept."""
    if _ETAG.fullmatch(value) and value == value.strip():
        return value
    if '"' in value or any(ord(c) < 0x21 or ord(c) == 0x7F for c in value):
        raise ValueError(f"Invalid ETag value: {value!r}")
    return f'W/"{value}"' if weak else f'"{value}"'


def parse_etags(value: str | None) -> ETagList | str:
    """The entity-tags of If-Match, If-None-Match; ``STAR`` for ``*``, [] when unparsable."""
    if value is None:
        return []
    if value.strip() == STAR:
        return STAR
    tags: ETagList = []
    for item in _split_list(value):
        match = _ETAG.fullmatch(item)
        if match is not None:
            tags.append((match.group(1) is not None, match.group(2)))
            continue
        bare = _UNQUOTED.fullmatch(item)
        if bare is None:
            return []
        tags.append((False, bare.group(1)))
    return tags


def _split_list(value: str) -> list[str]:
    """Split a comma list of entity-tags, keeping commas inside quotes."""
    items: list[str] = []
    current: list[str] = []
    quoted = False
    for char in value:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return [item for item in items if item.strip()]


def etag_matches(header: str | None, etag: str | None, weak: bool) -> bool:
    """Whether ``etag`` (a quoted entity-tag) is in the list ``header`` (§8.8.3.2)."""
    tags = parse_etags(header)
    if isinstance(tags, str):
        return True  # the representation exists: that is all ``*`` asks
    if etag is None:
        return False
    mine = parse_etags(etag)
    if isinstance(mine, str) or len(mine) != 1:
        return False
    my_weak, my_tag = mine[0]
    if not weak and my_weak:
        return False
    return any(tag == my_tag and (weak or not is_weak) for is_weak, tag in tags)


# Preconditions --------------------------------------------------------------------------------


def evaluate_preconditions(
    *,
    if_match: str | None,
    if_none_match: str | None,
    if_modified_since: str | None,
    if_unmodified_since: str | None,
    etag: str | None,
    last_modified: int | None,
) -> int | None:
    """412, 304 or None (answer normally) for a GET or HEAD, in RFC 9110 §13.2.2 order."""
    if if_match is not None:
        if not etag_matches(if_match, etag, weak=False):
            return 412
    elif if_unmodified_since is not None:
        since = parse_http_date(if_unmodified_since)
        if since is not None and last_modified is not None and last_modified > since:
            return 412
    if if_none_match is not None:
        if etag_matches(if_none_match, etag, weak=True):
            return 304
    elif if_modified_since is not None:
        since = parse_http_date(if_modified_since)
        if since is not None and last_modified is not None and last_modified <= since:
            return 304
    return None


def if_range_allows(if_range: str | None, etag: str | None, last_modified: int | None) -> bool:
    """Whether a Range may be honoured given If-Range (§13.1.5): strong ETag or exact date."""
    if if_range is None:
        return True
    value = if_range.strip()
    if value.startswith(('"', 'W/"')):
        return etag is not None and etag_matches(value, etag, weak=False)
    since = parse_http_date(value)
    return since is not None and last_modified is not None and since == last_modified


# Ranges ------------------------------------------------------------------------------------------


def parse_byte_range(value: str | None, size: int) -> tuple[int, int] | None:
    """``(start, stop)`` (stop exclusive) of a single ``bytes=`` range of ``size`` bytes.

    None when the header is to be ignored and the whole representation sent: no header,
    another unit, invalid syntax (§14.1.1), or more than one range (tumbler serves the whole
    file then, which §14.2 allows: "A server MAY ignore the Range header field").
    Raises ``UnsatisfiableRange`` for a valid single range that selects nothing.
    """
    if value is None:
        return None
    unit, sep, range_set = value.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return None
    specs = [spec.strip() for spec in range_set.split(",") if spec.strip()]
    if len(specs) != 1:
        return None
    try:
        return _one_range(specs[0], size)
    except ValueError:  # a number too long for int(): not a range anyone can mean
        return None


def _one_range(spec: str, size: int) -> tuple[int, int] | None:
    match = _INT_RANGE.fullmatch(spec)
    if match is not None:
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) else None
        if last is not None and last < first:
            return None  # invalid, so ignored (§14.1.1)
        if first >= size:
            raise UnsatisfiableRange(spec)
        stop = size if last is None else min(last + 1, size)
        return first, stop
    match = _SUFFIX_RANGE.fullmatch(spec)
    if match is not None:
        length = int(match.group(1))
        if length == 0 or size == 0:
            raise UnsatisfiableRange(spec)
        return max(size - length, 0), size
    return None
