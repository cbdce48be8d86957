"""The test client: calls the app in-process over WSGI or ASGI with the same API.

``protocol="asgi"`` runs the ASGI app on an event loop the client owns (closed with the
client), so a test suite can run every behavioural test over both servers' interfaces.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import json as _json
import mimetypes
import os
import secrets
import weakref
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from .context import Context
from .debug import TEST_CLIENT_KEY
from .http.datastructures import Headers
from .http.request import Request
from .http.response import Response

if TYPE_CHECKING:
    from .app import Tumbler
    from .sessions import SessionMixin
    from .ws_testing import WebsocketSession

__all__ = ["TestClient", "TestResponse", "app_base_url", "encode_multipart", "make_environ"]

HeadersLike = Mapping[str, str] | Iterable[tuple[str, str]] | Headers | None
_REDIRECTS = {301, 302, 303, 307, 308}


class RequestSpec:
    """One request, described once and then rendered as an environ or a scope.

    The positional arguments are Werkzeug's ``EnvironBuilder``'s: path, base_url,
    query_string, method. ``environ_base`` and ``environ_overrides`` are WSGI keys; under
    ASGI the ``HTTP_*`` ones become headers and ``REMOTE_ADDR``, ``REMOTE_PORT``,
    ``SERVER_NAME``, ``SERVER_PORT``, ``SCRIPT_NAME`` and ``wsgi.url_scheme`` scope fields.
    """

    def __init__(
        self,
        path: str = "/",
        base_url: str | None = None,
        query_string: str | bytes | Mapping[str, Any] | None = None,
        method: str = "GET",
        *,
        headers: HeadersLike = None,
        data: str | bytes | Mapping[str, Any] | None = None,
        json: Any = None,
        content_type: str | None = None,
        root_path: str = "",
        environ_base: Mapping[str, Any] | None = None,
        environ_overrides: Mapping[str, Any] | None = None,
        auth: tuple[str, str] | None = None,
        mimetype: str | None = None,
    ) -> None:
        if base_url is not None and base_url.isalpha():  # ("/", "POST"): the old signature
            method, base_url = base_url, None
        scheme, host = "http", "localhost"
        if base_url is not None:
            parts = urlsplit(base_url)
            scheme, host = parts.scheme or "http", parts.netloc or "localhost"
            root_path = parts.path.rstrip("/")
        parts = urlsplit(path)
        if parts.scheme:
            scheme, host = parts.scheme, parts.netloc
        self.environ_base = dict(environ_base or {})
        self.environ_overrides = dict(environ_overrides or {})
        self.method = method.upper()
        self.scheme = scheme
        self.host = host
        self.root_path = root_path
        self.path = parts.path or "/"
        self.query = parts.query if query_string is None else _query(query_string)
        self.headers: list[tuple[str, str]] = list(Headers(headers).items()) if headers else []
        if auth is not None:  # Werkzeug's (username, password): HTTP Basic
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
            self.headers.append(("Authorization", f"Basic {token}"))
        body, content_type = _body(data, json, content_type or mimetype)
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
        for key, value in self.environ_base.items():  # under what the request itself says
            if key == "REMOTE_ADDR" or key not in environ:
                environ[key] = value
        environ.update(self.environ_overrides)
        return environ

    def scope(self) -> dict[str, Any]:
        """An ASGI HTTP scope for this request."""
        scope = self._scope()
        if self.environ_base:
            _apply_environ(scope, self.environ_base, override=False)
        if self.environ_overrides:
            _apply_environ(scope, self.environ_overrides, override=True)
        return scope

    def _scope(self) -> dict[str, Any]:
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


def _query(query_string: str | bytes | Mapping[str, Any]) -> str:
    if isinstance(query_string, bytes):
        return query_string.decode("latin-1")
    if isinstance(query_string, str):
        return query_string
    return urlencode(_pairs(query_string))


def _body(
    data: str | bytes | Mapping[str, Any] | None, json: Any, content_type: str | None
) -> tuple[bytes, str | None]:
    """The encoded body and its Content-Type (None: none given or implied)."""
    if json is not None:
        return _json.dumps(json).encode(), content_type or "application/json"
    if isinstance(data, str):
        return data.encode(), content_type
    if isinstance(data, bytes):
        return data, content_type
    if data is None:
        return b"", content_type
    pairs = _pairs(data)
    if any(_is_file(value) for _, value in pairs):
        return encode_multipart(pairs)
    return urlencode(pairs).encode(), content_type or "application/x-www-form-urlencoded"


def _apply_environ(scope: dict[str, Any], extra: Mapping[str, Any], override: bool) -> None:
    """Carry WSGI environ keys over to the ASGI scope fields that mean the same.

    ``environ_base`` (not ``override``) gives only headers the request lacks and the client
    address; ``environ_overrides`` replaces whatever it names.
    """
    headers: list[tuple[bytes, bytes]] = scope["headers"]
    client = list(scope["client"])
    server = list(scope["server"])
    for key, value in extra.items():
        if key.startswith("HTTP_") or key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            name = key.removeprefix("HTTP_").replace("_", "-").lower().encode("latin-1")
            if any(n == name for n, _ in headers):
                if not override:
                    continue
                headers[:] = [(n, v) for n, v in headers if n != name]
            headers.append((name, str(value).encode("latin-1")))
        elif key in ("REMOTE_ADDR", "REMOTE_PORT"):
            client[key == "REMOTE_PORT"] = value if key == "REMOTE_ADDR" else int(value)
        elif not override:
            continue
        elif key in ("SERVER_NAME", "SERVER_PORT"):
            server[key == "SERVER_PORT"] = value if key == "SERVER_NAME" else int(value)
        elif key == "SCRIPT_NAME":
            scope["root_path"] = value
        elif key == "wsgi.url_scheme":
            scope["scheme"] = value
    scope["client"], scope["server"] = tuple(client), tuple(server)


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


def make_environ(
    *args: Any,
    app: Tumbler | None = None,
    subdomain: str | None = None,
    url_scheme: str | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """A WSGI environ from the test client's arguments (path, base_url, headers, data, ...).

    With ``app``, the host, scheme and script root default to its config, as in Flask.
    """
    if app is not None and len(args) < 2 and not kwargs.keys() & {"base_url", "root_path"}:
        path = args[0] if args else kwargs.get("path", "/")
        kwargs["base_url"] = app_base_url(app, path, subdomain, url_scheme)
    return RequestSpec(*args, **kwargs).environ()


def app_base_url(
    app: Tumbler, path: str, subdomain: str | None = None, url_scheme: str | None = None
) -> str:
    """Flask's test base URL: SERVER_NAME (or localhost), APPLICATION_ROOT, the URL scheme."""
    config = app.config
    host = str(config.get("SERVER_NAME") or "localhost")
    if subdomain:
        host = f"{subdomain}.{host}"
    scheme = url_scheme or str(config.get("PREFERRED_URL_SCHEME") or "http")
    parts = urlsplit(path)
    root = str(config.get("APPLICATION_ROOT") or "/").lstrip("/")
    return f"{parts.scheme or scheme}://{parts.netloc or host}/{root}"


