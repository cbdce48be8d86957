"""Message flashing: stored in the session, shown once, with categories and filters."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tumbler import (
    Tumbler,
    flash,
    get_flashed_messages,
    redirect,
    render_template_string,
    session,
    url_for,
)
from tumbler.testing import TestClient


@pytest.fixture
def app() -> Tumbler:
    """An app with a secret key and views that flash and show messages."""
    app = Tumbler("tests_app")
    app.secret_key = "flash secret"

    @app.route("/add")
    def add() -> Any:
        flash("plain")
        flash("careful", "warning")
        flash("broken", "error")
        return redirect(url_for("show"))

    @app.route("/show")
    def show() -> Any:
        return {
            "all": get_flashed_messages(),
            "again": get_flashed_messages(),
            "categories": get_flashed_messages(with_categories=True),
            "errors": get_flashed_messages(category_filter=["error"]),
            "problems": get_flashed_messages(True, ("error", "warning")),
        }

    return app


def test_flash_across_a_redirect(client: TestClient) -> None:
    response = client.get("/add", follow_redirects=True)
    assert response.json == {
        "all": ["plain", "careful", "broken"],
        "again": ["plain", "careful", "broken"],
        "categories": [["message", "plain"], ["warning", "careful"], ["error", "broken"]],
        "errors": ["broken"],
        "problems": [["warning", "careful"], ["error", "broken"]],
    }
    # Shown once: the next request has nothing left.
    assert client.get("/show").json["all"] == []


def test_messages_accumulate_until_shown(app: Tumbler, client: TestClient) -> None:
    @app.route("/one/<text>")
    def one(text: str) -> str:
        flash(text)
        return "ok"

    client.get("/one/first")
    client.get("/one/second")
    assert client.get("/show").json["all"] == ["first", "second"]


def test_stored_as_json_pairs(app: Tumbler) -> None:
    with app.test_request_context("/"):
        flash("hello", "info")
        assert session["_flashes"] == [["info", "hello"]]
        json.dumps(dict(session))  # what the cookie holds must be JSON


def test_with_categories_gives_tuples(app: Tumbler) -> None:
    with app.test_request_context("/"):
        flash("hello", "info")
        assert get_flashed_messages(with_categories=True) == [("info", "hello")]
        assert "_flashes" not in session


def test_flashing_later_in_the_request_waits_for_the_next(app: Tumbler) -> None:
    with app.test_request_context("/"):
        assert get_flashed_messages() == []
        flash("late")
        assert get_flashed_messages() == []
        assert session["_flashes"] == [["message", "late"]]


def test_in_templates(app: Tumbler, client: TestClient) -> None:
    @app.route("/page")
    def page() -> str:
        return render_template_string(
            "{% for c, m in get_flashed_messages(with_categories=true) %}{{ c }}:{{ m }};"
            "{% endfor %}"
        )

    client.get("/add")
    assert client.get("/page").text == "message:plain;warning:careful;error:broken;"


def test_needs_a_secret_key(protocol: str) -> None:
    app = Tumbler("no_secret")

    @app.route("/")
    def index() -> str:
        flash("x")
        return "never"

    app.testing = True
    with app.test_client(protocol=protocol) as client, pytest.raises(RuntimeError, match="secret"):
        client.get("/")


def test_outside_a_request(app: Tumbler) -> None:
    with pytest.raises(RuntimeError, match="request context"):
        flash("x")
    with app.app_context(), pytest.raises(RuntimeError, match="request context"):
        get_flashed_messages()
