"""The protocol's requests: ``WSGIRequest`` reads a PEP 3333 environ, ``ASGIRequest`` a scope.

``Request`` (``request.py``) is protocol-neutral; these supply its raw values, and
``protocol_request_class`` mixes an app's own ``request_class`` into them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Any, TypeVar, cast

from .body import CHUNK_SIZE, BodyStream, BufferedBodyStream, WSGIBodyStream
from .datastructures import Headers, ImmutableMultiDict
from .exceptions import (
    BadRequest,
    HTTPException,
)

if TYPE_CHECKING:
    pass

from .request import Request

__all__ = ["ASGIRequest", "WSGIRequest", "protocol_request_class"]


def _url_root(root: str) -> str:
    """A mount point as URLs need it: one leading ``/`` and no trailing one.

    A request path or root that does not start with ``/`` (a raw request line can send
    ``@evil.com``) would otherwise be glued to the host in ``request.url`` and every external
    URL, and move them to another host.
    """
    root = root.rstrip("/")
    return root if not root or root[0] == "/" else "/" + root


def _wsgi_path(value: str) -> str:
    # PEP 3333 hands over the bytes of the path decoded as latin-1; URLs are UTF-8.
    if value.isascii():
        return value
    return value.encode("latin-1").decode("utf-8", "replace")


# PERF: environ keys of the headers the framework itself reads, computed once.
_WSGI_KEYS = {
    name: "HTTP_" + name.upper().replace("-", "_")
    for name in (
        "cookie",
        "host",
        "accept",
        "accept-language",
        "accept-encoding",
        "user-agent",
        "referer",
        "transfer-encoding",
    )
}
_WSGI_KEYS.update({"content-type": "CONTENT_TYPE", "content-length": "CONTENT_LENGTH"})


class WSGIRequest(Request):
    """A request whose raw values live in a PEP 3333 environ."""

    def __init__(self, environ: dict[str, Any]) -> None:
        self.method = environ["REQUEST_METHOD"]  # case-sensitive (RFC 9110 §9.1): not upper()
        path = _wsgi_path(environ.get("PATH_INFO") or "/")
        self.path = path if path[0] == "/" else "/" + path
        root = environ.get("SCRIPT_NAME")
        self.root_path = _url_root(_wsgi_path(root)) if root else ""
        self._environ = environ

    def _header(self, lower_name: str) -> str | None:
        key = _WSGI_KEYS.get(lower_name)
        if key is None:
            key = "HTTP_" + lower_name.upper().replace("-", "_")
        value: str | None = self._environ.get(key)
        return value

    def _make_headers(self) -> Headers:
        return Headers.from_wsgi_environ(self._environ)

    @property
    def query_string(self) -> bytes:
        """The raw query string, without the ``?``."""
        return str(self._environ.get("QUERY_STRING", "")).encode("latin-1")

    @property
    def scheme(self) -> str:
        """``http`` or ``https``."""
        return str(self._environ.get("wsgi.url_scheme", "http"))

    @property
    def server(self) -> tuple[str, int | None] | None:
        """The server's (host, port)."""
        name = self._environ.get("SERVER_NAME")
        if not name:
            return None
        port = self._environ.get("SERVER_PORT")
        return name, int(port) if port and str(port).isdigit() else None

    @property
    def remote_addr(self) -> str | None:
        """The client's address."""
        return self._environ.get("REMOTE_ADDR")

    @property
    def environ(self) -> dict[str, Any]:
        """The WSGI environ."""
        return self._environ

    def _open_stream(self) -> BodyStream:
        source = self._environ.get("wsgi.input")
        length = self.content_length
        if source is None or (length is None and not self._environ.get("wsgi.input_terminated")):
            # No length and no end the server vouches for (chunked without
            # wsgi.input_terminated): nothing can be read without reading past the body.
            return BodyStream(0)
        return WSGIBodyStream(source, length, self.max_content_length)


