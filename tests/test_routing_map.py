"""The URL map with plain values: matching, priority, converters, building."""

from __future__ import annotations

import uuid

import pytest

from tumbler.http.exceptions import MethodNotAllowed, NotFound, RequestRedirect
from tumbler.routing import BuildError, Map, Rule


def make(*rules: tuple[str, str] | tuple[str, str, list[str]]) -> Map:
    url_map = Map()
    for spec in rules:
        rule, endpoint, *methods = spec
        url_map.add(Rule(rule, endpoint=endpoint, methods=methods[0] if methods else ["GET"]))
    return url_map


def test_static_beats_dynamic_and_int_beats_string() -> None:
    url_map = make(
        ("/users/<name>", "by_name"),
        ("/users/<int:user_id>", "by_id"),
        ("/users/new", "new"),
        ("/<path:rest>", "catch_all"),
    )
    assert url_map.match("/users/new", "GET") == (next(url_map.iter_rules("new")), {})
    assert url_map.match("/users/7", "GET")[0].endpoint == "by_id"
    assert url_map.match("/users/ann", "GET")[0].endpoint == "by_name"
    assert url_map.match("/other/deep", "GET")[1] == {"rest": "other/deep"}


def test_converter_arguments() -> None:
    url_map = make(
        ("/page/<int(min=1, max=9):n>", "page"),
        ("/code/<int(fixed_digits=4):code>", "code"),
        ("/lang/<any(en, fr):lang>", "lang"),
        ("/short/<string(length=2):s>", "short"),
        ("/signed/<int(signed=True):n>", "signed"),
        ("/f/<float:x>", "float"),
        ("/u/<uuid:u>", "uuid"),
    )
    assert url_map.match("/page/3", "GET")[1] == {"n": 3}
    with pytest.raises(NotFound):
        url_map.match("/page/0", "GET")
    assert url_map.match("/code/0042", "GET")[1] == {"code": 42}
    with pytest.raises(NotFound):
        url_map.match("/code/42", "GET")
    assert url_map.match("/lang/fr", "GET")[1] == {"lang": "fr"}
    with pytest.raises(NotFound):
        url_map.match("/lang/de", "GET")
    with pytest.raises(NotFound):
        url_map.match("/short/abc", "GET")
    assert url_map.match("/signed/-5", "GET")[1] == {"n": -5}
    assert url_map.match("/f/1.5", "GET")[1] == {"x": 1.5}
    with pytest.raises(NotFound):
        url_map.match("/f/1", "GET")
    value = uuid.uuid4()
    assert url_map.match(f"/u/{value}", "GET")[1] == {"u": value}
    assert url_map.build("code", {"code": 7}) == "/code/0007"


def test_int_converter_refuses_non_ascii_digits_and_signs() -> None:
    url_map = make(("/n/<int:n>", "n"))
    for path in ("/n/\u0661\u0662", "/n/+1", "/n/-1", "/n/1.0"):
        with pytest.raises(NotFound):
            url_map.match(path, "GET")


def test_methods_and_405() -> None:
    url_map = make(("/r", "read", ["GET"]), ("/r", "write", ["POST", "PUT"]))
    assert url_map.match("/r", "HEAD")[0].endpoint == "read"
    assert url_map.match("/r", "PUT")[0].endpoint == "write"
    with pytest.raises(MethodNotAllowed) as info:
        url_map.match("/r", "DELETE")
    assert info.value.valid_methods == ["GET", "HEAD", "POST", "PUT"]
    assert url_map.allowed_methods("/r") == {"GET", "HEAD", "POST", "PUT"}


def test_trailing_slash_rules() -> None:
    url_map = make(("/dir/", "dir"), ("/file", "file"), ("/items/<int:n>/", "item"))
    with pytest.raises(RequestRedirect) as info:
        url_map.match("/dir", "GET")
    assert info.value.new_url == "/dir/"
    with pytest.raises(RequestRedirect):
        url_map.match("/items/3", "GET")
    with pytest.raises(NotFound):
        url_map.match("/file/", "GET")
    loose = Map()
    loose.add(Rule("/loose/", endpoint="loose", strict_slashes=False))
    assert loose.match("/loose", "GET")[0].endpoint == "loose"
    assert loose.match("/loose/", "GET")[0].endpoint == "loose"


def test_defaults_and_build() -> None:
    url_map = Map()
    url_map.add(Rule("/users/", endpoint="users", defaults={"page": 1}))
    url_map.add(Rule("/users/page/<int:page>", endpoint="users"))
    assert url_map.match("/users/", "GET")[1] == {"page": 1}
    assert url_map.build("users", {"page": 1}) == "/users/"
    assert url_map.build("users", {"page": 3}) == "/users/page/3"
    assert url_map.build("users", {"page": 1, "q": "a b", "t": ["x", "y"], "none": None}) == (
        "/users/?q=a+b&t=x&t=y"
    )


def test_build_errors_are_helpful() -> None:
    url_map = make(("/u/<int:user_id>", "user"))
    with pytest.raises(BuildError, match=r"user_id"):
        url_map.build("user", {})
    with pytest.raises(BuildError, match="Did you mean 'user'"):
        url_map.build("usr", {})


def test_build_quotes_values() -> None:
    url_map = make(("/s/<name>", "s"), ("/p/<path:rest>", "p"))
    assert url_map.build("s", {"name": "a b?c"}) == "/s/a%20b%3Fc"
    assert url_map.build("p", {"rest": "x/y z"}) == "/p/x/y%20z"


def test_malformed_rules_are_refused() -> None:
    url_map = Map()
    with pytest.raises(ValueError):
        url_map.add(Rule("/a/<b", endpoint="x"))
    with pytest.raises(LookupError):
        Map().add(Rule("/a/<nope:b>", endpoint="x"))
    with pytest.raises(ValueError):
        Map().add(Rule("/a/<b>/<b>", endpoint="x"))
    with pytest.raises(ValueError):
        Rule("no-slash", endpoint="x")


def test_a_thousand_routes_match_their_last_rules() -> None:
    url_map = Map()
    for i in range(500):
        url_map.add(Rule(f"/static{i}", endpoint=f"s{i}"))
        url_map.add(Rule(f"/dyn{i}/<int:item>", endpoint=f"d{i}"))
    assert url_map.match("/static499", "GET")[0].endpoint == "s499"
    assert url_map.match("/dyn499/7", "GET") == (next(url_map.iter_rules("d499")), {"item": 7})
