"""send_file, send_from_directory and static routes, over WSGI and ASGI."""

from __future__ import annotations

import asyncio
import io
import os
import tracemalloc
import wsgiref.util
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tumbler import Blueprint, Tumbler, send_file, send_from_directory
from tumbler.files import FileBody, content_disposition, safe_join
from tumbler.http.exceptions import NotFound
from tumbler.http.ranges import http_date
from tumbler.testing import RequestSpec, TestClient

TEXT = b"hello world, this is a test file\n"  # 33 bytes


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """An app root with a static folder, a download folder and a secret beside them."""
    static = tmp_path / "static"
    (static / "sub").mkdir(parents=True)
    (static / "hello.txt").write_bytes(TEXT)
    (static / "sub" / "page.html").write_bytes(b"<p>hi</p>")
    (static / "data.json").write_bytes(b"{}")
    (static / "blob.unknownext").write_bytes(b"\x00\x01")
    (static / "archive.tar.gz").write_bytes(b"gz")
    (tmp_path / "secret.txt").write_bytes(b"top secret")
    return tmp_path


class ClosingBytes(io.BytesIO):
    """A file object that records being closed."""

    closed_count = 0

    def close(self) -> None:
        type(self).closed_count += 1
        super().close()


@pytest.fixture
def app(root: Path) -> Tumbler:
    """An app rooted at ``root`` with a few file-sending views."""
    app = Tumbler("tests_files", root_path=str(root))

    @app.route("/file")
    def file() -> Any:
        from tumbler import request

        kwargs: dict[str, Any] = {}
        if "max_age" in request.args:
            kwargs["max_age"] = int(request.args["max_age"])
        return send_file("static/hello.txt", **kwargs)

    @app.route("/attach")
    def attach() -> Any:
        return send_file(
            root / "static" / "hello.txt", as_attachment=True, download_name='résumé "1".txt'
        )

    @app.route("/object")
    def obj() -> Any:
        return send_file(ClosingBytes(b"abcdef"), mimetype="text/plain")

    @app.route("/object-etag")
    def obj_etag() -> Any:
        return send_file(io.BytesIO(b"abcdef"), download_name="x.bin", etag="v1")

    @app.route("/dl/<path:name>")
    def download(name: str) -> Any:
        return send_from_directory("static", name)

    return app


def _assert_same_404(response: Any, missing: Any) -> None:
    assert response.status_code == 404
    assert response.data == missing.data
    assert dict(response.headers) == dict(missing.headers)


# Static routes ---------------------------------------------------------------------------------


def test_static_route(client: TestClient) -> None:
    response = client.get("/static/hello.txt")
    assert response.status_code == 200
    assert response.data == TEXT
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Content-Length"] == str(len(TEXT))
    assert response.headers["Content-Disposition"] == "inline; filename=hello.txt"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["ETag"].startswith('"')
    mtime = int(os.stat(client.app.root_path + "/static/hello.txt").st_mtime)
    assert response.headers["Last-Modified"] == http_date(mtime)
    nested = client.get("/static/sub/page.html")
    assert nested.data == b"<p>hi</p>"
    assert nested.mimetype == "text/html"


def test_static_endpoint_and_url(app: Tumbler) -> None:
    assert app.has_static_folder
    assert app.static_folder == os.path.join(app.root_path, "static")
    assert app.static_url_path == "/static"
    with app.test_request_context("/"):
        assert app.url_for("static", filename="sub/page.html") == "/static/sub/page.html"


def test_static_rule_even_without_the_folder_and_custom_paths(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "a.css").write_bytes(b"p{}")
    app = Tumbler("x", root_path=str(tmp_path), static_folder="assets", static_url_path="/s/")
    assert app.static_url_path == "/s"
    with app.test_request_context("/"):
        assert app.url_for("static", filename="a.css") == "/s/a.css"
    response = app.test_client().get("/s/a.css")
    assert response.data == b"p{}"
    assert response.mimetype == "text/css"
    missing = Tumbler("y", root_path=str(tmp_path / "nowhere"))
    assert missing.static_url_path == "/static"
    assert missing.test_client().get("/static/a.css").status_code == 404
    with missing.test_request_context("/"):
        assert missing.url_for("static", filename="a.css") == "/static/a.css"
    none = Tumbler("z", root_path=str(tmp_path), static_folder=None)
    assert not none.has_static_folder
    assert none.static_folder is None and none.static_url_path is None
    assert [rule.endpoint for rule in none.url_map.iter_rules()] == []
    with pytest.raises(RuntimeError):
        none.send_static_file("a.css")


