"""Multipart framing (issue 14): boundary length, preamble and epilogue, filename parameters,
and ``secure_filename`` for whatever name a client sends.
"""

from __future__ import annotations

import sys
import tracemalloc
from collections.abc import Iterator
from types import FrameType
from typing import Any

import pytest

from tumbler import Tumbler, request, secure_filename
from tumbler.http.exceptions import BadRequest
from tumbler.http.formparser import parse_disposition, parse_multipart
from tumbler.testing import TestClient
from tumbler.utils import secure_filename as utils_secure_filename


def _part(disposition: str, data: bytes = b"data", boundary: str = "b") -> bytes:
    return (
        f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )


@pytest.fixture
def upload_app(app: Tumbler) -> Tumbler:
    @app.post("/")
    def view() -> Any:
        files = request.files
        return {
            "form": request.form.to_dict(),
            "files": {k: f.filename for k, f in files.items()},
            "safe": {k: secure_filename(f.filename or "") for k, f in files.items()},
        }

    return app


# Boundary ------------------------------------------------------------------------------------


def test_boundary_longer_than_70_is_400(upload_app: Tumbler, client: TestClient) -> None:
    """RFC 2046 §5.1.1: a boundary is 1 to 70 characters."""
    for length, status in ((70, 200), (71, 400)):
        boundary = "b" * length
        body = _part('form-data; name="a"', b"1", boundary)
        ctype = f"multipart/form-data; boundary={boundary}"
        assert client.post("/", data=body, content_type=ctype).status_code == status


# Content-Disposition parameters ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("disposition", "filename"),
    [
        ('form-data; name="f"; filename="a;b.txt"', "a;b.txt"),
        ('form-data; name="f"; filename="x\\"y;z.txt"', 'x"y;z.txt'),
        ("form-data; name=\"f\"; filename*=UTF-8''%E2%82%AC%20rates.txt", "\u20ac rates.txt"),
        (
            'form-data; name="f"; filename="fallback.txt"; filename*=utf-8\'\'%C3%BCber.txt',
            "\u00fcber.txt",
        ),
        ("form-data; name=\"f\"; filename*=iso-8859-1'en'%E9t%E9.txt", "\u00e9t\u00e9.txt"),
    ],
)
def test_filename_is_the_one_a_browser_would_use(
    upload_app: Tumbler, client: TestClient, disposition: str, filename: str
) -> None:
    body = _part(disposition)
    got = client.post("/", data=body, content_type="multipart/form-data; boundary=b").json
    assert got["files"] == {"f": filename}


@pytest.mark.parametrize(
    "disposition",
    [
        'form-data; name="f"; filename="a.txt"; filename="b.txt"',
        'form-data; name="f"; name="g"; filename="a.txt"',
        "form-data; name=\"f\"; filename*=koi8-r''%C1.txt",
        "form-data; name=\"f\"; filename*=UTF-8''%FF.txt",
        "form-data; name=\"f\"; filename*=UTF-8''a b.txt",
        'form-data; name="f"; filename*0="a"; filename*1=".txt"',
        'form-data; name="f"; filename="unterminated',
        'form-data; name="f"; filename',
    ],
)
def test_ambiguous_filename_parameters_refuse_the_part(
    upload_app: Tumbler, client: TestClient, disposition: str
) -> None:
    body = _part(disposition)
    response = client.post("/", data=body, content_type="multipart/form-data; boundary=b")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "disposition",
    [
        'form-data; name="f"; filename="../../etc/passwd"',
        'form-data; name="f"; filename="..\\\\..\\\\windows\\\\win.ini"',
        'form-data; name="f"; filename="C:\\Windows\\win.ini"',
        "form-data; name=\"f\"; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd",
        "form-data; name=\"f\"; filename*=UTF-8''..%5C..%5Cwin.ini",
        'form-data; name="f"; filename="safe.txt"; filename*=UTF-8\'\'%2Fetc%2Fpasswd',
        "form-data; name=\"f\"; filename*=UTF-8''%E2%80%A5%EF%BC%8Fetc%EF%BC%8Fpasswd",
    ],
)
def test_a_path_in_either_filename_never_survives_secure_filename(
    upload_app: Tumbler, client: TestClient, disposition: str
) -> None:
    body = _part(disposition)
    got = client.post("/", data=body, content_type="multipart/form-data; boundary=b").json
    safe = got["safe"]["f"]
    assert "/" not in safe and "\\" not in safe and not safe.startswith(".")
    assert safe in ("etc_passwd", "windows_win.ini", "C_Windows_win.ini", "win.ini", "etcpasswd")


