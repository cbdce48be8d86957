"""Matching: priority, trailing slashes, methods and 405, HEAD, defaults, redirects."""

from __future__ import annotations

from typing import Any

import pytest

from tumbler.http.exceptions import MethodNotAllowed, NotFound, RequestRedirect
from tumbler.routing import Map, Rule


def make(*specs: tuple[str, str] | tuple[str, str, dict[str, Any]]) -> Map:
    url_map = Map()
    for spec in specs:
        options = spec[2] if len(spec) == 3 else {}
        url_map.add(Rule(spec[0], endpoint=spec[1], **options))
    return url_map


def endpoint(url_map: Map, path: str, method: str = "GET") -> str:
    return url_map.match(path, method)[0].endpoint


def redirect(url_map: Map, path: str, method: str = "GET") -> str:
    with pytest.raises(RequestRedirect) as info:
        url_map.match(path, method)
    assert info.value.code == 308
    return info.value.new_url


def not_allowed(url_map: Map, path: str, method: str) -> list[str]:
    with pytest.raises(MethodNotAllowed) as info:
        url_map.match(path, method)
    return list(info.value.valid_methods or ())


def test_static_beats_dynamic_whatever_the_order() -> None:
    url_map = make(("/users/<name>", "by_name"), ("/users/new", "new"))
    assert endpoint(url_map, "/users/new") == "new"
    assert url_map.match("/users/ann", "GET")[1] == {"name": "ann"}


def test_more_specific_converters_first() -> None:
    url_map = make(
        ("/q/<path:p>", "path"),
        ("/q/<s>", "string"),
        ("/q/<uuid:u>", "uuid"),
        ("/q/<int:i>", "int"),
    )
    assert endpoint(url_map, "/q/5") == "int"
    assert endpoint(url_map, "/q/12345678-1234-1234-1234-123456789abc") == "uuid"
    assert endpoint(url_map, "/q/word") == "string"
    assert endpoint(url_map, "/q/two/parts") == "path"


def test_static_segments_win_segment_by_segment() -> None:
    url_map = make(
        ("/<a>/b", "ab"), ("/a/<b>", "a_"), ("/<x>/<y>/c", "xyc"), ("/<x>/<y>/<z>", "xyz")
    )
    assert endpoint(url_map, "/a/b") == "a_"
    assert endpoint(url_map, "/x/b") == "ab"
    assert endpoint(url_map, "/x/y/c") == "xyc"
    assert endpoint(url_map, "/x/y/z") == "xyz"


def test_mixed_segments_beat_a_lone_converter() -> None:
    url_map = make(("/m/<a>", "plain"), ("/m/<a>-<b>", "mixed"), ("/m/<int:n>.<ext>", "file"))
    assert url_map.match("/m/q-r", "GET") == (
        next(url_map.iter_rules("mixed")),
        {"a": "q", "b": "r"},
    )
    assert url_map.match("/m/q-r-s", "GET")[1] == {"a": "q-r", "b": "s"}
    assert url_map.match("/m/12.js", "GET")[1] == {"n": 12, "ext": "js"}
    assert endpoint(url_map, "/m/qr") == "plain"
    assert endpoint(url_map, "/m/-x") == "plain"


def test_backtracking_out_of_a_static_branch() -> None:
    url_map = make(("/b/<int:c>", "b_int"), ("/<a>/x", "a_x"))
    assert url_map.match("/b/x", "GET") == (next(url_map.iter_rules("a_x")), {"a": "b"})
    assert endpoint(url_map, "/b/1") == "b_int"


def test_segments_beat_a_path_converter() -> None:
    url_map = make(("/x/<path:p>", "path"), ("/x/<a>/<b>", "ab"), ("/static/<path:f>", "static"))
    assert endpoint(url_map, "/x/1/2") == "ab"
    assert url_map.match("/x/1/2/3", "GET")[1] == {"p": "1/2/3"}
    assert endpoint(url_map, "/x/1") == "path"
    assert url_map.match("/static/css/site.css", "GET")[1] == {"f": "css/site.css"}


def test_first_registered_wins_among_equals() -> None:
    url_map = make(("/dup", "first"), ("/dup", "second"), ("/d/<x>", "one"), ("/d/<y>", "two"))
    assert endpoint(url_map, "/dup") == "first"
    assert url_map.match("/d/v", "GET") == (next(url_map.iter_rules("one")), {"x": "v"})


