"""Query string parsing and building."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.counting import assert_linear

from tumbler.http.datastructures import ImmutableMultiDict, MultiDict
from tumbler.http.exceptions import BadRequest, TooManyFields
from tumbler.http.urls import iri_to_uri, parse_qsl_to_multidict, url_encode, url_quote


@pytest.mark.parametrize("query", ["", b""])
def test_empty(query: str | bytes) -> None:
    parsed = parse_qsl_to_multidict(query)
    assert isinstance(parsed, ImmutableMultiDict)
    assert len(parsed) == 0


def test_like_werkzeug() -> None:
    # Werkzeug 3 gives the same pairs, except it keeps "%ff" as "%FF" where we follow
    # errors="replace".
    query = b"a=1&a=2&b=&c&d=%zz&e=a+b%20c&f;g=1&=x&&h=%C3%A9&i=%ff"
    assert parse_qsl_to_multidict(query).items(multi=True) == [
        ("a", "1"),
        ("a", "2"),
        ("b", ""),
        ("c", ""),
        ("d", "%zz"),
        ("e", "a b c"),
        ("f;g", "1"),  # only "&" separates
        ("", "x"),
        ("h", "é"),
        ("i", "\ufffd"),
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("a=hello+world", [("a", "hello world")]),
        ("a+b=c+d", [("a b", "c d")]),
        ("a=%2B", [("a", "+")]),
        ("a=%26&b=%3D", [("a", "&"), ("b", "=")]),
        ("a=1=2", [("a", "1=2")]),
        ("a=%", [("a", "%")]),
        ("a=%4", [("a", "%4")]),
        ("k%C3%A9y=v", [("kéy", "v")]),
        ("a=caf%E9", [("a", "caf\ufffd")]),
        ("&&&", []),
    ],
)
def test_decoding(query: str, expected: list[tuple[str, str]]) -> None:
    assert parse_qsl_to_multidict(query).items(multi=True) == expected
    assert parse_qsl_to_multidict(query.encode()).items(multi=True) == expected


def test_raw_non_ascii_bytes_are_utf8() -> None:
    assert parse_qsl_to_multidict("q=café".encode()).items(multi=True) == [("q", "café")]
    assert parse_qsl_to_multidict("q=café").items(multi=True) == [("q", "café")]


def test_result_is_immutable() -> None:
    parsed = parse_qsl_to_multidict("a=1")
    with pytest.raises(TypeError):
        parsed.add("b", "2")


def test_max_fields() -> None:
    assert len(parse_qsl_to_multidict("a=1&b=2&c=3", max_fields=3)) == 3
    assert len(parse_qsl_to_multidict("a=1&&&&b=2", max_fields=2)) == 2  # blanks don't count
    with pytest.raises(TooManyFields) as info:
        parse_qsl_to_multidict("a=1&b=2&c=3", max_fields=2)
    assert isinstance(info.value, BadRequest)
    assert info.value.code == 400
    assert "more than 2" in (info.value.description or "")


def test_large_queries() -> None:
    query = "&".join(f"k{i}=v%20{i}" for i in range(100_000))
    parsed = parse_qsl_to_multidict(query)
    assert len(parsed) == 100_000
    assert parsed["k99999"] == "v 99999"
    repeated = parse_qsl_to_multidict("a=1&" * 50_000)
    assert len(repeated.getlist("a")) == 50_000


@pytest.mark.parametrize(
    "make",
    [
        lambda n: "&".join(f"k{i}=v%20{i}" for i in range(n)),  # distinct keys, escaped
        lambda n: "a=1&" * n,  # one key repeated
        lambda n: "a+b=c+d&" * n,  # "+" only
    ],
    ids=["distinct", "repeated", "plus"],
)
def test_linear_time(make: Callable[[int], str]) -> None:
    """Parsing is linear: counted in operations (tests/counting.py), never timed."""

    def parse(n: int) -> Callable[[], object]:
        query = make(n)
        return lambda: parse_qsl_to_multidict(query)

    assert_linear(parse, 1_000)


@given(st.lists(st.tuples(st.text(), st.text()), max_size=10))
def test_url_encode_round_trip(pairs: list[tuple[str, str]]) -> None:
    encoded = url_encode(pairs)
    assert encoded.isascii()
    parsed = parse_qsl_to_multidict(encoded)
    assert parsed.items(multi=True) == MultiDict(pairs).items(multi=True)


def test_url_encode_shapes() -> None:
    assert url_encode({"a": 1, "b": None, "c": ["x", "y"], "d": "é &"}) == (
        "a=1&c=x&c=y&d=%C3%A9%20%26"
    )
    assert url_encode([("b", "2"), ("a", "1")]) == "b=2&a=1"
    assert url_encode(MultiDict([("a", "1"), ("a", "2")])) == "a=1&a=2"
    assert url_encode({}) == ""


def test_url_quote_and_iri_to_uri() -> None:
    assert url_quote("/a b/é:x?") == "/a%20b/%C3%A9:x%3F"
    assert url_quote("a/b", safe="") == "a%2Fb"
    assert iri_to_uri("/path?q=1#f") == "/path?q=1#f"
    assert iri_to_uri("http://x/café?q=ü ") == "http://x/caf%C3%A9?q=%C3%BC%20"
    assert iri_to_uri("/a%20b") == "/a%20b"
    assert iri_to_uri("/a\r\nb") == "/a%0D%0Ab"
