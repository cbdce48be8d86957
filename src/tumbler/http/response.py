"""The outgoing response: status, headers and a body that is buffered or streamed.

A buffered body is kept as a list of bytes, so the WSGI adapter can hand it to the server as
it is. Anything else iterable (a generator, an async generator, a file wrapper) is streamed.

Speed: ``Response("Hello")`` is the most common object the framework builds, so its path
allocates only the body list, one header list and the instance dict. The status is kept as
an int and the status line is looked up in a table built at import. Instances keep a
``__dict__`` (no ``__slots__``) because Flask code sets attributes on responses and
subclasses them freely; measured, slots would save under 0.1 µs.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import AsyncIterable, Callable, Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from html import escape
from http import HTTPStatus
from typing import Any, Self

from .cookies import dump_cookie
from .datastructures import Headers, _clean
from .response_headers import ResponseHeaderMixin
from .status import HTTP_STATUS_LINES
from .urls import iri_to_uri

# Werkzeug's spelling, which Flask users' tests compare against: "404 NOT FOUND".
_STATUS_LINES = {
    code: f"{code} {line.partition(' ')[2].upper()}" for code, line in HTTP_STATUS_LINES.items()
}

__all__ = ["Response", "adopt_headers", "redirect"]

_new_headers = Headers.__new__  # PERF: Headers without __init__ on the hot path
_TEXT_LIKE = ("application/xml", "application/javascript", "application/ecmascript")
_UNSAFE = ("\r", "\n", "\0")

#: What browsers keep of one cookie (name, value and attributes), as in Werkzeug and Flask.
DEFAULT_MAX_COOKIE_SIZE = 4093


def _no_app_config() -> Mapping[str, Any] | None:
    return None


#: The current app's config, or None outside an app. http/ knows no app: the app layer
#: installs the real lookup (context.py), as Flask's own Response subclass reads current_app.
current_config: Callable[[], Mapping[str, Any] | None] = _no_app_config


def _with_charset(mimetype: str) -> str:
    """The Content-Type for a mimetype: text types get ``; charset=utf-8``."""
    if mimetype.startswith("text/") or mimetype in _TEXT_LIKE or mimetype.endswith("+xml"):
        return f"{mimetype}; charset=utf-8"
    return mimetype


# PERF: mimetype -> checked Content-Type value; mimetypes come from code, so few. Bounded.
_CONTENT_TYPES: dict[str, str] = {"text/html": "text/html; charset=utf-8"}
_CONTENT_TYPES_MAX = 256


def _content_type(mimetype: str) -> str:
    value = _CONTENT_TYPES.get(mimetype)
    if value is None:
        value = _with_charset(mimetype)
        for char in _UNSAFE:
            if char in value:
                raise ValueError("A mimetype must not contain CR, LF or NUL characters.")
        if len(_CONTENT_TYPES) < _CONTENT_TYPES_MAX:
            _CONTENT_TYPES[mimetype] = value
    return value


def _status_from_text(text: str) -> tuple[int, str | None]:
    """Parse ``"404"`` or ``"404 Custom Reason"`` into (code, custom line or None)."""
    text = text.strip()
    number, _, reason = text.partition(" ")
    if not number.isdigit() or not number.isascii():
        raise ValueError(f"A status must start with a number, not {text!r}.")
    for char in _UNSAFE:
        if char in text:
            raise ValueError("A status must not contain CR, LF or NUL characters.")
    reason = reason.strip()
    return int(number), (f"{int(number)} {reason}" if reason else None)


def _encode(chunk: str | bytes | bytearray | memoryview) -> bytes:
    return chunk.encode() if isinstance(chunk, str) else bytes(chunk)


def adopt_headers(response: Response) -> None:
    """Make headers assigned from elsewhere tumbler's own ``Headers`` again.

    Flask code and extensions assign ``response.headers = MultiDict(...)`` (Flask-CORS does,
    then keeps adding to it) or a Werkzeug ``Headers``; tumbler's code and the adapters read
    its own class. The pipeline calls this when the response is made and after each response
    callback, rather than converting on every read: a converting property measured 20 ns a
    read and 35 ns a response (i13 branch), a type check here costs one comparison.
    """
    headers: Any = response.headers
    if not isinstance(headers, Headers):
        response.headers = Headers(headers)


class Response(ResponseHeaderMixin):
    """What the app sends: a status, headers and a body (buffered or streamed)."""

    default_mimetype: str | None = "text/html"
    default_status = 200
    charset = "utf-8"
    direct_passthrough = False
    #: The body: a list of bytes when buffered, else the iterable being streamed.
    response: Any
    headers: Headers
    _status_code: int
    _on_close: list[Callable[[], Any]] | None = None
    _status_line: str | None = None  # only set for a custom reason phrase

    def __init__(
        self,
        response: str | bytes | bytearray | Iterable[Any] | AsyncIterable[Any] | None = None,
        status: int | str | HTTPStatus | None = None,
        headers: Headers | Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
        mimetype: str | None = None,
        content_type: str | None = None,
        direct_passthrough: bool = False,
    ) -> None:
        if headers is None:
            # PERF: no user headers, so none to merge with or check but our own.
            if content_type is None:
                if mimetype is None:
                    mimetype = self.default_mimetype
                if mimetype is not None:
                    content_type = _CONTENT_TYPES.get(mimetype) or _content_type(mimetype)
            else:
                content_type = _clean("Content-Type", content_type)
            if type(response) is str and content_type is not None:
                # PERF: the most common response of all, built in one go.
                data = response.encode()
                self.response = [data]
                self.headers = headers = _new_headers(Headers)
                headers._list = [("Content-Type", content_type), ("Content-Length", str(len(data)))]
                headers._readonly = False
                if status is None:
                    self._status_code = self.default_status
                elif type(status) is int:
                    self._status_code = status
                else:
                    self.status = status
                if direct_passthrough:
                    self.direct_passthrough = True
                return
            self.headers = Headers._trusted(
                [] if content_type is None else [("Content-Type", content_type)]
            )
        else:
            self.headers = headers if isinstance(headers, Headers) else Headers(headers)
            if content_type is None:
                if mimetype is None and "Content-Type" not in self.headers:
                    mimetype = self.default_mimetype
                if mimetype:
                    content_type = _content_type(mimetype)
            if content_type is not None:
                self.headers.set("Content-Type", content_type)
        if direct_passthrough:
            self.direct_passthrough = True
        if status is None:
            self._status_code = self.default_status
        else:
            self.status = status
        self._set_body(response)

    @classmethod
    def from_text(cls, text: str) -> Response:
        """``cls(text)`` for the commonest view result, a ``str``, built without ``__init__``.

        PERF: 0.25 µs less per request than the general constructor. A subclass with its own
        ``__init__`` or without a default mimetype goes through the constructor as usual.
        """
        mimetype = cls.default_mimetype
        if cls.__init__ is not _RESPONSE_INIT or mimetype is None:
            return cls(text)
        self = _new_response(cls)
        data = text.encode()
        self.response = [data]
        self.headers = headers = _new_headers(Headers)
        headers._list = [
            ("Content-Type", _CONTENT_TYPES.get(mimetype) or _content_type(mimetype)),
            ("Content-Length", str(len(data))),
        ]
        headers._readonly = False
        self._status_code = cls.default_status
        return self

    def _set_body(self, response: Any) -> None:
        if response is None:
            self.response = []
            code = self._status_code
            # RFC 9110 §8.6: no Content-Length on 1xx and 204; a 304's would describe the 200.
            if code >= 200 and code != 204 and code != 304 and "Content-Length" not in self.headers:
                self.headers._list.append(("Content-Length", "0"))
        elif isinstance(response, str | bytes | bytearray):
            self.set_data(response)
        elif isinstance(response, list | tuple):
            chunks = [_encode(chunk) for chunk in response]
            self.response = chunks
            self._set_length(sum(map(len, chunks)))
        else:
            self.response = response

    # Status -------------------------------------------------------------------------------------

    @property
    def status_code(self) -> int:
        """The status as a number."""
        return self._status_code

    @status_code.setter
    def status_code(self, code: int) -> None:
        self._status_code = int(code)
        self._status_line = None

    @property
    def status(self) -> str:
        """The status line, e.g. ``"404 NOT FOUND"`` (Werkzeug's spelling, for Flask tests)."""
        line = self._status_line
        if line is not None:
            return line
        code = self._status_code
        return _STATUS_LINES.get(code) or f"{code} UNKNOWN"

    @status.setter
    def status(self, value: int | str | HTTPStatus) -> None:
        if isinstance(value, int):
            self._status_code = int(value)
            self._status_line = None
        else:
            self._status_code, self._status_line = _status_from_text(value)

    # Body ---------------------------------------------------------------------------------------

    @property
    def is_streamed(self) -> bool:
        """Whether the body is an iterable produced while sending (not a buffered list)."""
        return not isinstance(self.response, list)

    def _set_length(self, length: int) -> None:
        headers = self.headers._list
        value = str(length)
        for index, (name, _) in enumerate(headers):
            if name.lower() == "content-length":
                headers[index] = (name, value)
                return
        headers.append(("Content-Length", value))

    def set_data(self, value: str | bytes | bytearray) -> None:
        """Replace the body with a buffered one and set Content-Length."""
        data = value.encode() if isinstance(value, str) else bytes(value)
        self.response = [data]
        self._set_length(len(data))

    def get_data(self, as_text: bool = False) -> Any:
        """The body as bytes (or text); a streamed body is consumed and kept buffered."""
        if self.is_streamed:
            self._buffer()
        data = b"".join(self.response)
        return data.decode() if as_text else data

    def _buffer(self) -> None:
        body = self.response
        if hasattr(body, "__aiter__") and not hasattr(body, "__iter__"):
            raise RuntimeError("An async streamed body cannot be read synchronously.")
        try:
            chunks = [_encode(chunk) for chunk in body]
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        self.response = chunks

    @property
    def data(self) -> bytes:
        """The body as bytes."""
        data: bytes = self.get_data()
        return data

    @data.setter
    def data(self, value: str | bytes) -> None:
        self.set_data(value)

    @property
    def text(self) -> str:
        """The body decoded as UTF-8."""
        text: str = self.get_data(as_text=True)
        return text

    def get_json(self, silent: bool = False) -> Any:
        """The body parsed as JSON (for tests); None on bad JSON when ``silent``."""
        try:
            return json.loads(self.get_data())
        except ValueError:
            if silent:
                return None
            raise

    @property
    def json(self) -> Any:
        """The body parsed as JSON (for tests)."""
        return self.get_json()

    def iter_encoded(self) -> Iterator[bytes]:
        """The body as bytes chunks (str chunks encoded as UTF-8)."""
        for chunk in self.response:
            yield _encode(chunk)

    # Headers ------------------------------------------------------------------------------------

    @property
    def content_type(self) -> str | None:
        """The Content-Type header."""
        return self.headers.get("Content-Type")

    @content_type.setter
    def content_type(self, value: str | None) -> None:
        if value is None:
            self.headers.remove("Content-Type")
        else:
            self.headers.set("Content-Type", value)

    @property
    def mimetype(self) -> str | None:
        """The media type without parameters, lower-cased."""
        value = self.headers.get("Content-Type")
        return value.split(";", 1)[0].strip().lower() if value else None

    @mimetype.setter
    def mimetype(self, value: str) -> None:
        self.headers.set("Content-Type", _content_type(value))

    @property
    def mimetype_params(self) -> dict[str, str]:
        """The Content-Type parameters, names lower-cased (a copy: changing it does nothing)."""
        value = self.headers.get("Content-Type") or ""
        params = {}
        for item in value.split(";")[1:]:
            key, _, val = item.partition("=")
            if key.strip():
                params[key.strip().lower()] = val.strip().strip('"')
        return params

    @property
    def content_length(self) -> int | None:
        """The Content-Length header as a number (None when missing or invalid)."""
        value = self.headers.get("Content-Length")
        return int(value) if value and value.isdigit() else None

    @content_length.setter
    def content_length(self, value: int | None) -> None:
        if value is None:
            self.headers.remove("Content-Length")
        else:
            self.headers.set("Content-Length", int(value))

    @property
    def location(self) -> str | None:
        """The Location header."""
        return self.headers.get("Location")

    @location.setter
    def location(self, value: str | None) -> None:
        if value is None:
            self.headers.remove("Location")
        else:
            self.headers.set("Location", value)

    # Cookies ------------------------------------------------------------------------------------

    _max_cookie_size: int | None = None

    @property
    def max_cookie_size(self) -> int:
        """The size a ``Set-Cookie`` may reach before ``set_cookie`` warns; 0 turns it off.

        As in Flask: the current app's ``MAX_COOKIE_SIZE``, else 4093 bytes (what browsers
        keep; a larger cookie is silently dropped). Settable per response.
        """
        own = self._max_cookie_size
        if own is not None:
            return own
        config = current_config()
        if config is None:
            return DEFAULT_MAX_COOKIE_SIZE
        return int(config.get("MAX_COOKIE_SIZE", DEFAULT_MAX_COOKIE_SIZE) or 0)

    @max_cookie_size.setter
    def max_cookie_size(self, value: int) -> None:
        self._max_cookie_size = value

    def set_cookie(
        self,
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
    ) -> None:
        """Add a ``Set-Cookie`` header (ValueError for anything that could inject).

        A cookie larger than ``max_cookie_size`` is still set, with a warning that names its
        size: browsers drop it without a word, which is hard to debug from the server side.
        """
        headers = self.headers
        headers._writable()
        cookie = dump_cookie(  # PERF: positional, 30 ns less than by keyword
            key, value, max_age, expires, path, domain, secure, httponly, samesite, partitioned
        )
        limit = self.max_cookie_size
        if limit and len(cookie) > limit:  # (servers send headers as latin-1: len is the size)
            _warn_cookie_size(key, len(cookie), limit)
        # PERF: dump_cookie's output is already checked (no CR, LF or NUL): 0.2 µs less.
        headers._list.append(("Set-Cookie", cookie))

    def delete_cookie(
        self,
        key: str,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: str | None = None,
        partitioned: bool = False,
    ) -> None:
        """Tell the browser to drop a cookie: empty value, expired, ``Max-Age=0``."""
        self.set_cookie(
            key,
            expires=0,
            max_age=0,
            path=path,
            domain=domain,
            secure=secure,
            httponly=httponly,
            samesite=samesite,
            partitioned=partitioned,
        )

    # After sending ------------------------------------------------------------------------------

    def call_on_close(self, func: Callable[[], Any]) -> Callable[[], Any]:
        """Have the adapter call ``func()`` once the response is sent (or the client left)."""
        if self._on_close is None:
            self._on_close = []
        self._on_close.append(func)
        return func

    @property
    def on_close_callbacks(self) -> tuple[Callable[[], Any], ...]:
        """The functions ``call_on_close`` registered, in order."""
        return tuple(self._on_close) if self._on_close else ()

    def close(self) -> None:
        """Close a streamed body and run the ``call_on_close`` callbacks now (once).

        The servers' adapters run those callbacks after sending; a response closed by hand
        has none left for them.
        """
        body = self.response
        close = getattr(body, "close", None) if type(body) is not list else None
        if close is not None:
            close()
        callbacks, self._on_close = self._on_close, None
        for func in callbacks or ():
            func()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _body_bytes(self) -> bytes:
        data: bytes = self.get_data()
        return data

    def __repr__(self) -> str:
        if self.is_streamed:
            size = "streamed"
        else:
            size = f"{sum(map(len, self.response))} bytes"
        return f"<{type(self).__name__} {size} [{self.status}]>"


_Response = Response


def _warn_cookie_size(key: str, size: int, limit: int) -> None:
    """Warn as Flask does (``warnings.warn``): browsers drop such a cookie without a word."""
    warnings.warn(
        f"The {key!r} cookie is {size} bytes, over the {limit}-byte limit (MAX_COOKIE_SIZE): "
        "browsers may silently ignore it. Store less in it (for a session, keep large data "
        "on the server).",
        stacklevel=3,
    )


_RESPONSE_INIT = Response.__init__
_new_response = Response.__new__


def redirect(location: str, code: int = 302, Response: type[Response] | None = None) -> Response:
    """A response that redirects to ``location`` (non-ASCII is percent-encoded as UTF-8).

    A scheme-relative location (``//host``, ``/\\host``, ``\\host``) is reduced to a path on
    this host: browsers would follow it to another site, and it is how open redirects built
    from user input usually look. An absolute URL (``https://host/``) is sent as given.
    """
    cls = Response or _Response
    if "\r" in location or "\n" in location or "\0" in location:
        raise ValueError("A redirect location must not contain CR, LF or NUL characters.")
    if location[:2] in ("//", "/\\") or location[:1] == "\\":
        location = "/" + location.lstrip("/\\")
    location = iri_to_uri(location)  # then a valid URI reference (``\`` too becomes %5C)
    url = escape(location)
    response = cls(
        "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n"
        f'<h1>Redirecting...</h1>\n<p>You should be redirected to <a href="{url}">{url}</a>.'
        "</p>\n",
        status=code,
    )
    response.headers.set("Location", location)
    return response
