"""Multipart forms and uploads over both protocols: fields, files, spooling, limits, errors."""

from __future__ import annotations

import asyncio
import io
import json
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tumbler import Tumbler, request
from tumbler.http.files import FileStorage
from tumbler.testing import RequestSpec, TestClient, encode_multipart

BOUNDARY = "tumblertestboundary"
CT = f"multipart/form-data; boundary={BOUNDARY}"
NO_NAME = f"--{BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nv\r\n--{BOUNDARY}--\r\n".encode()


def part(name: str, value: bytes, filename: str | None = None, ctype: str = "") -> bytes:
    """One raw multipart part (without the trailing CRLF)."""
    head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"'
    if filename is not None:
        head += f'; filename="{filename}"'
    if ctype:
        head += f"\r\nContent-Type: {ctype}"
    return head.encode() + b"\r\n\r\n" + value


def body(*parts: bytes) -> bytes:
    """A complete multipart body with the test boundary."""
    return b"".join(p + b"\r\n" for p in parts) + f"--{BOUNDARY}--\r\n".encode()


def describe() -> dict[str, Any]:
    """What the view saw, as JSON."""
    return {
        "form": request.form.to_dict(flat=False),
        "values": request.values.to_dict(flat=False),
        "files": [
            {
                "key": key,
                "name": f.name,
                "filename": f.filename,
                "content_type": f.content_type,
                "mimetype": f.mimetype,
                "header": f.headers.get("Content-Type"),
                "data": f.read().decode("latin-1"),
            }
            for key, f in request.files.items(multi=True)
        ],
    }


def test_fields_and_files(app: Tumbler, client: TestClient) -> None:
    app.post("/")(describe)
    data = {
        "title": "caf\u00e9",
        "tags": ["a", "b"],
        "doc": (io.BytesIO(b"hello"), "hello.txt"),
        "img": (io.BytesIO(b"\x89PNG"), "pic.png", "image/png; q=1"),
    }
    got = client.post("/?page=2", data=data).json
    assert got["form"] == {"title": ["caf\u00e9"], "tags": ["a", "b"]}
    assert got["values"] == {"page": ["2"], "title": ["caf\u00e9"], "tags": ["a", "b"]}
    assert got["files"] == [
        {
            "key": "doc",
            "name": "doc",
            "filename": "hello.txt",
            "content_type": "text/plain",
            "mimetype": "text/plain",
            "header": "text/plain",
            "data": "hello",
        },
        {
            "key": "img",
            "name": "img",
            "filename": "pic.png",
            "content_type": "image/png; q=1",
            "mimetype": "image/png",
            "header": "image/png; q=1",
            "data": "\x89PNG",
        },
    ]


def test_several_files_under_one_name(app: Tumbler, client: TestClient) -> None:
    @app.post("/")
    def view() -> Any:
        files = request.files.getlist("up")
        return [[f.filename, f.read().decode()] for f in files]

    files = [(io.BytesIO(b"one"), "1.txt"), (io.BytesIO(b"two"), "2.txt")]
    assert client.post("/", data={"up": files}).json == [["1.txt", "one"], ["2.txt", "two"]]


def test_raw_body_utf8_filename_charset_and_empty_file_input(
    app: Tumbler, client: TestClient
) -> None:
    app.post("/")(describe)
    raw = body(
        part("n\u00e4me", "\u00e9t\u00e9".encode()),
        part("latin", "\u00e9".encode("latin-1"), ctype="text/plain; charset=latin-1"),
        part("f", b"", filename="\u00fcber.txt"),
        part("empty", b"", filename=""),
    )
    got = client.post("/", data=raw, content_type=CT).json
    assert got["form"] == {"n\u00e4me": ["\u00e9t\u00e9"], "latin": ["\u00e9"]}
    assert [f["filename"] for f in got["files"]] == ["\u00fcber.txt", ""]


