"""Real servers on 127.0.0.1: gunicorn (WSGI) and uvicorn (ASGI) serving the same app."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.live

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(port: int, proc: subprocess.Popen[bytes], seconds: float = 20) -> None:
    """Wait (bounded) until the server accepts connections on 127.0.0.1:``port``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not start in {seconds:g} s")


@pytest.fixture(params=["gunicorn", "uvicorn"])
def server(request: pytest.FixtureRequest) -> Iterator[int]:
    port = free_port()
    if request.param == "gunicorn":
        command = [
            str(BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "live_app:app",
        ]
    else:
        command = [
            str(BIN / "uvicorn"),
            "live_app:app.asgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ]
    env = dict(os.environ, PYTHONPATH=str(HERE))
    proc = subprocess.Popen(
        command, cwd=HERE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        wait_until_up(port, proc)
        yield port
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            _, stderr = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            stderr = b""
        assert b"Traceback" not in stderr, stderr.decode(errors="replace")


def fetch(
    port: int, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def test_seed_sets_cookie_on_first_request_only(server: int) -> None:
    status, headers, body = fetch(server, "/", {"Accept-Language": "fr"})
    assert (status, body) == (200, b"Hello in fr")
    assert headers["set-cookie"].startswith("user_lang=fr")
    status, headers, body = fetch(server, "/", {"Cookie": "user_lang=fr"})
    assert (status, body) == (200, b"Hello in fr")
    assert "set-cookie" not in headers


def test_streamed_response(server: int) -> None:
    status, _, body = fetch(server, "/stream")
    assert status == 200
    assert body == b"".join(f"line {n} /stream\n".encode() for n in range(5))
    status, _, body = fetch(server, "/astream")
    assert body == b"".join(f"async {n}\n".encode() for n in range(5))


def test_not_found(server: int) -> None:
    status, headers, body = fetch(server, "/missing", {"Accept-Language": "de"})
    assert status == 404
    assert b"Not Found" in body
    assert headers["set-cookie"].startswith("user_lang=de")
