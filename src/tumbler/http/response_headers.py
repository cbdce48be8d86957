"""Response attributes over single headers, and ``make_conditional``, with Werkzeug's names.

A mixin of ``Response``. The objects it hands out are live: ``response.cache_control``,
``response.vary``, ``response.allow`` and ``response.content_range`` write the header back on
every change, so ``response.cache_control.max_age = 60`` sets ``Cache-Control: max-age=60``.

``make_conditional`` follows Werkzeug's rules (``is_resource_modified``), with two
differences written in ``docs/migrating.md``: ``If-Match: *`` matches any entity-tag, and
a suffix range longer than the body selects the whole body.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, formatdate
from typing import TYPE_CHECKING, Any

from .exceptions import RequestedRangeNotSatisfiable
from .headervalues import (
    ContentRange,
    ETags,
    HeaderSet,
    Range,
    ResponseCacheControl,
    generate_etag,
    quote_etag,
    unquote_etag,
)
from .request_headers import parse_date

if TYPE_CHECKING:
    from .datastructures import Headers

__all__ = ["ResponseHeaderMixin"]

# Werkzeug's entity headers a 304 drops (all but Expires and Content-Location).
_DROPPED_BY_304 = (
    "Allow",
    "Content-Encoding",
    "Content-Language",
    "Content-Length",
    "Content-MD5",
    "Content-Range",
    "Content-Type",
    "Last-Modified",
)

HeaderGetter = Callable[[str], str | None]


def _format_date(value: datetime | int | float | str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return formatdate(value, usegmt=True)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return format_datetime(value.astimezone(UTC), usegmt=True)


def _request_getter(request_or_environ: Any) -> tuple[str, HeaderGetter]:
    """The method and a header lookup of a tumbler request, a Werkzeug one, or an environ."""
    if isinstance(request_or_environ, dict):
        environ = request_or_environ

        def from_environ(name: str) -> str | None:
            value: str | None = environ.get("HTTP_" + name.upper().replace("-", "_"))
            return value

        return str(environ.get("REQUEST_METHOD", "GET")).upper(), from_environ
    headers = request_or_environ.headers
    return str(request_or_environ.method).upper(), headers.get


def _unmodified(
    get: HeaderGetter, etag: str | None, last_modified: datetime | None, use_if_range: bool
) -> bool:
    """Werkzeug's ``not is_resource_modified``: the client's copy is current."""
    if_range = get("if-range") if use_if_range and get("range") is not None else None
    if_range_tag: str | None = None
    if if_range is not None and if_range.strip().startswith(('"', 'W/"')):
        if_range_tag = unquote_etag(if_range)[0]
        since = None
    else:
        since = parse_date(if_range if if_range is not None else get("if-modified-since"))
    unmodified = bool(since and last_modified and last_modified <= since)
    if etag:
        tag = unquote_etag(etag)[0] or ""
        if if_range_tag is not None:
            return if_range_tag == tag
        if_none_match = ETags.from_header(get("if-none-match"))
        if if_none_match:
            unmodified = if_none_match.contains_weak(tag)
        if_match = ETags.from_header(get("if-match"))
        if if_match:
            unmodified = not if_match.contains(tag)
    return unmodified


def _range_of(body: Iterable[Any], start: int, length: int) -> Iterator[bytes]:
    """The bytes ``start`` to ``start + length`` of a streamed body."""
    position = 0
    end = start + length
    try:
        for chunk in body:
            data = chunk.encode() if isinstance(chunk, str) else bytes(chunk)
            low, high = max(start - position, 0), min(end - position, len(data))
            position += len(data)
            if high > low:
                yield data[low:high]
            if position >= end:
                break
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()


async def _async_range_of(body: Any, start: int, length: int) -> AsyncIterator[bytes]:
    """As ``_range_of``, for an async streamed body."""
    position = 0
    end = start + length
    try:
        async for chunk in body:
            data = chunk.encode() if isinstance(chunk, str) else bytes(chunk)
            low, high = max(start - position, 0), min(end - position, len(data))
            position += len(data)
            if high > low:
                yield data[low:high]
            if position >= end:
                break
    finally:
        aclose = getattr(body, "aclose", None)
        if aclose is not None:
            await aclose()


class ResponseHeaderMixin:
    """Typed, live views of response headers (``Response`` supplies ``headers``)."""

    headers: Headers
    response: Any
    status_code: int

    # Cache-Control, Vary, Allow ------------------------------------------------------------

    @property
    def cache_control(self) -> ResponseCacheControl:
        """The Cache-Control directives; setting one (``max_age = 60``) updates the header."""

        def on_update(value: ResponseCacheControl) -> None:
            self._set_or_remove("Cache-Control", value.to_header())

        cache_control: ResponseCacheControl = ResponseCacheControl.from_header(
            self.headers.get("Cache-Control"), on_update
        )
        return cache_control

    def _set_or_remove(self, name: str, value: str | None) -> None:
        if value:
            self.headers[name] = value
        elif name in self.headers:
            self.headers.remove(name)

    def _header_set(self, name: str) -> HeaderSet:
        return HeaderSet.from_header(
            self.headers.get(name), lambda value: self._set_or_remove(name, value.to_header())
        )

    def _set_header_set(self, name: str, value: str | Iterable[str] | None) -> None:
        if value is None or isinstance(value, str):
            self._set_or_remove(name, value)
        else:
            self._set_or_remove(name, HeaderSet(value).to_header())

    @property
    def vary(self) -> HeaderSet:
        """The Vary header as a live set (``response.vary.add("Cookie")``)."""
        return self._header_set("Vary")

    @vary.setter
    def vary(self, value: str | Iterable[str] | None) -> None:
        self._set_header_set("Vary", value)

    @property
    def allow(self) -> HeaderSet:
        """The Allow header as a live set of methods."""
        return self._header_set("Allow")

    @allow.setter
    def allow(self, value: str | Iterable[str] | None) -> None:
        self._set_header_set("Allow", value)

    # Dates ---------------------------------------------------------------------------------

    def _date(self, name: str) -> datetime | None:
        return parse_date(self.headers.get(name))

    def _set_date(self, name: str, value: datetime | int | float | str | None) -> None:
        self._set_or_remove(name, None if value is None else _format_date(value))

    @property
    def expires(self) -> datetime | None:
        """The Expires header as a UTC datetime; set a datetime, a timestamp or None."""
        return self._date("Expires")

    @expires.setter
    def expires(self, value: datetime | int | float | str | None) -> None:
        self._set_date("Expires", value)

    @property
    def last_modified(self) -> datetime | None:
        """The Last-Modified header as a UTC datetime."""
        return self._date("Last-Modified")

    @last_modified.setter
    def last_modified(self, value: datetime | int | float | str | None) -> None:
        self._set_date("Last-Modified", value)

    @property
    def date(self) -> datetime | None:
        """The Date header as a UTC datetime."""
        return self._date("Date")

    @date.setter
    def date(self, value: datetime | int | float | str | None) -> None:
        self._set_date("Date", value)

    @property
    def retry_after(self) -> datetime | None:
        """The Retry-After header as a UTC datetime (a number of seconds counts from now)."""
        value = self.headers.get("Retry-After")
        if value is not None and value.strip().isdigit():
            return datetime.now(UTC) + timedelta(seconds=int(value))
        return parse_date(value)

    @retry_after.setter
    def retry_after(self, value: datetime | int | str | None) -> None:
        if isinstance(value, int):
            self._set_or_remove("Retry-After", str(value))
        else:
            self._set_date("Retry-After", value)

    @property
    def age(self) -> timedelta | None:
        """The Age header as a timedelta."""
        value = self.headers.get("Age")
        if value is None or not (value.isdigit() and value.isascii()):
            return None
        return timedelta(seconds=int(value))

    @age.setter
    def age(self, value: timedelta | int | None) -> None:
        if isinstance(value, timedelta):
            value = int(value.total_seconds())
        self._set_or_remove("Age", None if value is None else str(value))

    # Content metadata ------------------------------------------------------------------------

    @property
    def content_encoding(self) -> str | None:
        """The Content-Encoding header (``gzip``, ``br``, ...)."""
        return self.headers.get("Content-Encoding")

    @content_encoding.setter
    def content_encoding(self, value: str | None) -> None:
        self._set_or_remove("Content-Encoding", value)

    @property
    def content_location(self) -> str | None:
        """The Content-Location header."""
        return self.headers.get("Content-Location")

    @content_location.setter
    def content_location(self, value: str | None) -> None:
        self._set_or_remove("Content-Location", value)

    @property
    def content_language(self) -> HeaderSet:
        """The Content-Language header as a live set."""
        return self._header_set("Content-Language")

    @content_language.setter
    def content_language(self, value: str | Iterable[str] | None) -> None:
        self._set_header_set("Content-Language", value)

    # Ranges ----------------------------------------------------------------------------------

    @property
    def content_range(self) -> ContentRange:
        """The Content-Range header as a live object (unset when the header is missing)."""

        def on_update(value: ContentRange) -> None:
            self._set_or_remove("Content-Range", value.to_header())

        parsed = ContentRange.from_header(self.headers.get("Content-Range"), on_update)
        return parsed if parsed is not None else ContentRange(None, None, None, None, on_update)

    @content_range.setter
    def content_range(self, value: ContentRange | str | None) -> None:
        if isinstance(value, ContentRange):
            value = value.to_header()
        self._set_or_remove("Content-Range", value)

    @property
    def accept_ranges(self) -> str | None:
        """The Accept-Ranges header (``bytes`` or ``none``)."""
        return self.headers.get("Accept-Ranges")

    @accept_ranges.setter
    def accept_ranges(self, value: str | None) -> None:
        self._set_or_remove("Accept-Ranges", value)

    # Body type ------------------------------------------------------------------------------

    @property
    def is_json(self) -> bool:
        """Whether the body is JSON (``application/json`` or ``application/*+json``)."""
        value = self.headers.get("Content-Type") or ""
        mimetype = value.partition(";")[0].strip().lower()
        return mimetype == "application/json" or (
            mimetype.startswith("application/") and mimetype.endswith("+json")
        )

    # Entity tags -----------------------------------------------------------------------------

    def set_etag(self, etag: str, weak: bool = False) -> None:
        """Set the ETag header to ``etag`` (quoted here; ``weak`` gives ``W/"..."``)."""
        self.headers["ETag"] = quote_etag(etag, weak)

    def get_etag(self) -> tuple[str, bool] | tuple[None, None]:
        """``(etag, is_weak)`` of the ETag header, or ``(None, None)``."""
        tag, weak = unquote_etag(self.headers.get("ETag"))
        return (None, None) if tag is None else (tag, weak)

    def add_etag(self, overwrite: bool = False, weak: bool = False) -> None:
        """Set an ETag from the body's SHA-1, unless one is set (or ``overwrite``)."""
        if overwrite or "ETag" not in self.headers:
            self.set_etag(generate_etag(self._body_bytes()), weak)

    def _body_bytes(self) -> bytes:
        raise NotImplementedError

    # Conditional requests --------------------------------------------------------------------

    def make_conditional(
        self,
        request_or_environ: Any,
        accept_ranges: bool | str = False,
        complete_length: int | None = None,
    ) -> Any:
        """Answer a conditional GET or HEAD as Werkzeug does: 304, 412, or 206 for a Range.

        ``accept_ranges`` sets Accept-Ranges (True: ``bytes``); a Range is served only with
        ``complete_length``, the body's full size. An unsatisfiable range raises 416.
        """
        method, get = _request_getter(request_or_environ)
        if method not in ("GET", "HEAD"):
            return self
        if "Date" not in self.headers:
            self.headers["Date"] = formatdate(usegmt=True)
        partial = self._process_range(get, accept_ranges, complete_length)
        etag = self.headers.get("ETag")
        last_modified = self.last_modified
        if not partial and _unmodified(get, etag, last_modified, use_if_range=False):
            if ETags.from_header(get("if-match")):
                self.status_code = 412
            else:
                self._not_modified()
        if (
            self.status_code != 304
            and "Content-Length" not in self.headers
            and type(self.response) is list
        ):
            self.headers["Content-Length"] = str(sum(map(len, self.response)))
        return self

    def _not_modified(self) -> None:
        self.status_code = 304
        self._drop_body()
        for name in _DROPPED_BY_304:
            if name in self.headers:
                self.headers.remove(name)

    def _drop_body(self) -> None:
        body = self.response
        close = getattr(body, "close", None) if type(body) is not list else None
        self.response = []
        if close is not None:
            close()

    def _process_range(
        self, get: HeaderGetter, accept_ranges: bool | str, complete_length: int | None
    ) -> bool:
        if isinstance(accept_ranges, bool):
            accept_ranges = "bytes" if accept_ranges else "none"
        self.headers["Accept-Ranges"] = accept_ranges
        header = get("range")
        if header is None or complete_length is None:
            return False
        if get("if-range") is not None and not _unmodified(
            get, self.headers.get("ETag"), self.last_modified, use_if_range=True
        ):
            return False
        parsed = Range.from_header(header)
        span = None if parsed is None else parsed.range_for_length(complete_length)
        if parsed is None or span is None:
            raise RequestedRangeNotSatisfiable(complete_length)
        start, stop = span
        self.headers["Content-Length"] = str(stop - start)
        self.content_range = ContentRange(parsed.units, start, stop, complete_length)
        if self.status_code == 200:
            self._slice_body(start, stop - start)
        self.status_code = 206
        return True

    def _slice_body(self, start: int, length: int) -> None:
        body = self.response
        if type(body) is list:
            self.response = [b"".join(body)[start : start + length]]
        elif hasattr(body, "__aiter__") and not hasattr(body, "__iter__"):
            self.response = _async_range_of(body, start, length)
        else:
            self.response = _range_of(body, start, length)