def test_empty_file_input_is_falsy(app: Tumbler, client: TestClient) -> None:
    @app.post("/")
    def view() -> Any:
        return {"bool": bool(request.files["f"]), "filename": request.files["f"].filename}

    raw = body(part("f", b"", filename=""))
    assert client.post("/", data=raw, content_type=CT).json == {"bool": False, "filename": ""}


def test_no_multipart_means_no_files(app: Tumbler, client: TestClient) -> None:
    @app.route("/", methods=["GET", "POST"])
    def view() -> Any:
        return {"files": len(request.files), "form": request.form.to_dict()}

    assert client.get("/").json == {"files": 0, "form": {}}
    assert client.post("/", data={"a": "1"}).json == {"files": 0, "form": {"a": "1"}}
    assert client.post("/", data=b"", content_type=CT).json == {"files": 0, "form": {}}


def test_get_data_first_then_form(app: Tumbler, client: TestClient) -> None:
    @app.post("/")
    def view() -> Any:
        raw = request.get_data()
        form, upload = request.form.to_dict(), request.files["f"].read().decode()
        return {"len": len(raw), "form": form, "file": upload}

    raw = body(part("a", b"1"), part("f", b"xyz", filename="f.txt"))
    got = client.post("/", data=raw, content_type=CT).json
    assert got == {"len": len(raw), "form": {"a": "1"}, "file": "xyz"}


def test_save_to_path_and_file_object(app: Tumbler, client: TestClient, tmp_path: Path) -> None:
    target = tmp_path / "saved.bin"
    sink = io.BytesIO()

    @app.post("/")
    def view() -> str:
        upload: FileStorage = request.files["f"]
        upload.save(target)
        upload.seek(0)
        upload.save(sink)
        return "ok"

    payload = bytes(range(256)) * 10
    assert client.post("/", data={"f": (io.BytesIO(payload), "x.bin")}).text == "ok"
    assert target.read_bytes() == payload
    assert sink.getvalue() == payload


def test_large_uploads_spool_to_disk(app: Tumbler, client: TestClient) -> None:
    app.config["UPLOAD_SPOOL_THRESHOLD"] = 1024

    @app.post("/")
    def view() -> Any:
        big, small = request.files["big"], request.files["small"]
        return {
            "big_rolled": big.stream._rolled,  # type: ignore[attr-defined]
            "big_fileno": big.stream.fileno() >= 0,
            "big_len": len(big.read()),
            "small_rolled": small.stream._rolled,  # type: ignore[attr-defined]
        }

    data = {"big": (io.BytesIO(b"x" * 10_000), "b"), "small": (io.BytesIO(b"y" * 100), "s")}
    got = client.post("/", data=data).json
    assert got == {"big_rolled": True, "big_fileno": True, "big_len": 10_000, "small_rolled": False}


def test_spool_threshold_per_request(app: Tumbler, client: TestClient) -> None:
    @app.post("/")
    def view() -> Any:
        request.spool_threshold = 10
        return {"rolled": request.files["f"].stream._rolled}  # type: ignore[attr-defined]

    assert client.post("/", data={"f": (io.BytesIO(b"z" * 100), "f")}).json == {"rolled": True}


# Limits ---------------------------------------------------------------------------------------


def test_max_content_length(app: Tumbler, client: TestClient) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1000
    app.post("/")(describe)
    ok = client.post("/", data={"f": (io.BytesIO(b"x" * 500), "f")})
    assert ok.status_code == 200
    response = client.post("/", data={"f": (io.BytesIO(b"x" * 2000), "f")})
    assert response.status_code == 413


def test_max_content_length_without_a_declared_length(app: Tumbler) -> None:
    """A chunked WSGI body (no Content-Length) is still cut off at the limit."""
    app.config["MAX_CONTENT_LENGTH"] = 1000
    app.post("/")(describe)
    raw = body(part("f", b"x" * 5000, filename="f"))
    environ = RequestSpec("/", "POST", data=raw, content_type=CT).environ()
    del environ["CONTENT_LENGTH"]
    environ["wsgi.input_terminated"] = True
    statuses: list[str] = []
    b"".join(app(environ, lambda status, headers, exc=None: statuses.append(status)))
    assert statuses[0].startswith("413")


