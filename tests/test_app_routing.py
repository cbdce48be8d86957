"""Routing as the app exposes it: methods, HEAD, OPTIONS, slashes, url_for."""

from __future__ import annotations

import uuid

import pytest

from tumbler import Tumbler, request, url_for
from tumbler.routing import BaseConverter, BuildError
from tumbler.testing import TestClient


def test_method_shortcuts(app: Tumbler, client: TestClient) -> None:
    app.get("/r", endpoint="e9")(lambda: "get")
    app.post("/r", endpoint="e10")(lambda: "post")
    app.put("/r", endpoint="e11")(lambda: "put")
    app.patch("/r", endpoint="e12")(lambda: "patch")
    app.delete("/r", endpoint="e13")(lambda: "delete")
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        assert client.open("/r", method=method).text == method.lower()


def test_shortcut_refuses_methods_argument(app: Tumbler) -> None:
    with pytest.raises(TypeError, match="route"):
        app.get("/x", methods=["POST"])


def test_methods_as_a_string_is_refused(app: Tumbler) -> None:
    with pytest.raises(TypeError, match="list of strings"):
        app.route("/x", methods="POST")(lambda: "x")


def test_add_url_rule_with_endpoint(app: Tumbler, client: TestClient) -> None:
    app.add_url_rule("/plain", "plain_endpoint", lambda: "plain")
    assert client.get("/plain").text == "plain"
    with app.test_request_context():
        assert url_for("plain_endpoint") == "/plain"


def test_duplicate_endpoint_with_other_function_is_refused(app: Tumbler) -> None:
    app.add_url_rule("/a", "same", lambda: "a")
    with pytest.raises(AssertionError, match="overwriting"):
        app.add_url_rule("/b", "same", lambda: "b")


def test_head_is_answered_from_get_without_a_body(app: Tumbler, client: TestClient) -> None:
    seen: list[str] = []

    @app.route("/page")
    def page() -> str:
        seen.append(request.method)
        return "a body of some length"

    response = client.head("/page")
    assert response.status_code == 200
    assert response.data == b""
    assert response.headers["Content-Length"] == str(len("a body of some length"))
    assert seen == ["HEAD"]


def test_head_on_a_stream_sends_no_body(app: Tumbler, client: TestClient) -> None:
    app.route("/s", endpoint="e14")(lambda: iter(["a", "b"]))
    response = client.head("/s")
    assert (response.status_code, response.data) == (200, b"")


def test_options_is_automatic_and_carries_allow(app: Tumbler, client: TestClient) -> None:
    app.route("/thing", methods=["GET", "POST"], endpoint="e15")(lambda: "thing")
    response = client.options("/thing")
    assert response.status_code == 200
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS, POST"
    assert response.data == b""


def test_explicit_options_view_is_used(app: Tumbler, client: TestClient) -> None:
    app.route("/cors", methods=["OPTIONS"], endpoint="e16")(lambda: ("custom", 204))
    assert client.options("/cors").status_code == 204


def test_automatic_options_runs_hooks(app: Tumbler, client: TestClient) -> None:
    app.after_request(lambda r: r.headers.set("X-Hooked", "1"))
    app.route("/", endpoint="e17")(lambda: "x")
    assert client.options("/").headers["X-Hooked"] == "1"


def test_strict_slashes_redirect_with_308_and_query(app: Tumbler, client: TestClient) -> None:
    app.route("/dir/", endpoint="e18")(lambda: "dir")
    response = client.get("/dir?a=1")
    assert response.status_code == 308
    assert response.headers["Location"] in ("/dir/?a=1", "http://localhost/dir/?a=1")
    assert client.get("/dir", follow_redirects=True).text == "dir"


def test_rule_without_slash_gives_404_with_slash(app: Tumbler, client: TestClient) -> None:
    app.route("/file", endpoint="e19")(lambda: "file")
    assert client.get("/file/").status_code == 404


def test_converters(app: Tumbler, client: TestClient) -> None:
    @app.route("/c/<string:s>/<int:i>/<float:f>/<uuid:u>/<any(x, y):a>/<path:p>")
    def every(s: str, i: int, f: float, u: uuid.UUID, a: str, p: str) -> str:
        return f"{s}|{i!r}|{f!r}|{type(u).__name__}|{a}|{p}"

    u = uuid.uuid4()
    response = client.get(f"/c/word/7/1.5/{u}/y/deep/er/path")
    assert response.text == "word|7|1.5|UUID|y|deep/er/path"
    assert client.get(f"/c/word/x/1.5/{u}/y/p").status_code == 404


def test_user_defined_converter(app: Tumbler, client: TestClient) -> None:
    class ListConverter(BaseConverter):
        def to_python(self, value: str) -> list[str]:
            return value.split("+")

        def to_url(self, value: list[str]) -> str:
            return "+".join(value)

    app.url_map.converters["list"] = ListConverter

    @app.route("/tags/<list:tags>")
    def tags(tags: list[str]) -> str:
        return ",".join(tags)

    assert client.get("/tags/a+b+c").text == "a,b,c"
    with app.test_request_context():
        assert url_for("tags", tags=["x", "y"]) == "/tags/x+y"


def test_url_for(app: Tumbler) -> None:
    @app.route("/users/<int:user_id>")
    def user(user_id: int) -> str:
        return ""

    with app.test_request_context("/", base_url="https://example.org/app"):
        assert url_for("user", user_id=3) == "/app/users/3"
        assert url_for("user", user_id=3, page=2, tag=["a", "b"]) == (
            "/app/users/3?page=2&tag=a&tag=b"
        )
        assert url_for("user", user_id=3, _anchor="top") == "/app/users/3#top"
        assert url_for("user", user_id=3, _external=True) == "https://example.org/app/users/3"
        assert (
            url_for("user", user_id=3, _external=True, _scheme="http")
            == "http://example.org/app/users/3"
        )
        with pytest.raises(BuildError, match="user_id"):
            url_for("user")
        with pytest.raises(BuildError, match="nope"):
            url_for("nope")


def test_url_for_in_app_context_needs_server_name(app: Tumbler) -> None:
    app.route("/x", endpoint="x")(lambda: "")
    with app.app_context(), pytest.raises(RuntimeError, match="SERVER_NAME"):
        url_for("x")
    app.config["SERVER_NAME"] = "example.com"
    with app.app_context():
        assert url_for("x") == "http://example.com/x"


def test_head_closes_a_streamed_generator_without_running_it(
    app: Tumbler, client: TestClient
) -> None:
    events: list[str] = []

    @app.route("/s")
    def stream() -> object:
        def chunks() -> object:
            try:
                events.append("started")
                yield "a"
            finally:
                events.append("closed")

        gen = chunks()
        next(gen)  # started: closing it must run the finally block
        return gen

    assert client.head("/s").data == b""
    assert events == ["started", "closed"]
