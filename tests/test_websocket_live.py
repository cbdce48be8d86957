"""WebSockets under real ASGI servers (uvicorn, hypercorn, granian) with the websockets client.

Each server is skipped with its reason when it is not installed. All three have the
``websocket.http.response`` extension, so a refused handshake gets the app's own status (the
403 fallback for servers without it is tested through the test client).
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.test_live import free_port, wait_until_up

websockets = pytest.importorskip("websockets")
from websockets.asyncio.client import connect as aconnect  # noqa: E402
from websockets.exceptions import ConnectionClosed, InvalidStatus  # noqa: E402
from websockets.sync.client import connect  # noqa: E402

pytestmark = pytest.mark.live

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent

SERVERS = ("uvicorn", "hypercorn", "granian")


def command(name: str, port: int) -> list[str]:
    if name == "uvicorn":
        return [str(BIN / "uvicorn"), "ws_live_app:asgi", "--host", "127.0.0.1",
                "--port", str(port), "--log-level", "warning"]  # fmt: skip
    if name == "hypercorn":
        return [str(BIN / "hypercorn"), "ws_live_app:asgi", "--bind", f"127.0.0.1:{port}",
                "--log-level", "warning"]  # fmt: skip
    return [str(BIN / "granian"), "--interface", "asgi", "--host", "127.0.0.1",
            "--port", str(port), "--log-level", "warning", "ws_live_app:asgi"]  # fmt: skip


@pytest.fixture(scope="module", params=SERVERS)
def server(request: pytest.FixtureRequest) -> Iterator[tuple[str, int]]:
    name = str(request.param)
    if importlib.util.find_spec(name) is None or shutil.which(name, path=str(BIN)) is None:
        pytest.skip(f"{name} is not installed (pip install '.[test]')")
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(HERE))
    proc = subprocess.Popen(
        command(name, port), cwd=HERE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        wait_until_up(port, proc, 30)
        yield name, port
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            _, stderr = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            stderr = b""
        text = stderr.decode(errors="replace")
        # the app logs the /fail handler's error; any other traceback is a failure
        tracebacks = text.count("Traceback")
        assert tracebacks <= text.count("the handler failed (expected"), text


def url(server: tuple[str, int], path: str) -> str:
    return f"ws://127.0.0.1:{server[1]}{path}"


@pytest.mark.parametrize("path", ["/echo", "/sync-echo"])
def test_echo_text_and_binary(server: tuple[str, int], path: str) -> None:
    with connect(url(server, path), open_timeout=20) as ws:
        ws.send("hello")
        assert ws.recv(timeout=20) == "hello"
        ws.send(b"\x00\xffbin")
        assert ws.recv(timeout=20) == b"\x00\xffbin"


def test_json(server: tuple[str, int]) -> None:
    with connect(url(server, "/json"), open_timeout=20) as ws:
        ws.send('{"n": 21}')
        assert json.loads(ws.recv(timeout=20)) == {"double": 42}


def test_close_code_from_the_app(server: tuple[str, int]) -> None:
    with (
        connect(url(server, "/close/4002"), open_timeout=20) as ws,
        pytest.raises(ConnectionClosed) as info,
    ):
        ws.recv(timeout=20)
    assert info.value.rcvd is not None
    assert info.value.rcvd.code == 4002
    assert info.value.rcvd.reason == "closing as asked"


def test_a_failing_handler_closes_with_1011(server: tuple[str, int]) -> None:
    with (
        connect(url(server, "/fail"), open_timeout=20) as ws,
        pytest.raises(ConnectionClosed) as info,
    ):
        ws.recv(timeout=20)
    assert info.value.rcvd is not None and info.value.rcvd.code == 1011


def test_a_refused_handshake(server: tuple[str, int]) -> None:
    with pytest.raises(InvalidStatus) as info:
        connect(url(server, "/private"), open_timeout=20)
    assert info.value.response.status_code == 401
    assert b"credentials" in info.value.response.body


@pytest.mark.parametrize("path", ["/hold", "/ahold"])
def test_disconnect_mid_handler_runs_teardown(server: tuple[str, int], path: str) -> None:
    token = uuid.uuid4().hex
    with connect(url(server, f"{path}/{token}"), open_timeout=20) as ws:
        assert ws.recv(timeout=20) == "holding"
    with connect(url(server, f"/torn/{token}"), open_timeout=20) as ws:
        assert ws.recv(timeout=20) == "WebsocketDisconnected"


def test_message_size_limit_closes_with_1009(server: tuple[str, int]) -> None:
    with connect(url(server, "/echo"), open_timeout=20) as ws:
        ws.send("x" * 1024)
        assert ws.recv(timeout=20) == "x" * 1024
        ws.send("x" * 1025)
        with pytest.raises(ConnectionClosed) as info:
            ws.recv(timeout=20)
    assert info.value.rcvd is not None and info.value.rcvd.code == 1009


def test_origin_check(server: tuple[str, int]) -> None:
    port = server[1]
    with pytest.raises(InvalidStatus) as info:
        connect(url(server, "/echo"), origin="http://evil.example", open_timeout=20)
    assert info.value.response.status_code == 403
    with connect(url(server, "/echo"), origin=f"http://127.0.0.1:{port}", open_timeout=20) as ws:
        ws.send("same site")
        assert ws.recv(timeout=20) == "same site"


async def _many(server: tuple[str, int], path: str, count: int) -> list[str]:
    connections = [
        await aconnect(url(server, f"{path}/{n}"), open_timeout=60) for n in range(count)
    ]
    try:
        for ws in connections:
            await ws.send("go")
        return [str(await asyncio.wait_for(ws.recv(), 60)) for ws in connections]
    finally:
        await asyncio.gather(*(ws.close() for ws in connections), return_exceptions=True)


def test_200_concurrent_connections_each_keep_their_own_g(server: tuple[str, int]) -> None:
    answers = asyncio.run(_many(server, "/g", 200))
    assert answers == [str(n) for n in range(200)]


def test_concurrent_sync_handlers_each_keep_their_own_g(server: tuple[str, int]) -> None:
    answers = asyncio.run(_many(server, "/sync-g", 50))
    assert answers == [str(n) for n in range(50)]


def test_under_gunicorn_the_app_starts_and_websocket_routes_answer_426() -> None:
    import http.client

    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(HERE))
    command = [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "ws_live_app:app"]
    proc = subprocess.Popen(
        [*command, "--workers", "1"],
        cwd=HERE,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(port, proc, 30)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        connection.request(
            "GET", "/echo", headers={"Upgrade": "websocket", "Connection": "Upgrade"}
        )
        response = connection.getresponse()
        body = response.read().decode()
        connection.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert response.status == 426
    assert response.getheader("Upgrade") == "websocket"
    assert "ASGI server" in body
