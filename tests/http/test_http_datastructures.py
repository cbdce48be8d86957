"""MultiDict and Headers: plain values in, plain values out."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import pytest

from tumbler.http.datastructures import Headers, ImmutableMultiDict, MultiDict
from tumbler.http.exceptions import BadRequest, BadRequestKeyError

# MultiDict ----------------------------------------------------------------------------------


def test_multidict_first_value_and_lists() -> None:
    md = MultiDict([("a", "1"), ("b", "x"), ("a", "2")])
    assert md["a"] == "1"
    assert md.getlist("a") == ["1", "2"]
    assert md.getlist("missing") == []
    assert len(md) == 2
    assert list(md) == ["a", "b"]
    assert "a" in md and "zz" not in md


def test_multidict_missing_key_is_bad_request_and_key_error() -> None:
    md = MultiDict()
    with pytest.raises(BadRequestKeyError) as info:
        md["nope"]
    assert isinstance(info.value, KeyError)
    assert isinstance(info.value, BadRequest)
    assert info.value.code == 400
    assert info.value.key == "nope"


def test_multidict_get_with_type() -> None:
    md = MultiDict([("a", "1"), ("a", "2"), ("b", "x")])
    assert md.get("a", type=int) == 1
    assert md.get("b", type=int) is None
    assert md.get("b", -1, type=int) == -1
    assert md.get("missing", "d") == "d"
    assert md.getlist("a", type=int) == [1, 2]
    assert md.getlist("b", type=int) == []


def test_multidict_views() -> None:
    md = MultiDict([("a", "1"), ("a", "2"), ("b", "x")])
    assert md.items() == [("a", "1"), ("b", "x")]
    assert md.items(multi=True) == [("a", "1"), ("a", "2"), ("b", "x")]
    assert md.values() == ["1", "x"]
    assert md.lists() == [("a", ["1", "2"]), ("b", ["x"])]
    assert md.listvalues() == [["1", "2"], ["x"]]
    assert md.to_dict() == {"a": "1", "b": "x"}
    assert md.to_dict(flat=False) == {"a": ["1", "2"], "b": ["x"]}
    assert list(md.keys()) == ["a", "b"]
    assert repr(md) == "MultiDict([('a', '1'), ('a', '2'), ('b', 'x')])"


def test_multidict_lists_are_copies() -> None:
    md = MultiDict([("a", "1")])
    md.getlist("a").append("evil")
    md.lists()[0][1].append("evil")
    assert md.getlist("a") == ["1"]


@pytest.mark.parametrize(
    "source",
    [
        {"a": ["1", "2"], "b": "x"},
        [("a", "1"), ("a", "2"), ("b", "x")],
        MultiDict([("a", "1"), ("a", "2"), ("b", "x")]),
        ImmutableMultiDict([("a", "1"), ("a", "2"), ("b", "x")]),
    ],
)
def test_multidict_constructors(source: Any) -> None:
    md = MultiDict(source)
    assert md.items(multi=True) == [("a", "1"), ("a", "2"), ("b", "x")]


def test_multidict_constructor_none_and_empty_list_value() -> None:
    assert len(MultiDict()) == 0
    assert len(MultiDict(None)) == 0
    assert "a" not in MultiDict({"a": []})


def test_multidict_copy_is_independent_and_mutable() -> None:
    frozen = ImmutableMultiDict([("a", "1")])
    copied = frozen.copy()
    copied.add("a", "2")
    assert type(copied) is MultiDict
    assert frozen.getlist("a") == ["1"]
    assert copy.copy(frozen).getlist("a") == ["1"]


def test_multidict_mutation() -> None:
    md = MultiDict()
    md.add("a", "1")
    md.add("a", "2")
    md["b"] = "x"
    assert md.items(multi=True) == [("a", "1"), ("a", "2"), ("b", "x")]
    md.setlist("a", ["3"])
    assert md.getlist("a") == ["3"]
    md.setlist("a", [])
    assert "a" not in md
    assert md.setdefault("c", "d") == "d"
    assert md.setdefault("c", "e") == "d"
    assert md.pop("c") == "d"
    assert md.pop("c", None) is None
    with pytest.raises(KeyError):
        md.pop("c")
    md.update({"b": "y"})
    assert md.getlist("b") == ["x", "y"]
    assert md.poplist("b") == ["x", "y"]
    md["x"] = "1"
    del md["x"]
    assert "x" not in md
    md.add("z", "1")
    md.clear()
    assert not md


def test_multidict_equality_and_mapping() -> None:
    md = MultiDict([("a", "1")])
    assert md == MultiDict({"a": "1"})
    assert md == {"a": "1"}
    assert md != MultiDict([("a", "1"), ("a", "2")])
    assert isinstance(md, Mapping)
    assert dict(md) == {"a": "1"}
    with pytest.raises(TypeError):
        hash(md)


def test_immutable_multidict_refuses_every_mutation() -> None:
    md = ImmutableMultiDict([("a", "1")])
    for attempt in (
        lambda: md.__setitem__("a", "2"),
        lambda: md.__delitem__("a"),
        lambda: md.add("a", "2"),
        lambda: md.setlist("a", ["2"]),
        lambda: md.setdefault("b", "2"),
        lambda: md.pop("a"),
        lambda: md.poplist("a"),
        lambda: md.update({"b": "2"}),
        lambda: md.clear(),
    ):
        with pytest.raises(TypeError):
            attempt()
    assert md.items(multi=True) == [("a", "1")]
    assert hash(md) == hash(ImmutableMultiDict([("a", "1")]))


# Headers ------------------------------------------------------------------------------------


def test_headers_case_insensitive_and_ordered() -> None:
    h = Headers([("X-A", "1"), ("Content-Type", "text/plain"), ("x-a", "2")])
    assert h["x-a"] == "1"
    assert h["CONTENT-TYPE"] == "text/plain"
    assert h.getlist("X-a") == ["1", "2"]
    assert "content-type" in h and "nope" not in h and 3 not in h
    assert list(h) == [("X-A", "1"), ("Content-Type", "text/plain"), ("x-a", "2")]
    assert h.keys() == ["X-A", "Content-Type", "x-a"]
    assert h.values() == ["1", "text/plain", "2"]
    assert h.items() == list(h)
    assert len(h) == 3
    assert repr(h).startswith("Headers([('X-A', '1')")


def test_headers_get() -> None:
    h = Headers({"Content-Length": "12", "X": "y"})
    assert h.get("content-length") == "12"
    assert h.get("content-length", type=int) == 12
    assert h.get("x", type=int) is None
    assert h.get("x", 0, type=int) == 0
    assert h.get("missing") is None
    assert h.get("missing", "d") == "d"
    with pytest.raises(KeyError):
        h["missing"]


def test_headers_set_replaces_all_in_place_of_first() -> None:
    h = Headers([("A", "1"), ("B", "2"), ("a", "3"), ("C", "4")])
    h.set("A", "new")
    assert h.to_wsgi_list() == [("A", "new"), ("B", "2"), ("C", "4")]
    h["d"] = "5"
    assert h.to_wsgi_list()[-1] == ("d", "5")


def test_headers_add_setdefault_remove_pop() -> None:
    h = Headers()
    h.add("Set-Cookie", "a=1")
    h.add("Set-Cookie", "b=2")
    assert h.getlist("set-cookie") == ["a=1", "b=2"]
    assert h.setdefault("X", "1") == "1"
    assert h.setdefault("x", "2") == "1"
    assert h.pop("x") == "1"
    assert h.pop("x", "gone") == "gone"
    with pytest.raises(KeyError):
        h.pop("x")
    del h["set-cookie"]
    assert "Set-Cookie" not in h
    with pytest.raises(KeyError):
        del h["set-cookie"]
    h.add("Y", "1")
    h.remove("y")
    h.remove("never-there")
    assert len(h) == 0


def test_headers_int_and_bytes_values_become_str() -> None:
    h = Headers()
    h.add("Content-Length", 5)
    h.set("X", b"v")
    assert h.to_wsgi_list() == [("Content-Length", "5"), ("X", "v")]


def test_headers_extend_and_update() -> None:
    h = Headers([("A", "1"), ("B", "2")])
    h.extend({"C": ["3", "4"]})
    h.extend(Headers([("D", "5")]))
    assert h.getlist("c") == ["3", "4"] and h["d"] == "5"
    h.update({"a": "x", "c": ["y", "z"]})
    assert h.to_wsgi_list() == [("B", "2"), ("D", "5"), ("a", "x"), ("c", "y"), ("c", "z")]
    h.update(h)
    assert len(h) == 5


@pytest.mark.parametrize("bad", ["a\rb", "a\nb", "a\0b", "x\r\nSet-Cookie: evil=1"])
def test_headers_refuse_injection(bad: str) -> None:
    h = Headers()
    for attempt in (
        lambda: h.add("X", bad),
        lambda: h.add(bad, "v"),
        lambda: h.set("X", bad),
        lambda: h.__setitem__(bad, "v"),
        lambda: h.setdefault("X", bad),
        lambda: h.extend([("X", bad)]),
        lambda: h.update({"X": bad}),
        lambda: Headers([("X", bad)]),
        lambda: Headers({bad: "v"}),
    ):
        with pytest.raises(ValueError):
            attempt()
    assert len(h) == 0


def test_headers_to_wsgi_list_is_the_internal_list() -> None:
    h = Headers([("A", "1")])
    assert h.to_wsgi_list() is h.to_wsgi_list()
    assert h.to_wsgi_list() == [("A", "1")]


def test_headers_equality_copy_and_str() -> None:
    h = Headers([("A", "1")])
    assert h == Headers([("a", "1")])
    assert h != Headers([("a", "2")])
    c = h.copy()
    c.add("B", "2")
    assert len(h) == 1 and len(c) == 2
    assert str(h) == "A: 1\r\n\r\n"
    with pytest.raises(TypeError):
        hash(h)


def test_headers_from_wsgi_environ_is_read_only() -> None:
    environ = {
        "HTTP_HOST": "example.com",
        "HTTP_X_FORWARDED_FOR": "1.2.3.4",
        "CONTENT_TYPE": "text/plain",
        "CONTENT_LENGTH": "",
        "HTTP_CONTENT_TYPE": "ignored",
        "REQUEST_METHOD": "GET",
        "wsgi.input": object(),
    }
    h = Headers.from_wsgi_environ(environ)
    assert sorted(h) == [
        ("Content-Type", "text/plain"),
        ("Host", "example.com"),
        ("X-Forwarded-For", "1.2.3.4"),
    ]
    assert h["x-forwarded-for"] == "1.2.3.4"
    for attempt in (
        lambda: h.add("A", "1"),
        lambda: h.set("A", "1"),
        lambda: h.__setitem__("A", "1"),
        lambda: h.__delitem__("Host"),
        lambda: h.remove("Host"),
        lambda: h.pop("Host"),
        lambda: h.extend([("A", "1")]),
        lambda: h.update({"A": "1"}),
        lambda: h.clear(),
        lambda: h.setdefault("A", "1"),
    ):
        with pytest.raises(TypeError):
            attempt()
    assert len(h) == 3
    writable = h.copy()
    writable.add("A", "1")
    assert writable["a"] == "1"


def test_headers_from_asgi_decodes_latin1() -> None:
    h = Headers.from_asgi([(b"content-type", b"text/plain"), (b"x-name", b"caf\xe9")])
    assert h.to_wsgi_list() == [("Content-Type", "text/plain"), ("X-Name", "café")]
    with pytest.raises(TypeError):
        h.add("A", "1")
