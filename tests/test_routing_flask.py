"""Flask's routing features: subdomains, hosts, redirect_to, per-rule slashes, url_for rules."""

from __future__ import annotations

from typing import Any

import pytest

from tumbler import Blueprint, Tumbler, url_for
from tumbler.routing import Map, Rule
from tumbler.testing import TestClient


@pytest.fixture
def sub_app() -> Tumbler:
    app = Tumbler("tests_app", subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.com"

    @app.route("/")
    def index() -> str:
        return "root"

    @app.route("/", subdomain="api")
    def api_index() -> str:
        return "api"

    @app.route("/page", subdomain="<user>")
    def user_page(user: str) -> str:
        links = (url_for("api_index"), url_for("index"), url_for("user_page", user="x"))
        return f"user {user} {' '.join(links)}"

    return app


def test_subdomain_rules_match_by_host(sub_app: Tumbler, protocol: str) -> None:
    client = sub_app.test_client(protocol=protocol)
    assert client.get("http://example.com/").text == "root"
    assert client.get("http://api.example.com/").text == "api"
    assert client.get("http://bob.example.com/page").text == (
        "user bob http://api.example.com/ http://example.com/ http://x.example.com/page"
    )
    assert client.get("http://bob.example.com/").status_code == 404
    assert client.get("http://api.example.com/page").text.startswith("user api")
    client.close()


def test_subdomain_keyword_of_the_test_client(sub_app: Tumbler, protocol: str) -> None:
    client = sub_app.test_client(protocol=protocol)
    assert client.get("/", subdomain="api").text == "api"
    assert client.get("/page", subdomain="ann").text.startswith("user ann")
    client.close()


def test_subdomain_url_for_outside_a_request(sub_app: Tumbler) -> None:
    with sub_app.app_context():
        assert url_for("api_index") == "http://api.example.com/"
        assert url_for("user_page", user="z") == "http://z.example.com/page"
        assert url_for("index") == "http://example.com/"


def test_without_subdomain_matching_subdomain_rules_do_not_match(
    app: Tumbler, client: TestClient
) -> None:
    app.config["SERVER_NAME"] = "example.com"
    app.add_url_rule("/", "api", lambda: "api", subdomain="api")
    app.add_url_rule("/", "index", lambda: "root")
    assert client.get("http://api.example.com/").text == "root"


def test_blueprint_subdomain(protocol: str) -> None:
    app = Tumbler("tests_app", subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.com:8080"
    bp = Blueprint("admin", __name__, subdomain="admin")
    bp.add_url_rule("/", "home", lambda: url_for("admin.home", _external=True))
    child = Blueprint("child", __name__, subdomain="eu")
    child.add_url_rule("/c", "c", lambda: "child")
    bp.register_blueprint(child)
    app.register_blueprint(bp)
    client = app.test_client(protocol=protocol)
    assert client.get("http://admin.example.com:8080/").text == "http://admin.example.com:8080/"
    assert client.get("http://eu.admin.example.com:8080/c").text == "child"
    assert client.get("http://example.com:8080/").status_code == 404
    client.close()


def test_host_matching(protocol: str) -> None:
    app = Tumbler("tests_app", host_matching=True, static_host="static.example.com")
    app.add_url_rule("/", "a", lambda: f"a {url_for('b')}", host="a.example.com")
    app.add_url_rule("/", "b", lambda: f"b {url_for('a')}", host="b.example.com")
    app.add_url_rule("/u", "user", lambda name: f"user {name}", host="<name>.users.org")
    client = app.test_client(protocol=protocol)
    assert client.get("http://a.example.com/").text == "a http://b.example.com/"
    assert client.get("http://b.example.com/").text == "b http://a.example.com/"
    assert client.get("http://ann.users.org/u").text == "user ann"
    assert client.get("http://c.example.com/").status_code == 404
    with app.test_request_context("http://a.example.com/"):
        assert url_for("static", filename="x.css") == "http://static.example.com/static/x.css"
        assert url_for("a") == "/"
    client.close()


def test_host_matching_needs_static_host() -> None:
    with pytest.raises(AssertionError, match="static_host"):
        Tumbler("tests_app", host_matching=True)
    with pytest.raises(AssertionError, match="static_host"):
        Tumbler("tests_app", static_host="example.com")
    Tumbler("tests_app", host_matching=True, static_folder=None)


def test_redirect_to(app: Tumbler, client: TestClient) -> None:
    app.add_url_rule("/new/<int:id>", "new", lambda id: f"new {id}")
    app.add_url_rule("/old/<int:id>", "old", redirect_to="/new/<id>")
    app.add_url_rule("/rel", "rel", redirect_to="new/3")
    app.add_url_rule("/call/<name>", "call", redirect_to=lambda map, name: f"/new/{len(name)}")
    response = client.get("/old/7")
    assert response.status_code == 308
    assert response.headers["Location"] == "http://localhost/new/7"
    assert client.get("/old/7", follow_redirects=True).text == "new 7"
    assert client.get("/rel").headers["Location"] == "http://localhost/new/3"
    assert client.get("/call/abcd").headers["Location"] == "http://localhost/new/4"


def test_redirect_to_static_rule_and_other_host(app: Tumbler, client: TestClient) -> None:
    app.add_url_rule("/away", "away", redirect_to="https://example.org/there")
    response = client.get("/away")
    assert response.status_code == 308
    assert response.headers["Location"] == "https://example.org/there"


def test_per_rule_strict_slashes(app: Tumbler, client: TestClient) -> None:
    app.add_url_rule("/lax/", "lax", lambda: "lax", strict_slashes=False)
    app.add_url_rule("/file", "file", lambda: "file", strict_slashes=False)
    app.add_url_rule("/strict/", "strict", lambda: "strict")
    assert client.get("/lax").text == "lax"
    assert client.get("/lax/").text == "lax"
    assert client.get("/file/").text == "file"
    assert client.get("/strict").status_code == 308


def test_per_rule_merge_slashes(app: Tumbler, client: TestClient) -> None:
    app.add_url_rule("/a/b", "merged", lambda: "merged")
    app.add_url_rule("/c/d", "kept", lambda: "kept", merge_slashes=False)
    response = client.get("/a//b")
    assert response.status_code == 308
    assert response.headers["Location"].endswith("/a/b")
    assert client.get("/c//d").status_code == 404


def test_is_endpoint_expecting() -> None:
    url_map = Map([Rule("/<lang>/page/<int:n>", endpoint="page"), Rule("/", endpoint="index")])
    assert url_map.is_endpoint_expecting("page", "lang")
    assert url_map.is_endpoint_expecting("page", "lang", "n")
    assert not url_map.is_endpoint_expecting("page", "other")
    assert not url_map.is_endpoint_expecting("index", "lang")
    assert not url_map.is_endpoint_expecting("missing")


def test_app_url_map_is_endpoint_expecting(app: Tumbler) -> None:
    app.add_url_rule("/<lang_code>/", "home", lambda lang_code: lang_code)
    assert app.url_map.is_endpoint_expecting("home", "lang_code")


def test_scheme_implies_external(app: Tumbler, client: TestClient) -> None:
    @app.route("/")
    def index() -> str:
        return url_for("index", _scheme="https")

    assert client.get("/").text == "https://localhost/"
    with app.test_request_context(), pytest.raises(ValueError, match="_external"):
        url_for("index", _scheme="https", _external=False)


def test_view_argument_named_self(app: Tumbler, client: TestClient) -> None:
    @app.route("/<self>")
    def index(self: str) -> str:
        return f"{self} {url_for('index', self='2')} {app.url_for('index', self='3')}"

    assert client.get("/1").text == "1 /2 /3"


def test_rule_domain_validation() -> None:
    url_map = Map(host_matching=True)
    with pytest.raises(ValueError, match="slash"):
        url_map.add(Rule("/", endpoint="x", host="a/b"))
    with pytest.raises(ValueError, match="path and host"):
        url_map.add(Rule("/<name>", endpoint="y", host="<name>.org"))


def test_map_match_by_domain() -> None:
    url_map = Map(
        [
            Rule("/", endpoint="root"),
            Rule("/", endpoint="api", subdomain="api", methods=["POST"]),
            Rule("/", endpoint="any", subdomain="<sub>"),
        ]
    )
    assert url_map.match("/", "GET")[0].endpoint == "root"
    assert url_map.match("/", "POST", "api")[0].endpoint == "api"
    rule, values = url_map.match("/", "GET", "api")  # the pattern answers what api refuses
    assert (rule.endpoint, values) == ("any", {"sub": "api"})
    built: Any = url_map.build_with_domain("any", {"sub": "x"})
    assert built == ("/", "x")


def test_bad_host_with_subdomain_matching_is_400(sub_app: Tumbler, protocol: str) -> None:
    client = sub_app.test_client(protocol=protocol)
    assert client.get("/", headers={"Host": "bad host"}).status_code == 400
    client.close()


def test_url_for_without_subdomain_matching(app: Tumbler) -> None:
    app.config["SERVER_NAME"] = "example.com"
    app.add_url_rule("/", "api", lambda: "api", subdomain="api")
    with app.test_request_context("http://api.example.com/"):
        assert url_for("api") == "http://api.example.com/"  # the request counts as ""


@pytest.mark.parametrize(
    ("subdomain_matching", "host_matching", "on_abc", "elsewhere"),
    [
        (False, False, "default", "default"),
        (True, False, "abc", "default"),
        (False, True, "abc", "default"),
    ],
)
def test_one_view_for_host_and_subdomain_rules(
    protocol: str, subdomain_matching: bool, host_matching: bool, on_abc: str, elsewhere: str
) -> None:
    app = Tumbler(
        "tests_app",
        subdomain_matching=subdomain_matching,
        host_matching=host_matching,
        static_host="example.test" if host_matching else None,
    )
    app.config["SERVER_NAME"] = "example.test"

    @app.route("/", defaults={"name": "default"}, host="<name>")
    @app.route("/", subdomain="<name>", host="<name>.example.test")
    def index(name: str) -> str:
        return name

    client = app.test_client(protocol=protocol)
    assert client.get(base_url="http://example.test").text == "default"
    assert client.get(base_url="http://abc.example.test").text == on_abc
    assert client.get(base_url="http://xyz.other.test").text == elsewhere
    client.close()


def test_server_name_with_a_standard_port(protocol: str) -> None:
    app = Tumbler("tests_app", subdomain_matching=True)
    app.add_url_rule("/", "index", lambda: "default")
    app.add_url_rule("/", "sub", lambda: "subdomain", subdomain="foo")
    client = app.test_client(protocol=protocol)
    app.config["SERVER_NAME"] = "dev.local:443"
    assert client.get("/", "https://dev.local").text == "default"
    assert client.get("/", "https://foo.dev.local").text == "subdomain"
    app.config["SERVER_NAME"] = "dev.local:5000"
    assert client.get("/").text == "default"
    assert client.get("/", "http://foo.dev.local:5000").text == "subdomain"
    assert client.get("/", "http://foo.localhost").text == "default"  # not under SERVER_NAME
    client.close()


def test_automatic_options_on_a_subdomain(sub_app: Tumbler, protocol: str) -> None:
    sub_app.add_url_rule("/form", "form", lambda: "f", subdomain="api", methods=["GET", "PUT"])
    client = sub_app.test_client(protocol=protocol)
    response = client.options("/form", subdomain="api")
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS, PUT"
    client.close()
