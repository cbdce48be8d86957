"""Cookies: parsing the ``Cookie`` header and building ``Set-Cookie`` values (RFC 6265).

Parsing is lenient the way browsers are and never raises: garbage pairs are skipped. Building
is strict: a name, path, domain or SameSite value that could smuggle an attribute is refused,
and a value outside RFC 6265's cookie-octets is quoted with octal escapes, so it can never
end the attribute list early.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

__all__ = ["dump_cookie", "parse_cookie"]

# RFC 6265 cookie-octet: %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E
_COOKIE_OCTETS = frozenset(
    chr(c)
    for c in [0x21, *range(0x23, 0x2C), *range(0x2D, 0x3B), *range(0x3C, 0x5C), *range(0x5D, 0x7F)]
)
# RFC 9110 token characters, for cookie names.
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_OCTAL = re.compile(rb"\\([0-3][0-7]{2})|\\(.)", re.S)
_FORBIDDEN_IN_ATTRIBUTE = re.compile(r"[;\x00-\x1f\x7f]")
_VALID_NAMES: set[str] = set()
_SAMESITE = {"strict": "Strict", "lax": "Lax", "none": "None"}


def _unquote(value: str) -> str:
    raw = value.encode("latin-1", "replace")
    if b"\\" in raw:
        raw = _OCTAL.sub(lambda m: bytes([int(m.group(1), 8)]) if m.group(1) else m.group(2), raw)
    return raw.decode("utf-8", "replace")


def parse_cookie(header: str | None) -> dict[str, str]:
    """Parse a ``Cookie`` header; the first value of a repeated name wins. Never raises."""
    if not header:
        return {}
    cookies: dict[str, str] = {}
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
            value = value.encode("latin-1", "replace").decode("utf-8", "replace")
        cookies[name] = value
    return cookies


_PLAIN_VALUE = re.compile(r"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*")


def _quote(value: str) -> str:
    if _PLAIN_VALUE.fullmatch(value):
        return value
    out = []
    for byte in value.encode("utf-8"):
        char = chr(byte)
        out.append(char if char in _COOKIE_OCTETS else f"\\{byte:03o}")
    return '"' + "".join(out) + '"'


def _attribute(name: str, value: str) -> str:
    if value == "/":
        return value
    if _FORBIDDEN_IN_ATTRIBUTE.search(value):
        raise ValueError(f"The cookie {name} must not contain ';' or control characters.")
    return value


def _http_date(value: datetime | int | float | str) -> str:
    if isinstance(value, str):
        return _attribute("expires", value)
    if isinstance(value, int | float):
        value = datetime.fromtimestamp(value, tz=UTC)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return format_datetime(value.astimezone(UTC), usegmt=True)


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
        if not isinstance(key, str) or not _TOKEN.match(key):
            raise ValueError(f"Invalid cookie name {key!r}: it must be an RFC 9110 token.")
        if len(_VALID_NAMES) < 1024:  # PERF: apps use a handful of names; bounded cache
            _VALID_NAMES.add(key)
    parts = [f"{key}={_quote(str(value))}"]
    if domain:
        parts.append(f"Domain={_attribute('domain', domain)}")
    if expires is None and max_age is not None:
        seconds = max_age if isinstance(max_age, int) else int(max_age.total_seconds())
        expires = datetime.now(UTC) + timedelta(seconds=seconds)
    if expires is not None:
        parts.append(f"Expires={_http_date(expires)}")
    if max_age is not None:
        seconds = max_age if isinstance(max_age, int) else int(max_age.total_seconds())
        parts.append(f"Max-Age={int(seconds)}")
    if partitioned:
        secure = True
    if secure:
        parts.append("Secure")
    if httponly:
        parts.append("HttpOnly")
    if path is not None:
        parts.append(f"Path={_attribute('path', path)}")
    if samesite is not None:
        normal = _SAMESITE.get(str(samesite).lower())
        if normal is None:
            raise ValueError("SameSite must be 'Strict', 'Lax' or 'None'.")
        parts.append(f"SameSite={normal}")
    if partitioned:
        parts.append("Partitioned")
    return "; ".join(parts)