def test_parse_disposition_unit() -> None:
    assert parse_disposition('form-data; name="a;b"; filename=x.txt') == {
        "name": "a;b",
        "filename": "x.txt",
    }
    with pytest.raises(BadRequest):
        parse_disposition('form-data; name="a"; name="b"')


# Preamble and epilogue: linear time, bounded memory -------------------------------------------


def _framed(preamble: int, epilogue: int) -> Iterator[bytes]:
    """A one-field body after ``preamble`` bytes of text, then ``epilogue`` bytes, in 64 KiB."""
    junk = b"This is a preamble - not a part --b-- \r\n" * 1600  # about 64 KiB
    left = preamble
    while left > 0:
        yield junk[:left]
        left -= len(junk)
    yield b"\r\n" + _part('form-data; name="a"', b"1")
    left = epilogue
    while left > 0:
        yield junk[:left]
        left -= len(junk)


def _parse(chunks: Iterator[bytes]) -> str:
    form, _ = parse_multipart(chunks, "multipart/form-data; boundary=b")
    return str(form["a"])


def _lines_executed(preamble: int, epilogue: int) -> int:
    """Python lines run to parse such a body: a count of work, not a time."""
    count = 0

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        count += 1
        return tracer

    sys.settrace(tracer)
    try:
        assert _parse(_framed(preamble, epilogue)) == "1"
    finally:
        sys.settrace(None)
    return count


@pytest.mark.parametrize(("preamble", "epilogue"), [(1, 0), (1, 1)], ids=["preamble", "both"])
def test_preamble_and_epilogue_cost_linear_work(preamble: int, epilogue: int) -> None:
    """RFC 2046 allows text before the first and after the last delimiter: it is skipped."""
    one = _lines_executed(preamble * 1_000_000, epilogue * 1_000_000)
    four = _lines_executed(preamble * 4_000_000, epilogue * 4_000_000)
    assert four <= 4.5 * one, (one, four)


@pytest.mark.parametrize(("preamble", "epilogue"), [(1, 0), (1, 1)], ids=["preamble", "both"])
def test_preamble_and_epilogue_memory_is_bounded(preamble: int, epilogue: int) -> None:
    size = 8_000_000
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        assert _parse(_framed(preamble * size, epilogue * size)) == "1"
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000, peak


def test_preamble_and_epilogue_over_http(upload_app: Tumbler, client: TestClient) -> None:
    body = b"preamble\r\n" * 1000 + _part('form-data; name="a"', b"1") + b"epilogue\r\n" * 99
    got = client.post("/", data=body, content_type="multipart/form-data; boundary=b").json
    assert got["form"] == {"a": "1"}
    body = b"no delimiter at all\r\n" * 100
    response = client.post("/", data=body, content_type="multipart/form-data; boundary=b")
    assert response.status_code == 400


# secure_filename ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("My cool movie.mov", "My_cool_movie.mov"),
        ("../../../etc/passwd", "etc_passwd"),
        ("..\\..\\windows\\win.ini", "windows_win.ini"),
        ("i contain cool \u00fcml\u00e4uts.txt", "i_contain_cool_umlauts.txt"),
        ("\u65e5\u672c\u8a9e.txt", "txt"),
        ("CON", "_CON"),
        ("aux.txt", "_aux.txt"),
        ("com1.tar.gz", "_com1.tar.gz"),
        ("LPT9", "_LPT9"),
        ("console.txt", "console.txt"),
        ("..", ""),
        ("  .bashrc  ", "bashrc"),
        ("a\x00b\nc.txt", "ab_c.txt"),
    ],
)
def test_secure_filename(name: str, safe: str) -> None:
    assert secure_filename(name) == safe
    assert utils_secure_filename is secure_filename
