"""Rules 8, 9 and 10: disconnects and failures lose nothing; requests are isolated; logs are
safe."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from tests.security.conftest import Raw, call_asgi, call_wsgi, open_fds

from tumbler import Tumbler, after_this_request, g, request, session

CT = b"multipart/form-data; boundary=XyZ"


def _upload(size: int) -> bytes:
    return (
        b'--XyZ\r\nContent-Disposition: form-data; name="f"; filename="a.bin"\r\n\r\n'
        + b"x" * size
        + b"\r\n--XyZ--\r\n"
    )


@pytest.fixture
def app() -> Tumbler:
    """An app that streams, uploads and fails on purpose."""
    app = Tumbler(__name__)
    app.secret_key = "s" * 32
    app.config["UPLOAD_SPOOL_THRESHOLD"] = 1024
    app.events: list[str] = []  # type: ignore[attr-defined]

    @app.teardown_request
    def down(error: BaseException | None) -> None:
        app.events.append("teardown")  # type: ignore[attr-defined]

    @app.route("/stream")
    def stream() -> Any:
        def chunks() -> Iterator[str]:
            try:
                for i in range(1000):
                    yield f"chunk {i}\n"
            finally:
                app.events.append("closed")  # type: ignore[attr-defined]

        return chunks()

    @app.route("/boom-mid-stream")
    def boom() -> Any:
        def chunks() -> Iterator[str]:
            yield "first\n"
            raise RuntimeError("after headers")

        return chunks()

    @app.post("/upload")
    def upload() -> str:
        return str(len(request.files["f"].read()))

    @app.route("/fail")
    def fail() -> str:
        session["poison"] = True
        raise RuntimeError("secret-config-value " + str(app.config["SECRET_KEY"]))

    return app


def test_wsgi_disconnect_mid_stream(app: Tumbler) -> None:
    """The server closes the body early: generator closed, teardown ran."""
    seen: list[str] = []
    body = app.wsgi_app(Raw(path=b"/stream").environ() | _base(), lambda *a: seen.append(a[0]))
    it = iter(body)
    next(it)
    next(it)
    body.close()  # type: ignore[attr-defined]
    assert app.events == ["closed", "teardown"]  # type: ignore[attr-defined]


def _base() -> dict[str, Any]:
    import io

    return {
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
    }


def test_asgi_disconnect_mid_stream(app: Tumbler) -> None:
    """The client leaves while chunks go out: generator closed, teardown ran, one start."""
    sent: list[dict[str, Any]] = []
    left = asyncio.Event()

    async def receive() -> dict[str, Any]:
        await left.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if len(sent) == 3:
            left.set()
        await asyncio.sleep(0)

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/stream",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"x")],
    }
    asyncio.run(asyncio.wait_for(app.asgi_app(scope, receive, send), 10))
    assert [m["type"] for m in sent].count("http.response.start") == 1
    assert len(sent) < 1000
    assert app.events == ["closed", "teardown"]  # type: ignore[attr-defined]


def test_exception_after_headers_wsgi(app: Tumbler, caplog: pytest.LogCaptureFixture) -> None:
    """An error mid-stream propagates from the iterable after teardown and one log record,
    so the server aborts the connection (the client sees a truncated body)."""
    seen: list[str] = []
    environ = Raw(path=b"/boom-mid-stream").environ() | _base()
    with caplog.at_level(logging.ERROR):
        body = app.wsgi_app(environ, lambda *a: seen.append(a[0]))
        it = iter(body)
        assert next(it) == b"first\n"
        with pytest.raises(RuntimeError, match="after headers"):
            next(it)
        assert app.events == ["teardown"]  # type: ignore[attr-defined]
        body.close()  # type: ignore[attr-defined]  # (a server still calls it: a no-op)
    assert seen == ["200 OK"]
    assert app.events == ["teardown"]  # type: ignore[attr-defined]
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1


def test_exception_after_headers_asgi(app: Tumbler, caplog: pytest.LogCaptureFixture) -> None:
    """An error mid-stream: no second http.response.start; the body is left incomplete."""
    with caplog.at_level(logging.ERROR):
        result = call_asgi(app.asgi_app, Raw(path=b"/boom-mid-stream").scope())
    assert result.starts == 1 and result.body == b"first\n"
    assert not result.completed  # the server sees an unfinished body and drops the connection
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1


@pytest.mark.parametrize("split", ["one", "bytes1", "64k"])
def test_asgi_disconnect_mid_body_cleans_up(app: Tumbler, split: str) -> None:
    """The client leaves during a spooled upload: 400, temp file closed, fds back."""
    body = _upload(20_000)  # past the 1 KiB spool threshold: a temporary file
    scope = Raw(
        "POST",
        b"/upload",
        headers=[(b"content-type", CT), (b"content-length", str(len(body)).encode())],
    ).scope()
    call_asgi(app.asgi_app, scope, _upload(10), split="one")  # warm up lazily opened fds
    before = open_fds()
    for _ in range(3):
        half = body[: len(body) // 2]
        messages = [{"type": "http.request", "body": half, "more_body": True}]
        result = call_asgi(app.asgi_app, scope, messages=messages, disconnect_after_body=True)
        assert result.status == 400
        ok = call_asgi(app.asgi_app, scope, body, split=split)
        assert ok.status == 200 and ok.body == b"20000"
    assert open_fds() <= before
    assert app.events.count("teardown") == 7  # type: ignore[attr-defined]


def test_wsgi_short_body_cleans_up(app: Tumbler) -> None:
    """A WSGI input that ends early (client gone): a 400, no leaked spool files."""
    import io

    body = _upload(200_000)
    raw = Raw(
        "POST",
        b"/upload",
        headers=[(b"content-type", CT), (b"content-length", str(len(body)).encode())],
    )
    env = raw.environ()
    env["wsgi.input"] = io.BytesIO(body[:1000])
    call_wsgi(app.wsgi_app, env)
    before = open_fds()
    for _ in range(5):
        env = raw.environ()
        env["wsgi.input"] = io.BytesIO(body[: len(body) // 2])
        assert call_wsgi(app.wsgi_app, env).status == 400
    assert open_fds() <= before


# Isolation -------------------------------------------------------------------------------------


@pytest.fixture
def echo_app() -> Tumbler:
    """Views that store per-request values everywhere and read them back after yielding."""
    app = Tumbler(__name__)
    app.secret_key = "s" * 32

    @app.route("/sync/<int:n>")
    def sync_view(n: int) -> Any:
        g.n = n
        session["n"] = n
        threading.Event().wait(0.001)

        @after_this_request
        def tag(response: Any) -> Any:
            response.headers["X-N"] = str(g.n)
            return response

        return {
            "n": g.n,
            "arg": request.view_args["n"] if request.view_args else None,
            "session": session["n"],
        }

    @app.route("/async/<int:n>")
    async def async_view(n: int) -> Any:
        g.n = n
        session["n"] = n
        await asyncio.sleep(0.001)

        @after_this_request
        def tag(response: Any) -> Any:
            response.headers["X-N"] = str(g.n)
            return response

        return {
            "n": g.n,
            "arg": request.view_args["n"] if request.view_args else None,
            "session": session["n"],
        }

    @app.route("/fail/<int:n>")
    def fail(n: int) -> str:
        session["poison"] = n
        raise RuntimeError("no")

    return app


def _check(result: Any, n: int) -> None:
    import json

    assert result.status == 200
    assert json.loads(result.body) == {"n": n, "arg": n, "session": n}
    assert result.header("X-N") == str(n)


def test_concurrent_asgi_requests_are_isolated(echo_app: Tumbler) -> None:
    """300 interleaved requests on one loop (sync views on threads, async on the loop)."""
    from tests.security.conftest import _run_asgi

    async def main() -> None:
        calls = []
        for n in range(300):
            kind = "sync" if n % 2 else "async"
            scope = {
                "type": "http",
                "method": "GET",
                "path": f"/{kind}/{n}",
                "root_path": "",
                "query_string": b"",
                "headers": [(b"host", b"x")],
            }
            calls.append(_run_asgi(echo_app.asgi_app, scope, [], False))
        for n, result in enumerate(await asyncio.gather(*calls)):
            _check(result, n)

    asyncio.run(main())


def test_concurrent_wsgi_requests_are_isolated(echo_app: Tumbler) -> None:
    """300 requests from 16 threads, sync and async views, plus failing ones in between."""

    def one(n: int) -> None:
        kind = "sync" if n % 2 else "async"
        _check(call_wsgi(echo_app.wsgi_app, Raw(path=f"/{kind}/{n}".encode()).environ()), n)
        failed = call_wsgi(echo_app.wsgi_app, Raw(path=f"/fail/{n}".encode()).environ())
        assert failed.status == 500 and failed.header("Set-Cookie") is None

    logging.getLogger(echo_app.name).disabled = True
    try:
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(one, range(300)))
    finally:
        logging.getLogger(echo_app.name).disabled = False


# Logs ---------------------------------------------------------------------------------------


def test_500_page_shows_nothing_internal(app: Tumbler) -> None:
    """The 500 page has no traceback, source, exception text or config."""
    for result in (
        call_wsgi(app.wsgi_app, Raw(path=b"/fail").environ()),
        call_asgi(app.asgi_app, Raw(path=b"/fail").scope()),
    ):
        assert result.status == 500
        for leak in (b"Traceback", b"secret-config-value", b"sss", b"RuntimeError", b"line "):
            assert leak not in result.body
        assert result.header("Set-Cookie") is None  # a failed request's session is not saved


def test_control_characters_escaped_in_logs(app: Tumbler, caplog: pytest.LogCaptureFixture) -> None:
    """A path with CR/LF/ESC is logged escaped, in one record per bad request."""

    @app.route("/<path:p>")
    def anything(p: str) -> str:
        raise RuntimeError("x")

    evil = b"/a%0D%0AFAKE LOG LINE%1B[31m\xe2\x80\xa8"
    for render in (
        lambda r: call_wsgi(app.wsgi_app, r.environ()),
        lambda r: call_asgi(app.asgi_app, r.scope()),
    ):
        caplog.clear()
        with caplog.at_level(logging.DEBUG):
            render(Raw(path=evil, headers=[(b"user-agent", b"x\r\ny")]))
        records = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(records) == 1
        message = records[0].getMessage()
        assert "\r" not in message and "\n" not in message and "\x1b" not in message
        assert "\u2028" not in message


def test_bad_requests_log_nothing(app: Tumbler, caplog: pytest.LogCaptureFixture) -> None:
    """4xx answers to bad input log at most one warning each (none today)."""
    raws = [
        Raw("POST", b"/upload", headers=[(b"content-length", b"abc")]),
        Raw(query=b"&".join(b"a%d" % i for i in range(5000))),
        Raw(path=b"/%00"),
    ]
    with caplog.at_level(logging.DEBUG):
        for raw in raws:
            call_wsgi(app.wsgi_app, raw.environ())
            call_asgi(app.asgi_app, raw.scope())
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) <= 2 * len(raws)
