"""HTTP/2 under hypercorn (h2c, prior knowledge): bodies without a Content-Length are read."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator

import pytest
from tests.test_live import BIN, HERE, free_port, wait_until_up

pytestmark = pytest.mark.live
httpx = pytest.importorskip("httpx")
pytest.importorskip("h2")


@pytest.fixture(scope="module")
def h2_server() -> Iterator[str]:
    port = free_port()
    command = [str(BIN / "hypercorn"), "live_body_app:asgi", "--bind", f"127.0.0.1:{port}"]
    env = dict(os.environ, PYTHONPATH=str(HERE))
    proc = subprocess.Popen(
        command, cwd=HERE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        wait_until_up(port, proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            _, stderr = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, stderr = proc.communicate()
        assert b"Traceback" not in stderr, stderr.decode(errors="replace")


def _chunks(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.fixture
def h2() -> Iterator[object]:
    with httpx.Client(http1=False, http2=True, timeout=20) as client:
        yield client


def test_h2_body_without_content_length(h2_server: str, h2: object) -> None:
    body = b"x" * 300_000
    response = h2.post(f"{h2_server}/echo", content=_chunks(body, 16_384))  # type: ignore[attr-defined]
    assert response.http_version == "HTTP/2"
    assert response.json() == {"length": None, "size": 300_000, "version": "HTTP/2"}


def test_h2_form_without_content_length(h2_server: str, h2: object) -> None:
    response = h2.post(  # type: ignore[attr-defined]
        f"{h2_server}/form",
        content=iter([b"a=1", b"&b=2"]),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.json() == {"a": "1", "b": "2"}


def test_h2_streamed_body(h2_server: str, h2: object) -> None:
    body = b"z" * 200_000
    response = h2.post(f"{h2_server}/stream", content=_chunks(body, 10_000))  # type: ignore[attr-defined]
    assert response.json() == {"size": 200_000}
