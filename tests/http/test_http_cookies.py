"""Cookie parsing (lenient, never raises) and Set-Cookie building (strict)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from http.cookies import SimpleCookie
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tumbler.http.cookies import dump_cookie, parse_cookie

# parse_cookie -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        # Each expectation below was checked against Werkzeug 3's parse_cookie, except the
        # marked one.
        ("a=1; b=2", {"a": "1", "b": "2"}),
        ("a=1; a=2", {"a": "1"}),  # the first wins
        ('a="x\\073y"', {"a": "x;y"}),
        ('a="q\\"w"', {"a": 'q"w'}),
        ("a=", {"a": ""}),
        ("a", {}),  # Werkzeug: {"a": ""}; we skip a pair without "="
        ("=b", {}),
        (";;;a=1;;;", {"a": "1"}),
        ('a="unterminated', {"a": '"unterminated'}),
        (" a = 1 ", {"a": "1"}),
        ("a=1,b=2", {"a": "1,b=2"}),
        ('a="\\303\\251"', {"a": "é"}),
        ('a="x y"', {"a": "x y"}),
        ("a=%41", {"a": "%41"}),
        ('a="\\\\"', {"a": "\\"}),
        ('a="\\x"', {"a": "x"}),
        ('a=""', {"a": ""}),
        ('a="', {"a": '"'}),
        ("a=1;b", {"a": "1"}),
        ('a="1"2"', {"a": '1"2'}),
        ("a=\t1\t", {"a": "1"}),
        ("a=b=c", {"a": "b=c"}),
    ],
)
def test_parse_cookie_cases(header: str, expected: dict[str, str]) -> None:
    assert parse_cookie(header) == expected


@pytest.mark.parametrize("header", [None, "", ";", ";;;;", "   ", "=", "==;=="])
def test_parse_cookie_empty(header: str | None) -> None:
    assert parse_cookie(header) == {}


def test_parse_cookie_decodes_utf8_sent_raw() -> None:
    # A WSGI server gives the raw bytes as latin-1 text.
    raw = "name=caf\u00c3\u00a9"
    assert parse_cookie(raw) == {"name": "café"}
    # Bytes that are not UTF-8: U+FFFD, as in query strings. Real text is kept as given.
    assert parse_cookie("name=caf\xe9") == {"name": "caf\ufffd"}
    assert parse_cookie("name=\u20ac") == {"name": "\u20ac"}


@given(st.text())
def test_parse_cookie_never_raises(header: str) -> None:
    result = parse_cookie(header)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in result.items())


def test_parse_cookie_many_separators_is_linear() -> None:
    header = ";" * 200_000 + "a=1" + "; b" * 100_000
    assert parse_cookie(header) == {"a": "1"}


# dump_cookie --------------------------------------------------------------------------------


def test_dump_cookie_plain() -> None:
    assert dump_cookie("k", "plain") == "k=plain; Path=/"
    assert dump_cookie("k") == "k=; Path=/"
    assert dump_cookie("k", "a=b") == "k=a=b; Path=/"
    assert dump_cookie("k", "v", path=None) == "k=v"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a b", '"a\\040b"'),
        ('q"w', '"q\\042w"'),
        ("x;y", '"x\\073y"'),
        ("é", '"\\303\\251"'),
        ("a,b", '"a\\054b"'),
        ("\\", '"\\134"'),
        ("\x7f", '"\\177"'),
        ("a\r\nSet-Cookie: x=1", '"a\\015\\012Set-Cookie:\\040x=1"'),
    ],
)
def test_dump_cookie_quotes_unsafe_values(value: str, expected: str) -> None:
    header = dump_cookie("k", value)
    assert header == f"k={expected}; Path=/"
    assert header.isascii() and header.isprintable()


def test_dump_cookie_attributes_in_werkzeug_order() -> None:
    header = dump_cookie(
        "k",
        "v",
        samesite="lax",
        partitioned=True,
        httponly=True,
        domain="example.com",
        path="/x",
    )
    assert header == "k=v; Domain=example.com; Secure; HttpOnly; Path=/x; SameSite=Lax; Partitioned"


def test_dump_cookie_max_age_adds_expires() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    header = dump_cookie("k", "v", max_age=10)
    match = re.fullmatch(r"k=v; Expires=(.+ GMT); Max-Age=10; Path=/", header)
    assert match is not None
    expires = parsedate_to_datetime(match.group(1))
    assert before + timedelta(seconds=9) <= expires <= before + timedelta(seconds=12)
    assert "Max-Age=3600" in dump_cookie("k", max_age=timedelta(hours=1))


def test_dump_cookie_expires_forms() -> None:
    epoch = "Thu, 01 Jan 1970 00:00:00 GMT"
    assert dump_cookie("k", "v", max_age=0, expires=0) == f"k=v; Expires={epoch}; Max-Age=0; Path=/"
    naive = datetime(2030, 1, 2, 3, 4, 5)
    aware = datetime(2030, 1, 2, 4, 4, 5, tzinfo=UTC) + timedelta(hours=-1)
    assert "Expires=Wed, 02 Jan 2030 03:04:05 GMT" in dump_cookie("k", expires=naive)
    assert "Expires=Wed, 02 Jan 2030 03:04:05 GMT" in dump_cookie("k", expires=aware)
    assert "Expires=Wed, 02 Jan 2030 03:04:05 GMT" in dump_cookie("k", expires=1893553445.0)
    assert "Expires=whenever" in dump_cookie("k", expires="whenever")


@pytest.mark.parametrize(
    ("samesite", "expected"),
    [("strict", "Strict"), ("LAX", "Lax"), ("None", "None")],
)
def test_dump_cookie_samesite(samesite: str, expected: str) -> None:
    assert dump_cookie("k", samesite=samesite).endswith(f"SameSite={expected}")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"key": "a;b"},
        {"key": "a b"},
        {"key": "a=b"},
        {"key": ""},
        {"key": "a\r\nb"},
        {"key": "a\0"},
        {"key": "é"},
        {"key": 'a"'},
        {"key": "k", "path": "/;x"},
        {"key": "k", "path": "/\r\nx"},
        {"key": "k", "path": "/\0"},
        {"key": "k", "domain": "a\nb"},
        {"key": "k", "domain": "a;b"},
        {"key": "k", "domain": "a\rb"},
        {"key": "k", "expires": "x; Secure"},
        {"key": "k", "expires": "x\r\n"},
        {"key": "k", "samesite": "bogus"},
        {"key": "k", "samesite": "Lax; evil"},
    ],
)
def test_dump_cookie_refuses_injection(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        dump_cookie(**kwargs)


def test_partitioned_implies_secure() -> None:
    assert dump_cookie("k", partitioned=True) == "k=; Secure; Path=/; Partitioned"


@given(st.text())
def test_round_trip_any_value(value: str) -> None:
    pair = dump_cookie("k", value).split("; ", 1)[0]
    assert parse_cookie(pair) == {"k": value}


@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x7F)))
def test_round_trip_through_a_full_header(value: str) -> None:
    header = f"a=1; k={dump_cookie('k', value, path=None)[2:]}; z=2"
    assert parse_cookie(header) == {"a": "1", "k": value, "z": "2"}


@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E)))
def test_python_http_cookies_reads_our_values(value: str) -> None:
    cookie: SimpleCookie = SimpleCookie()
    cookie.load(dump_cookie("k", value, path=None))
    assert cookie["k"].value == value


def test_asgi_repeated_headers_are_joined() -> None:
    # HTTP/2 sends one cookie header per cookie; other repeats join as a list (RFC 9110 §5.3).
    from tumbler.http.protocol_requests import ASGIRequest

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "headers": [
            (b"cookie", b"a=1"),
            (b"accept", b"text/html"),
            (b"cookie", b"b=2"),
            (b"accept", b"application/json"),
        ],
    }
    request = ASGIRequest(scope)
    assert request.cookies == {"a": "1", "b": "2"}
    assert request.headers.getlist("Accept") == ["text/html", "application/json"]
    assert request._header("accept") == "text/html, application/json"
    single = ASGIRequest({**scope, "headers": [(b"cookie", b"a=1")]})
    assert single.cookies == {"a": "1"}