def test_blueprint_static(app: Tumbler, root: Path, protocol: str) -> None:
    (root / "bp_static").mkdir()
    (root / "bp_static" / "bp.js").write_bytes(b"let x;")
    bp = Blueprint("bp", __name__, static_folder="bp_static", url_prefix="/bp", root_path=str(root))
    other = Blueprint(
        "other", __name__, static_folder="bp_static", static_url_path="/assets", root_path=str(root)
    )
    app.register_blueprint(bp)
    app.register_blueprint(other, url_prefix="/o")
    client = app.test_client(protocol=protocol)
    response = client.get("/bp/bp_static/bp.js")
    assert response.status_code == 200
    assert response.data == b"let x;"
    assert response.mimetype == "text/javascript"
    assert client.get("/o/assets/bp.js").data == b"let x;"
    assert client.get("/bp/bp_static/nope.js").status_code == 404
    with app.test_request_context("/"):
        assert app.url_for("bp.static", filename="bp.js") == "/bp/bp_static/bp.js"
        assert app.url_for("other.static", filename="bp.js") == "/o/assets/bp.js"
    client.close()


def test_static_max_age_from_config(app: Tumbler, protocol: str) -> None:
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = timedelta(hours=1)
    client = app.test_client(protocol=protocol)
    assert client.get("/static/hello.txt").headers["Cache-Control"] == "public, max-age=3600"
    assert client.get("/file").headers["Cache-Control"] == "public, max-age=3600"
    client.close()


# Headers of send_file --------------------------------------------------------------------------


def test_attachment_with_non_ascii_name(client: TestClient) -> None:
    response = client.get("/attach")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="resume \\"1\\".txt"; '
        "filename*=UTF-8''r%C3%A9sum%C3%A9%20%221%22.txt"
    )
    assert response.data == TEXT


@pytest.mark.parametrize(
    ("name", "attachment", "expected"),
    [
        ("a.txt", False, "inline; filename=a.txt"),
        ("a.txt", True, "attachment; filename=a.txt"),
        ("my file.txt", True, 'attachment; filename="my file.txt"'),
        ("back\\slash.txt", True, 'attachment; filename="back\\\\slash.txt"'),
        ("日本.txt", True, "attachment; filename=__.txt; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt"),
        ("a\r\nb.txt", True, "attachment; filename=a__b.txt; filename*=UTF-8''a%0D%0Ab.txt"),
    ],
)
def test_content_disposition(name: str, attachment: bool, expected: str) -> None:
    assert content_disposition(name, attachment) == expected


@pytest.mark.parametrize(
    ("filename", "content_type", "encoding"),
    [
        ("data.json", "application/json", None),
        ("blob.unknownext", "application/octet-stream", None),
        ("archive.tar.gz", "application/x-tar", "gzip"),
    ],
)
def test_mimetypes(
    client: TestClient, filename: str, content_type: str, encoding: str | None
) -> None:
    response = client.get(f"/static/{filename}")
    assert response.headers["Content-Type"] == content_type
    assert response.headers.get("Content-Encoding") == encoding


def test_max_age(client: TestClient) -> None:
    response = client.get("/file?max_age=60")
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert "Expires" in response.headers
    assert client.get("/file?max_age=0").headers["Cache-Control"] == "no-cache, max-age=0"
    plain = client.get("/file")
    assert plain.headers["Cache-Control"] == "no-cache"
    assert "Expires" not in plain.headers


def test_file_objects(client: TestClient) -> None:
    response = client.get("/object")
    assert response.data == b"abcdef"
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Content-Length"] == "6"
    assert "ETag" not in response.headers
    assert "Last-Modified" not in response.headers
    assert "Content-Disposition" not in response.headers
    tagged = client.get("/object-etag")
    assert tagged.headers["ETag"] == '"v1"'
    assert tagged.headers["Content-Type"] == "application/octet-stream"
    assert tagged.headers["Content-Disposition"] == "inline; filename=x.bin"
    assert client.get("/object-etag", headers={"If-None-Match": '"v1"'}).status_code == 304
    ranged = client.get("/object", headers={"Range": "bytes=2-3"})
    assert (ranged.status_code, ranged.data) == (206, b"cd")


