"""The test client: calls the app in-process over WSGI or ASGI with the same API.

``protocol="asgi"`` runs the ASGI app on an event loop the client owns (closed with the
client), so a test suite can run every behavioural test over both servers' interfaces.
"""

from __future__ import annotations

import asyncio
import io
import json as _json
import mimetypes
import os
import secrets
import weakref
from collections.abc import Iterable, Mapping, MutableMapping
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from .context import Context
from .http.datastructures import Headers
from .http.response import Response

if TYPE_CHECKING:
    from .app import Tumbler

__all__ = ["TestClient", "TestResponse", "encode_multipart", "make_environ"]

HeadersLike = Mapping[str, str] | Iterable[tuple[str, str]] | Headers | None
_REDIRECTS = {301, 302, 303, 307, 308}


class RequestSpec:
    """One request, described once and then rendered as an environ or a scope."""

    def __init__(
        self,
        path: str = "/",
        method: str = "GET",
        *,
        headers: HeadersLike = None,
        data: str | bytes | Mapping[str, Any] | None = None,
        json: Any = None,
        query_string: str | bytes | Mapping[str, Any] | None = None,
        content_type: str | None = None,
        base_url: str | None = None,
        root_path: str = "",
    ) -> None:
        scheme, host = "http", "localhost"
        if base_url is not None:
            parts = urlsplit(base_url)
            scheme, host = parts.scheme or "http", parts.netloc or "localhost"
            root_path = parts.path.rstrip("/")
        parts = urlsplit(path)
        if parts.scheme:
            scheme, host = parts.scheme, parts.netloc
        self.method = method.upper()
        self.scheme = scheme
        self.host = host
        self.root_path = root_path
        self.path = parts.path or "/"
        if query_string is None:
            query = parts.query
        elif isinstance(query_string, bytes):
            query = query_string.decode("latin-1")
        elif isinstance(query_string, str):
            query = query_string
        else:
            query = urlencode(_pairs(query_string))
        self.query = query
        self.headers: list[tuple[str, str]] = list(Headers(headers).items()) if headers else []
        body = b""
        if json is not None:
            body = _json.dumps(json).encode()
            content_type = content_type or "application/json"
        elif isinstance(data, str):
            body = data.encode()
        elif isinstance(data, bytes):
            body = data
        elif data is not None:
            pairs = _pairs(data)
            if any(_is_file(value) for _, value in pairs):
                body, content_type = encode_multipart(pairs)
            else:
                body = urlencode(pairs).encode()
                content_type = content_type or "application/x-www-form-urlencoded"
        self.body = body
        names = {name.lower() for name, _ in self.headers}
        if content_type and "content-type" not in names:
            self.headers.append(("Content-Type", content_type))
        if body and "content-length" not in names:
            self.headers.append(("Content-Length", str(len(body))))
        if "host" not in names:
            self.headers.append(("Host", host))

    def server(self) -> tuple[str, int]:
        """The server name and port implied by the host."""
        name, _, port = self.host.partition(":")
        return name, int(port) if port.isdigit() else (443 if self.scheme == "https" else 80)

    def environ(self) -> dict[str, Any]:
        """A PEP 3333 environ for this request."""
        name, port = self.server()
        environ: dict[str, Any] = {
            "REQUEST_METHOD": self.method,
            "SCRIPT_NAME": self.root_path,
            "PATH_INFO": self.path.encode("utf-8").decode("latin-1"),
            "QUERY_STRING": self.query,
            "SERVER_NAME": name,
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": self.scheme,
            "wsgi.input": io.BytesIO(self.body),
            "wsgi.errors": io.StringIO(),
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for key, value in self.headers:
            wsgi_key = key.upper().replace("-", "_")
            if wsgi_key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                wsgi_key = "HTTP_" + wsgi_key
            if wsgi_key in environ:
                sep = "; " if wsgi_key == "HTTP_COOKIE" else ","
                environ[wsgi_key] = f"{environ[wsgi_key]}{sep}{value}"
            else:
                environ[wsgi_key] = value
        return environ

    def scope(self) -> dict[str, Any]:
        """An ASGI HTTP scope for this request."""
        return {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": self.method,
            "scheme": self.scheme,
            "path": self.path,
            "raw_path": self.path.encode("utf-8"),
            "root_path": self.root_path,
            "query_string": self.query.encode("latin-1"),
            "headers": [
                (name.lower().encode("latin-1"), value.encode("latin-1"))
                for name, value in self.headers
            ],
            "client": ("127.0.0.1", 50000),
            "server": self.server(),
        }


def _pairs(data: Mapping[str, Any]) -> list[tuple[str, Any]]:
    pairs: list[tuple[str, Any]] = []
    for key, value in data.items():
        if isinstance(value, list | tuple) and not _is_file(value):
            pairs.extend((key, item) for item in value)
        else:
            pairs.append((key, value))
    return pairs


def _is_file(value: Any) -> bool:
    """A file object, or Flask's ``(file, filename)`` / ``(file, filename, content_type)``."""
    if isinstance(value, tuple):
        return bool(value) and hasattr(value[0], "read")
    return hasattr(value, "read")


def _quote(value: str) -> bytes:
    # As browsers do (HTML's form-data encoding): escape what would end the quoted string.
    return value.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A").encode()


def encode_multipart(pairs: Iterable[tuple[str, Any]]) -> tuple[bytes, str]:
    """Encode fields and files as ``multipart/form-data``; return the body and Content-Type."""
    boundary = f"tumbler-{secrets.token_hex(16)}"
    out = io.BytesIO()
    for name, value in pairs:
        out.write(
            b'--%s\r\nContent-Disposition: form-data; name="%s"' % (boundary.encode(), _quote(name))
        )
        if _is_file(value):
            file, filename, content_type = (
                (*value, None, None)[:3] if isinstance(value, tuple) else (value, None, None)
            )
            if filename is None:
                filename = os.path.basename(str(getattr(file, "name", "") or ""))
            content_type = content_type or (
                mimetypes.guess_type(filename)[0] or "application/octet-stream"
            )
            data = file.read()
            out.write(
                b'; filename="%s"\r\nContent-Type: %s\r\n\r\n'
                % (_quote(filename), content_type.encode())
            )
            out.write(data.encode() if isinstance(data, str) else data)
        else:
            out.write(b"\r\n\r\n" + str(value).encode())
        out.write(b"\r\n")
    out.write(b"--%s--\r\n" % boundary.encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def make_environ(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """A WSGI environ from the test client's arguments (path, method, headers, data, ...)."""
    return RequestSpec(*args, **kwargs).environ()


class TestResponse(Response):
    """A response as the client received it, with the request that asked for it."""

    __test__ = False
    request: RequestSpec
    history: tuple[TestResponse, ...] = ()


class TestClient:
    """Send requests to the app without a server; keeps cookies like a browser."""

    __test__ = False

    def __init__(self, app: Tumbler, use_cookies: bool = True, protocol: str | None = None):
        if protocol not in (None, "wsgi", "asgi"):
            raise ValueError("protocol must be 'wsgi' or 'asgi'")
        self.app = app
        self.protocol = protocol or "wsgi"
        self.use_cookies = use_cookies
        self.cookies: dict[str, str] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._preserve = False
        self._kept: Context | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None

    # Context preservation ---------------------------------------------------------------------

    def __enter__(self) -> TestClient:
        if self._preserve:
            raise RuntimeError("Cannot nest client invocations")
        self._preserve = True
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._preserve = False
        self._release()
        self.close()

    def _release(self) -> None:
        if self._kept is not None:
            self._kept._leave()
            self._kept = None

    def close(self) -> None:
        """Close the client's event loop (ASGI)."""
        if self._finalizer is not None:
            self._finalizer()
            self._finalizer = None
            self._loop = None

    # Requests ------------------------------------------------------------------------------------

    def open(
        self, path: str = "/", method: str = "GET", *, follow_redirects: bool = False, **kwargs: Any
    ) -> TestResponse:
        """Send a request and return the response (following redirects when asked)."""
        spec = RequestSpec(path, method, **kwargs)
        response = self._send(spec)
        history: list[TestResponse] = []
        while follow_redirects and response.status_code in _REDIRECTS:
            if len(history) >= 20:
                raise RuntimeError("Too many redirects")
            history.append(response)
            location = response.headers["Location"]
            keep_body = response.status_code in (307, 308)
            target = urlsplit(location)
            new_path = target.path or spec.path
            if not new_path.startswith("/"):
                new_path = spec.path.rsplit("/", 1)[0] + "/" + new_path
            spec = RequestSpec(
                new_path,
                spec.method if keep_body else ("HEAD" if spec.method == "HEAD" else "GET"),
                headers=[(k, v) for k, v in spec.headers if k.lower() not in ("cookie",)]
                if keep_body
                else [
                    (k, v)
                    for k, v in spec.headers
                    if k.lower() not in ("cookie", "content-type", "content-length")
                ],
                data=spec.body if keep_body else None,
                query_string=target.query,
                root_path=spec.root_path,
            )
            response = self._send(spec)
        response.history = tuple(history)
        return response

    def get(self, path: str = "/", **kwargs: Any) -> TestResponse:
        """Send a GET request."""
        return self.open(path, "GET", **kwargs)

    def post(self, path: str = "/", **kwargs: Any) -> TestResponse:
        """Send a POST request."""
        return self.open(path, "POST", **kwargs)

    def put(self, path: str = "/", **kwargs: Any) -> TestResponse:
        """Send a PUT request."""
        return self.open(path, "PUT", **kwargs)

    def patch(self, path: str = "/", **kwargs: Any) -> TestResponse:
        """Send a PATCH request."""
        return self.open(path, "PATCH", **kwargs)

    def delete(self, path: str = "/", **kwargs: Any) -> TestResponse:
        """Send a DELETE request."""
        return self.open(path, "DELETE", **kwargs)

    def head(self, path: str = "/", **kwargs: Any) -> TestResponse:
        """Send a HEAD request."""
        return self.open(path, "HEAD", **kwargs)

    def options(self, path: str = "/", **kwargs: Any) -> TestResponse:
        """Send an OPTIONS request."""
        return self.open(path, "OPTIONS", **kwargs)

    def set_cookie(self, key: str, value: str = "") -> None:
        """Put a cookie in the jar."""
        self.cookies[key] = value

    def delete_cookie(self, key: str) -> None:
        """Remove a cookie from the jar."""
        self.cookies.pop(key, None)

    def get_cookie(self, key: str) -> str | None:
        """Return a cookie's value from the jar."""
        return self.cookies.get(key)

    # Transport ---------------------------------------------------------------------------------

    def _send(self, spec: RequestSpec) -> TestResponse:
        if self.use_cookies and self.cookies:
            spec.headers.append(("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items())))
        self._release()
        status: int | str
        if self.protocol == "asgi":
            status, headers, body = self._run_asgi(spec)
        else:
            status, headers, body = self._run_wsgi(spec)
        response = TestResponse(body, status=status)
        response.headers = Headers(headers)  # exactly what was sent (HEAD keeps its length)
        response.request = spec
        if self.use_cookies:
            self._store_cookies(response)
        return response

    def _keep(self, ctx: Context) -> None:
        if self._preserve:
            self._kept = ctx

    def _after(self) -> None:
        if self._kept is not None:
            self._kept._enter()

    def _run_wsgi(self, spec: RequestSpec) -> tuple[str, list[tuple[str, str]], bytes]:
        environ = spec.environ()
        if self._preserve:
            environ["tumbler.preserve_context"] = self._keep
        captured: list[Any] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            captured[:] = [status, headers]
            return lambda data: None

        iterable = self.app(environ, start_response)
        try:
            body = b"".join(iterable)
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()
        self._after()
        return captured[0], captured[1], body

    def _run_asgi(self, spec: RequestSpec) -> tuple[int, list[tuple[str, str]], bytes]:
        scope = spec.scope()
        if self._preserve:
            scope["tumbler.preserve_context"] = self._keep
        messages = [{"type": "http.request", "body": spec.body, "more_body": False}]
        sent: list[dict[str, Any]] = []
        loop = self._get_loop()

        async def receive() -> dict[str, Any]:
            if messages:
                return messages.pop(0)
            await asyncio.Event().wait()  # until cancelled: the client never leaves early
            raise AssertionError("unreachable")

        async def send(message: MutableMapping[str, Any]) -> None:
            sent.append(dict(message))

        loop.run_until_complete(self.app.asgi(scope, receive, send))
        start = next((m for m in sent if m["type"] == "http.response.start"), None)
        if start is None:
            raise AssertionError("The ASGI app did not start a response.")
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in start["headers"]]
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        self._after()
        return start["status"], headers, body

    def _get_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            loop = self._loop = asyncio.new_event_loop()
            self._finalizer = weakref.finalize(self, _close_loop, loop)
        return self._loop

    def _store_cookies(self, response: Response) -> None:
        for header in response.headers.getlist("Set-Cookie"):
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(header)
            except Exception:
                continue
            for key, morsel in jar.items():
                max_age = morsel["max-age"]
                expired = max_age in ("0",) or (
                    morsel["expires"] and "1970" in str(morsel["expires"])
                )
                if expired:
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = morsel.coded_value


def _close_loop(loop: asyncio.AbstractEventLoop) -> None:
    if loop.is_closed():
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # no loop running here: finish async generators politely
        loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()
