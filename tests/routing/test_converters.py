"""Each converter: what it matches, what the view receives, and what it builds."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tumbler.http.exceptions import NotFound
from tumbler.routing import BaseConverter, Map, Rule, ValidationError


def one(rule: str, **options: Any) -> Map:
    return Map([Rule(rule, endpoint="e", **options)])


def values(url_map: Map, path: str) -> dict[str, Any]:
    return url_map.match(path, "GET")[1]


def refused(url_map: Map, path: str) -> bool:
    try:
        url_map.match(path, "GET")
    except NotFound:
        return True
    return False


@pytest.mark.parametrize("rule", ["/s/<name>", "/s/<string:name>", "/s/<default:name>"])
def test_string_takes_any_text_without_a_slash(rule: str) -> None:
    url_map = one(rule)
    assert values(url_map, "/s/ann") == {"name": "ann"}
    assert values(url_map, "/s/a b+c%20é") == {"name": "a b+c%20é"}
    assert refused(url_map, "/s/")
    assert refused(url_map, "/s/a/b")


def test_string_length_arguments() -> None:
    exact = one("/s/<string(length=3):x>")
    assert values(exact, "/s/abc") == {"x": "abc"}
    assert refused(exact, "/s/ab")
    assert refused(exact, "/s/abcd")
    bounded = one("/s/<string(minlength=2, maxlength=3):x>")
    assert values(bounded, "/s/ab") == {"x": "ab"}
    assert values(bounded, "/s/abc") == {"x": "abc"}
    assert refused(bounded, "/s/a")
    assert refused(bounded, "/s/abcd")
    at_least = one("/s/<string(minlength=4):x>")
    assert values(at_least, "/s/abcdefgh") == {"x": "abcdefgh"}
    assert refused(at_least, "/s/abc")


def test_int_matches_ascii_digits_only() -> None:
    url_map = one("/n/<int:n>")
    assert values(url_map, "/n/42") == {"n": 42}
    assert values(url_map, "/n/007") == {"n": 7}  # leading zeros accepted, as in Werkzeug
    for path in (
        "/n/-1",
        "/n/+1",
        "/n/1.0",
        "/n/\u0661\u0662",
        "/n/\uff14\uff12",
        "/n/²",
        "/n/1_0",
    ):
        assert refused(url_map, path), path


def test_int_arguments() -> None:
    bounded = one("/n/<int(min=1, max=10):n>")
    assert values(bounded, "/n/1") == {"n": 1}
    assert values(bounded, "/n/10") == {"n": 10}
    assert refused(bounded, "/n/0")
    assert refused(bounded, "/n/11")
    fixed = one("/n/<int(fixed_digits=3):n>")
    assert values(fixed, "/n/007") == {"n": 7}
    assert refused(fixed, "/n/7")
    assert refused(fixed, "/n/0007")
    assert fixed.build("e", {"n": 7}) == "/n/007"
    assert fixed.build("e", {"n": "5"}) == "/n/005"
    positional = one("/n/<int(3):n>")  # the first positional argument is fixed_digits
    assert values(positional, "/n/012") == {"n": 12}
    signed = one("/n/<int(signed=True):n>")
    assert values(signed, "/n/-5") == {"n": -5}
    assert values(signed, "/n/5") == {"n": 5}
    assert refused(signed, "/n/+5")
    assert refused(signed, "/n/-")
    assert signed.build("e", {"n": -3}) == "/n/-3"


def test_int_to_url_refuses_text_that_is_not_a_number() -> None:
    url_map = one("/n/<int:n>")
    with pytest.raises(ValueError):
        url_map.build("e", {"n": "abc"})


def test_float() -> None:
    url_map = one("/f/<float:x>")
    assert values(url_map, "/f/1.5") == {"x": 1.5}
    for path in ("/f/1", "/f/.5", "/f/1.", "/f/1e5", "/f/-1.5", "/f/1.5.5", "/f/\u0661.5"):
        assert refused(url_map, path), path
    assert url_map.build("e", {"x": 2}) == "/f/2.0"
    signed = one("/f/<float(signed=True, min=-2):x>")
    assert values(signed, "/f/-1.5") == {"x": -1.5}
    assert refused(signed, "/f/-2.5")


def test_uuid() -> None:
    url_map = one("/u/<uuid:u>")
    value = uuid.UUID("12345678-9abc-def0-1234-56789abcdef0")
    assert values(url_map, f"/u/{value}") == {"u": value}
    assert values(url_map, f"/u/{str(value).upper()}") == {"u": value}
    assert refused(url_map, "/u/12345678-9abc-def0-1234-56789abcdef")
    assert refused(url_map, "/u/123456789abcdef0123456789abcdef0")
    assert refused(url_map, "/u/g2345678-9abc-def0-1234-56789abcdef0")
    assert url_map.build("e", {"u": value}) == f"/u/{value}"


def test_path_spans_slashes() -> None:
    url_map = one("/p/<path:rest>")
    assert values(url_map, "/p/a") == {"rest": "a"}
    assert values(url_map, "/p/a/b/c.txt") == {"rest": "a/b/c.txt"}
    assert values(url_map, "/p/a/b/") == {"rest": "a/b/"}
    assert values(url_map, "/p/a\nb/c") == {"rest": "a\nb/c"}  # %0A decoded (Werkzeug: 404)
    assert refused(url_map, "/p/")
    assert url_map.build("e", {"rest": "x/y z?#%"}) == "/p/x/y%20z%3F%23%25"
    middle = one("/p/<path:rest>/edit")
    assert values(middle, "/p/a/b/edit") == {"rest": "a/b"}
    assert refused(middle, "/p/edit")


def test_any() -> None:
    url_map = one("/l/<any(en, 'pt br', \"fr\"):lang>")
    assert values(url_map, "/l/en") == {"lang": "en"}
    assert values(url_map, "/l/pt br") == {"lang": "pt br"}
    assert values(url_map, "/l/fr") == {"lang": "fr"}
    assert refused(url_map, "/l/de")
    assert refused(url_map, "/l/e")
    assert url_map.build("e", {"lang": "pt br"}) == "/l/pt%20br"
    with pytest.raises(ValueError, match="'de' is not one of 'en', 'pt br', 'fr'"):
        url_map.build("e", {"lang": "de"})


def test_any_needs_items() -> None:
    with pytest.raises(ValueError):
        one("/l/<any():x>")


def test_unknown_converter_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="unexpected keyword"):
        one("/n/<int(maximum=3):n>")


class ListConverter(BaseConverter):
    """The custom converter from Flask's documentation."""

    def to_python(self, value: str) -> list[str]:
        return value.split(",")

    def to_url(self, value: Any) -> str:
        return ",".join(super(ListConverter, self).to_url(item) for item in value)


