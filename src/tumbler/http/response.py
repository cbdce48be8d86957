"""The outgoing response: status, headers and a body that is buffered or streamed.

A buffered body is kept as a list of bytes, so the WSGI adapter can hand it to the server as
it is. Anything else iterable (a generator, an async generator) is streamed as it comes.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, Callable, Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from html import escape
from http import HTTPStatus
from typing import Any

from .cookies import dump_cookie
from .datastructures import Headers
from .status import HTTP_STATUS_LINES

__all__ = ["Response", "redirect"]

_TEXT_LIKE = ("application/xml", "application/javascript", "application/ecmascript")


def _with_charset(mimetype: str) -> str:
    if mimetype.startswith("text/") or mimetype in _TEXT_LIKE or mimetype.endswith("+xml"):
        return f"{mimetype}; charset=utf-8"
    return mimetype


def _status_line(code: int) -> str:
    line = HTTP_STATUS_LINES.get(code)
    if line is None:
        return f"{code} UNKNOWN"
    number, _, phrase = line.partition(" ")
    return f"{number} {phrase.upper()}"


_UPPER_LINES = {code: _status_line(code) for code in HTTP_STATUS_LINES}
_HTML = "text/html; charset=utf-8"


class Response:
    """What the app sends: a status, headers and a body (buffered or streamed)."""

    default_mimetype: str | None = "text/html"
    default_status = 200
    charset = "utf-8"
    direct_passthrough = False
    #: The body: a list of bytes when buffered, else the iterable being streamed.
    response: Any
    _on_close: list[Callable[[], Any]] | None = None
    _status_line: str | None = None

    def __init__(
        self,
        response: str | bytes | bytearray | Iterable[Any] | AsyncIterable[Any] | None = None,
        status: int | str | HTTPStatus | None = None,
        headers: Headers | Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
        mimetype: str | None = None,
        content_type: str | None = None,
        direct_passthrough: bool = False,
    ) -> None:
        if type(response) is str and headers is None and mimetype is None and content_type is None:
            # PERF: the most common response of all, built directly (0.9 -> 0.4 µs).
            data = response.encode()
            self.response = [data]
            self.headers = Headers._trusted(
                [("Content-Type", _HTML), ("Content-Length", str(len(data)))]
            )
            if status is None:
                self._status_code = self.default_status
            else:
                self.status = status
            return
        self.direct_passthrough = direct_passthrough
        if headers is None and mimetype is None and content_type is None:
            # PERF: the common case skips validation of our own constant header.
            self.headers = Headers._trusted([("Content-Type", _HTML)])
        else:
            self.headers = headers if isinstance(headers, Headers) else Headers(headers)
            if content_type is None:
                if mimetype is None and "Content-Type" not in self.headers:
                    mimetype = self.default_mimetype
                if mimetype is not None:
                    content_type = _with_charset(mimetype)
            if content_type is not None:
                self.headers.set("Content-Type", content_type)
        if status is None:
            self._status_code = self.default_status
        else:
            self.status = status
        if response is None:
            self.response = []
            self.headers._list.append(("Content-Length", "0"))
        elif isinstance(response, str | bytes | bytearray):
            self.set_data(response)
        elif isinstance(response, list | tuple):
            chunks = [c.encode() if isinstance(c, str) else bytes(c) for c in response]
            self.response = chunks
            self.headers.set("Content-Length", sum(len(c) for c in chunks))
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
        """The status line, e.g. ``"404 NOT FOUND"`` (Werkzeug's spelling)."""
        line = self._status_line
        if line is not None:
            return line
        return _UPPER_LINES.get(self._status_code) or f"{self._status_code} UNKNOWN"

    @status.setter
    def status(self, value: int | str | HTTPStatus) -> None:
        if isinstance(value, int):
            self.status_code = value
            return
        text = value.strip()
        number, _, reason = text.partition(" ")
        if not number.isdigit():
            raise ValueError(f"A status must start with a number, not {value!r}.")
        if "\n" in text or "\r" in text or "\0" in text:
            raise ValueError("A status must not contain CR, LF or NUL characters.")
        self._status_code = int(number)
        self._status_line = f"{number} {reason}" if reason else _status_line(int(number))

    # Body ---------------------------------------------------------------------------------------

    @property
    def is_streamed(self) -> bool:
        """Whether the body is an iterator produced while sending (not a buffered list)."""
        return not isinstance(self.response, list)

    def set_data(self, value: str | bytes | bytearray) -> None:
        """Replace the body and set Content-Length."""
        data = value.encode() if isinstance(value, str) else bytes(value)
        self.response = [data]
        headers = self.headers._list
        length = str(len(data))
        for index, (name, _) in enumerate(headers):
            if name.lower() == "content-length":
                headers[index] = (name, length)
                return
        headers.append(("Content-Length", length))

    def get_data(self, as_text: bool = False) -> Any:
        """The body; a streamed body is consumed and kept as a buffered one."""
        if self.is_streamed:
            body = self.response
            if hasattr(body, "__aiter__"):
                raise RuntimeError("An async streamed body cannot be read synchronously.")
            chunks = [c.encode() if isinstance(c, str) else bytes(c) for c in body]
            close = getattr(body, "close", None)
            if close is not None:
                close()
            self.response = chunks
        data = b"".join(self.response)
        return data.decode() if as_text else data

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
        """The body as text."""
        text: str = self.get_data(as_text=True)
        return text

    def get_json(self, silent: bool = False) -> Any:
        """The body parsed as JSON (for tests)."""
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
        """The body as bytes chunks."""
        for chunk in self.response:
            yield chunk.encode() if isinstance(chunk, str) else bytes(chunk)

    # Headers ------------------------------------------------------------------------------------

    @property
    def content_type(self) -> str | None:
        """The Content-Type header."""
        return self.headers.get("Content-Type")

    @content_type.setter
    def content_type(self, value: str) -> None:
        self.headers.set("Content-Type", value)

    @property
    def mimetype(self) -> str | None:
        """The media type, without parameters."""
        value = self.headers.get("Content-Type")
        return value.split(";", 1)[0].strip().lower() if value else None

    @mimetype.setter
    def mimetype(self, value: str) -> None:
        self.headers.set("Content-Type", _with_charset(value))

    @property
    def mimetype_params(self) -> dict[str, str]:
        """The Content-Type parameters."""
        value = self.headers.get("Content-Type") or ""
        params = {}
        for item in value.split(";")[1:]:
            key, _, val = item.partition("=")
            params[key.strip().lower()] = val.strip().strip('"')
        return params

    @property
    def content_length(self) -> int | None:
        """The Content-Length header as a number."""
        value = self.headers.get("Content-Length")
        return int(value) if value and value.isdigit() else None

    @content_length.setter
    def content_length(self, value: int) -> None:
        self.headers.set("Content-Length", int(value))

    @property
    def location(self) -> str | None:
        """The Location header."""
        return self.headers.get("Location")

    @location.setter
    def location(self, value: str) -> None:
        self.headers.set("Location", value)

    # Cookies ------------------------------------------------------------------------------------

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
        """Add a ``Set-Cookie`` header (ValueError for anything that could inject)."""
        self.headers.add(
            "Set-Cookie",
            dump_cookie(
                key,
                value,
                max_age=max_age,
                expires=expires,
                path=path,
                domain=domain,
                secure=secure,
                httponly=httponly,
                samesite=samesite,
                partitioned=partitioned,
            ),
        )

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
        """Tell the browser to drop a cookie (empty value, expired)."""
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
        """Run ``func()`` after the response was sent (or the client left); a decorator."""
        if self._on_close is None:
            self._on_close = []
        self._on_close.append(func)
        return func

    @property
    def on_close_callbacks(self) -> list[Callable[[], Any]] | tuple[()]:
        """The functions ``call_on_close`` registered."""
        return self._on_close or ()

    def __repr__(self) -> str:
        if self.is_streamed:
            size = "streamed"
        else:
            size = f"{sum(len(c) for c in self.response)} bytes"
        return f"<{type(self).__name__} {size} [{self.status}]>"


def redirect(location: str, code: int = 302, Response: type[Response] | None = None) -> Response:
    """A response that redirects to ``location``."""
    cls = Response or globals()["Response"]
    url = escape(location)
    response = cls(
        "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n"
        f'<h1>Redirecting...</h1>\n<p>You should be redirected to <a href="{url}">{url}</a>.'
        "</p>\n",
        status=code,
    )
    response.headers.set("Location", location)
    return response
