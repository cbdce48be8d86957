"""Accept headers and best_match.

Every ``best_match`` expectation tagged "werkzeug" was checked by running Werkzeug 3 on the
same header and offers; the few deliberate differences are tagged and explained in accept.py.
"""

from __future__ import annotations

import pytest

from tumbler.http.accept import Accept, LanguageAccept, MIMEAccept, parse_accept

LANGUAGE_CASES = [
    ("en", ["en-US", "fr"], "en-US"),
    ("en-US", ["en", "fr"], "en"),
    ("en-US,fr;q=0.9", ["fr", "en"], "fr"),
    ("fr;q=0.5,en-gb;q=0.8", ["en-US", "fr"], "fr"),
    ("*", ["de", "fr"], "de"),
    ("de, *;q=0.1", ["fr", "de"], "de"),
    ("EN-us", ["en-US"], "en-US"),
    ("en;q=0", ["en"], None),
    ("en;q=0, *", ["en", "fr"], "fr"),
    ("da, en-gb;q=0.8, en;q=0.7", ["en", "en-gb"], "en-gb"),
    ("da, en-gb;q=0.8, en;q=0.7", ["en-US", "en"], "en"),
    ("de-AT", ["de-DE", "de"], "de"),
    ("de-AT", ["de-DE"], None),
    ("en_US", ["en-US"], "en-US"),
    ("en-US", ["en_US"], "en_US"),
    ("en;q=abc", ["en"], None),
    ("en;q=2", ["en"], None),
    ("zh-Hant-TW", ["zh-Hant", "zh"], "zh"),
    ("", ["en"], None),
    (None, ["en"], None),
    ("fr, en-US", ["en"], "en"),
    ("en-US, fr", ["fr", "en"], "fr"),
    ("fr;q=0.9, en", ["de-DE"], None),
    ("x", [], None),
    ("en, *", ["fr", "en"], "en"),
    ("*, en", ["fr", "en"], "en"),
    ("en-US, en;q=0.5", ["en", "en-US"], "en-US"),
    ("en;q=0.5, fr", ["en-US", "fr"], "fr"),
    ("en-us;q=0.9, fr-ca", ["en", "fr"], "fr"),
    ("*;q=0.5, en", ["fr", "en-GB"], "fr"),
    ("en-GB;q=0.7, fr", ["en-gb"], "en-gb"),
]


@pytest.mark.parametrize(("header", "offers", "expected"), LANGUAGE_CASES)
def test_language_best_match_like_werkzeug(
    header: str | None, offers: list[str], expected: str | None
) -> None:
    assert parse_accept(header, LanguageAccept).best_match(offers) == expected


MIME_CASES = [
    ("text/html, application/json;q=0.9", ["application/json", "text/html"], "text/html"),
    ("*/*", ["application/json", "text/html"], "application/json"),
    ("text/*", ["application/json", "text/plain"], "text/plain"),
    ("text/*;q=0.5, text/html", ["text/plain", "text/html"], "text/html"),
    ("text/*, text/plain;q=0", ["text/plain", "text/html"], "text/html"),
    ("application/json;q=0", ["application/json"], None),
    ("*/*;q=0.1, application/json", ["text/html", "application/json"], "application/json"),
    (
        "text/html;q=0.5, application/xhtml+xml;q=0.5",
        ["application/xhtml+xml", "text/html"],
        "application/xhtml+xml",
    ),
    ("TEXT/HTML", ["text/html"], "text/html"),
    ("text/html", ["TEXT/HTML"], "TEXT/HTML"),
    ("text/*", ["text/*"], "text/*"),
    ("garbage", ["text/html"], None),
    ("application/json;q=abc", ["application/json"], None),
    (";q=0.5", ["a/b"], None),
    ("text/html, */*;q=0.8", ["application/json"], "application/json"),
    ("*/*, text/html;q=0.1", ["text/html", "application/json"], "application/json"),
    ("text/html;level=1;q=0.5, text/html", ["text/html"], "text/html"),
    ("text/*, application/json", ["text/plain", "application/json"], "application/json"),
    ("*/*, text/html", ["application/json", "text/html"], "text/html"),
    (
        "text/*;q=0.8, */*;q=0.8, text/html;q=0.8",
        ["image/png", "text/plain", "text/html"],
        "text/html",
    ),
    (
        "application/*, application/json;q=0.5",
        ["application/xml", "application/json"],
        "application/xml",
    ),
    ("text/html;q=0.9, */*", ["text/html"], "text/html"),
    ("text/html;q=0.9, */*", ["text/html", "image/png"], "image/png"),
    ("*/*;q=0", ["text/html"], None),
    ("text/html;q=0, */*", ["text/html", "a/b"], "a/b"),
    ("text/html; q=0.5 , text/plain ; q = 0.7", ["text/html", "text/plain"], "text/plain"),
    ("text/html;Q=0.5, text/plain;q=0.6", ["text/html", "text/plain"], "text/plain"),
    ("text/html", [], None),
    ("TEXT/*", ["text/HTML"], "text/HTML"),
    ("application/json, text/html", ["text/html", "application/json"], "text/html"),
    (None, ["text/html"], None),
    ("", ["text/html"], None),
]