class EvenConverter(BaseConverter):
    """Refuses odd numbers with ValidationError: the next rule gets its chance."""

    regex = "[0-9]+"
    weight = 50

    def to_python(self, value: str) -> int:
        number = int(value)
        if number % 2:
            raise ValidationError()
        return number


def test_custom_converter_round_trip() -> None:
    url_map = Map()
    url_map.converters["list"] = ListConverter
    url_map.add(Rule("/tags/<list:tags>", endpoint="tags"))
    assert values(url_map, "/tags/a,b,c") == {"tags": ["a", "b", "c"]}
    assert url_map.build("tags", {"tags": ["x y", "z"]}) == "/tags/x%20y,z"


def test_converters_given_to_the_map() -> None:
    url_map = Map([], converters={"list": ListConverter})
    url_map.add(Rule("/t/<list:t>", endpoint="t"))
    assert values(url_map, "/t/1,2") == {"t": ["1", "2"]}
    assert "int" in url_map.converters  # the defaults are kept


def test_validation_error_tries_the_next_rule() -> None:
    url_map = Map(converters={"even": EvenConverter})
    url_map.add(Rule("/n/<even:n>", endpoint="even"))
    url_map.add(Rule("/n/<int(min=5):n>", endpoint="big"))
    url_map.add(Rule("/n/<name>", endpoint="other"))
    assert url_map.match("/n/4", "GET") == (next(url_map.iter_rules("even")), {"n": 4})
    assert url_map.match("/n/7", "GET")[0].endpoint == "big"
    assert url_map.match("/n/3", "GET")[0].endpoint == "other"
    alone = Map(converters={"even": EvenConverter})
    alone.add(Rule("/n/<even:n>", endpoint="even"))
    assert refused(alone, "/n/3")


def test_part_isolating_follows_the_regex() -> None:
    class Slashy(BaseConverter):
        regex = "[a-z]+/[a-z]+"

    class Plain(BaseConverter):
        regex = "[^/]+"

    assert Slashy.part_isolating is False
    assert Plain.part_isolating is True
    url_map = Map(converters={"slashy": Slashy})
    url_map.add(Rule("/s/<slashy:x>/end", endpoint="s"))
    assert values(url_map, "/s/ab/cd/end") == {"x": "ab/cd"}
    assert refused(url_map, "/s/ab/end")


def test_converter_regex_overridden_in_a_subclass_is_honoured() -> None:
    from tumbler.routing import IntegerConverter, UnicodeConverter

    class FourDigits(IntegerConverter):
        regex = "[0-9]{4}"

    class Lower(UnicodeConverter):
        regex = "[a-z]+"

    url_map = Map(converters={"year": FourDigits, "lower": Lower})
    url_map.add(Rule("/y/<year:y>", endpoint="y"))
    url_map.add(Rule("/l/<lower:l>", endpoint="l"))
    assert values(url_map, "/y/2024") == {"y": 2024}
    assert refused(url_map, "/y/202")
    assert values(url_map, "/l/abc") == {"l": "abc"}
    assert refused(url_map, "/l/ABC")


def test_to_url_quotes_like_werkzeug() -> None:
    url_map = one("/s/<name>")
    assert url_map.build("e", {"name": "a b/c"}) == "/s/a%20b/c"
    assert url_map.build("e", {"name": "ä?&#%+=;:@,$!*'()~_.-[]"}) == (
        "/s/%C3%A4%3F&%23%25+=;:@,$!*'()~_.-%5B%5D"
    )
    assert url_map.build("e", {"name": 5}) == "/s/5"
