"""Blueprints: routes, scoped hooks and handlers in Flask's order, nesting, url_for."""

from __future__ import annotations

import pytest

from tumbler import Blueprint, Response, Tumbler, abort, g, request, url_for
from tumbler.testing import TestClient


def test_routes_prefix_and_endpoints(app: Tumbler, client: TestClient) -> None:
    bp = Blueprint("admin", __name__, url_prefix="/admin")

    @bp.route("/users")
    def users() -> str:
        return f"{request.endpoint} {request.blueprint} {url_for('.users')} {url_for('index')}"

    app.add_url_rule("/home", "index", lambda: "home")
    app.register_blueprint(bp)
    assert client.get("/admin/users").text == "admin.users admin /admin/users /home"


def test_register_with_another_prefix(app: Tumbler, client: TestClient) -> None:
    bp = Blueprint("api", __name__, url_prefix="/api")
    bp.route("/ping", endpoint="e1")(lambda: "pong")
    app.register_blueprint(bp, url_prefix="/v2")
    assert client.get("/v2/ping").text == "pong"
    assert client.get("/api/ping").status_code == 404


def test_scoped_hooks_run_only_for_the_blueprint_in_flask_order(
    app: Tumbler, client: TestClient
) -> None:
    trace: list[str] = []
    bp = Blueprint("bp", __name__, url_prefix="/bp")

    app.before_request(lambda: trace.append("app before"))
    bp.before_request(lambda: trace.append("bp before"))

    @app.after_request
    def app_after(response: Response) -> None:
        trace.append("app after")

    @bp.after_request
    def bp_after(response: Response) -> None:
        trace.append("bp after")

    app.teardown_request(lambda e: trace.append("app teardown"))
    bp.teardown_request(lambda e: trace.append("bp teardown"))
    bp.route("/", endpoint="e2")(lambda: "in bp")
    app.route("/", endpoint="e3")(lambda: "in app")
    app.register_blueprint(bp)

    client.get("/bp/")
    assert trace == [
        "app before",
        "bp before",
        "bp after",
        "app after",
        "bp teardown",
        "app teardown",
    ]
    trace.clear()
    client.get("/")
    assert trace == ["app before", "app after", "app teardown"]


def test_app_wide_hooks_from_a_blueprint(app: Tumbler, client: TestClient) -> None:
    bp = Blueprint("bp", __name__)
    trace: list[str] = []
    bp.before_app_request(lambda: trace.append("before_app_request"))

    @bp.after_app_request
    def after(response: Response) -> None:
        trace.append("after_app_request")

    bp.teardown_app_request(lambda e: trace.append("teardown_app_request"))

    @bp.app_errorhandler(404)
    def missing(error: Exception) -> tuple[str, int]:
        return "bp handled 404", 404

    app.route("/", endpoint="e4")(lambda: "app")
    app.register_blueprint(bp)
    assert client.get("/").text == "app"
    assert trace == ["before_app_request", "after_app_request", "teardown_app_request"]
    assert client.get("/missing").text == "bp handled 404"


def test_blueprint_error_handler_beats_app_handler(app: Tumbler, client: TestClient) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/bp")
    bp.register_error_handler(403, lambda e: ("bp 403", 403))
    app.register_error_handler(403, lambda e: ("app 403", 403))
    bp.route("/", endpoint="e5")(lambda: abort(403))
    app.route("/", endpoint="e6")(lambda: abort(403))
    app.register_blueprint(bp)
    assert client.get("/bp/").text == "bp 403"
    assert client.get("/").text == "app 403"


def test_nested_blueprints(app: Tumbler, client: TestClient) -> None:
    parent = Blueprint("parent", __name__, url_prefix="/parent")
    child = Blueprint("child", __name__, url_prefix="/child")
    trace: list[str] = []
    parent.before_request(lambda: trace.append("parent"))
    child.before_request(lambda: trace.append("child"))

    @child.route("/leaf")
    def leaf() -> str:
        return f"{request.endpoint} {request.blueprints} {url_for('.leaf')}"

    parent.register_blueprint(child)
    app.register_blueprint(parent)
    assert client.get("/parent/child/leaf").text == (
        "parent.child.leaf ['parent.child', 'parent'] /parent/child/leaf"
    )
    assert trace == ["parent", "child"]


def test_url_value_preprocessor_and_url_defaults(app: Tumbler, client: TestClient) -> None:
    bp = Blueprint("lang", __name__, url_prefix="/<lang_code>")

    @bp.url_defaults
    def add_language_code(endpoint: str, values: dict[str, str]) -> None:
        values.setdefault("lang_code", g.lang_code)

    @bp.url_value_preprocessor
    def pull_lang_code(endpoint: str | None, values: dict[str, str] | None) -> None:
        assert values is not None
        g.lang_code = values.pop("lang_code")

    @bp.route("/about")
    def about() -> str:
        return f"{g.lang_code} {url_for('.about')}"

    app.register_blueprint(bp)
    assert client.get("/fr/about").text == "fr /fr/about"


def test_blueprint_rejects_setup_after_registration(app: Tumbler) -> None:
    bp = Blueprint("bp", __name__)
    bp.route("/", endpoint="e7")(lambda: "x")
    app.register_blueprint(bp)
    with pytest.raises(AssertionError, match="already been registered"):
        bp.route("/late", endpoint="e8")(lambda: "late")


def test_blueprint_name_rules(app: Tumbler) -> None:
    with pytest.raises(ValueError, match="dot"):
        Blueprint("a.b", __name__)
    first = Blueprint("same", __name__)
    second = Blueprint("same", __name__)
    app.register_blueprint(first)
    with pytest.raises(ValueError, match="already registered"):
        app.register_blueprint(second)
    app.register_blueprint(second, name="other")
    assert set(app.blueprints) == {"same", "other"}
