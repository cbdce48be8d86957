"""The request attributes that parse one header each, with Werkzeug's names and types.

A mixin of ``Request``, kept apart so the request module stays about its sources and body.
Each attribute parses on every read: they are rarely read more than once in a request, and
no cache means no attribute to reset.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from .headervalues import (
    Authorization,
    ETags,
    Range,
    RequestCacheControl,
    UserAgent,
)

__all__ = ["RequestHeaderMixin", "parse_date"]


def parse_date(value: str | None) -> datetime | None:
    """An HTTP date as an aware UTC datetime; None when missing or malformed."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


class RequestHeaderMixin:
    """Parsed views of single request headers (``Request`` supplies ``_header``)."""

    #: The class ``user_agent`` returns; replace it to plug in a user-agent parser.
    user_agent_class: type[Any] = UserAgent

    def _header(self, lower_name: str) -> str | None:
        raise NotImplementedError

    @property
    def authorization(self) -> Authorization | None:
        """The Authorization header: ``.type``, ``.username``/``.password``, ``.token``."""
        return Authorization.from_header(self._header("authorization"))

    @property
    def if_modified_since(self) -> datetime | None:
        """The If-Modified-Since date (UTC), or None."""
        return parse_date(self._header("if-modified-since"))

    @property
    def if_unmodified_since(self) -> datetime | None:
        """The If-Unmodified-Since date (UTC), or None."""
        return parse_date(self._header("if-unmodified-since"))

    @property
    def if_match(self) -> ETags:
        """The If-Match entity-tags (``"x" in request.if_match``); empty when absent."""
        return ETags.from_header(self._header("if-match"))

    @property
    def if_none_match(self) -> ETags:
        """The If-None-Match entity-tags; empty when absent."""
        return ETags.from_header(self._header("if-none-match"))

    @property
    def range(self) -> Range | None:
        """The Range header, or None when missing or malformed."""
        return Range.from_header(self._header("range"))

    @property
    def cache_control(self) -> RequestCacheControl:
        """The client's Cache-Control directives."""
        cache_control: RequestCacheControl = RequestCacheControl.from_header(
            self._header("cache-control")
        )
        return cache_control

    @property
    def origin(self) -> str | None:
        """The Origin header (where a cross-origin request comes from)."""
        return self._header("origin")

    @property
    def date(self) -> datetime | None:
        """The Date header (UTC), or None."""
        return parse_date(self._header("date"))

    @property
    def pragma(self) -> str | None:
        """The Pragma header."""
        return self._header("pragma")

    @property
    def user_agent(self) -> Any:
        """The User-Agent: a ``str`` with ``.string``, as Werkzeug's ``UserAgent``."""
        return self.user_agent_class(self._header("user-agent") or "")

    @property
    def remote_addr(self) -> str | None:
        """The client's address, as the server reports it."""
        raise NotImplementedError

    @property
    def access_route(self) -> list[str]:
        """The client and the proxies it came through: X-Forwarded-For, else the peer."""
        forwarded = self._header("x-forwarded-for")
        if forwarded:
            return [item.strip() for item in forwarded.split(",") if item.strip()]
        addr = self.remote_addr
        return [addr] if addr else []
