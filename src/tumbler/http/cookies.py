"""Cookies: parsing the ``Cookie`` header and building ``Set-Cookie`` values (RFC 6265).

Parsing is lenient the way browsers are and never raises:

- pairs are split on ``;`` and stripped; a pair without ``=`` or with an empty name is
  skipped (Werkzeug keeps ``a`` as ``{"a": ""}``; we skip it), ``name=`` keeps the empty value;
- the first occurrence of a name wins: browsers send the most specific cookie (longest path)
  first, so that is the one the app means;
- a value wrapped in double quotes is unquoted and its backslash escapes (``\\073`` octal,
  or ``\\"``) are decoded, so values written by ``dump_cookie`` (and Werkzeug, and Python's
  ``http.cookies``) read back exactly;
- the header is taken as a WSGI-style latin-1 string: its bytes are decoded as UTF-8, and a
  byte that is not valid UTF-8 becomes U+FFFD (as in query strings and forms).

Building is strict: a name that is not an RFC 9110 token, or a path, domain or expires string
that holds ``;`` or a control character, raises ValueError. A value outside RFC 6265's
cookie-octets is double-quoted with every such byte written as a ``\\ooo`` octal escape of its
UTF-8 encoding (the format Werkzeug and ``http.cookies`` use), so the result is printable
ASCII and nothing in a value can end the value or add an attribute.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

__all__ = ["dump_cookie", "parse_cookie"]

# RFC 6265 §4.1.1 cookie-octet: %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E
_OCTET_CLASS = r"\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e"
_PLAIN_VALUE = re.compile(f"[{_OCTET_CLASS}]*")
_OCTETS = frozenset(re.findall(f"[{_OCTET_CLASS}]", "".join(map(chr, range(128)))))
# Each byte of the UTF-8 encoding -> its text in a quoted value.
_QUOTED_BYTE = [chr(b) if chr(b) in _OCTETS else f"\\{b:03o}" for b in range(256)]
# RFC 9110 §5.6.2 token, for cookie names.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_ESCAPE = re.compile(rb"\\(?:([0-3][0-7][0-7])|(.))", re.S)
_FORBIDDEN_IN_ATTRIBUTE = re.compile(r"[;\x00-\x1f\x7f]")
_SAMESITE = {"strict": "Strict", "lax": "Lax", "none": "None"}
_VALID_NAMES: set[str] = set()  # PERF: names already checked; apps use a handful
_VALID_NAMES_MAX = 1024


def _unescape(match: re.Match[bytes]) -> bytes:
    octal = match.group(1)
    return bytes((int(octal, 8),)) if octal else match.group(2)


def _to_text(value: str) -> str:
    """Read a latin-1 header string's bytes as UTF-8, invalid bytes as U+FFFD.

    As query strings and forms do: a byte that is not UTF-8 never turns into the Latin-1
    character that happens to share its number.
    """
    try:
        raw = value.encode("latin-1")
    except UnicodeError:  # not latin-1: already text, keep it
        return value
    return raw.decode("utf-8", "replace")


def _unquote(value: str) -> str:
    try:
        raw = value.encode("latin-1")
    except UnicodeError:
        raw = value.encode("utf-8")
    if b"\\" in raw:
        raw = _ESCAPE.sub(_unescape, raw)
    return raw.decode("utf-8", "replace")


def parse_cookie(header: str | None) -> dict[str, str]:
    """Parse a ``Cookie`` header into a dict; the first value of a repeated name wins."""
    cookies: dict[str, str] = {}
    if not header:
        return cookies
    if ";" not in header and '"' not in header and header.isascii():
        # PERF: one plain cookie, the commonest header (0.1 µs)
        name, sep, value = header.partition("=")
        name = name.strip()
        if sep and name:
            cookies[name] = value.strip()
        return cookies
    for part in header.split(";"):
        name, sep, value = part.partition("=")
        if not sep:
            continue
        name = name.strip()
        if not name or name in cookies:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
            value = _unquote(value[1:-1])
        elif not value.isascii():
            value = _to_text(value)
        if not name.isascii():
            name = _to_text(name)
        cookies[name] = value
    return cookies


def _quote(value: str) -> str:
    if (value.isalnum() and value.isascii()) or _PLAIN_VALUE.fullmatch(value):
        return value  # PERF: letters and digits need no regex (0.1 µs)
    table = _QUOTED_BYTE
    return '"' + "".join([table[b] for b in value.encode("utf-8")]) + '"'


def _attribute(name: str, value: str) -> str:
    if _FORBIDDEN_IN_ATTRIBUTE.search(value):
        raise ValueError(f"The cookie {name} must not contain ';' or control characters.")
    return value


def _http_date(value: datetime | int | float | str) -> str:
    if isinstance(value, str):
        return _attribute("expires", value)
    if isinstance(value, int | float):
        value = datetime.fromtimestamp(value, tz=UTC)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # naive datetimes are UTC, as in Werkzeug
    return format_datetime(value.astimezone(UTC), usegmt=True)


def _seconds(max_age: int | float | timedelta) -> int:
    if isinstance(max_age, timedelta):
        return int(max_age.total_seconds())
    return int(max_age)


def dump_cookie(
    key: str,
    value: str = "",
    max_age: int | timedelta | None = None,
    expires: datetime | int | float | str | None = None,
    path: str | None = "/",
    domain: str | None = None,
    secure: bool = False,
    httponly: bool = False,
    samesite: str | None = None,
    partitioned: bool = False,
) -> str:
    """Build a ``Set-Cookie`` header value; ValueError for anything that could inject."""
    if key not in _VALID_NAMES:
        if not isinstance(key, str) or not _TOKEN.fullmatch(key):
            raise ValueError(f"Invalid cookie name {key!r}: it must be an RFC 9110 token.")
        if len(_VALID_NAMES) < _VALID_NAMES_MAX:
            _VALID_NAMES.add(key)
    pair = f"{key}={_quote(value if type(value) is str else str(value))}"
    if (
        path == "/"
        and max_age is None
        and expires is None
        and not (domain or secure or httponly or samesite or partitioned)
    ):
        return pair + "; Path=/"  # PERF: the commonest cookie, no list to join (0.1 µs)
    return _with_attributes(
        pair, max_age, expires, path, domain, secure, httponly, samesite, partitioned
    )


def _with_attributes(
    pair: str,
    max_age: int | timedelta | None,
    expires: datetime | int | float | str | None,
    path: str | None,
    domain: str | None,
    secure: bool,
    httponly: bool,
    samesite: str | None,
    partitioned: bool,
) -> str:
    parts = [pair]
    if domain:
        parts.append(f"Domain={_attribute('domain', domain)}")
    seconds = None if max_age is None else _seconds(max_age)
    if expires is None and seconds is not None:
        expires = datetime.now(UTC) + timedelta(seconds=seconds)
    if expires is not None:
        parts.append(f"Expires={_http_date(expires)}")
    if seconds is not None:
        parts.append(f"Max-Age={seconds}")
    if secure or partitioned:  # CHIPS: a partitioned cookie must be Secure
        parts.append("Secure")
    if httponly:
        parts.append("HttpOnly")
    if path is not None and path != "/":
        parts.append(f"Path={_attribute('path', path)}")
    elif path is not None:
        parts.append("Path=/")
    if samesite is not None:
        normal = _SAMESITE.get(str(samesite).lower())
        if normal is None:
            raise ValueError("SameSite must be 'Strict', 'Lax' or 'None'.")
        parts.append(f"SameSite={normal}")
    if partitioned:
        parts.append("Partitioned")
    return "; ".join(parts)