class ASGIRequest(Request):
    """A request whose raw values live in an ASGI scope; the adapter buffers the body."""

    def __init__(self, scope: dict[str, Any]) -> None:
        self.method = scope["method"]
        path = scope["path"] or "/"
        self.path = path if path[0] == "/" else "/" + path
        root = scope.get("root_path")
        self.root_path = _url_root(root) if root else ""
        self._scope = scope
        #: Header name -> value; every request reads some (body framing), so built now.
        pairs = scope["headers"]
        raw = dict(pairs)  # PERF: in C, and no call when no header repeats (0.05 µs)
        self._raw_headers = raw if len(raw) == len(pairs) else _raw_header_map(pairs)

    _raw_body = b""
    _body_file: IO[bytes] | None = None
    _environ_cache: dict[str, Any] | None = None
    #: Set by the adapter when the body could not be read within the limits.
    body_error: HTTPException | None = None
    #: (limits, form, files, error) of a multipart body the adapter parsed off the loop.
    _early_form: tuple[tuple[int | None, ...], Any, Any, Exception | None] | None = None

    def set_body(self, body: bytes | IO[bytes] | BodyStream) -> None:
        """Hand over the body the adapter received (bytes, or a spooled file when large), or
        the stream a view that reads the body as it arrives gets (``stream_request_body``).
        """
        if type(body) is bytes:  # PERF: before the ABC check of the stream (0.3 µs)
            self._raw_body = body
        elif isinstance(body, bytes):
            self._raw_body = bytes(body)
        elif isinstance(body, BodyStream):
            self._stream = body
        else:
            self._body_file = body
            self._to_close = [*(self._to_close or ()), body]

    def has_body(self) -> bool:
        """Whether a body may follow: a Content-Length other than 0, chunking, or HTTP/2+.

        HTTP/1.x says where a body is (RFC 9112 §6.3: no Content-Length and no
        Transfer-Encoding is no body). HTTP/2 and HTTP/3 need neither header, so there the
        body messages tell.
        """
        raw = self._raw_headers
        if b"transfer-encoding" in raw:
            return True
        length = raw.get(b"content-length")
        if length is not None:
            # (a malformed length is not a body: framing_error answers 400)
            return length != b"0" and bool(self.content_length)
        return self._scope.get("http_version", "1.1") not in ("1.1", "1.0")

    def framing_error(self) -> BadRequest | None:
        """As ``Request.framing_error``; PERF: a request without a length (GET) in one lookup."""
        if b"content-length" not in self._raw_headers:
            return None
        return super().framing_error()

    def _header(self, lower_name: str) -> str | None:
        value = self._raw_headers.get(_HEADER_KEYS.get(lower_name) or lower_name.encode("latin-1"))
        return None if value is None else value.decode("latin-1")

    def _make_headers(self) -> Headers:
        return Headers.from_asgi(self._scope["headers"])

    @property
    def query_string(self) -> bytes:
        """The raw query string, without the ``?``."""
        value: bytes = self._scope.get("query_string", b"")
        return value

    @property
    def scheme(self) -> str:
        """``http`` or ``https``."""
        return str(self._scope.get("scheme", "http"))

    @property
    def server(self) -> tuple[str, int | None] | None:
        """The server's (host, port)."""
        server = self._scope.get("server")
        if not server:
            return None
        return str(server[0]), server[1]

    @property
    def remote_addr(self) -> str | None:
        """The client's address."""
        client = self._scope.get("client")
        return str(client[0]) if client else None

    @property
    def scope(self) -> dict[str, Any]:
        """The ASGI connection scope."""
        return self._scope

    @property
    def environ(self) -> dict[str, Any]:
        """A WSGI-style environ built from the scope, for code that expects one."""
        environ = self._environ_cache
        if environ is None:
            environ = self._environ_cache = _environ_from_scope(self)
        return environ

    def _open_stream(self) -> BodyStream:
        file = self._body_file
        if file is not None:
            file.seek(0)
        body = self._raw_body if file is None else file
        return BufferedBodyStream(body, self.max_content_length, self.body_error)

    # A large multipart body, parsed off the event loop --------------------------------------

    def _form_limits(self) -> tuple[int | None, ...]:
        return (self.max_content_length, self.max_form_memory_size, self.max_form_parts)

    def parse_form_early(self) -> None:
        """Parse the buffered multipart body now; the ASGI adapter calls it on a worker thread.

        So an async view reading ``request.form`` of a large upload does not parse it on the
        event loop. The result (or the error, raised when the form is first read) is used
        when the limits are still the ones it was parsed with; a limit changed on the
        request in between makes the form parse again when read.
        """
        file = self._body_file
        limits = self._form_limits()
        try:
            if file is None:
                chunks: Iterable[bytes] = (self._raw_body,)
            else:
                file.seek(0)
                chunks = iter(lambda: file.read(CHUNK_SIZE), b"")
            form, files = self._parse_multipart(chunks)
        except Exception as error:
            self._early_form = (limits, None, None, error)
        else:
            self._early_form = (limits, form, files, None)
        finally:
            if file is not None:
                file.seek(0)

    def _parse_form(self) -> ImmutableMultiDict:
        early = self._early_form
        if early is not None:
            self._early_form = None
            limits, form, files, error = early
            if limits == self._form_limits():
                if error is not None:
                    raise error.with_traceback(None)
                self._files = files
                result: ImmutableMultiDict = form
                return result
        return super()._parse_form()


