"""The request and response objects as views see them, over both protocols."""

from __future__ import annotations

import json
from typing import Any

from tumbler import Response, Tumbler, jsonify, make_response, redirect, request
from tumbler.testing import TestClient


def echo(app: Tumbler, expr: Any) -> None:
    @app.route("/<path:anything>", methods=["GET", "POST", "PUT"])
    @app.route("/", methods=["GET", "POST", "PUT"])
    def view(anything: str = "") -> Any:
        return expr()


def test_url_parts(app: Tumbler, client: TestClient) -> None:
    echo(
        app,
        lambda: {
            "method": request.method,
            "path": request.path,
            "full_path": request.full_path,
            "url": request.url,
            "base_url": request.base_url,
            "host": request.host,
            "scheme": request.scheme,
            "remote_addr": request.remote_addr,
            "endpoint": request.endpoint,
            "view_args": request.view_args,
            "rule": request.url_rule.rule if request.url_rule else None,
        },
    )
    data = client.get("/a/b?x=1&y=2").json
    assert data == {
        "method": "GET",
        "path": "/a/b",
        "full_path": "/a/b?x=1&y=2",
        "url": "http://localhost/a/b?x=1&y=2",
        "base_url": "http://localhost/a/b",
        "host": "localhost",
        "scheme": "http",
        "remote_addr": "127.0.0.1",
        "endpoint": "view",
        "view_args": {"anything": "a/b"},
        "rule": "/<path:anything>",
    }
    assert client.get("/").json["full_path"] == "/?"


def test_non_ascii_path(app: Tumbler, client: TestClient) -> None:
    echo(app, lambda: request.path)
    assert client.get("/caf\u00e9").text == "/caf\u00e9"


def test_args_multidict(app: Tumbler, client: TestClient) -> None:
    echo(
        app,
        lambda: {
            "first": request.args["tag"],
            "all": request.args.getlist("tag"),
            "typed": request.args.get("n", type=int),
            "bad": request.args.get("tag", type=int),
            "plus": request.args.get("q"),
        },
    )
    data = client.get("/?tag=a&tag=b&n=5&q=a+b%21").json
    assert data == {"first": "a", "all": ["a", "b"], "typed": 5, "bad": None, "plus": "a b!"}


def test_missing_arg_is_a_400(app: Tumbler, client: TestClient) -> None:
    echo(app, lambda: request.args["missing"])
    assert client.get("/").status_code == 400


def test_headers_case_insensitive_and_multi(app: Tumbler, client: TestClient) -> None:
    echo(
        app,
        lambda: {
            "lower": request.headers.get("x-custom"),
            "upper": request.headers["X-CUSTOM"],
            "contains": "X-Custom" in request.headers,
        },
    )
    data = client.get("/", headers=[("X-Custom", "v")]).json
    assert data == {"lower": "v", "upper": "v", "contains": True}


def test_cookies(app: Tumbler, client: TestClient) -> None:
    echo(app, lambda: dict(request.cookies))
    data = client.get("/", headers={"Cookie": 'a=1; b="quoted"; c=; garbage; d=x=y'}).json
    assert data["a"] == "1"
    assert data["b"] == "quoted"
    assert data["c"] == ""
    assert data["d"] == "x=y"


def test_body_json_and_form(app: Tumbler, client: TestClient) -> None:
    echo(
        app,
        lambda: {
            "data": request.get_data(as_text=True),
            "json": request.get_json(silent=True),
            "form": request.form.to_dict(flat=False),
            "mimetype": request.mimetype,
            "content_type": request.content_type,
            "content_length": request.content_length,
            "is_json": request.is_json,
        },
    )
    data = client.post("/", json={"k": [1, 2]}).json
    assert data["json"] == {"k": [1, 2]}
    assert json.loads(data["data"]) == {"k": [1, 2]}
    assert data["is_json"] is True
    assert data["content_length"] == len(data["data"])
    form = client.post("/", data={"a": "1", "b": ["2", "3"]}).json
    assert form["form"] == {"a": ["1"], "b": ["2", "3"]}
    assert form["mimetype"] == "application/x-www-form-urlencoded"