def test_file_object_needs_a_name_or_mimetype(app: Tumbler) -> None:
    with app.test_request_context("/"):
        stream = ClosingBytes(b"x")
        with pytest.raises(ValueError, match="MIME type"):
            send_file(stream)
        assert stream.closed
        with pytest.raises(ValueError, match="binary"):
            send_file(io.StringIO("x"))  # type: ignore[arg-type]


def test_post_is_not_conditional(app: Tumbler, protocol: str) -> None:
    @app.route("/post", methods=["POST"])
    def post() -> Any:
        return send_file("static/hello.txt")

    client = app.test_client(protocol=protocol)
    etag = client.get("/file").headers["ETag"]
    response = client.post("/post", headers={"If-None-Match": etag, "Range": "bytes=0-1"})
    assert (response.status_code, response.data) == (200, TEXT)
    assert "Accept-Ranges" not in response.headers
    client.close()


# Conditional requests --------------------------------------------------------------------------


def test_not_modified(client: TestClient) -> None:
    first = client.get("/file")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    for headers in (
        {"If-None-Match": etag},
        {"If-None-Match": "W/" + etag},
        {"If-None-Match": f'"other", {etag}'},
        {"If-None-Match": "*"},
        {"If-Modified-Since": modified},
    ):
        response = client.get("/file", headers=headers)
        assert response.status_code == 304, headers
        assert response.data == b""
        assert response.headers["ETag"] == etag
        assert response.headers["Cache-Control"] == "no-cache"
        assert "Content-Type" not in response.headers
        assert "Content-Length" not in response.headers
    changed = client.get(
        "/file", headers={"If-None-Match": '"other"', "If-Modified-Since": modified}
    )
    assert (changed.status_code, changed.data) == (200, TEXT)
    old = client.get("/file", headers={"If-Modified-Since": "Sun, 06 Nov 1994 08:49:37 GMT"})
    assert old.status_code == 200
    head = client.head("/file", headers={"If-None-Match": etag})
    assert head.status_code == 304


def test_precondition_failed(client: TestClient) -> None:
    etag = client.get("/file").headers["ETag"]
    assert client.get("/file", headers={"If-Match": '"other"'}).status_code == 412
    assert client.get("/file", headers={"If-Match": etag}).data == TEXT
    assert client.get("/file", headers={"If-Match": "*"}).status_code == 200
    old = "Sun, 06 Nov 1994 08:49:37 GMT"
    assert client.get("/file", headers={"If-Unmodified-Since": old}).status_code == 412
    future = "Fri, 01 Jan 2100 00:00:00 GMT"
    assert client.get("/file", headers={"If-Unmodified-Since": future}).status_code == 200


# Ranges ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "content_range", "body"),
    [
        ("bytes=0-4", "bytes 0-4/33", TEXT[0:5]),
        ("bytes=6-", "bytes 6-32/33", TEXT[6:]),
        ("bytes=-3", "bytes 30-32/33", TEXT[-3:]),
        ("bytes=30-99", "bytes 30-32/33", TEXT[30:]),
    ],
)
def test_partial_content(client: TestClient, spec: str, content_range: str, body: bytes) -> None:
    response = client.get("/static/hello.txt", headers={"Range": spec})
    assert response.status_code == 206
    assert response.headers["Content-Range"] == content_range
    assert response.headers["Content-Length"] == str(len(body))
    assert response.data == body


def test_range_not_satisfiable(client: TestClient) -> None:
    response = client.get("/static/hello.txt", headers={"Range": "bytes=33-"})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == "bytes */33"


@pytest.mark.parametrize("spec", ["bytes=0-1,5-6", "bytes=5-2", "bytes=x-", "lines=0-1"])
def test_ignored_ranges_send_the_whole_file(client: TestClient, spec: str) -> None:
    response = client.get("/static/hello.txt", headers={"Range": spec})
    assert (response.status_code, response.data) == (200, TEXT)


def test_if_range(client: TestClient) -> None:
    first = client.get("/static/hello.txt")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    stale = client.get("/static/hello.txt", headers={"Range": "bytes=0-4", "If-Range": '"old"'})
    assert (stale.status_code, stale.data) == (200, TEXT)
    fresh = client.get("/static/hello.txt", headers={"Range": "bytes=0-4", "If-Range": etag})
    assert (fresh.status_code, fresh.data) == (206, b"hello")
    dated = client.get("/static/hello.txt", headers={"Range": "bytes=0-4", "If-Range": modified})
    assert dated.status_code == 206
    old = "Sun, 06 Nov 1994 08:49:37 GMT"
    assert (
        client.get("/static/hello.txt", headers={"Range": "bytes=0-4", "If-Range": old}).status_code
        == 200
    )