# PERF: the byte keys of the headers the framework itself reads.
_HEADER_KEYS = {name: name.encode() for name in _WSGI_KEYS}


def _raw_header_map(pairs: list[tuple[bytes, bytes]]) -> dict[bytes, bytes]:
    """Header name -> value, repeated headers joined (cookies with ``; ``, others with ``, ``).

    PERF: ``ASGIRequest`` tries ``dict(pairs)`` in C first, for the usual request without
    repeats; the lookups that follow cost a hash each instead of a scan of the list each.
    """
    grouped: dict[bytes, list[bytes]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return {
        name: (b"; " if name == b"cookie" else b", ").join(values)
        for name, values in grouped.items()
    }


def _environ_from_scope(request: ASGIRequest) -> dict[str, Any]:
    scope = request.scope
    server = request.server
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": request.root_path,
        "PATH_INFO": request.path.encode("utf-8").decode("latin-1"),
        "QUERY_STRING": request.query_string.decode("latin-1"),
        "SERVER_NAME": server[0] if server else "",
        "SERVER_PORT": str(server[1]) if server and server[1] is not None else "",
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "REMOTE_ADDR": request.remote_addr or "",
        "wsgi.url_scheme": request.scheme,
        "asgi.scope": scope,
    }
    for name, value in request.headers.items():
        if "_" in name:
            # As gunicorn does: "X_Forwarded_For" would otherwise pose as "X-Forwarded-For"
            # (both are HTTP_X_FORWARDED_FOR), and "Content_Type" as the real Content-Type.
            continue
        key = name.upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


_PROTOCOL_CLASSES: dict[tuple[type[Request], type[Request]], type[Request]] = {}
RequestT = TypeVar("RequestT", bound=Request)


def protocol_request_class(base: type[RequestT], user: type[Request]) -> type[RequestT]:
    """``base`` (WSGIRequest or ASGIRequest) with the app's own ``request_class`` mixed in.

    Flask apps set ``app.request_class`` to a subclass of ``Request`` that adds properties;
    the adapters need the protocol's class for the raw values. The user's class comes first
    in the MRO, so its overrides win. Made once per pair.
    """
    if user is Request or issubclass(base, user):
        return base
    key = (base, user)
    made = _PROTOCOL_CLASSES.get(key)
    if made is None:
        made = _PROTOCOL_CLASSES[key] = type(
            user.__name__, (user, base), {"__module__": user.__module__, "__doc__": user.__doc__}
        )
    return cast("type[RequestT]", made)