def test_malformed_json_is_a_400_and_wrong_type_a_415(app: Tumbler, client: TestClient) -> None:
    echo(app, lambda: {"json": request.json})
    bad = client.post("/", data=b"{not json", headers={"Content-Type": "application/json"})
    assert bad.status_code == 400
    assert "<not" not in bad.text
    assert client.post("/", data=b"{}", headers={"Content-Type": "text/plain"}).status_code == 415
    forced = app.test_client(protocol=client.protocol)
    app2 = Tumbler("forced")
    app2.route("/", methods=["POST"], endpoint="e21")(lambda: {"v": request.get_json(force=True)})
    forced = app2.test_client(protocol=client.protocol)
    assert forced.post("/", data=b"[1]", headers={"Content-Type": "text/plain"}).json == {"v": [1]}


def test_accept_headers(app: Tumbler, client: TestClient) -> None:
    echo(
        app,
        lambda: {
            "lang": request.accept_languages.best_match(["en", "de", "fr"]),
            "mime": request.accept_mimetypes.best_match(["text/html", "application/json"]),
        },
    )
    data = client.get(
        "/",
        headers={
            "Accept-Language": "de-DE;q=0.8, fr;q=0.9",
            "Accept": "application/json, text/html;q=0.5",
        },
    ).json
    assert data == {"lang": "fr", "mime": "application/json"}


def test_max_content_length_gives_413(app: Tumbler, client: TestClient) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 10
    echo(app, lambda: str(len(request.get_data())))
    assert client.post("/", data=b"x" * 5).text == "5"
    assert client.post("/", data=b"x" * 50).status_code == 413


def test_response_attributes_and_cookies(app: Tumbler, client: TestClient) -> None:
    @app.route("/")
    def view() -> Response:
        response = make_response("body", 201)
        response.set_cookie("a", "1", max_age=60, httponly=True, samesite="Lax", secure=True)
        response.delete_cookie("gone")
        response.mimetype = "text/plain"
        return response

    response = client.get("/")
    assert response.status == "201 CREATED" or response.status == "201 Created"
    assert response.status_code == 201
    assert response.content_type == "text/plain; charset=utf-8"
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("a=1;") and "HttpOnly" in c and "SameSite=Lax" in c for c in cookies)
    assert any(c.startswith("gone=;") and "Max-Age=0" in c for c in cookies)


def test_response_data_roundtrip() -> None:
    response = Response("abc")
    assert response.get_data() == b"abc"
    response.set_data("héllo")
    assert response.data == "héllo".encode()
    assert response.headers["Content-Length"] == str(len("héllo".encode()))


def test_jsonify_and_redirect(app: Tumbler, client: TestClient) -> None:
    app.route("/j", endpoint="e22")(lambda: jsonify(a=1, b=[1, 2]))
    app.route("/r", endpoint="e23")(lambda: redirect("/j"))
    response = client.get("/j")
    assert response.mimetype == "application/json"
    assert response.json == {"a": 1, "b": [1, 2]}
    redirected = client.get("/r")
    assert redirected.status_code == 302
    assert redirected.headers["Location"] == "/j"
    assert client.get("/r", follow_redirects=True).json == {"a": 1, "b": [1, 2]}


def test_header_and_cookie_injection_is_refused(app: Tumbler, client: TestClient) -> None:
    import pytest

    from tumbler.http.datastructures import Headers

    response = Response("x")
    for bad in ("a\r\nSet-Cookie: evil=1", "a\nb", "a\rb", "a\0b"):
        with pytest.raises(ValueError):
            response.headers["X-Test"] = bad
        with pytest.raises(ValueError):
            response.headers.add("X-Test", bad)
        with pytest.raises(ValueError):
            response.set_cookie("name", "v", path=bad)
        with pytest.raises(ValueError):
            response.set_cookie("name", "v", domain=bad)
        with pytest.raises(ValueError):
            redirect(bad)
    with pytest.raises(ValueError):
        response.set_cookie("bad name", "v")
    with pytest.raises(ValueError):
        response.set_cookie("name", "v", samesite="Lax; Secure")
    with pytest.raises(ValueError):
        Headers({"X-A\r\n": "b"})
    response.set_cookie("name", 'value; Domain=evil.com\r\n"')
    cookie = response.headers.getlist("Set-Cookie")[-1]
    assert "\r" not in cookie and "\n" not in cookie
    assert cookie.count(";") == 1  # only the Path attribute separator: the value is quoted

    @app.route("/")
    def view() -> str:
        response = make_response("x")
        response.headers["X-Bad"] = "a\r\nb"
        return "unreachable"

    assert client.get("/").status_code == 500