class TestResponse(Response):
    """A response as the client received it, with the request that asked for it.

    ``with client.get(...) as response:`` closes it at the end, as Werkzeug's does.
    """

    __test__ = False
    #: The request as the app received it (a ``Request`` built from its WSGI environ).
    request: Request
    history: tuple[TestResponse, ...] = ()

    def __enter__(self) -> TestResponse:
        return self

    def __exit__(self, *exc_info: object) -> None:
        close = getattr(super(), "close", None)
        if close is not None:
            close()


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
        #: WSGI environ keys every request starts with (Flask's ``client.environ_base``).
        self.environ_base: dict[str, Any] = {
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_USER_AGENT": f"tumbler/{_version()}",
        }

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
        self,
        path: str = "/",
        base_url: str | None = None,
        query_string: str | bytes | Mapping[str, Any] | None = None,
        method: str = "GET",
        *,
        follow_redirects: bool = False,
        buffered: bool = False,
        subdomain: str | None = None,
        url_scheme: str | None = None,
        environ_base: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> TestResponse:
        """Send a request and return the response (following redirects when asked).

        The arguments are Flask's: positional ``path, base_url, query_string, method``; the
        host is ``SERVER_NAME`` (or localhost), with ``subdomain.`` in front when given, the
        scheme ``url_scheme`` or ``PREFERRED_URL_SCHEME``, the script root
        ``APPLICATION_ROOT``. The response is always read whole (``buffered`` is accepted).
        A second positional argument made of letters only (``"POST"``) is the method, as
        tumbler's client took it before; no base URL looks like that.
        """
        if base_url is not None and base_url.isalpha():
            method, base_url = base_url, None
        if base_url is None and "root_path" not in kwargs:
            base_url = app_base_url(self.app, path, subdomain, url_scheme)
        elif subdomain is not None or url_scheme is not None:
            raise ValueError("Pass 'subdomain' and 'url_scheme' without 'base_url'.")
        environ = {**self.environ_base, **(environ_base or {})}
        if kwargs.get("json") is not None:  # the app's JSON provider, as Flask's client
            kwargs["data"] = self.app.json.dumps(kwargs.pop("json"))
            if not kwargs.get("content_type"):
                kwargs["content_type"] = "application/json"
        spec = RequestSpec(
            path, base_url, query_string, method, environ_base=environ or None, **kwargs
        )
        response = self._send(spec)
        history: list[TestResponse] = []
        while follow_redirects and response.status_code in _REDIRECTS:
            if len(history) >= 20:
                raise RuntimeError("Too many redirects")
            history.append(response)
            spec = self._redirected(spec, response)
            response = self._send(spec)
        response.history = tuple(history)
        return response

    def _redirected(self, spec: RequestSpec, response: TestResponse) -> RequestSpec:
        """The request a browser sends after ``response`` (a redirect) to ``spec``."""
        location = response.headers["Location"]
        keep_body = response.status_code in (307, 308)
        target = urlsplit(location)
        new_path = target.path or spec.path
        if not new_path.startswith("/"):
            new_path = spec.path.rsplit("/", 1)[0] + "/" + new_path
        root_path = spec.root_path
        if target.netloc and target.netloc != spec.host:  # another host (a subdomain, say)
            root_path = ""
        host = target.netloc or spec.host
        new_path = f"{target.scheme or spec.scheme}://{host}{new_path}"
        dropped: tuple[str, ...] = ("cookie", "host")
        if not keep_body:
            dropped += ("content-type", "content-length")
        return RequestSpec(
            new_path,
            method=spec.method if keep_body else ("HEAD" if spec.method == "HEAD" else "GET"),
            headers=[(k, v) for k, v in spec.headers if k.lower() not in dropped],
            data=spec.body if keep_body else None,
            query_string=target.query,
            root_path=root_path,
            environ_base=spec.environ_base,
            environ_overrides=spec.environ_overrides,
        )

    def get(self, *args: Any, **kwargs: Any) -> TestResponse:
        """Send a GET request."""
        kwargs["method"] = "GET"
        return self.open(*args, **kwargs)

    def post(self, *args: Any, **kwargs: Any) -> TestResponse:
        """Send a POST request."""
        kwargs["method"] = "POST"
        return self.open(*args, **kwargs)

    def put(self, *args: Any, **kwargs: Any) -> TestResponse:
        """Send a PUT request."""
        kwargs["method"] = "PUT"
        return self.open(*args, **kwargs)

    def patch(self, *args: Any, **kwargs: Any) -> TestResponse:
        """Send a PATCH request."""
        kwargs["method"] = "PATCH"
        return self.open(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> TestResponse:
        """Send a DELETE request."""
        kwargs["method"] = "DELETE"
        return self.open(*args, **kwargs)

    def head(self, *args: Any, **kwargs: Any) -> TestResponse:
        """Send a HEAD request."""
        kwargs["method"] = "HEAD"
        return self.open(*args, **kwargs)

    def options(self, *args: Any, **kwargs: Any) -> TestResponse:
        """Send an OPTIONS request."""
        kwargs["method"] = "OPTIONS"
        return self.open(*args, **kwargs)

    def set_cookie(self, key: str, value: str = "") -> None:
        """Put a cookie in the jar."""
        self.cookies[key] = value

    def delete_cookie(self, key: str) -> None:
        """Remove a cookie from the jar."""
        self.cookies.pop(key, None)

    def get_cookie(self, key: str) -> str | None:
        """Return a cookie's value from the jar."""
        return self.cookies.get(key)

    def websocket(self, path: str = "/", **kwargs: Any) -> WebsocketSession:
        """A WebSocket to the app (over ASGI): ``with client.websocket("/ws") as ws: ...``.

        Takes ``subprotocols``, ``headers``, ``query_string`` (see ``ws_testing.py``).
        """
        from .ws_testing import WebsocketSession

        return WebsocketSession(self, path, **kwargs)

    @contextlib.contextmanager
    def session_transaction(self, *args: Any, **kwargs: Any) -> Iterator[SessionMixin]:
        """Open the session the next request will see, to read or change it (Flask's API).

        Takes ``test_request_context``'s arguments. Changes are saved into the client's
        cookies when the block ends.
        """
        if not self.use_cookies:
            raise TypeError("Cookies are disabled. Create a client with 'use_cookies=True'.")
        app = self.app
        interface = app.session_interface
        ctx = app.test_request_context(*args, **kwargs)
        assert ctx.request is not None
        if self.cookies:
            ctx.request.environ["HTTP_COOKIE"] = "; ".join(
                f"{key}={value}" for key, value in self.cookies.items()
            )
        with ctx:
            session = interface.open_session(app, ctx.request)
        if session is None:
            raise RuntimeError("Session backend did not open a session.")
        yield session
        if interface.is_null_session(session):
            return
        response = app.response_class()
        with ctx:
            interface.save_session(app, session, response)
        self._store_cookies(response)

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
        response.request = self.app.wsgi_request_class(spec.environ())
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
        environ[TEST_CLIENT_KEY] = True  # in debug mode, errors reach the test (debug.py)
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
        scope[TEST_CLIENT_KEY] = True
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


def _version() -> str:
    from . import __version__

    return __version__


def _close_loop(loop: asyncio.AbstractEventLoop) -> None:
    if loop.is_closed():
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # no loop running here: finish async generators politely
        loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()
