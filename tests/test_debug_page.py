"""The debug error page: in debug mode an unhandled exception answers an HTML traceback."""

from __future__ import annotations

import asyncio
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tumbler import Tumbler
from tumbler.debug import render_debug_page
from tumbler.http.datastructures import Headers
from tumbler.testing import RequestSpec, TestClient

HERE = Path(__file__).resolve().parent


def fail_with_markup() -> str:
    raise ValueError("<script>alert(1)</script>")


@pytest.fixture
def failing(app: Tumbler) -> Tumbler:
    app.add_url_rule("/boom", "boom", fail_with_markup)
    return app


class Answer:
    """What a server (not the test client) would send for one request."""

    def __init__(self, status: int, headers: Headers, body: bytes) -> None:
        self.status_code = status
        self.headers = headers
        self.text = body.decode()


def serve(app: Tumbler, protocol: str, path: str) -> Answer:
    """Call the app the way a server does: no test-client marker in the environ or scope."""
    spec = RequestSpec(path)
    if protocol == "wsgi":
        started: list[Any] = []
        body = b"".join(
            app(spec.environ(), lambda status, headers, *exc: started.extend((status, headers)))
        )
        return Answer(int(started[0].split()[0]), Headers(started[1]), body)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app.asgi(spec.scope(), receive, send))
    start = sent[0]
    headers = Headers([(k.decode(), v.decode()) for k, v in start["headers"]])
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return Answer(start["status"], headers, body)


def test_debug_mode_answers_the_traceback_page(failing: Tumbler, protocol: str) -> None:
    failing.debug = True
    response = serve(failing, protocol, "/boom")
    assert response.status_code == 500
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    text = response.text
    assert "ValueError: &lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<script>" not in text
    assert "fail_with_markup" in text
    assert '<div class="frame framework">' in text  # tumbler's own frames are dimmed
    assert "raise ValueError(&quot;&lt;script&gt;" in text  # the source line, escaped
    assert "GET /boom" in text
    assert "script-src" not in response.headers["Content-Security-Policy"]
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_debug_off_answers_the_plain_500(failing: Tumbler, protocol: str) -> None:
    response = serve(failing, protocol, "/boom")
    assert response.status_code == 500
    assert "Traceback" not in response.text
    assert "fail_with_markup" not in response.text
    assert "Content-Security-Policy" not in response.headers


def test_the_test_client_gets_the_exception_in_debug(failing: Tumbler, client: TestClient) -> None:
    failing.debug = True  # as Flask's test client: the debugger is server middleware there
    with pytest.raises(ValueError, match="alert"):
        client.get("/boom")


def test_testing_mode_still_raises(failing: Tumbler, protocol: str) -> None:
    failing.debug = True
    failing.testing = True
    with pytest.raises(ValueError, match="alert"):
        serve(failing, protocol, "/boom")


def test_explicit_propagate_exceptions_wins(failing: Tumbler, protocol: str) -> None:
    failing.debug = True
    failing.config["PROPAGATE_EXCEPTIONS"] = True
    with pytest.raises(ValueError):
        serve(failing, protocol, "/boom")
    failing.config["PROPAGATE_EXCEPTIONS"] = False
    response = serve(failing, protocol, "/boom")
    assert response.status_code == 500 and "fail_with_markup" not in response.text


def test_page_is_logged_and_teardown_sees_the_error(
    failing: Tumbler, protocol: str, caplog: pytest.LogCaptureFixture
) -> None:
    failing.debug = True
    seen: list[BaseException | None] = []
    failing.teardown_request(seen.append)
    assert serve(failing, protocol, "/boom").status_code == 500
    assert len(seen) == 1 and isinstance(seen[0], ValueError)
    assert any("Exception on '/boom'" in record.getMessage() for record in caplog.records)


def test_http_errors_keep_their_own_pages_in_debug(app: Tumbler, client: TestClient) -> None:
    app.debug = True
    response = client.get("/missing")
    assert response.status_code == 404
    assert "Traceback" not in response.text


def test_chained_exceptions_are_shown_in_order() -> None:
    try:
        try:
            raise KeyError("first")
        except KeyError as inner:
            raise RuntimeError("second") from inner
    except RuntimeError as error:
        page = render_debug_page(error)
    assert page.index("<h2>KeyError: &#x27;first&#x27;") < page.index("<h2>RuntimeError: second")
    assert "The above exception was the direct cause" in page


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.live
@pytest.mark.parametrize("server", ["uvicorn", "gunicorn"])
def test_debug_page_under_a_real_server(server: str) -> None:
    port = _free_port()
    binary = str(Path(sys.executable).parent / server)
    if server == "uvicorn":
        command = [binary, "live_debug_app:app.asgi", "--port", str(port), "--log-level", "warning"]
        command += ["--host", "127.0.0.1"]
    else:
        command = [binary, "--bind", f"127.0.0.1:{port}", "--workers", "1", "live_debug_app:app"]
    env = dict(os.environ, PYTHONPATH=str(HERE))
    proc = subprocess.Popen(
        command, cwd=HERE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        body = b""
        status = 0
        for _ in range(200):  # bounded: up to about 20 s for the server to start
            if proc.poll() is not None:
                raise RuntimeError(f"{server} exited with {proc.returncode}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("GET", "/boom")
                reply = connection.getresponse()
                status, body = reply.status, reply.read()
                connection.close()
                break
            except OSError:
                time.sleep(0.1)
        assert status == 500
        assert b"ValueError: &lt;b&gt;not escaped?&lt;/b&gt;" in body
        assert b"live_debug_app.py" in body
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
