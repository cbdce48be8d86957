"""Building URLs: rule choice, quoting, query strings, and the BuildError messages."""

from __future__ import annotations

from typing import Any

import pytest

from tumbler.routing import BuildError, Map, Rule


@pytest.fixture
def url_map() -> Map:
    url_map = Map()
    specs: list[tuple[str, str, dict[str, Any]]] = [
        ("/", "index", {}),
        ("/users/<name>", "user", {}),
        ("/users/", "users", {"defaults": {"page": 1}}),
        ("/users/page/<int:page>", "users", {}),
        ("/x", "x", {}),
        ("/x/<a>", "x", {}),
        ("/fixed", "fixed", {"defaults": {"lang": "en"}}),
        ("/g", "read", {"methods": ["GET"]}),
        ("/files/<path:p>", "files", {}),
    ]
    for rule, endpoint, options in specs:
        url_map.add(Rule(rule, endpoint=endpoint, **options))
    return url_map


def test_static_and_dynamic(url_map: Map) -> None:
    assert url_map.build("index") == "/"
    assert url_map.build("user", {"name": "ann"}) == "/users/ann"
    assert url_map.build("files", {"p": "a/b c.txt"}) == "/files/a/b%20c.txt"


def test_extra_values_become_the_query_string(url_map: Map) -> None:
    assert url_map.build("user", {"name": "a", "q": "a b&c", "n": 0, "e": ""}) == (
        "/users/a?q=a+b%26c&n=0&e="
    )
    assert url_map.build("user", {"name": "a", "t": ["x", None, "y"], "u": ("1", 2)}) == (
        "/users/a?t=x&t=y&u=1&u=2"
    )
    assert url_map.build("user", {"name": "a", "skip": None, "empty": []}) == "/users/a"
    assert url_map.build("user", {"name": "a", "a b": "c=d", "é": "ü"}) == (
        "/users/a?a+b=c%3Dd&%C3%A9=%C3%BC"
    )
    assert url_map.build("user", {"name": "a", "b": b"raw", "t": True}) == "/users/a?b=raw&t=True"
    assert url_map.build("user", {"name": "a", "q": "1"}, append_unknown=False) == "/users/a"


def test_query_safe_characters_match_werkzeug(url_map: Map) -> None:
    text = "".join(chr(i) for i in range(32, 127))
    assert url_map.build("index", {"q": text}) == (
        "/?q=+!%22%23$%25%26'()*%2B,-./0123456789:;%3C%3D%3E?@ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        "%5B%5C%5D%5E_%60abcdefghijklmnopqrstuvwxyz%7B%7C%7D~"
    )


def test_rules_using_more_values_are_tried_first(url_map: Map) -> None:
    assert url_map.build("x") == "/x"
    assert url_map.build("x", {"a": 1}) == "/x/1"


def test_defaults_pick_the_rule(url_map: Map) -> None:
    assert url_map.build("users") == "/users/"
    assert url_map.build("users", {"page": 1}) == "/users/"
    assert url_map.build("users", {"page": 3}) == "/users/page/3"
    assert url_map.build("users", {"page": 3, "sort": "name"}) == "/users/page/3?sort=name"
    assert url_map.build("fixed", {"lang": "en"}) == "/fixed"


def test_none_counts_as_missing(url_map: Map) -> None:
    assert url_map.build("users", {"page": None}) == "/users/"
    with pytest.raises(BuildError, match=r"Did you forget to specify values \['name'\]"):
        url_map.build("user", {"name": None})


def test_missing_value_message(url_map: Map) -> None:
    with pytest.raises(BuildError) as info:
        url_map.build("user", {"other": 1})
    assert str(info.value) == (
        "Could not build url for endpoint 'user' with values ['other']."
        " Did you forget to specify values ['name']?"
    )
    assert info.value.endpoint == "user"
    assert info.value.values == {"other": 1}


def test_unknown_endpoint_message(url_map: Map) -> None:
    with pytest.raises(BuildError) as info:
        url_map.build("usr")
    assert str(info.value) == "Could not build url for endpoint 'usr'. Did you mean 'user' instead?"
    with pytest.raises(BuildError, match="No rule has the endpoint 'zzzzzz'"):
        url_map.build("zzzzzz")
    assert isinstance(info.value, LookupError)


def test_method_message(url_map: Map) -> None:
    assert url_map.build("read", method="GET") == "/g"
    assert url_map.build("read", method="HEAD") == "/g"
    with pytest.raises(BuildError) as info:
        url_map.build("read", method="POST")
    assert str(info.value) == (
        "Could not build url for endpoint 'read' ('POST'). Did you mean to use methods"
        " ['GET', 'HEAD']?"
    )
    assert info.value.method == "POST"


def test_default_clash_message(url_map: Map) -> None:
    with pytest.raises(BuildError, match=r"The rule '/fixed' has defaults lang='en' \(got 'fr'\)"):
        url_map.build("fixed", {"lang": "fr"})


def test_build_only_rules_build_but_never_match() -> None:
    url_map = Map([Rule("/external/<x>", endpoint="ext", build_only=True)])
    assert url_map.build("ext", {"x": "1"}) == "/external/1"
    assert url_map.allowed_methods("/external/1") == set()
    assert "ext" in url_map