@pytest.mark.parametrize(("header", "offers", "expected"), MIME_CASES)
def test_mime_best_match_like_werkzeug(
    header: str | None, offers: list[str], expected: str | None
) -> None:
    assert parse_accept(header, MIMEAccept).best_match(offers) == expected


@pytest.mark.parametrize(
    ("header", "offers", "ours", "werkzeug"),
    [
        # Parameters are ignored for matching.
        ("text/html;level=1", ["text/html"], "text/html", None),
        ("text/html;level=1", ["text/html;level=2", "text/html"], "text/html;level=2", None),
        # A bare "*" reads as "*/*".
        ("*", ["text/html"], "text/html", None),
        # q=.5 is a number.
        ("text/html;q=.5, text/plain;q=0.4", ["text/plain", "text/html"], "text/html", None),
    ],
)
def test_mime_deliberate_differences(
    header: str, offers: list[str], ours: str | None, werkzeug: str | None
) -> None:
    assert ours != werkzeug
    assert parse_accept(header, MIMEAccept).best_match(offers) == ours


def test_missing_header_matches_werkzeug() -> None:
    # Werkzeug with no Accept / Accept-Language header: best_match gives None (or the default),
    # the object is falsy, and nothing is "in" it.
    for cls in (Accept, MIMEAccept, LanguageAccept):
        empty = parse_accept(None, cls)
        assert empty.best_match(["en", "fr"]) is None
        assert empty.best_match(["en"], default="en") == "en"
        assert not empty
        assert "en" not in empty
        assert empty.quality("en") == 0
        assert empty.best is None
        assert len(empty) == 0
    mime = parse_accept("", MIMEAccept)
    assert not mime.accept_html and not mime.accept_json


def test_default_when_nothing_fits() -> None:
    assert parse_accept("fr", LanguageAccept).best_match(["en"], "en") == "en"
    assert parse_accept("text/html", MIMEAccept).best_match(["application/json"], "x/y") == "x/y"


@pytest.mark.parametrize(
    ("header", "items"),
    [
        (
            "text/html, application/json;q=0.9",
            [("text/html", 1.0), ("application/json", 0.9)],
        ),
        ("a;q=abc, b;q=0.3, c;q=1.5, d;q=-1, e;q=nan, f;q=0", [("b", 0.3), ("f", 0.0)]),
        ("a, b;q=0.5, c, d;q=0.5", [("a", 1.0), ("c", 1.0), ("b", 0.5), ("d", 0.5)]),
        ("text/html;level=1;q=0.2", [("text/html; level=1", 0.2)]),
        (" , ,a", [("a", 1.0)]),
        ("a;q=0.1234", [("a", 0.1234)]),
        ("a;q=0.5;q=0.9", [("a", 0.9)]),
        ("a;q=inf, b;q=1e0", [("b", 1.0)]),
        (",,,;;;,=,q=", [("=", 1.0), ("q=", 1.0)]),  # garbage kept as values, never raised
    ],
)
def test_parse_sorted_stably_and_skips_malformed(
    header: str, items: list[tuple[str, float]]
) -> None:
    parsed = parse_accept(header, MIMEAccept)
    assert list(parsed) == items
    assert parsed == items
    assert parsed.values() == [value for value, _ in items]
    assert parsed.best == items[0][0]
    assert parsed[0] == items[0]


def test_quality_contains_and_properties() -> None:
    accept = parse_accept("text/html, application/xhtml+xml;q=0.9, */*;q=0.5", MIMEAccept)
    assert "text/html" in accept and "image/png" in accept
    assert accept.quality("image/png") == 0.5
    assert accept["text/html"] == 1
    assert accept.accept_html and accept.accept_json and accept.accept_xhtml
    plain = parse_accept("text/plain", MIMEAccept)
    assert not plain.accept_html and not plain.accept_json and "text/html" not in plain
    specific = parse_accept("text/html;q=0.9, */*", MIMEAccept)
    assert specific.quality("text/html") == 0.9  # the most specific entry, as in Werkzeug


def test_plain_accept_is_case_insensitive() -> None:
    accept = parse_accept("gzip, deflate;q=0.5, br;q=0", Accept)
    assert list(accept) == [("gzip", 1.0), ("deflate", 0.5), ("br", 0.0)]
    assert "br" not in accept  # Werkzeug says True here; q=0 means "not acceptable"
    assert accept.quality("br") == 0
    assert accept.best_match(["br", "deflate"]) == "deflate"
    assert accept.quality("GZIP") == 1 and "GZIP" in accept
    star = parse_accept("gzip, *;q=0.5", Accept)
    assert star.best_match(["br", "gzip"]) == "gzip"
    assert star.quality("br") == 0.5
    assert repr(star) == "Accept([('gzip', 1.0), ('*', 0.5)])"


def test_parse_accept_never_raises_on_garbage() -> None:
    for header in ['";q=1', "q=0.5;", "\x00,\r\n", ";", "a;q=" + "9" * 400, "a;b;c;q;=;=="]:
        parsed = parse_accept(header, MIMEAccept)
        assert parsed.best_match(["text/html"]) in (None, "text/html")
