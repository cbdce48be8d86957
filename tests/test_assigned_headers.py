"""``response.headers = ...`` with Werkzeug's classes, a dict or pairs, as Flask code does."""

from __future__ import annotations

import pytest

from tumbler import Response, Tumbler, session
from tumbler.testing import TestClient

werkzeug_datastructures = pytest.importorskip("werkzeug.datastructures")


def test_after_request_hook_assigns_a_werkzeug_multidict(app: Tumbler, client: TestClient) -> None:
    """Flask-CORS's move: replace the headers with a MultiDict, then keep adding to it."""
    app.secret_key = "assigned"

    @app.route("/")
    def index() -> str:
        session["seen"] = True  # the session is saved after the hook: it adds a cookie
        return "ok"

    @app.after_request
    def like_flask_cors(response: Response) -> Response:
        response.headers = werkzeug_datastructures.MultiDict(response.headers)  # type: ignore[assignment]
        response.headers.add("Access-Control-Allow-Origin", "https://a.example")
        response.headers.add("X-Two", "1")
        response.headers.add("X-Two", "2")
        return response

    @app.after_request
    def later_hook(response: Response) -> None:
        response.headers.set("X-Later", "yes")  # tumbler's Headers again

    answer = client.get("/")
    assert answer.text == "ok"
    assert answer.headers["Access-Control-Allow-Origin"] == "https://a.example"
    assert answer.headers.getlist("X-Two") == ["1", "2"]
    assert answer.headers["X-Later"] == "yes"
    assert answer.headers["Set-Cookie"].startswith("session=")


@pytest.mark.parametrize(
    "assigned",
    [
        {"X-From": "dict"},
        [("X-From", "dict")],
        werkzeug_datastructures.Headers([("X-From", "dict")]),
    ],
    ids=["dict", "pairs", "werkzeug-headers"],
)
def test_view_assigns_headers_before_returning(
    app: Tumbler, client: TestClient, assigned: object
) -> None:
    @app.route("/")
    def index() -> Response:
        response = Response("body", mimetype="text/plain")
        response.headers = assigned  # type: ignore[assignment]
        return response

    answer = client.get("/")
    assert answer.text == "body"
    assert answer.headers["X-From"] == "dict"