def test_not_found() -> None:
    url_map = make(("/a", "a"), ("/u/<int:n>", "u"))
    for path in ("/b", "/u/x", "/u/", "/u/1/2", "/a/b", "/"):
        with pytest.raises(NotFound):
            url_map.match(path, "GET")
    with pytest.raises(NotFound):
        Map().match("/", "GET")


def test_trailing_slash_redirects_and_404() -> None:
    url_map = make(("/dir/", "dir"), ("/file", "file"), ("/items/<int:n>/", "item"), ("/", "root"))
    assert endpoint(url_map, "/dir/") == "dir"
    assert redirect(url_map, "/dir") == "/dir/"
    assert redirect(url_map, "/dir", "POST") == "/dir/"
    assert redirect(url_map, "/items/3") == "/items/3/"
    assert url_map.match("/items/3/", "GET")[1] == {"n": 3}
    assert endpoint(url_map, "/file") == "file"
    with pytest.raises(NotFound):
        url_map.match("/file/", "GET")
    assert endpoint(url_map, "/") == "root"


def test_redirect_url_is_quoted() -> None:
    url_map = make(("/a b/", "space"), ("/q/<name>/", "q"))
    assert redirect(url_map, "/a b") == "/a%20b/"
    assert redirect(url_map, "/q/100%") == "/q/100%25/"


def test_redirect_wins_over_a_later_dynamic_rule() -> None:
    url_map = make(("/<x>", "x"), ("/a/", "a"), ("/n/<int:y>", "int"), ("/n/<y>/", "slash"))
    assert redirect(url_map, "/a") == "/a/"
    assert endpoint(url_map, "/b") == "x"
    assert endpoint(url_map, "/n/1") == "int"
    assert redirect(url_map, "/n/b") == "/n/b/"


def test_no_redirect_to_a_rule_that_refuses_the_method() -> None:
    url_map = make(("/d/", "d", {"methods": ["GET"]}))
    with pytest.raises(NotFound):
        url_map.match("/d", "POST")


def test_strict_slashes_off() -> None:
    url_map = make(
        ("/loose/", "loose", {"strict_slashes": False}),
        ("/bare", "bare", {"strict_slashes": False}),
        ("/p/<path:p>/end", "p", {"strict_slashes": False}),
    )
    assert endpoint(url_map, "/loose") == "loose"
    assert endpoint(url_map, "/loose/") == "loose"
    assert endpoint(url_map, "/bare") == "bare"
    assert endpoint(url_map, "/bare/") == "bare"
    assert url_map.match("/p/a/b/end/", "GET")[1] == {"p": "a/b"}
    lax_map = Map(strict_slashes=False)
    lax_map.add(Rule("/x/", endpoint="x"))
    assert endpoint(lax_map, "/x") == "x"


def test_path_rule_with_trailing_slash() -> None:
    url_map = make(("/f/<path:p>/", "p"))
    assert url_map.match("/f/a/b/", "GET")[1] == {"p": "a/b"}
    assert redirect(url_map, "/f/a/b") == "/f/a/b/"


def test_repeated_slashes_redirect_to_the_merged_path() -> None:
    url_map = make(("/a/b", "ab"), ("/u/<int:n>/x/", "u"), ("/p/<path:p>", "p"))
    assert redirect(url_map, "/a//b") == "/a/b"
    assert redirect(url_map, "/u/007//x") == "/u/007/x/"
    assert endpoint(url_map, "//a/b") == "ab"  # leading slashes are ignored
    assert url_map.match("/p/a//b", "GET")[1] == {"p": "a//b"}  # a path keeps them
    with pytest.raises(NotFound):
        url_map.match("/a/b//", "GET")
    off = Map(merge_slashes=False)
    off.add(Rule("/a/b", endpoint="ab"))
    with pytest.raises(NotFound):
        off.match("/a//b", "GET")