def test_head(client: TestClient) -> None:
    response = client.head("/static/hello.txt")
    assert response.status_code == 200
    assert response.data == b""
    assert response.headers["Content-Length"] == "33"
    ranged = client.head("/static/hello.txt", headers={"Range": "bytes=0-4"})
    assert ranged.status_code == 206
    assert ranged.headers["Content-Length"] == "5"
    assert ranged.data == b""


# Traversal ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "../secret.txt",
        "sub/../../secret.txt",
        "sub/../hello.txt",  # harmless, but '..' is refused outright
        "..",
        "sub",  # a directory
        "sub/",
        "hello.txt\x00.png",
        "C:\\secret.txt",
        "C:/secret.txt",
        "..\\secret.txt",
        "sub\\..\\..\\secret.txt",
    ],
)
def test_traversal_is_a_plain_404(client: TestClient, path: str) -> None:
    missing = client.get("/dl/missing.txt")
    _assert_same_404(client.get(f"/dl/{path}"), missing)
    _assert_same_404(client.get(f"/static/{path}"), missing)


def test_symlinks(client: TestClient, root: Path) -> None:
    os.symlink(root / "secret.txt", root / "static" / "leak.txt")
    os.symlink(root, root / "static" / "up")
    os.symlink(root / "static" / "hello.txt", root / "static" / "alias.txt")
    missing = client.get("/dl/missing.txt")
    _assert_same_404(client.get("/dl/leak.txt"), missing)
    _assert_same_404(client.get("/dl/up/secret.txt"), missing)
    assert client.get("/dl/alias.txt").data == TEXT  # a link that stays inside is fine


def test_absolute_and_unsafe_paths_direct(app: Tumbler, root: Path) -> None:
    with app.test_request_context("/"):
        for path in (str(root / "secret.txt"), "/etc/passwd", "\x00", ""):
            with pytest.raises(NotFound):
                send_from_directory("static", path)
        response = send_from_directory(root / "static", "hello.txt")
        assert response.status_code == 200
        response.response.close()


def test_safe_join(tmp_path: Path) -> None:
    base = str(tmp_path)
    assert safe_join(base, "a/b.txt") == os.path.join(os.path.realpath(base), "a", "b.txt")
    assert safe_join(base, "./a//b.txt") == os.path.join(os.path.realpath(base), "a", "b.txt")
    for bad in ("../x", "a/../../x", "/x", "C:x", "c:/x", "a\\b", "a\x00b", "", ".", "a/.."):
        assert safe_join(base, bad) is None, bad
    for device in ("CON", "con.txt", "sub/NUL", "com1.log", "LPT9", "aux .txt"):
        assert safe_join(base, device) is None, device  # on every OS


# Bodies: streaming, closing, file_wrapper --------------------------------------------------------


def test_body_is_a_chunked_iterator(app: Tumbler) -> None:
    with app.test_request_context("/"):
        response = send_file("static/hello.txt")
    body = response.response
    assert isinstance(body, FileBody)
    assert response.is_streamed
    assert b"".join(body) == TEXT
    assert body.file.closed


@pytest.mark.parametrize(
    ("method", "headers"),
    [
        ("GET", {}),
        ("HEAD", {}),
        ("GET", {"If-None-Match": "*"}),
        ("GET", {"If-Match": '"nope"'}),
        ("GET", {"Range": "bytes=10-"}),
        ("GET", {"Range": "bytes=1-2"}),
    ],
)
def test_file_object_closed_after_the_response(
    client: TestClient, method: str, headers: dict[str, str]
) -> None:
    ClosingBytes.closed_count = 0
    response = client.open("/object", method=method, headers=headers)
    assert response.status_code in (200, 206, 304, 412, 416)
    assert ClosingBytes.closed_count >= 1


