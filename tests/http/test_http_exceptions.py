"""HTTP exceptions, their pages and headers, and abort."""

from __future__ import annotations

import pytest

from tumbler.http import exceptions as ex
from tumbler.http.response import Response
from tumbler.http.status import HTTP_STATUS_LINES, status_line

CODES = {
    ex.BadRequest: 400,
    ex.Unauthorized: 401,
    ex.Forbidden: 403,
    ex.NotFound: 404,
    ex.MethodNotAllowed: 405,
    ex.NotAcceptable: 406,
    ex.RequestTimeout: 408,
    ex.Conflict: 409,
    ex.Gone: 410,
    ex.LengthRequired: 411,
    ex.PreconditionFailed: 412,
    ex.RequestEntityTooLarge: 413,
    ex.RequestURITooLarge: 414,
    ex.UnsupportedMediaType: 415,
    ex.RequestedRangeNotSatisfiable: 416,
    ex.ExpectationFailed: 417,
    ex.ImATeapot: 418,
    ex.UnprocessableEntity: 422,
    ex.Locked: 423,
    ex.FailedDependency: 424,
    ex.PreconditionRequired: 428,
    ex.TooManyRequests: 429,
    ex.RequestHeaderFieldsTooLarge: 431,
    ex.UnavailableForLegalReasons: 451,
    ex.InternalServerError: 500,
    ex.NotImplemented: 501,
    ex.BadGateway: 502,
    ex.ServiceUnavailable: 503,
    ex.GatewayTimeout: 504,
    ex.HTTPVersionNotSupported: 505,
}


@pytest.mark.parametrize(("cls", "code"), list(CODES.items()))
def test_codes_names_and_default_exceptions(cls: type[ex.HTTPException], code: int) -> None:
    error = cls()
    assert error.code == code
    assert error.name == HTTP_STATUS_LINES[code].split(" ", 1)[1]
    assert error.description and cls.__doc__
    assert ex.default_exceptions[code] is cls
    response = error.get_response()
    assert response.status_code == code
    assert response.content_type == "text/html; charset=utf-8"
    assert f"<title>{code} " in response.get_data(as_text=True)


def test_default_exceptions_has_exactly_the_listed_codes() -> None:
    assert set(ex.default_exceptions) == set(CODES.values())


def test_body_is_the_small_page_with_escaped_description() -> None:
    error = ex.NotFound("<script>alert('x')</script> & more")
    assert error.get_body() == (
        "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
        "<p>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more</p>\n"
    )
    assert str(error) == "404 Not Found: <script>alert('x')</script> & more"
    assert repr(error) == "<NotFound '404: Not Found'>"


def test_method_not_allowed_allow_header() -> None:
    error = ex.MethodNotAllowed(["POST", "GET", "POST"])
    assert error.get_headers() == [("Allow", "GET, POST")]
    response = error.get_response()
    assert response.headers["Allow"] == "GET, POST"
    assert ex.MethodNotAllowed().get_headers() == []
    assert ex.MethodNotAllowed(["GET"], description="no").description == "no"


def test_optional_headers() -> None:
    assert ex.Unauthorized(www_authenticate='Basic realm="x"').get_headers() == [
        ("WWW-Authenticate", 'Basic realm="x"')
    ]
    assert ex.Unauthorized().get_headers() == []
    assert ex.RequestedRangeNotSatisfiable(length=10).get_headers() == [
        ("Content-Range", "bytes */10")
    ]
    assert ex.RequestedRangeNotSatisfiable().get_headers() == []
    assert ex.TooManyRequests(retry_after=5).get_headers() == [("Retry-After", "5")]
    assert ex.TooManyRequests().get_headers() == []


def test_internal_server_error_original_exception() -> None:
    assert ex.InternalServerError().original_exception is None
    cause = ValueError("boom")
    assert ex.InternalServerError(original_exception=cause).original_exception is cause


def test_bad_request_key_error() -> None:
    error = ex.BadRequestKeyError("name")
    assert isinstance(error, KeyError) and isinstance(error, ex.BadRequest)
    assert error.code == 400 and error.key == "name"
    assert str(error).startswith("400 Bad Request: ")


def test_client_disconnected_and_too_many_fields_are_bad_requests() -> None:
    assert ex.ClientDisconnected().code == 400
    assert ex.TooManyFields().code == 400
    assert ex.default_exceptions[400] is ex.BadRequest


def test_request_redirect() -> None:
    error = ex.RequestRedirect("http://x/a/?q=<b>")
    assert error.code == 308 and error.new_url == "http://x/a/?q=<b>"
    response = error.get_response()
    assert response.status == "308 PERMANENT REDIRECT"
    assert response.location == "http://x/a/?q=%3Cb%3E"  # a valid URI reference
    assert "&lt;b&gt;" in response.get_data(as_text=True)
    assert "<b>" not in response.get_data(as_text=True)
    assert 308 not in ex.default_exceptions


def test_custom_response_is_used() -> None:
    custom = Response("teapot", status=418)
    assert ex.NotFound(response=custom).get_response() is custom


def test_abort_variants() -> None:
    with pytest.raises(ex.NotFound) as not_found:
        ex.abort(404)
    assert not_found.value.description == ex.NotFound.description
    with pytest.raises(ex.NotFound) as described:
        ex.abort(404, description="gone fishing")
    assert described.value.description == "gone fishing"
    with pytest.raises(ex.Forbidden) as positional:
        ex.abort(403, "nope")
    assert positional.value.description == "nope"
    with pytest.raises(ex.MethodNotAllowed) as method:
        ex.abort(405, valid_methods=["GET"])
    assert method.value.get_headers() == [("Allow", "GET")]
    response = Response("hi", status=418)
    with pytest.raises(ex.HTTPException) as wrapped:
        ex.abort(response)
    assert wrapped.value.get_response() is response
    with pytest.raises(LookupError):
        ex.abort(299)
    with pytest.raises(LookupError):
        ex.abort(999)


def test_status_lines() -> None:
    assert HTTP_STATUS_LINES[200] == "200 OK"
    assert HTTP_STATUS_LINES[404] == "404 Not Found"
    assert status_line(418) == "418 I'm a Teapot"
    assert status_line(599) == "599 UNKNOWN"
