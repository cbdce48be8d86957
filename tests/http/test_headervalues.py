"""Parsed header values: plain values in, plain values out (no app, no server)."""

from __future__ import annotations

import pytest

from tumbler.http.headervalues import (
    Authorization,
    ContentRange,
    ETags,
    HeaderSet,
    Range,
    RequestCacheControl,
    ResponseCacheControl,
    parse_dict_header,
    parse_list_header,
)


def test_list_and_dict_headers_keep_quoted_commas() -> None:
    assert parse_list_header('a, "b, c", , d') == ["a", "b, c", "d"]
    assert parse_dict_header('a=1, b="x, y", c') == {"a": "1", "b": "x, y", "c": None}


def test_cache_control_parsing_and_writing() -> None:
    request_cc = RequestCacheControl.from_header("no-cache, max-age=0, max-stale, x=1")
    assert request_cc.no_cache is True
    assert request_cc.max_age == 0
    assert request_cc.max_stale is True
    assert request_cc["x"] == "1"
    assert not RequestCacheControl.from_header(None).provided
    updates: list[str] = []
    cc = ResponseCacheControl.from_header('private="Set-Cookie"', lambda c: updates.append(str(c)))
    assert cc.private == "Set-Cookie"
    cc.s_maxage = 10
    cc.private = True
    cc.no_store = True
    assert updates == [
        "private=Set-Cookie, s-maxage=10",
        "private, s-maxage=10",
        "private, s-maxage=10, no-store",
    ]


def test_cache_control_bad_int_reads_as_none() -> None:
    cc = ResponseCacheControl.from_header("max-age=soon")
    assert cc.max_age is None
    cc.max_age = 30
    assert cc.to_header() == "max-age=30"
    with pytest.raises(ValueError):
        cc.max_age = "soon"


def test_header_set() -> None:
    seen: list[str] = []
    items = HeaderSet.from_header("Accept, Cookie", lambda s: seen.append(s.to_header()))
    items.add("accept")
    assert seen == []  # already there
    items.update(["Origin", "COOKIE"])
    items.discard("accept")
    assert seen == ["Accept, Cookie, Origin", "Cookie, Origin"]
    assert items.find("origin") == 1 and items.index("cookie") == 0
    assert items.as_set() == {"cookie", "origin"}
    assert items == {"Cookie", "origin"}
    with pytest.raises(KeyError):
        items.remove("nope")
    with pytest.raises(IndexError):
        items.index("nope")
    items.clear()
    assert not items and seen[-1] == ""


def test_etags() -> None:
    tags = ETags.from_header('"a", W/"b", "c,d"')
    assert "a" in tags and "c,d" in tags and "b" not in tags
    assert tags.contains_weak("b") and tags.is_weak("b") and tags.is_strong("a")
    assert tags.contains_raw('W/"b"') and not tags.contains_raw('"b"')
    assert tags.as_set() == {"a", "c,d"} and tags.as_set(include_weak=True) == {"a", "b", "c,d"}
    assert tags.to_header() == '"a", "c,d", W/"b"'
    assert tags("a") and not tags("b") and tags("b", include_weak=True)
    star = ETags.from_header("*")
    assert "anything" in star and star.to_header() == "*"
    assert not ETags.from_header('"unterminated')  # malformed: matches nothing
    assert not ETags.from_header(None)


@pytest.mark.parametrize(
    ("header", "ranges"),
    [
        ("bytes=0-499", [(0, 500)]),
        ("bytes=500-", [(500, None)]),
        ("bytes=-200", [(-200, None)]),
        ("bytes=0-1, 5-6", [(0, 2), (5, 7)]),
        ("Bytes = 1-2", [(1, 3)]),
    ],
)
def test_range_parsing(header: str, ranges: list[tuple[int, int | None]]) -> None:
    parsed = Range.from_header(header)
    assert parsed is not None and parsed.ranges == ranges


@pytest.mark.parametrize(
    "header", [None, "", "bytes", "bytes=5-2", "bytes=-0", "bytes=a-b", "bytes=5-9,1-2", "bytes=1"]
)
def test_malformed_ranges_are_none(header: str | None) -> None:
    assert Range.from_header(header) is None


def test_range_for_length_and_content_range() -> None:
    parsed = Range.from_header("bytes=-200")
    assert parsed is not None
    assert parsed.range_for_length(1000) == (800, 1000)
    assert parsed.range_for_length(100) == (0, 100)
    assert parsed.to_content_range_header(1000) == "bytes 800-999/1000"
    assert parsed.to_header() == "bytes=-200"
    several = Range.from_header("bytes=0-1,3-4")
    assert several is not None and several.range_for_length(10) is None
    outside = Range.from_header("bytes=20-")
    assert outside is not None and outside.make_content_range(10) is None


def test_content_range_parsing() -> None:
    value = ContentRange.from_header("bytes 0-499/1234")
    assert value is not None
    assert (value.units, value.start, value.stop, value.length) == ("bytes", 0, 500, 1234)
    unknown = ContentRange.from_header("bytes */1234")
    assert unknown is not None and unknown.to_header() == "bytes */1234"
    assert ContentRange.from_header("bytes 5-1/10") is None
    assert ContentRange.from_header("bytes 0-20/10") is None
    assert ContentRange.from_header("garbage") is None
    open_length = ContentRange("bytes", 0, 10)
    assert open_length.to_header() == "bytes 0-9/*"
    open_length.unset()
    assert not open_length and open_length.to_header() == ""


def test_authorization_round_trip() -> None:
    basic = Authorization("basic", {"username": "u", "password": "p w"})
    parsed = Authorization.from_header(basic.to_header())
    assert parsed == basic
    assert parsed is not None and parsed.get("password") == "p w" and "username" in parsed
    bearer = Authorization.from_header("Bearer t0k3n==")
    assert (
        bearer is not None and bearer.token == "t0k3n==" and bearer.to_header() == "Bearer t0k3n=="
    )
    assert Authorization.from_header("Basic bm9jb2xvbg==") is None  # no colon
    assert Authorization.from_header("") is None