def test_max_form_memory_size_applies_to_fields_not_files(app: Tumbler, client: TestClient) -> None:
    app.config["MAX_FORM_MEMORY_SIZE"] = 100
    app.post("/")(describe)
    ok = client.post("/", data={"a": "x" * 100, "f": (io.BytesIO(b"y" * 5000), "f")})
    assert ok.status_code == 200
    assert ok.json["files"][0]["data"] == "y" * 5000
    too_big = client.post("/", data={"a": "x" * 101, "f": (io.BytesIO(b""), "f")})
    assert too_big.status_code == 413
    assert "The form field &#x27;a&#x27; is larger than the configured limit" in too_big.text
    assert "MAX_FORM_MEMORY_SIZE" in too_big.text


def test_max_form_parts(app: Tumbler, client: TestClient) -> None:
    app.config["MAX_FORM_PARTS"] = 3
    app.post("/")(describe)
    assert client.post("/", data={"a": ["1", "2"], "f": (io.BytesIO(b""), "f")}).status_code == 200
    response = client.post("/", data={"a": ["1", "2", "3"], "f": (io.BytesIO(b""), "f")})
    assert response.status_code == 413
    assert "too many parts: more than 3 (MAX_FORM_PARTS)" in response.text


def test_limits_per_request(app: Tumbler, client: TestClient) -> None:
    @app.before_request
    def tighten() -> None:
        request.max_form_parts = 1
        request.max_form_memory_size = 5

    app.post("/")(describe)
    assert client.post("/", data={"a": "12345", "f": (io.BytesIO(b""), "f")}).status_code == 413
    assert client.post("/", data=body(part("a", b"123456")), content_type=CT).status_code == 413
    assert client.post("/", data=body(part("a", b"12345")), content_type=CT).status_code == 200


def test_oversized_part_headers_are_413(app: Tumbler, client: TestClient) -> None:
    app.post("/")(describe)
    raw = body(part("a", b"1", ctype="text/plain; x=" + "y" * 10_000))
    response = client.post("/", data=raw, content_type=CT)
    assert response.status_code == 413
    assert "too many or too large headers" in response.text


# Malformed bodies -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "raw", "message"),
    [
        ("multipart/form-data", b"--x\r\n\r\n", "no boundary"),
        ("multipart/form-data; boundary=", b"--x\r\n\r\n", "no boundary"),
        ('multipart/form-data; boundary="a\x01b"', b"--a\x01b\r\n", "boundary"),
        ("multipart/form-data; boundary=" + "b" * 300, b"--x\r\n", "boundary"),
        (CT, body(part("a", b"1"))[:-10], "ended before its closing boundary"),
        (CT, b"garbage without any boundary at all", "malformed"),
        (CT, f"--{BOUNDARY}\r\nX-Other: 1\r\n\r\nv\r\n--{BOUNDARY}--\r\n".encode(), "no Content-"),
        (
            CT,
            NO_NAME,
            "no field name",
        ),
        (CT, f"--{BOUNDARY}\r\nbroken header\r\n\r\nv\r\n--{BOUNDARY}--\r\n".encode(), "malformed"),
        (CT, f"--{BOUNDARY}X\r\n".encode(), "malformed"),
    ],
    ids=[
        "no-boundary",
        "empty-boundary",
        "bad-boundary-chars",
        "boundary-too-long",
        "truncated",
        "no-boundary-in-body",
        "no-disposition",
        "no-name",
        "bad-header-line",
        "bad-boundary-line",
    ],
)
def test_malformed_bodies_are_400(
    app: Tumbler, client: TestClient, content_type: str, raw: bytes, message: str
) -> None:
    app.post("/")(describe)
    response = client.post("/", data=raw, content_type=content_type)
    assert response.status_code == 400
    assert message in response.text


