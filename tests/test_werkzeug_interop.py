"""Werkzeug's objects in a tumbler app (issue 13), which itself never imports Werkzeug."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
import werkzeug.exceptions as wz
from werkzeug.datastructures import Headers as WHeaders
from werkzeug.datastructures import MultiDict as WMultiDict
from werkzeug.routing import BaseConverter, ValidationError
from werkzeug.wrappers import Response as WResponse

from tumbler import Tumbler, abort
from tumbler.http import exceptions as tumbler_exceptions
from tumbler.testing import TestClient


class TeapotError(wz.HTTPException):
    code = 418
    description = "I brew tea."


class TooSoon(wz.BadRequest):
    description = "Come back later."


def _raise(error: BaseException) -> Any:
    def view() -> Any:
        raise error

    return view


@pytest.mark.parametrize(
    ("error", "status", "text"),
    [
        (wz.NotFound(), 404, "Not Found"),
        (wz.BadRequest("bad thing"), 400, "bad thing"),
        (wz.Forbidden(), 403, "Forbidden"),
        (TeapotError(), 418, "I brew tea."),
        (TooSoon(), 400, "Come back later."),
        (wz.MethodNotAllowed(["GET", "POST"]), 405, "Method Not Allowed"),
    ],
)
def test_werkzeug_errors_answer_with_their_status_and_page(
    app: Tumbler, client: TestClient, error: BaseException, status: int, text: str
) -> None:
    app.add_url_rule("/", "v", _raise(error))
    response = client.get("/")
    assert response.status_code == status
    assert text in response.text
    if status == 405:
        assert response.headers["Allow"] == "GET, POST"


def test_werkzeug_error_in_before_request(app: Tumbler, client: TestClient) -> None:
    app.add_url_rule("/", "v", lambda: "never")
    app.before_request(_raise(wz.Unauthorized()))
    assert client.get("/").status_code == 401


def test_werkzeug_abort_with_a_response(app: Tumbler, client: TestClient) -> None:
    from werkzeug.exceptions import abort as wz_abort

    def view() -> Any:
        wz_abort(WResponse("custom body", status=409))

    app.add_url_rule("/", "v", view)
    response = client.get("/")
    assert (response.status_code, response.text) == (409, "custom body")


@pytest.mark.parametrize("key", [404, wz.NotFound, tumbler_exceptions.NotFound])
@pytest.mark.parametrize("raised", ["werkzeug", "tumbler"])
def test_errorhandler_catches_both_families(
    app: Tumbler, client: TestClient, key: Any, raised: str
) -> None:
    seen: list[str] = []

    @app.errorhandler(key)
    def handler(error: Any) -> Any:
        seen.append(type(error).__module__)
        return f"handled {error.code}", 404

    def view() -> Any:
        if raised == "werkzeug":
            raise wz.NotFound()
        abort(404)

    app.add_url_rule("/", "v", view)
    response = client.get("/")
    assert (response.status_code, response.text) == (404, "handled 404")
    assert seen == ["werkzeug.exceptions" if raised == "werkzeug" else "tumbler.http.exceptions"]
    assert client.get("/no-such-page").text == "handled 404"  # routing's own 404 too


def test_handler_for_a_werkzeug_subclass_wins_over_its_code(
    app: Tumbler, client: TestClient
) -> None:
    app.register_error_handler(400, lambda e: ("any 400", 400))
    app.register_error_handler(TooSoon, lambda e: ("too soon", 400))
    app.add_url_rule("/soon", "soon", _raise(TooSoon()))
    app.add_url_rule("/bad", "bad", _raise(wz.BadRequest()))
    assert client.get("/soon").text == "too soon"
    assert client.get("/bad").text == "any 400"


def test_handler_for_http_exception_catches_werkzeug_ones(app: Tumbler, client: TestClient) -> None:
    app.register_error_handler(wz.HTTPException, lambda e: (f"generic {e.code}", e.code))
    app.add_url_rule("/", "v", _raise(TeapotError()))
    response = client.get("/")
    assert (response.status_code, response.text) == (418, "generic 418")


def test_handler_may_return_the_werkzeug_response(app: Tumbler, client: TestClient) -> None:
    app.register_error_handler(403, lambda e: e.get_response())
    app.add_url_rule("/", "v", _raise(wz.Forbidden("no entry")))
    response = client.get("/")
    assert response.status_code == 403
    assert "no entry" in response.text


def test_werkzeug_response_from_a_view(app: Tumbler, client: TestClient) -> None:
    closed: list[bool] = []

    def view() -> Any:
        response = WResponse("made by werkzeug", status=201, headers={"X-A": "1"})
        response.call_on_close(lambda: closed.append(True))
        return response

    def streamed() -> Any:
        return WResponse(iter([b"a", b"b"]), mimetype="text/plain")

    app.add_url_rule("/", "v", view)
    app.add_url_rule("/s", "s", streamed)
    response = client.get("/")
    assert (response.status_code, response.text, response.headers["X-A"]) == (
        201,
        "made by werkzeug",
        "1",
    )
    assert closed == [True]
    stream = client.get("/s")
    assert (stream.text, stream.headers["Content-Type"]) == ("ab", "text/plain; charset=utf-8")


def test_werkzeug_headers_and_multidict_from_views(app: Tumbler, client: TestClient) -> None:
    app.add_url_rule("/h", "h", lambda: ("x", WHeaders([("X-A", "1"), ("X-A", "2")])))
    app.add_url_rule("/m", "m", lambda: ("x", 201, WMultiDict([("X-B", "1"), ("X-B", "2")])))
    assert client.get("/h").headers.getlist("X-A") == ["1", "2"]
    response = client.get("/m")
    assert response.status_code == 201
    assert response.headers.getlist("X-B") == ["1", "2"]


class ListConverter(BaseConverter):
    """The custom converter of Flask's documentation."""

    def to_python(self, value: str) -> list[str]:
        if value == "none":
            raise ValidationError()
        return value.split(",")

    def to_url(self, value: list[str]) -> str:
        return ",".join(super(ListConverter, self).to_url(item) for item in value)


