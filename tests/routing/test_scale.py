"""A thousand rules: the last ones match, and matching does not walk the others."""

from __future__ import annotations

from typing import Any

import pytest

from tumbler.http.exceptions import NotFound
from tumbler.routing import BaseConverter, Map, Rule


def big_map(converter: str = "int") -> Map:
    url_map = Map()
    for i in range(500):
        url_map.add(Rule(f"/s{i}/page", endpoint=f"s{i}", methods=["GET"]))
    for i in range(500):
        if i % 2:
            url_map.add(Rule(f"/d{i}/<name>/edit", endpoint=f"d{i}", methods=["GET"]))
        else:
            url_map.add(Rule(f"/r{i}/<{converter}:id>", endpoint=f"r{i}", methods=["GET"]))
    return url_map


def test_the_last_rules_of_a_thousand_match() -> None:
    url_map = big_map()
    assert len(url_map) == 1000
    assert url_map.match("/s499/page", "GET") == (next(url_map.iter_rules("s499")), {})
    assert url_map.match("/s0/page", "GET")[0].endpoint == "s0"
    assert url_map.match("/r498/42", "GET") == (next(url_map.iter_rules("r498")), {"id": 42})
    assert url_map.match("/d499/ann/edit", "GET")[1] == {"name": "ann"}
    assert url_map.match("/d1/bob/edit", "GET")[0].endpoint == "d1"
    for path in ("/r498/x", "/d499/ann", "/s500/page", "/r499/1"):
        with pytest.raises(NotFound):
            url_map.match(path, "GET")
    assert url_map.build("r498", {"id": 7}) == "/r498/7"
    assert url_map.build("d499", {"name": "a b"}) == "/d499/a%20b/edit"


class Counting(BaseConverter):
    """Counts its to_python calls: how many dynamic rules a match looked at."""

    calls = 0

    def to_python(self, value: str) -> Any:
        Counting.calls += 1
        return value


def test_matching_looks_only_at_rules_sharing_the_prefix() -> None:
    url_map = Map(converters={"counting": Counting})
    for i in range(500):
        url_map.add(Rule(f"/r{i}/<counting:id>", endpoint=f"r{i}"))
    Counting.calls = 0
    assert url_map.match("/r499/x", "GET")[0].endpoint == "r499"
    assert Counting.calls == 1


def test_rules_sharing_a_converter_share_its_check() -> None:
    url_map = Map(converters={"counting": Counting})
    for suffix in ("edit", "view", "delete", "share"):
        url_map.add(Rule(f"/users/<counting:id>/{suffix}", endpoint=suffix))
    Counting.calls = 0
    assert url_map.match("/users/7/share", "GET")[0].endpoint == "share"
    assert Counting.calls == 1
