"""Issue 14, files: what ``send_from_directory`` and static routes refuse, and Range cost.

Raw requests over WSGI and ASGI (``send``). The folder holds real files with Windows device
names, so a 404 here means they were refused, not missing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.counting import assert_linear
from tests.security.conftest import Caller, Raw

from tumbler import Tumbler, send_from_directory
from tumbler.http.ranges import UnsatisfiableRange, parse_byte_range

DEVICES = ["CON", "con", "NUL", "aux.txt", "COM1", "lpt9.log", "nul.tar.gz", "CONOUT$", "com¹"]


@pytest.fixture
def app(tmp_path: Path) -> Tumbler:
    """``/files/<name>`` and ``/static/<name>`` serve the same folder."""
    folder = tmp_path / "public"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("A")
    (folder / "sub" / "b.txt").write_text("B")
    (folder / "big.bin").write_bytes(bytes(range(256)) * 40)
    for name in DEVICES:
        (folder / name).write_text("device")
        (folder / "sub" / name).write_text("device")
    app = Tumbler(__name__, static_folder=str(folder), static_url_path="/static")

    @app.route("/files/<path:name>")
    def files(name: str) -> Any:
        return send_from_directory(str(folder), name)

    return app


def _missing(app: Tumbler, send: Caller, prefix: bytes) -> bytes:
    return send(app, Raw(path=prefix + b"nothing-here.txt")).body


@pytest.mark.parametrize("prefix", [b"/files/", b"/static/"])
@pytest.mark.parametrize(
    "name", [b"a.txt/", b"a.txt/.", b"a.txt/./", b"a.txt//", b"sub/b.txt/", b"sub/b.txt/."]
)
def test_file_named_as_directory(app: Tumbler, send: Caller, prefix: bytes, name: bytes) -> None:
    """``a.txt/`` and ``a.txt/.`` name a directory; the OS would refuse them, and so do we."""
    result = send(app, Raw(path=prefix + name))
    if result.status in (301, 308):  # the router tidied "//" or "/.": follow it, on this host
        location = result.header("Location") or ""
        assert location.startswith(prefix.decode()), location
        result = send(app, Raw(path=location.encode()))
    assert result.status == 404
    assert result.body == _missing(app, send, prefix)


@pytest.mark.parametrize("prefix", [b"/files/", b"/static/"])
@pytest.mark.parametrize("name", [b"a.txt", b"sub/b.txt", b"./a.txt", b"sub//b.txt"])
def test_files_are_still_served(app: Tumbler, send: Caller, prefix: bytes, name: bytes) -> None:
    """Plain spellings of a file still work."""
    result = send(app, Raw(path=prefix + name))
    if result.status in (301, 308):
        result = send(app, Raw(path=(result.header("Location") or "").encode()))
    assert result.status == 200
    assert result.body in (b"A", b"B")


@pytest.mark.parametrize("prefix", [b"/files/", b"/static/"])
@pytest.mark.parametrize("name", DEVICES)
@pytest.mark.parametrize("under", ["", "sub/"])
def test_windows_device_names_are_404_everywhere(
    app: Tumbler, send: Caller, prefix: bytes, name: str, under: str
) -> None:
    """``CON``, ``aux.txt``, ``a/CON``...: a 404 on every OS, though the files exist here."""
    result = send(app, Raw(path=prefix + (under + name).encode()))
    assert result.status == 404
    assert result.body == _missing(app, send, prefix)
    assert b"device" not in result.body


# Ranges ---------------------------------------------------------------------------------------

RANGE_SETS: list[Callable[[int], str]] = [
    lambda n: ",".join("0-100" for _ in range(n)),  # the same range over and over
    lambda n: ",".join(f"{i}-{i}" for i in range(n)),  # adjacent single bytes
    lambda n: ",".join(f"{i}-{i + 50}" for i in range(n)),  # overlapping
    lambda n: ",".join(f"{n - i}-" for i in range(n)),  # open-ended, descending
    lambda n: ",".join("-5" for _ in range(n)),  # suffixes
]
RANGE_IDS = ["same", "adjacent", "overlapping", "open", "suffix"]


@pytest.mark.parametrize("ranges", RANGE_SETS, ids=RANGE_IDS)
def test_many_ranges_get_the_whole_file(
    app: Tumbler, send: Caller, ranges: Callable[[int], str]
) -> None:
    """Thousands of overlapping or adjacent ranges: 200 and the whole file (RFC 9110 §14.2)."""
    header = ("bytes=" + ranges(5_000)).encode()
    result = send(app, Raw(path=b"/static/big.bin", headers=[(b"range", header)]))
    assert result.status == 200
    assert result.body == bytes(range(256)) * 40
    assert result.header("Content-Range") is None


@pytest.mark.parametrize("ranges", RANGE_SETS, ids=RANGE_IDS)
def test_many_ranges_cost_linear_operations(ranges: Callable[[int], str]) -> None:
    """Parsing them is linear in the header (counted, not timed): no pairwise merge."""

    def parse(n: int) -> Callable[[], Any]:
        header = "bytes=" + ranges(n)
        return lambda: parse_byte_range(header, 10_240)

    assert_linear(parse, 2_000)
    assert parse_byte_range("bytes=" + ranges(2_000), 10_240) is None  # the whole file


def test_one_range_still_served(app: Tumbler, send: Caller) -> None:
    """A single satisfiable range is a 206; one past the end is a 416."""
    ok = send(app, Raw(path=b"/static/big.bin", headers=[(b"range", b"bytes=0-9")]))
    assert ok.status == 206 and ok.body == bytes(range(10))
    bad = send(app, Raw(path=b"/static/big.bin", headers=[(b"range", b"bytes=99999-")]))
    assert bad.status == 416
    with pytest.raises(UnsatisfiableRange):
        parse_byte_range("bytes=99999-", 10_240)
