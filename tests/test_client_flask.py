"""The test client's Flask arguments: base_url, environ_base, url_scheme, subdomain, ..."""

from __future__ import annotations

import pytest

from tumbler import Tumbler, request
from tumbler.http.request import Request
from tumbler.testing import TestClient


@pytest.fixture
def echo(app: Tumbler) -> Tumbler:
    @app.route("/", methods=["GET", "POST"])
    @app.route("/<path:rest>", methods=["GET", "POST"])
    def index(rest: str = "") -> str:
        return " ".join(
            (request.method, request.url, request.remote_addr or "-", request.args.get("q", "-"))
        )

    return app


def test_positional_base_url(echo: Tumbler, client: TestClient) -> None:
    assert client.get("/x", "https://example.org/app").text == (
        "GET https://example.org/app/x 127.0.0.1 -"
    )
    assert client.open("/x", "http://h.test", "q=1", "POST").text == (
        "POST http://h.test/x?q=1 127.0.0.1 1"
    )
    assert client.post("/y", base_url="http://k.test").text == "POST http://k.test/y 127.0.0.1 -"


def test_url_scheme_and_subdomain(echo: Tumbler, client: TestClient) -> None:
    echo.config["SERVER_NAME"] = "example.com"
    assert client.get("/a", url_scheme="https").text.startswith("GET https://example.com/a")
    assert client.get("/a", subdomain="api").text.startswith("GET http://api.example.com/a")
    with pytest.raises(ValueError, match="base_url"):
        client.get("/", "http://x.test", subdomain="api")


def test_config_gives_the_default_url(echo: Tumbler, client: TestClient) -> None:
    echo.config.update(
        SERVER_NAME="site.test:8080", APPLICATION_ROOT="/root", PREFERRED_URL_SCHEME="https"
    )
    assert client.get("/p").text.startswith("GET https://site.test:8080/root/p ")
    with echo.test_request_context("/p", subdomain="eu"):
        assert request.url == "https://eu.site.test:8080/root/p"


def test_environ_base(echo: Tumbler, client: TestClient) -> None:
    text = client.get("/", environ_base={"REMOTE_ADDR": "10.1.2.3"}).text
    assert text == "GET http://localhost/ 10.1.2.3 -"
    client.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    assert client.get("/").text.endswith(" 10.9.9.9 -")
    assert client.get("/", environ_base={"REMOTE_ADDR": "10.0.0.1"}).text.endswith(" 10.0.0.1 -")


def test_environ_base_headers(app: Tumbler, client: TestClient) -> None:
    app.add_url_rule("/", "ua", lambda: request.headers.get("User-Agent", "none"))
    assert client.get("/", environ_base={"HTTP_USER_AGENT": "probe/1"}).text == "probe/1"


def test_response_request(echo: Tumbler, client: TestClient) -> None:
    response = client.get("/where?q=2", headers={"X-Probe": "yes"})
    assert isinstance(response.request, Request)
    assert response.request.path == "/where"
    assert response.request.method == "GET"
    assert response.request.args["q"] == "2"
    assert response.request.headers["X-Probe"] == "yes"
    assert response.request.url == "http://localhost/where?q=2"


def test_response_as_context_manager(app: Tumbler, client: TestClient) -> None:
    closed: list[bool] = []
    app.add_url_rule("/", "index", lambda: "body")
    with client.get("/") as response:
        assert response.text == "body"
        closed.append(True)
    assert closed == [True]


def test_redirect_to_another_subdomain_is_followed(protocol: str) -> None:
    app = Tumbler("tests_app", subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.com"
    app.add_url_rule("/go", "go", redirect_to="http://api.example.com/")
    app.add_url_rule("/", "api", lambda: f"api at {request.host}", subdomain="api")
    client = app.test_client(protocol=protocol)
    response = client.get("/go", follow_redirects=True)
    assert response.text == "api at api.example.com"
    assert response.request.host == "api.example.com"
    client.close()


def test_relative_redirect_keeps_the_host(app: Tumbler, client: TestClient) -> None:
    app.add_url_rule("/from", "from_", redirect_to="/to")
    app.add_url_rule("/to", "to", lambda: request.url)
    response = client.get("/from", "https://h.test", follow_redirects=True)
    assert response.text == "https://h.test/to"


def test_client_environ_base_defaults(app: Tumbler, client: TestClient) -> None:
    app.add_url_rule(
        "/", "ua", lambda: f"{request.remote_addr} {request.headers.get('User-Agent')}"
    )
    assert client.get("/").text.startswith("127.0.0.1 tumbler/")
    client.environ_base["HTTP_USER_AGENT"] = "Foo"
    client.environ_base["REMOTE_ADDR"] = "192.168.0.22"
    assert client.get("/").text == "192.168.0.22 Foo"
    assert client.get("/", headers={"User-Agent": "Bar"}).text == "192.168.0.22 Bar"


def test_environ_overrides(app: Tumbler, client: TestClient) -> None:
    app.add_url_rule("/", "ua", lambda: f"{request.scheme} {request.headers['User-Agent']}")
    response = client.get(
        "/",
        headers={"User-Agent": "Bar"},
        environ_overrides={"wsgi.url_scheme": "https", "HTTP_USER_AGENT": "Baz"},
    )
    assert response.text == "https Baz"


def test_blueprint_with_subdomain_and_application_root(protocol: str) -> None:
    from tumbler import Blueprint

    app = Tumbler("tests_app", subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.com:1234"
    app.config["APPLICATION_ROOT"] = "/foo"
    bp = Blueprint("company", __name__, subdomain="xxx")
    bp.add_url_rule("/", "index", lambda: f"{request.url} {request.blueprint}")
    app.register_blueprint(bp)
    with app.test_request_context("/", subdomain="xxx") as ctx:
        assert ctx.request.url == "http://xxx.example.com:1234/foo/"
    client = app.test_client(protocol=protocol)
    assert client.get("/", subdomain="xxx").text == "http://xxx.example.com:1234/foo/ company"
    client.close()


def test_url_for_a_subdomain_pattern_then_get_it(protocol: str) -> None:
    from tumbler import url_for

    app = Tumbler("tests_app", subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.com"
    app.add_url_rule("/", "view", lambda company_id: company_id, subdomain="<company_id>")
    with app.test_request_context():
        url = url_for("view", company_id="xxx")
    assert url == "http://xxx.example.com/"
    client = app.test_client(protocol=protocol)
    assert client.get(url).text == "xxx"
    client.close()


def test_auth_and_mimetype_arguments(app: Tumbler, client: TestClient) -> None:
    app.add_url_rule(
        "/",
        "echo",
        lambda: f"{request.headers['Authorization']} {request.mimetype}",
        methods=["POST"],
    )
    response = client.post("/", auth=("ann", "pw"), data=b"x", mimetype="text/csv")
    assert response.text == "Basic YW5uOnB3 text/csv"


def test_json_argument_uses_the_apps_provider(app: Tumbler, client: TestClient) -> None:
    import datetime

    app.add_url_rule("/", "echo", lambda: request.get_data(as_text=True), methods=["POST"])
    response = client.post("/", json={"when": datetime.date(2026, 1, 2)})
    assert response.text == '{"when": "Fri, 02 Jan 2026 00:00:00 GMT"}'