def test_truncated_wsgi_input_is_400(app: Tumbler) -> None:
    """The client declared more bytes than it sent."""
    app.post("/")(describe)
    raw = body(part("a", b"1"), part("f", b"x" * 1000, filename="f"))
    environ = RequestSpec("/", "POST", data=raw[:-100], content_type=CT).environ()
    environ["CONTENT_LENGTH"] = str(len(raw))
    statuses: list[str] = []
    b"".join(app(environ, lambda status, headers, exc=None: statuses.append(status)))
    assert statuses[0].startswith("400")


def test_missing_library_is_a_500_with_an_install_hint(
    app: Tumbler,
    client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setitem(sys.modules, "python_multipart", None)
    app.post("/")(describe)
    response = client.post("/", data=body(part("a", b"1")), content_type=CT)
    assert response.status_code == 500
    assert "pip install 'python-multipart>=0.0.31'" in caplog.text
    assert "MultipartUnavailable" in caplog.text


# ASGI body delivery ----------------------------------------------------------------------------


def run_asgi(app: Tumbler, spec: RequestSpec, chunks: Iterator[bytes]) -> tuple[int, bytes]:
    """Drive ``app.asgi`` with the body sent as the given chunks; return status and body."""
    sent: list[dict[str, Any]] = []
    pending = iter(chunks)

    async def receive() -> dict[str, Any]:
        chunk = next(pending, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app.asgi(spec.scope(), receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    data = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, data


def split(data: bytes, size: int) -> Iterator[bytes]:
    """``data`` in pieces of ``size`` bytes."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.mark.parametrize("size", [1, 65536], ids=["1-byte", "64KiB"])
@pytest.mark.parametrize("threshold", [1024, 500 * 1024], ids=["spooled", "in-memory"])
def test_asgi_chunked_delivery(app: Tumbler, size: int, threshold: int) -> None:
    app.config["UPLOAD_SPOOL_THRESHOLD"] = threshold
    app.post("/")(describe)
    payload = bytes(range(256)) * (8 if size == 1 else 800)
    raw, content_type = encode_multipart(
        [("a", "1"), ("b", "\u00e9" * 50), ("f", (io.BytesIO(payload), "p.bin"))]
    )
    spec = RequestSpec("/", "POST", data=raw, content_type=content_type)
    status, data = run_asgi(app, spec, split(raw, size))
    assert status == 200
    parsed = json.loads(data)
    assert parsed["form"] == {"a": ["1"], "b": ["\u00e9" * 50]}
    assert parsed["files"][0]["data"].encode("latin-1") == payload


def test_asgi_spooled_body_stream_and_get_data(app: Tumbler) -> None:
    """The stream gives the spooled body once; get_data() after it has the rest (as Flask)."""
    app.config["UPLOAD_SPOOL_THRESHOLD"] = 100

    @app.post("/")
    def view() -> Any:
        streamed = request.stream.read()
        return {"stream": len(streamed), "data": len(request.get_data())}

    raw = b"q" * 5000
    spec = RequestSpec("/", "POST", data=raw, content_type="application/octet-stream")
    status, data = run_asgi(app, spec, split(raw, 700))
    assert status == 200
    assert b'"stream":5000' in data and b'"data":0' in data


def test_asgi_body_over_max_content_length_is_413(app: Tumbler) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1000
    app.config["UPLOAD_SPOOL_THRESHOLD"] = 100
    app.post("/")(describe)
    raw = body(part("f", b"x" * 5000, filename="f"))
    spec = RequestSpec("/", "POST", data=raw, content_type=CT)
    spec.headers = [(k, v) for k, v in spec.headers if k.lower() != "content-length"]
    spec.headers.append(("Transfer-Encoding", "chunked"))
    status, _ = run_asgi(app, spec, split(raw, 300))
    assert status == 413


# Cleanup --------------------------------------------------------------------------------------


def test_uploads_and_spooled_body_closed_by_request_close(app: Tumbler, protocol: str) -> None:
    app.config["UPLOAD_SPOOL_THRESHOLD"] = 100
    seen: list[FileStorage] = []
    bodies: list[Any] = []

    @app.post("/")
    def view() -> str:
        seen.extend(f for _, f in request.files.items(multi=True))
        bodies.append(getattr(request, "_body_file", None))
        return "ok"

    client = app.test_client(protocol=protocol)
    try:
        data = {"f": (io.BytesIO(b"x" * 1000), "f"), "g": (io.BytesIO(b"y"), "g")}
        assert client.post("/", data=data).text == "ok"
    finally:
        client.close()
    assert len(seen) == 2
    assert all(f.closed for f in seen)
    if protocol == "asgi":
        assert bodies[0] is not None and bodies[0].closed


def test_adapters_close_uploads_after_the_request(protocol: str) -> None:
    app = Tumbler("no_stopgap")  # no teardown hook: the adapter alone must close
    app.config["UPLOAD_SPOOL_THRESHOLD"] = 100
    seen: list[FileStorage] = []
    requests: list[Any] = []

    @app.post("/")
    def view() -> str:
        seen.extend(f for _, f in request.files.items(multi=True))
        requests.append(request._get_current_object())
        return "ok"

    client = app.test_client(protocol=protocol)
    try:
        assert client.post("/", data={"f": (io.BytesIO(b"x" * 1000), "f")}).text == "ok"
        assert seen and all(f.closed for f in seen)
    finally:
        client.close()
        for r in requests:
            r.close()


def test_parse_errors_close_what_was_opened(app: Tumbler, client: TestClient) -> None:
    app.config["UPLOAD_SPOOL_THRESHOLD"] = 10
    app.config["MAX_FORM_PARTS"] = 2
    opened: list[Any] = []
    real = __import__("tempfile").SpooledTemporaryFile

    def tracking(*args: Any, **kwargs: Any) -> Any:
        file = real(*args, **kwargs)
        opened.append(file)
        return file

    app.post("/")(describe)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("tumbler.http.formparser.tempfile.SpooledTemporaryFile", tracking)
        data = {"f": [(io.BytesIO(b"x" * 100), "a"), (io.BytesIO(b"y" * 100), "b")], "z": "1"}
        assert client.post("/", data=data).status_code == 413
    assert len(opened) == 2
    assert all(f.closed for f in opened)


# Memory ----------------------------------------------------------------------------------------


class LazyInput:
    """A ``wsgi.input`` that makes a multipart body of ``size`` file bytes as it is read."""

    def __init__(self, head: bytes, size: int, tail: bytes) -> None:
        self._parts = [head, tail]
        self._left = size
        self.length = len(head) + size + len(tail)

    def read(self, n: int = -1) -> bytes:
        if self._parts[0]:
            head, self._parts[0] = self._parts[0][:n], self._parts[0][n:]
            return head
        if self._left:
            take = min(n, self._left, 65536)
            self._left -= take
            return b"m" * take
        tail, self._parts[1] = self._parts[1][:n], self._parts[1][n:]
        return tail


def test_big_upload_memory_stays_bounded(app: Tumbler, protocol: str) -> None:
    size = 20 * 1024 * 1024
    sizes: list[int] = []

    @app.post("/")
    def view() -> str:
        f = request.files["f"]
        sizes.append(f.seek(0, 2))
        return "ok"

    head = part("f", b"", filename="big.bin")
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    source = LazyInput(head, size, tail)
    spec = RequestSpec("/", "POST", content_type=CT, headers={"Content-Length": str(source.length)})

    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        if protocol == "wsgi":
            environ = spec.environ()
            environ["wsgi.input"] = source
            statuses: list[str] = []
            out = b"".join(app(environ, lambda status, headers, exc=None: statuses.append(status)))
            assert statuses[0].startswith("200") and out == b"ok"
        else:
            status, out = run_asgi(app, spec, iter(lambda: source.read(65536), b""))
            assert status == 200 and out == b"ok"
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert sizes == [size]
    print(f"{protocol}: peak {peak} bytes")
    assert peak < 4 * 1024 * 1024, f"peak {peak} bytes for a {size}-byte upload"
