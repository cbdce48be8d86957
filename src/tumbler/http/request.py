"""The incoming request: one protocol-neutral class, two thin sources (WSGI and ASGI).

``Request`` holds the HTTP logic and parses lazily: headers, query, cookies, body, form and
JSON are built on first use and cached. ``WSGIRequest`` and ``ASGIRequest`` only say where the
raw values live (an environ, or a scope plus a buffered body).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import IO, TYPE_CHECKING, Any

from .accept import Accept, LanguageAccept, MIMEAccept, parse_accept
from .body import CHUNK_SIZE, BodyStream
from .datastructures import Headers, ImmutableMultiDict, MultiDict, RequestCookies
from .exceptions import (
    BadRequest,
    RequestEntityTooLarge,
    SecurityError,
    UnsupportedMediaType,
)
from .jsonchecks import refuse_non_finite
from .request_headers import RequestHeaderMixin
from .urls import parse_qsl_to_multidict

if TYPE_CHECKING:
    from ..routing import Rule

__all__ = ["Request", "blueprint_chain", "json_too_deep", "untrusted_host"]

_EMPTY_FORM: ImmutableMultiDict = ImmutableMultiDict()
_JSON_LOAD_ERRORS = (ValueError, RecursionError)
# A JSON string (escapes included), removed before nesting is measured. An unterminated one
# runs to the end of the data (a lone final backslash too), so the pattern matches at every
# quote: a failed match would make ``sub`` retry at each later quote and rescan the rest,
# quadratic in a body like ``"\"\"\"...`` (80 KB took 40 s).
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\(?:.|\Z)[^"\\]*)*(?:"|\Z)', re.S)
# Every byte but the four brackets, deleted so only the nesting is left.
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
# What a host can be: dot-separated DNS labels (an IPv4 address is one too; "_" is let
# through for internal names such as Docker's), with an optional final dot, or a bracketed
# IPv6 literal; then an optional port. No sub-delimiter (",;&!$'()*+="), no "%", no userinfo.
_VALID_HOST = re.compile(
    r"(?:[A-Za-z0-9_-]{1,63}(?:\.[A-Za-z0-9_-]{1,63})*\.?|\[[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*\])"
    r"(?::[0-9]{0,5})?"
)


_UNPARSED = object()  # a header value not parsed yet (None means: absent or malformed)


def json_too_deep(data: bytes, limit: int) -> bool:
    """Whether the JSON text ``data`` nests arrays and objects more than ``limit`` deep.

    Linear in ``len(data)`` and done in C: strings are cut out, everything but brackets is
    deleted, then innermost pairs are removed ``limit`` times. Unbalanced brackets are left
    for the JSON parser to report, unless more than ``limit`` of them are left open.
    """
    if data.count(b"[") + data.count(b"{") <= limit:  # PERF: the usual small document
        return False
    nesting = _JSON_STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    nesting = nesting.replace(b"{", b"[").replace(b"}", b"]")
    for _ in range(limit):
        shorter = nesting.replace(b"[]", b"")
        if len(shorter) == len(nesting):  # all paired within the limit, or unbalanced
            return nesting.count(b"[") > limit
        nesting = shorter
    return b"[]" in nesting


def blueprint_chain(endpoint: str | None) -> list[str]:
    """The blueprints an endpoint is in, innermost first (``"a.b.view"``: ``a.b``, ``a``)."""
    if endpoint is None or "." not in endpoint:
        return []
    parts = endpoint.split(".")[:-1]
    return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]


def untrusted_host(
    request: Request, trusted: str | list[str] | tuple[str, ...]
) -> BadRequest | None:
    """A 400 unless the request's host (port stripped, any case) is in ``trusted``.

    An entry with a leading dot, ``.example.com``, also allows every subdomain, as in
    Werkzeug.
    """
    try:
        host = request.host.lower()
    except BadRequest as error:
        return error
    if host.startswith("["):
        host = host[: host.find("]") + 1]
    else:
        host = host.partition(":")[0]
    host = host.rstrip(".")
    for entry in [trusted] if isinstance(trusted, str) else trusted:
        entry = entry.lower()
        if entry.startswith("."):
            if host == entry[1:] or host.endswith(entry):
                return None
        elif host == entry:
            return None
    return SecurityError("The Host header is not one of the trusted hosts.")


def _parse_length(value: str) -> int | None:
    """A Content-Length value (RFC 9110 §8.6), or None when it is not a valid one.

    Only ASCII digits: no sign, no padding, no hexadecimal, at most 18 digits (an exabyte:
    no body is that long, and a read of that many bytes would overflow). A list of the same
    value repeated (``3, 3``, how a server joins a repeated header) is that value; differing
    values are invalid.
    """
    if value.isdigit() and value.isascii() and len(value) <= 18:
        return int(value)
    if "," not in value or value != value.strip(" \t"):
        return None
    items = {item.strip(" \t") for item in value.split(",")}
    if len(items) != 1:
        return None
    (item,) = items
    if item.isdigit() and item.isascii() and len(item) <= 18:
        return int(item)
    return None


def _split_mimetype(value: str) -> tuple[str, dict[str, str]]:
    mimetype, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for item in rest.split(";"):
        key, sep, val = item.partition("=")
        if sep:
            params[key.strip().lower()] = val.strip().strip('"')
    return mimetype.strip().lower(), params


class Request(RequestHeaderMixin):
    """An HTTP request as Flask users know it; subclasses supply the raw values."""

    # PERF: no __slots__: attributes that most requests never set stay class-level defaults,
    # so building a request sets three attributes instead of seventeen (0.4 µs).
    url_rule: Rule | None = None
    view_args: dict[str, Any] | None = None
    routing_exception: Exception | None = None
    #: The app's config, for limits not overridden on this request.
    config: Mapping[str, Any] = {}
    _max_content_length: int | None = None
    _content_length: int | None = -1  # -1: not parsed yet (lengths are never negative)
    _max_form_memory_size: int | None = None
    _max_form_parts: int | None = None
    _headers: Headers | None = None
    _args: ImmutableMultiDict | None = None
    _cookies: RequestCookies | None = None
    _body: bytes | None = None
    _stream: BodyStream | None = None
    _form: ImmutableMultiDict | None = None
    _files: ImmutableMultiDict | None = None
    #: Objects to close at the end of the request (uploads, a spooled body); see ``close``.
    _to_close: list[IO[bytes]] | None = None
    _spool_threshold: int | None = None
    _json: Any = None
    _json_loaded = False
    #: (max_json_depth used, value, error) of ``parse_json_early``, until get_json takes it
    _early_json: tuple[int | None, Any, Exception | None] | None = None
    _accept_languages: LanguageAccept | None = None
    _accept_mimetypes: MIMEAccept | None = None

    #: Query parameters beyond this count are refused with 400 (Werkzeug has no limit).
    max_query_params = 1000
    _max_json_depth: int | None = None

    def __init__(self, method: str, path: str, root_path: str) -> None:
        self.method = method
        self.path = path
        self.root_path = root_path

    # Limits: the app's config unless set on this request, as in Flask -----------------------

    def _limit(self, own: int | None, key: str, default: int | None) -> int | None:
        if own is not None:
            return own
        value = self.config.get(key, default)
        return None if value is None else int(value)

    @property
    def max_content_length(self) -> int | None:
        """The largest body accepted (``MAX_CONTENT_LENGTH``); settable per request."""
        return self._limit(self._max_content_length, "MAX_CONTENT_LENGTH", None)

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value
        if self._stream is not None:  # (the limit applies to what is still to be read)
            self._stream.limit = self.max_content_length

    @property
    def max_form_memory_size(self) -> int | None:
        """The largest urlencoded form accepted (``MAX_FORM_MEMORY_SIZE``)."""
        return self._limit(self._max_form_memory_size, "MAX_FORM_MEMORY_SIZE", 500_000)

    @max_form_memory_size.setter
    def max_form_memory_size(self, value: int | None) -> None:
        self._max_form_memory_size = value

    @property
    def max_form_parts(self) -> int | None:
        """The most form fields accepted (``MAX_FORM_PARTS``)."""
        return self._limit(self._max_form_parts, "MAX_FORM_PARTS", 1000)

    @max_form_parts.setter
    def max_form_parts(self, value: int | None) -> None:
        self._max_form_parts = value

    @property
    def max_json_depth(self) -> int | None:
        """The deepest nesting of arrays and objects ``get_json`` accepts (``MAX_JSON_DEPTH``)."""
        return self._limit(self._max_json_depth, "MAX_JSON_DEPTH", 64)

    @max_json_depth.setter
    def max_json_depth(self, value: int | None) -> None:
        self._max_json_depth = value

    @property
    def spool_threshold(self) -> int:
        """Bytes of an upload kept in memory before it moves to a temporary file."""
        value = self._limit(self._spool_threshold, "UPLOAD_SPOOL_THRESHOLD", 500 * 1024)
        return 500 * 1024 if value is None else value

    @spool_threshold.setter
    def spool_threshold(self, value: int | None) -> None:
        self._spool_threshold = value

    # What a source provides ------------------------------------------------------------------

    def _header(self, lower_name: str) -> str | None:
        """Return one request header by lower-case name (joined if repeated), or None."""
        raise NotImplementedError

    def _make_headers(self) -> Headers:
        raise NotImplementedError

    @property
    def query_string(self) -> bytes:
        """The raw query string, without the ``?``."""
        raise NotImplementedError

    @property
    def scheme(self) -> str:
        """``http`` or ``https`` (as the server saw it; see ProxyFix for proxies)."""
        raise NotImplementedError

    @property
    def server(self) -> tuple[str, int | None] | None:
        """The server's (host, port), when the server says."""
        raise NotImplementedError

    @property
    def remote_addr(self) -> str | None:
        """The client's address, as the server reports it."""
        raise NotImplementedError

    @property
    def environ(self) -> dict[str, Any]:
        """The WSGI environ (under ASGI, an equivalent dict built on first use)."""
        raise NotImplementedError

    def _open_stream(self) -> BodyStream:
        """The body stream of this request; made once, on first use (``stream``)."""
        return BodyStream(0)

    # Headers, URL and query --------------------------------------------------------------------

    @property
    def headers(self) -> Headers:
        """The request headers: case-insensitive, multi-valued, read-only."""
        headers = self._headers
        if headers is None:
            headers = self._headers = self._make_headers()
        return headers

    @property
    def args(self) -> ImmutableMultiDict:
        """The parsed query string."""
        args = self._args
        if args is None:
            qs = self.query_string
            args = self._args = (
                parse_qsl_to_multidict(qs, max_fields=self.max_query_params) if qs else _EMPTY_FORM
            )
        return args

    @property
    def full_path(self) -> str:
        """Path and query string, as Flask gives it (always with a ``?``)."""
        return f"{self.path}?{self.query_string.decode('latin-1')}"

    @property
    def script_root(self) -> str:
        """Where the app is mounted (WSGI SCRIPT_NAME, ASGI root_path)."""
        return self.root_path

    @property
    def host(self) -> str:
        """The Host header, or the server's name and port when it is missing.

        A Host that is not DNS labels, an IPv4 address or a bracketed IPv6 address, with an
        optional port, is a 400 (so ``@``, ``/``, spaces, controls, and the comma a server
        puts between two Host headers never reach a URL built from it).
        """
        host = self._header("host")
        if host:
            # 253 (the longest DNS name) + 6 (":65535"): also bounds the regex's work.
            if len(host) > 259 or _VALID_HOST.fullmatch(host) is None:
                raise SecurityError("The Host header is not a valid host name.")
            return host
        server = self.server
        if server is None:
            return ""
        name, port = server
        if port is None or (self.scheme, port) in (("http", 80), ("https", 443)):
            return name
        return f"{name}:{port}"

    @property
    def host_url(self) -> str:
        """Scheme and host, with a trailing slash."""
        return f"{self.scheme}://{self.host}/"

    @property
    def root_url(self) -> str:
        """Scheme, host and script root, with a trailing slash."""
        return f"{self.scheme}://{self.host}{self.root_path}/"

    @property
    def url_root(self) -> str:
        """Werkzeug's name for ``root_url``."""
        return self.root_url

    @property
    def base_url(self) -> str:
        """The URL without the query string."""
        return f"{self.scheme}://{self.host}{self.root_path}{self.path}"

    @property
    def url(self) -> str:
        """The full URL the client asked for."""
        qs = self.query_string
        base = self.base_url
        return f"{base}?{qs.decode('latin-1')}" if qs else base

    @property
    def is_secure(self) -> bool:
        """Whether the request came over HTTPS."""
        return self.scheme in ("https", "wss")

    @property
    def endpoint(self) -> str | None:
        """The endpoint of the matched rule, or None when routing failed."""
        rule = self.url_rule
        return rule.endpoint if rule is not None else None

    @property
    def blueprint(self) -> str | None:
        """The name of the blueprint the endpoint belongs to (dotted for nested ones)."""
        endpoint = self.endpoint
        if endpoint is not None and "." in endpoint:
            return endpoint.rpartition(".")[0]
        return None

    @property
    def blueprints(self) -> list[str]:
        """The current blueprint and its parents, innermost first."""
        return blueprint_chain(self.endpoint)

    # Cookies and content negotiation ---------------------------------------------------------

    @property
    def cookies(self) -> RequestCookies:
        """The cookies the client sent (RFC 6265), parsed on first use.

        A read-only dict of first values (the first of a repeated name wins) with
        Werkzeug's ``getlist``, ``get(type=)``, ``to_dict`` and ``items(multi=True)``.
        """
        cookies = self._cookies
        if cookies is None:
            header = self._header("cookie")
            # PERF: no parse for a request without cookies (a first visit)
            cookies = self._cookies = (
                RequestCookies.from_header(header) if header else RequestCookies()
            )
        return cookies

    @property
    def accept_languages(self) -> LanguageAccept:
        """The Accept-Language header, with ``best_match``."""
        value = self._accept_languages
        if value is None:
            value = self._accept_languages = parse_accept(
                self._header("accept-language"), LanguageAccept
            )
        return value

    @property
    def accept_mimetypes(self) -> MIMEAccept:
        """The Accept header, with ``best_match``."""
        value = self._accept_mimetypes
        if value is None:
            value = self._accept_mimetypes = parse_accept(self._header("accept"), MIMEAccept)
        return value

    @property
    def accept_encodings(self) -> Accept:
        """The Accept-Encoding header."""
        return parse_accept(self._header("accept-encoding"), Accept)

    @property
    def referrer(self) -> str | None:
        """The Referer header."""
        return self._header("referer")

    # Body ---------------------------------------------------------------------------------------

    @property
    def content_type(self) -> str | None:
        """The Content-Type header as sent."""
        return self._header("content-type")

    @property
    def mimetype(self) -> str:
        """The media type of the body, lower-cased, without parameters."""
        value = self._header("content-type")
        return _split_mimetype(value)[0] if value else ""

    @property
    def mimetype_params(self) -> dict[str, str]:
        """The Content-Type parameters, such as ``charset``."""
        value = self._header("content-type")
        return _split_mimetype(value)[1] if value else {}

    @property
    def content_length(self) -> int | None:
        """The declared body length, or None when absent or when Transfer-Encoding frames it.

        With both headers the server framed the body by its transfer coding (RFC 9112
        §6.3), so the length is not used: the body is what the server delivers. A malformed
        value is None here and a 400 from ``framing_error``.
        """
        length = self._content_length
        if length == -1:  # PERF: parsed once; the body read asks up to three times
            value = self._header("content-length")
            if value is None or self._header("transfer-encoding") is not None:
                length = None
            else:
                length = _parse_length(value)
            self._content_length = length
        return length

    def framing_error(self) -> BadRequest | None:
        """A 400 when the Content-Length header is malformed or contradicts itself."""
        value = self._header("content-length")
        if value is None or (value.isdigit() and value.isascii() and len(value) <= 18):  # PERF
            return None
        if _parse_length(value) is None:
            return BadRequest("The Content-Length header is not a valid length.")
        return None

    @property
    def stream(self) -> BodyStream:
        """The body as a binary file object, read as it arrives; one per request.

        Reads consume it, as in Flask: ``get_data()``, ``form`` and ``json`` read through
        it, so after one of them the stream is at its end. Async code may
        ``await request.stream.aread(n)`` or ``async for chunk in request.stream``. A read
        past ``max_content_length`` raises 413, a body shorter than its Content-Length 400.
        """
        stream = self._stream
        if stream is None:
            stream = self._stream = self._open_stream()
        return stream

    def get_data(self, cache: bool = True, as_text: bool = False) -> Any:
        """Return the raw body (the rest of ``stream``), read once and kept when ``cache``."""
        body = self._body
        if body is None:
            body = self.stream.read()
            if cache:
                self._body = body
        if as_text:
            return body.decode(self.mimetype_params.get("charset", "utf-8"), "replace")
        return body

    @property
    def data(self) -> bytes:
        """The raw body as bytes."""
        data: bytes = self.get_data()
        return data

    @property
    def is_json(self) -> bool:
        """Whether the body claims to be JSON (``application/json`` or ``+json``)."""
        mimetype = self.mimetype
        return mimetype == "application/json" or (
            mimetype.startswith("application/") and mimetype.endswith("+json")
        )

    #: What ``get_json`` parses with (its ``loads``). ``tumbler.json`` sets it to itself, so
    #: request JSON goes through the current app's JSON provider (``app.json``), as in Flask.
    json_module: Any = json

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        """Parse the body as JSON: 415 if it is not JSON, 400 if it is malformed.

        ``NaN``, ``Infinity`` and numbers too large for a float are malformed here (they are
        not JSON, and would reach the app as values no JSON can send back).
        """
        if cache and self._json_loaded:
            return self._json
        if not (force or self.is_json):
            return None if silent else self.on_json_loading_failed(None)
        early, self._early_json = self._early_json, None
        if early is not None and early[0] == self.max_json_depth:
            value, error = early[1], early[2]  # parsed off the event loop (asgi_body.py)
        else:
            value, error = self._parse_json(self.get_data())
        if error is not None:
            if silent:
                return None
            if not isinstance(error, ValueError):  # the 400 for a body nested too deep
                raise error
            value = self.on_json_loading_failed(error)
        if cache:
            self._json, self._json_loaded = value, True
        return value

    def _parse_json(self, data: bytes) -> tuple[Any, Exception | None]:
        """The parsed body, or the error to answer with: no user code runs here."""
        depth = self.max_json_depth
        if depth is not None and json_too_deep(data, depth):
            return None, BadRequest(f"The JSON body is nested more than {depth} levels deep.")
        try:
            value = self.json_module.loads(data)
            refuse_non_finite(data)
        except _JSON_LOAD_ERRORS as error:
            return None, error if isinstance(error, ValueError) else ValueError(str(error))
        return value, None

    def parse_json_early(self) -> None:
        """Parse a large JSON body now; the ASGI adapter calls it on a worker thread.

        So an ``async def`` view (or hook) reading ``request.json`` of a large body does not
        parse it on the event loop. Only the parse happens here: ``get_json`` still decides
        (``silent``, ``on_json_loading_failed``), and parses again if ``max_json_depth`` was
        changed on the request in between.
        """
        value, error = self._parse_json(self.get_data())
        self._early_json = (self.max_json_depth, value, error)

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        """Called when ``get_json`` fails: raise an error, or return the value to use instead.

        ``e`` is the parse error, or None when the body is not declared as JSON. The default
        raises 400 (malformed) or 415 (not JSON), as Flask does.
        """
        if e is not None:
            raise BadRequest(f"The browser sent malformed JSON: {type(e).__name__}.") from None
        raise UnsupportedMediaType(
            "Did not attempt to load JSON data because the request Content-Type "
            "was not 'application/json'."
        )

    @property
    def json(self) -> Any:
        """The parsed JSON body (see ``get_json``)."""
        return self.get_json()

    @property
    def form(self) -> ImmutableMultiDict:
        """Fields of a urlencoded or multipart body."""
        form = self._form
        if form is None:
            form = self._form = self._parse_form()
        return form

    def _parse_form(self) -> ImmutableMultiDict:
        mimetype = self.mimetype
        if mimetype == "multipart/form-data":
            form, self._files = self._parse_multipart(self._body_chunks())
            return form
        if mimetype != "application/x-www-form-urlencoded":
            return _EMPTY_FORM
        limit = self.max_form_memory_size
        length = self.content_length
        if limit is not None and length is not None and length > limit:
            raise RequestEntityTooLarge("The form data is larger than the configured limit.")
        body = self._body
        if body is None:
            # Never more than the limit in memory, even without a Content-Length.
            body = self.stream.read(-1 if limit is None else limit + 1)
            if limit is None or len(body) <= limit:
                self._body = body
        if limit is not None and len(body) > limit:
            raise RequestEntityTooLarge("The form data is larger than the configured limit.")
        return parse_qsl_to_multidict(body, max_fields=self.max_form_parts)

    def _body_chunks(self) -> Iterable[bytes]:
        """The body for a parser that streams: the kept one, or the rest of ``stream``."""
        if self._body is not None:
            return (self._body,)
        read = self.stream.read
        return iter(lambda: read(CHUNK_SIZE), b"")

    def _parse_multipart(
        self, chunks: Iterable[bytes]
    ) -> tuple[ImmutableMultiDict, ImmutableMultiDict]:
        from .formparser import parse_multipart

        form, files = parse_multipart(
            chunks,
            self.content_type,
            max_form_memory_size=self.max_form_memory_size,
            max_form_parts=self.max_form_parts,
            spool_threshold=self.spool_threshold,
        )
        if files:
            streams = [f.stream for _, f in files.items(multi=True)]
            self._to_close = [*(self._to_close or ()), *streams]
        return form, files

    @property
    def files(self) -> ImmutableMultiDict:
        """Uploaded files (``FileStorage``) of a multipart body, closed by ``close()``."""
        if self._files is None:
            if self._form is None:
                self._form = self._parse_form()  # a multipart form fills in the files
            if self._files is None:
                self._files = _EMPTY_FORM
        return self._files

    def close(self) -> None:
        """Close the uploads and the spooled body; the adapters call it after teardown."""
        to_close, self._to_close = self._to_close, None
        for file in to_close or ():
            file.close()

    @property
    def values(self) -> MultiDict:
        """Query arguments and form fields together (args first)."""
        combined = MultiDict()
        for source in (self.args, self.form if self.method != "GET" else _EMPTY_FORM):
            for key, values in source.lists():
                for value in values:
                    combined.add(key, value)
        return combined

    def __repr__(self) -> str:
        return f"<Request {self.path!r} [{self.method}]>"