def test_wsgi_client_gone_closes_file_and_tears_down(app: Tumbler, root: Path) -> None:
    big = root / "static" / "big.bin"
    big.write_bytes(b"x" * 500_000)
    torn: list[object] = []
    bodies: list[FileBody] = []
    app.teardown_request(lambda error: torn.append(error))
    app.after_request(lambda response: bodies.append(response.response) or response)
    environ = RequestSpec("/static/big.bin").environ()
    iterable = app(environ, lambda status, headers, exc_info=None: None)
    iterator = iter(iterable)
    assert len(next(iterator)) == 64 * 1024
    assert torn == []
    assert not bodies[0].file.closed
    iterable.close()  # type: ignore[attr-defined]
    assert torn == [None]
    assert bodies[0].file.closed


def test_asgi_client_gone_closes_file(app: Tumbler, root: Path) -> None:
    big = root / "static" / "big.bin"
    big.write_bytes(b"x" * 2_000_000)
    opened: list[FileBody] = []

    @app.after_request
    def remember(response: Any) -> Any:
        if isinstance(response.response, FileBody):
            opened.append(response.response)
        return response

    gone = asyncio.Event()
    received = 0

    async def receive() -> dict[str, Any]:
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal received
        if message["type"] == "http.response.body":
            received += len(message.get("body", b""))
            if received >= 128 * 1024:
                gone.set()
                await asyncio.sleep(0.05)

    scope = RequestSpec("/static/big.bin").scope()
    asyncio.run(app.asgi(scope, receive, send))
    assert 0 < received < 2_000_000
    assert opened and opened[0].file.closed


def test_wsgi_file_wrapper(app: Tumbler) -> None:
    torn: list[object] = []
    app.teardown_request(lambda error: torn.append(error))
    environ = RequestSpec("/static/hello.txt").environ()
    environ["wsgi.file_wrapper"] = wsgiref.util.FileWrapper
    iterable = app(environ, lambda status, headers, exc_info=None: None)
    assert isinstance(iterable, wsgiref.util.FileWrapper)
    assert b"".join(iterable) == TEXT
    assert torn == []
    iterable.close()
    assert torn == [None]
    # A range that stops before the end is not handed to the wrapper (it reads to EOF).
    environ = RequestSpec("/static/hello.txt", headers={"Range": "bytes=0-4"}).environ()
    environ["wsgi.file_wrapper"] = wsgiref.util.FileWrapper
    ranged = app(environ, lambda status, headers, exc_info=None: None)
    assert not isinstance(ranged, wsgiref.util.FileWrapper)
    assert b"".join(ranged) == b"hello"
    ranged.close()  # type: ignore[attr-defined]
    # A suffix range runs to the end: the wrapper gets the file at the right offset.
    environ = RequestSpec("/static/hello.txt", headers={"Range": "bytes=-3"}).environ()
    environ["wsgi.file_wrapper"] = wsgiref.util.FileWrapper
    tail = app(environ, lambda status, headers, exc_info=None: None)
    assert isinstance(tail, wsgiref.util.FileWrapper)
    assert b"".join(tail) == TEXT[-3:]
    tail.close()


# Memory ------------------------------------------------------------------------------------------

BIG = 50 * 1024 * 1024


@pytest.fixture
def big_app(tmp_path: Path) -> Iterator[Tumbler]:
    """An app whose static folder holds a 50 MB file."""
    (tmp_path / "static").mkdir()
    with open(tmp_path / "static" / "big.bin", "wb") as out:
        block = os.urandom(1024 * 1024)
        for _ in range(BIG // len(block)):
            out.write(block)
    yield Tumbler("big", root_path=str(tmp_path))


def test_large_file_memory_is_bounded_wsgi(big_app: Tumbler) -> None:
    environ = RequestSpec("/static/big.bin").environ()
    tracemalloc.start()
    try:
        iterable = big_app(environ, lambda status, headers, exc_info=None: None)
        total = 0
        for chunk in iterable:
            total += len(chunk)
        iterable.close()  # type: ignore[attr-defined]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == BIG
    assert peak < 5 * 1024 * 1024, peak


def test_large_file_memory_is_bounded_asgi(big_app: Tumbler) -> None:
    total = 0
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        nonlocal total
        if message["type"] == "http.response.start":
            status.append(message["status"])
        else:
            total += len(message.get("body", b""))

    scope = RequestSpec("/static/big.bin").scope()
    tracemalloc.start()
    try:
        asyncio.run(big_app.asgi(scope, receive, send))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert status == [200]
    assert total == BIG
    assert peak < 5 * 1024 * 1024, peak
