"""Rule objects and the rule-string grammar: attributes, malformed rules, the Map's API."""

from __future__ import annotations

from typing import Any

import pytest

from tumbler.routing import IntegerConverter, Map, Rule
from tumbler.routing.rules import parse_converter_args


def test_rule_attributes() -> None:
    rule = Rule("/u/<int:id>/<name>", endpoint="u", methods=["get", "post"], defaults={"x": 1})
    assert rule.rule == "/u/<int:id>/<name>"
    assert rule.endpoint == "u"
    assert rule.methods == frozenset({"GET", "HEAD", "POST"})
    assert rule.arguments == frozenset({"id", "name", "x"})
    assert rule.defaults == {"x": 1}
    assert rule.is_static is False
    assert Rule("/static/page", endpoint="s").is_static is True
    assert repr(rule) == "<Rule '/u/<int:id>/<name>' (GET, HEAD, POST) -> u>"


def test_rule_takes_the_map_slash_setting_unless_it_has_its_own() -> None:
    own, inherited = Rule("/a/", endpoint="a", strict_slashes=True), Rule("/b/", endpoint="b")
    Map([own, inherited], strict_slashes=False)
    assert own.strict_slashes is True
    assert inherited.strict_slashes is False


@pytest.mark.parametrize(
    "rule",
    [
        "no-slash",
        "/a/<b",
        "/a/<1x>",
        "/a/<int:>",
        "/a/<>",
        "/a/< x>",
        "/a/<int(:x>",
        "/a/<x>/<x>",
        "/a/<int(min=):x>",
        "/a/<any(a b):x>",
        "/a/<any(a,,b):x>",
        "/a/<any(a,):x>",
        "/a/<int(min=1, 2):x>",
        "/a/<int(min=1, min=2):x>",
    ],
)
def test_malformed_rules_raise_value_error(rule: str) -> None:
    with pytest.raises(ValueError):
        Map().add(Rule(rule, endpoint="x"))


def test_unknown_converter_is_a_value_error_and_a_lookup_error() -> None:
    with pytest.raises(ValueError, match="the converter 'nope' does not exist") as info:
        Map().add(Rule("/a/<nope:b>", endpoint="x"))
    assert isinstance(info.value, LookupError)


def test_a_rule_joins_one_map_only() -> None:
    rule = Rule("/a", endpoint="a")
    Map([rule])
    with pytest.raises(ValueError, match="already added"):
        Map([rule])


def test_a_lone_greater_than_sign_is_text() -> None:
    url_map = Map([Rule("/a/b>", endpoint="x")])
    assert url_map.match("/a/b>", "GET")[0].endpoint == "x"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ((), {})),
        ("a, b", (("a", "b"), {})),
        ("'b c', \"z\", w", (("b c", "z", "w"), {})),
        ("min=1, max=10", ((), {"min": 1, "max": 10})),
        ("signed=True", ((), {"signed": True})),
        ("3", ((3,), {})),
        ("1.5, -2, 1e3", ((1.5, -2, 1000.0), {})),
        ("None, false", ((None, "false"), {})),
        ("x='a,b'", ((), {"x": "a,b"})),
        ("0x10", (("0x10",), {})),
    ],
)
def test_converter_arguments(text: str, expected: tuple[tuple[Any, ...], dict[str, Any]]) -> None:
    assert parse_converter_args(text) == expected


def test_a_websocket_rule_matches_under_its_own_method() -> None:
    rule = Rule("/ws", endpoint="ws", websocket=True)
    assert rule.websocket is True
    assert rule.methods == frozenset({"WEBSOCKET"})
    with pytest.raises(ValueError):
        Rule("/ws", endpoint="ws", websocket=True, methods=["POST"])


def test_methods_given_as_a_string_are_refused() -> None:
    with pytest.raises(TypeError):
        Rule("/a", endpoint="a", methods="GET")


def test_map_api() -> None:
    rules = [Rule("/a", endpoint="a"), Rule("/b", endpoint="b"), Rule("/a/<x>", endpoint="a")]
    url_map = Map(rules)
    assert list(url_map) == rules
    assert list(url_map.iter_rules()) == rules
    assert [rule.rule for rule in url_map.iter_rules("a")] == ["/a/<x>", "/a"]  # build order
    assert list(url_map.iter_rules("missing")) == []
    assert len(url_map) == 3
    assert "a" in url_map
    assert "c" not in url_map
    assert url_map.endpoints == ["a", "b"]
    assert repr(url_map) == "<Map 3 rules>"


def test_user_converters_are_per_map() -> None:
    first, second = Map(), Map()
    first.converters["custom"] = IntegerConverter
    assert "custom" not in second.converters