def test_methods_and_405_valid_methods() -> None:
    url_map = make(
        ("/r", "read", {"methods": ["get"]}),
        ("/r", "write", {"methods": ["POST", "PUT"]}),
        ("/<x>", "other", {"methods": ["PATCH"]}),
        ("/r/", "slash", {"methods": ["TRACE"]}),
    )
    assert endpoint(url_map, "/r", "GET") == "read"
    assert endpoint(url_map, "/r", "PUT") == "write"
    assert endpoint(url_map, "/r", "PATCH") == "other"
    assert not_allowed(url_map, "/r", "DELETE") == ["GET", "HEAD", "PATCH", "POST", "PUT"]
    assert redirect(url_map, "/r", "TRACE") == "/r/"  # a redirect target is not a match
    assert url_map.allowed_methods("/r") == {"GET", "HEAD", "PATCH", "POST", "PUT"}
    assert url_map.allowed_methods("/nothing/here") == set()


def test_head_is_served_by_get() -> None:
    url_map = make(("/g", "g", {"methods": ["GET"]}), ("/p", "p", {"methods": ["POST"]}))
    assert endpoint(url_map, "/g", "HEAD") == "g"
    assert next(url_map.iter_rules("g")).methods == frozenset({"GET", "HEAD"})
    assert not_allowed(url_map, "/p", "HEAD") == ["POST"]


def test_options_is_405_unless_a_rule_lists_it() -> None:
    url_map = make(("/g", "g", {"methods": ["GET"]}), ("/o", "o", {"methods": ["GET", "OPTIONS"]}))
    assert not_allowed(url_map, "/g", "OPTIONS") == ["GET", "HEAD"]
    assert endpoint(url_map, "/o", "OPTIONS") == "o"
    # The app adds OPTIONS to a rule's methods when it answers OPTIONS itself, so Allow
    # then reads "GET, HEAD, OPTIONS" as in Flask.
    app_like = make(("/a", "a", {"methods": ["GET", "OPTIONS"]}))
    assert not_allowed(app_like, "/a", "POST") == ["GET", "HEAD", "OPTIONS"]


def test_rule_without_methods_takes_any_method() -> None:
    url_map = make(("/any", "any"))
    assert endpoint(url_map, "/any", "BREW") == "any"
    assert next(url_map.iter_rules("any")).methods is None


def test_a_static_rule_refusing_the_method_lets_a_dynamic_one_match() -> None:
    url_map = make(("/u/new", "new", {"methods": ["GET"]}), ("/u/<n>", "n", {"methods": ["POST"]}))
    assert endpoint(url_map, "/u/new", "POST") == "n"
    assert not_allowed(url_map, "/u/new", "PUT") == ["GET", "HEAD", "POST"]


def test_defaults_are_returned_with_the_values() -> None:
    url_map = make(
        ("/users/", "users", {"defaults": {"page": 1}}),
        ("/users/<int:page>", "users"),
        ("/t/<int:n>", "t", {"defaults": {"kind": "x"}}),
    )
    assert url_map.match("/users/", "GET")[1] == {"page": 1}
    assert url_map.match("/users/3", "GET")[1] == {"page": 3}
    assert url_map.match("/t/2", "GET")[1] == {"n": 2, "kind": "x"}
    first, second = url_map.match("/users/", "GET")[1], url_map.match("/users/", "GET")[1]
    first["page"] = 99
    assert second == {"page": 1}  # every match gets its own dict


def test_a_value_equal_to_a_default_redirects_to_the_rule_with_that_default() -> None:
    url_map = make(("/users/<int:page>", "users"), ("/users/", "users", {"defaults": {"page": 1}}))
    assert redirect(url_map, "/users/1") == "/users/"
    assert url_map.match("/users/2", "GET")[1] == {"page": 2}
    no_redirect = Map(redirect_defaults=False)
    no_redirect.add(Rule("/users/<int:page>", endpoint="users"))
    no_redirect.add(Rule("/users/", endpoint="users", defaults={"page": 1}))
    assert no_redirect.match("/users/1", "GET")[1] == {"page": 1}


def test_match_accepts_the_decoded_path() -> None:
    url_map = make(("/s/<name>", "s"), ("/caf\u00e9", "cafe"))
    assert url_map.match("/s/a%20b", "GET")[1] == {"name": "a%20b"}  # no second decoding
    assert url_map.match("/s/a b", "GET")[1] == {"name": "a b"}
    assert endpoint(url_map, "/caf\u00e9") == "cafe"
