"""The pure conditional-request and Range rules (RFC 9110 §13, §14), plain values in and out."""

from __future__ import annotations

import pytest

from tumbler.http.ranges import (
    STAR,
    UnsatisfiableRange,
    etag_matches,
    evaluate_preconditions,
    http_date,
    if_range_allows,
    parse_byte_range,
    parse_etags,
    parse_http_date,
    quote_etag,
)

SIZE = 100
DATE = 784111777  # Sun, 06 Nov 1994 08:49:37 GMT


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-4", (0, 5)),
        ("bytes=10-", (10, 100)),
        ("bytes=-3", (97, 100)),
        ("bytes=-500", (0, 100)),  # a suffix longer than the file is the whole file
        ("bytes=90-1000", (90, 100)),  # last-pos past the end is clamped
        ("bytes=99-99", (99, 100)),
        ("BYTES=0-0", (0, 1)),  # the unit is case-insensitive
        ("bytes= 0-4 ", (0, 5)),
        ("bytes=0-4,", (0, 5)),  # empty list elements do not count
    ],
)
def test_single_ranges(header: str, expected: tuple[int, int]) -> None:
    assert parse_byte_range(header, SIZE) == expected


@pytest.mark.parametrize(
    "header",
    [
        None,
        "items=0-4",  # another unit
        "bytes",  # no '='
        "bytes=",  # no range
        "bytes=5-2",  # last before first: invalid
        "bytes=x-y",
        "bytes=-",
        "bytes=1-2-3",
        "bytes=٣-٤",  # non-ASCII digits
        "bytes=0-1,5-6",  # several ranges: the whole file
        "bytes=" + "9" * 5000 + "-",  # too long for int(): ignored, not a crash
    ],
)
def test_ignored_ranges(header: str | None) -> None:
    assert parse_byte_range(header, SIZE) is None


@pytest.mark.parametrize(
    ("header", "size"),
    [
        ("bytes=100-", 100),
        ("bytes=500-600", 100),
        ("bytes=-0", 100),
        ("bytes=0-", 0),
        ("bytes=-5", 0),
    ],
)
def test_unsatisfiable_ranges(header: str, size: int) -> None:
    with pytest.raises(UnsatisfiableRange):
        parse_byte_range(header, size)


def test_parse_etags() -> None:
    assert parse_etags(None) == []
    assert parse_etags(" * ") == STAR
    assert parse_etags('"a", W/"b",  "c,d"') == [(False, "a"), (True, "b"), (False, "c,d")]
    assert parse_etags("bare") == [(False, "bare")]
    assert parse_etags('"open') == []


@pytest.mark.parametrize(
    ("header", "etag", "weak", "expected"),
    [
        ('"a"', '"a"', True, True),
        ('W/"a"', '"a"', True, True),
        ('W/"a"', '"a"', False, False),
        ('"a"', 'W/"a"', False, False),
        ('"a"', 'W/"a"', True, True),
        ('"x", "a"', '"a"', False, True),
        ('"b"', '"a"', True, False),
        ("*", '"a"', False, True),
        ("*", None, True, True),
        ('"a"', None, True, False),
    ],
)
def test_etag_comparison(header: str, etag: str | None, weak: bool, expected: bool) -> None:
    assert etag_matches(header, etag, weak=weak) is expected


def _pre(**headers: str) -> int | None:
    values: dict[str, str | None] = {
        "if_match": None,
        "if_none_match": None,
        "if_modified_since": None,
        "if_unmodified_since": None,
    }
    values.update(headers)
    return evaluate_preconditions(etag='"v1"', last_modified=DATE, **values)


def test_preconditions_in_rfc_order() -> None:
    before, after = http_date(DATE - 10), http_date(DATE + 10)
    assert _pre() is None
    assert _pre(if_none_match='"v1"') == 304
    assert _pre(if_none_match='W/"v1"') == 304  # weak comparison
    assert _pre(if_none_match="*") == 304
    assert _pre(if_none_match='"v0"') is None
    assert _pre(if_modified_since=http_date(DATE)) == 304
    assert _pre(if_modified_since=after) == 304
    assert _pre(if_modified_since=before) is None
    assert _pre(if_modified_since="garbage") is None
    # If-None-Match present: If-Modified-Since is not looked at (§13.1.3).
    assert _pre(if_none_match='"v0"', if_modified_since=after) is None
    assert _pre(if_match='"v0"') == 412
    assert _pre(if_match='W/"v1"') == 412  # strong comparison
    assert _pre(if_match='"v1"') is None
    assert _pre(if_match="*") is None
    assert _pre(if_unmodified_since=before) == 412
    assert _pre(if_unmodified_since=after) is None
    # If-Match present: If-Unmodified-Since is not looked at (§13.1.4).
    assert _pre(if_match='"v1"', if_unmodified_since=before) is None
    # 412 wins over 304.
    assert _pre(if_match='"v0"', if_none_match='"v1"') == 412


def test_if_range() -> None:
    assert if_range_allows(None, '"v1"', DATE) is True
    assert if_range_allows('"v1"', '"v1"', DATE) is True
    assert if_range_allows('"v0"', '"v1"', DATE) is False
    assert if_range_allows('W/"v1"', 'W/"v1"', DATE) is False  # weak never matches
    assert if_range_allows('"v1"', None, DATE) is False
    assert if_range_allows(http_date(DATE), '"v1"', DATE) is True
    assert if_range_allows(http_date(DATE - 1), '"v1"', DATE) is False
    assert if_range_allows(http_date(DATE), '"v1"', None) is False
    assert if_range_allows("garbage", '"v1"', DATE) is False


def test_http_dates_in_all_three_formats() -> None:
    assert http_date(DATE) == "Sun, 06 Nov 1994 08:49:37 GMT"
    assert parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == DATE
    assert parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == DATE
    assert parse_http_date("Sun Nov  6 08:49:37 1994") == DATE
    assert parse_http_date("yesterday") is None
    assert parse_http_date("") is None
    assert parse_http_date(None) is None


def test_quote_etag() -> None:
    assert quote_etag("abc") == '"abc"'
    assert quote_etag("abc", weak=True) == 'W/"abc"'
    assert quote_etag('"abc"') == '"abc"'
    assert quote_etag('W/"abc"') == 'W/"abc"'
    for bad in ('a"b', "a b", "a\nb"):
        with pytest.raises(ValueError):
            quote_etag(bad)