def test_werkzeug_converter_in_url_map(app: Tumbler, client: TestClient) -> None:
    app.url_map.converters["list"] = ListConverter

    @app.route("/items/<list:items>")
    def items(items: list[str]) -> Any:
        return {"items": items}

    @app.route("/items/<name>")
    def other(name: str) -> Any:
        return {"other": name}

    assert client.get("/items/a,b").json == {"items": ["a", "b"]}
    assert client.get("/items/none").json == {"other": "none"}  # ValidationError: next rule
    with app.test_request_context():
        from tumbler import url_for

        assert url_for("items", items=["x", "y z"]) == "/items/x,y%20z"


def test_tumbler_never_imports_werkzeug() -> None:
    code = (
        "import sys, tumbler, tumbler.testing\n"
        "from tumbler import Tumbler, abort, request\n"
        "app = Tumbler('x')\n"
        "app.add_url_rule('/', 'v', lambda: abort(404))\n"
        "assert app.test_client().get('/').status_code == 404\n"
        "assert app.test_client(protocol='asgi').get('/nope').status_code == 404\n"
        "assert not [m for m in sys.modules if m.startswith('werkzeug')], 'werkzeug imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_blueprint_errorhandler_with_a_werkzeug_class(app: Tumbler, client: TestClient) -> None:
    from tumbler import Blueprint

    bp = Blueprint("admin", __name__, url_prefix="/admin")

    @bp.errorhandler(wz.Forbidden)
    def forbidden(error: Any) -> Any:
        return f"admin says no ({error.code})", 403

    bp.add_url_rule("/t", "t", lambda: abort(403))
    bp.add_url_rule("/w", "w", _raise(wz.Forbidden()))
    app.register_blueprint(bp)
    app.add_url_rule("/outside", "outside", lambda: abort(403))
    assert client.get("/admin/t").text == "admin says no (403)"
    assert client.get("/admin/w").text == "admin says no (403)"
    assert client.get("/outside").text != "admin says no (403)"
