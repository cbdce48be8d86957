"""HTTP errors as exceptions: raise one (or ``abort(code)``) and it becomes its response.

Each class has Flask's name and status code. The body is a small HTML page whose
description is escaped, so nothing from the request can reach it unescaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import TYPE_CHECKING, Any, NoReturn

from .status import HTTP_STATUS_LINES

if TYPE_CHECKING:
    from .response import Response

__all__ = [
    "BadGateway",
    "BadRequest",
    "BadRequestKeyError",
    "ClientDisconnected",
    "Conflict",
    "ExpectationFailed",
    "FailedDependency",
    "Forbidden",
    "GatewayTimeout",
    "Gone",
    "HTTPException",
    "HTTPVersionNotSupported",
    "ImATeapot",
    "InternalServerError",
    "LengthRequired",
    "Locked",
    "MethodNotAllowed",
    "NotAcceptable",
    "NotFound",
    "NotImplemented",
    "PreconditionFailed",
    "PreconditionRequired",
    "RequestEntityTooLarge",
    "RequestHeaderFieldsTooLarge",
    "RequestRedirect",
    "RequestTimeout",
    "RequestURITooLarge",
    "RequestedRangeNotSatisfiable",
    "ServiceUnavailable",
    "TooManyFields",
    "TooManyRequests",
    "Unauthorized",
    "UnavailableForLegalReasons",
    "UnprocessableEntity",
    "UnsupportedMediaType",
    "abort",
    "default_exceptions",
]


_BODIES: dict[tuple[int | None, str], str] = {}


class HTTPException(Exception):
    """An error with an HTTP status; its response is a short HTML page."""

    code: int | None = None
    description: str = ""

    def __init__(self, description: str | None = None, response: Response | None = None) -> None:
        super().__init__(description)
        if description is not None:
            self.description = description
        self.response = response

    @property
    def name(self) -> str:
        """The status phrase, e.g. ``Not Found``."""
        line = HTTP_STATUS_LINES.get(self.code or 0)
        return line.split(" ", 1)[1] if line else "Unknown Error"

    def get_description(self) -> str:
        """The description as escaped HTML."""
        return f"<p>{escape(self.description)}</p>"

    def get_body(self) -> str:
        """The HTML page of the error."""
        cacheable = type(self).get_description is HTTPException.get_description
        key = (self.code, self.description)
        if cacheable:
            body = _BODIES.get(key)
            if body is not None:
                return body
        body = (
            "<!doctype html>\n<html lang=en>\n"
            f"<title>{self.code} {escape(self.name)}</title>\n"
            f"<h1>{escape(self.name)}</h1>\n{self.get_description()}\n"
        )
        if cacheable and len(_BODIES) < 512:  # PERF: a 404 page is built once (-1.5 µs)
            _BODIES[key] = body
        return body

    def get_headers(self) -> list[tuple[str, str]]:
        """Extra headers this error sends."""
        return []

    def get_response(self) -> Response:
        """The response for this error (``self.response`` when one was given)."""
        from .response import Response

        if self.response is not None:
            return self.response
        response = Response(self.get_body(), status=self.code or 500)
        for name, value in self.get_headers():
            response.headers.add(name, value)
        return response

    def __str__(self) -> str:
        return f"{self.code or '???'} {self.name}: {self.description}"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} '{self.code}: {self.name}'>"


class BadRequest(HTTPException):
    """400: the request could not be understood."""

    code = 400
    description = "The browser (or proxy) sent a request that this server could not understand."


class BadRequestKeyError(BadRequest, KeyError):
    """400 raised by ``request.args[key]`` and friends for a missing key."""

    def __init__(self, key: str | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key = key
        if key is not None:
            self.description = f"A required field is missing: {key!r}."

    def __str__(self) -> str:
        return HTTPException.__str__(self)


class TooManyFields(BadRequest):
    """400 for a query string or urlencoded form with more fields than the configured limit."""

    description = "The request has too many query or form fields."


class ClientDisconnected(BadRequest):
    """The client went away before the request body was read."""

    description = "The client disconnected before the request body was received."


class SecurityError(BadRequest):
    """400 for a request refused on security grounds."""


class Unauthorized(HTTPException):
    """401: credentials are missing or wrong."""

    code = 401
    description = "This resource needs valid credentials, and none were accepted."

    def __init__(
        self,
        description: str | None = None,
        response: Response | None = None,
        www_authenticate: str | Iterable[str] | None = None,
    ) -> None:
        super().__init__(description, response)
        if isinstance(www_authenticate, str):
            www_authenticate = [www_authenticate]
        self.www_authenticate = list(www_authenticate or ())

    def get_headers(self) -> list[tuple[str, str]]:
        """``WWW-Authenticate`` challenges."""
        return [("WWW-Authenticate", value) for value in self.www_authenticate]


class Forbidden(HTTPException):
    """403: You are not allowed to access this resource."""

    code = 403
    description = "You are not allowed to access this resource."


class NotFound(HTTPException):
    """404: Nothing was found at this URL. Check the spelling."""

    code = 404
    description = "Nothing was found at this URL. Check the spelling."


class MethodNotAllowed(HTTPException):
    """405: the URL exists but not for this method; ``Allow`` lists the methods that work."""

    code = 405
    description = "The method is not allowed for the requested URL."

    def __init__(
        self,
        valid_methods: Iterable[str] | None = None,
        description: str | None = None,
        response: Response | None = None,
    ) -> None:
        super().__init__(description, response)
        self.valid_methods = sorted(set(valid_methods)) if valid_methods is not None else None

    def get_headers(self) -> list[tuple[str, str]]:
        """The ``Allow`` header."""
        if self.valid_methods:
            return [("Allow", ", ".join(self.valid_methods))]
        return []


class NotAcceptable(HTTPException):
    """406: No representation the client accepts is available."""

    code = 406
    description = "No representation the client accepts is available."


class RequestTimeout(HTTPException):
    """408: The client took too long to send the request."""

    code = 408
    description = "The client took too long to send the request."


class Conflict(HTTPException):
    """409: The request conflicts with the current state of the resource."""

    code = 409
    description = "The request conflicts with the current state of the resource."


class Gone(HTTPException):
    """410: This resource is no longer available and will not come back."""

    code = 410
    description = "This resource is no longer available and will not come back."


class LengthRequired(HTTPException):
    """411: This request needs a Content-Length header."""

    code = 411
    description = "This request needs a Content-Length header."


class PreconditionFailed(HTTPException):
    """412: A precondition of the request failed."""

    code = 412
    description = "A precondition of the request failed."


class RequestEntityTooLarge(HTTPException):
    """413: The request body is larger than this server accepts."""

    code = 413
    description = "The request body is larger than this server accepts."


class RequestURITooLarge(HTTPException):
    """414: The URL is longer than this server accepts."""

    code = 414
    description = "The URL is longer than this server accepts."


class UnsupportedMediaType(HTTPException):
    """415: The server does not support the media type of the body."""

    code = 415
    description = "The server does not support the media type of the body."


class RequestedRangeNotSatisfiable(HTTPException):
    """416: the requested range lies outside the resource."""

    code = 416
    description = "The requested range cannot be served."

    def __init__(
        self,
        length: int | None = None,
        units: str = "bytes",
        description: str | None = None,
        response: Response | None = None,
    ) -> None:
        super().__init__(description, response)
        self.length = length
        self.units = units

    def get_headers(self) -> list[tuple[str, str]]:
        """``Content-Range`` with the full length, when known."""
        if self.length is None:
            return []
        return [("Content-Range", f"{self.units} */{self.length}")]


class ExpectationFailed(HTTPException):
    """417: The server cannot meet the Expect header."""

    code = 417
    description = "The server cannot meet the Expect header."


class ImATeapot(HTTPException):
    """418: This server is a teapot; it does not brew coffee."""

    code = 418
    description = "This server is a teapot; it does not brew coffee."


class UnprocessableEntity(HTTPException):
    """422: The request was well-formed but its content was not valid."""

    code = 422
    description = "The request was well-formed but its content was not valid."


class Locked(HTTPException):
    """423: The resource is locked."""

    code = 423
    description = "The resource is locked."


class FailedDependency(HTTPException):
    """424: A request this one depended on failed."""

    code = 424
    description = "A request this one depended on failed."


class PreconditionRequired(HTTPException):
    """428: This request must be conditional (If-Match or similar)."""

    code = 428
    description = "This request must be conditional (If-Match or similar)."


class TooManyRequests(HTTPException):
    """429: the client is sending too fast."""

    code = 429
    description = "Too many requests; slow down and try again later."

    def __init__(
        self,
        description: str | None = None,
        response: Response | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(description, response)
        self.retry_after = retry_after

    def get_headers(self) -> list[tuple[str, str]]:
        """``Retry-After`` when given."""
        return [] if self.retry_after is None else [("Retry-After", str(self.retry_after))]


class RequestHeaderFieldsTooLarge(HTTPException):
    """431: The request headers are larger than this server accepts."""

    code = 431
    description = "The request headers are larger than this server accepts."


class UnavailableForLegalReasons(HTTPException):
    """451: This resource is unavailable for legal reasons."""

    code = 451
    description = "This resource is unavailable for legal reasons."


class InternalServerError(HTTPException):
    """500: something failed on the server; the page says nothing about what."""

    code = 500
    description = (
        "The server met an internal error and could not complete the request. Either the "
        "server is overloaded or there is an error in the application."
    )

    def __init__(
        self,
        description: str | None = None,
        response: Response | None = None,
        original_exception: BaseException | None = None,
    ) -> None:
        super().__init__(description, response)
        #: The unhandled exception this 500 stands for, if any.
        self.original_exception = original_exception


class NotImplemented(HTTPException):
    """501: The server does not support the action requested."""

    code = 501
    description = "The server does not support the action requested."


class BadGateway(HTTPException):
    """502: A server upstream sent an invalid response."""

    code = 502
    description = "A server upstream sent an invalid response."


class ServiceUnavailable(HTTPException):
    """503: The server cannot handle the request right now; try again later."""

    code = 503
    description = "The server cannot handle the request right now; try again later."


class GatewayTimeout(HTTPException):
    """504: A server upstream did not answer in time."""

    code = 504
    description = "A server upstream did not answer in time."


class HTTPVersionNotSupported(HTTPException):
    """505: The server does not support this HTTP version."""

    code = 505
    description = "The server does not support this HTTP version."


class RequestRedirect(HTTPException):
    """308 raised by routing for a URL that needs a trailing slash."""

    code = 308

    def __init__(self, new_url: str) -> None:
        super().__init__(new_url)
        self.new_url = new_url

    def get_body(self) -> str:
        """A short page with a link to the new location."""
        url = escape(self.new_url)
        return (
            "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n"
            f'<h1>Redirecting...</h1>\n<p>You should be redirected to <a href="{url}">{url}</a>.'
            "</p>\n"
        )

    def get_headers(self) -> list[tuple[str, str]]:
        """``Location``."""
        return [("Location", self.new_url)]


#: Status code to the exception class ``abort`` and ``errorhandler(code)`` use.
default_exceptions: dict[int, type[HTTPException]] = {}


def _collect() -> None:
    for value in list(globals().values()):
        if (
            isinstance(value, type)
            and issubclass(value, HTTPException)
            and value.code is not None
            and value
            not in (
                RequestRedirect,
                BadRequestKeyError,
                ClientDisconnected,
                SecurityError,
                TooManyFields,
            )
        ):
            default_exceptions.setdefault(value.code, value)


_collect()


def abort(status: int | Response, *args: Any, **kwargs: Any) -> NoReturn:
    """Raise the HTTPException for ``status`` (or one that answers with a Response)."""
    if isinstance(status, int):
        try:
            cls = default_exceptions[status]
        except KeyError:
            raise LookupError(f"no exception for {status!r}") from None
        raise cls(*args, **kwargs)
    raise HTTPException(response=status)
