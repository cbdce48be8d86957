"""Every server command in docs/deploying.md, started as written (on a free port), answers.

Also ``uvicorn myapp:app`` (the app as an ASGI 2 application) and ``app.run()`` with
``debug=True`` (uvicorn with its reloader).
"""

from __future__ import annotations

import http.client
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.live

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

MYAPP = """
    from tumbler import Tumbler


    def create_app():
        app = Tumbler(__name__)

        @app.route("/")
        def index():
            return "hello from myapp"

        return app


    app = create_app()
"""


def doc_commands() -> list[str]:
    """The shell commands of docs/deploying.md's ``sh`` blocks."""
    text = (ROOT / "docs" / "deploying.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(port: int, path: str = "/") -> tuple[int, str, bytes]:
    """Status, the Server header (which server answered) and the body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.getheader("Server", "").split("/")[0], response.read()
    finally:
        conn.close()


def wait_until_up(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            _, err = proc.communicate()
            raise RuntimeError(f"server exited early with {proc.returncode}: {err.decode()}")
        try:
            get(port)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not answer in 30 s")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "myapp.py").write_text(textwrap.dedent(MYAPP))
    return tmp_path


def start(argv: list[str], cwd: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(cwd))
    for name in ("TUMBLER_RUN_FROM_CLI", "TUMBLER_APP", "TUMBLER_DEBUG"):
        env.pop(name, None)
    return subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # a reloader's or a manager's children are stopped with it
    )


def stop(proc: subprocess.Popen[bytes]) -> bytes:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        _, err = proc.communicate()
    return err


Serve = Callable[[list[str], int], None]


@pytest.fixture
def serve(project: Path) -> Iterator[Serve]:
    procs: list[subprocess.Popen[bytes]] = []

    def run(argv: list[str], port: int) -> None:
        proc = start(argv, project)
        procs.append(proc)
        wait_until_up(port, proc)

    yield run
    for proc in procs:
        err = stop(proc)
        assert b"Traceback" not in err, err.decode(errors="replace")


def with_port(command: str, port: int) -> list[str]:
    """The documented command on ``port`` instead of 8000, its program from this venv."""
    argv = shlex.split(command.replace("127.0.0.1:8000", f"127.0.0.1:{port}"))
    argv = [str(port) if arg == "8000" else arg for arg in argv]
    assert str(port) in " ".join(argv), f"no port to replace in: {command}"
    argv[0] = str(BIN / argv[0])
    return argv


COMMANDS = doc_commands()


def test_the_docs_show_the_commands() -> None:
    assert len(COMMANDS) == 5
    assert any("--factory" in c for c in COMMANDS)
    assert any("uvicorn_worker.UvicornWorker" in c for c in COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_documented_command(command: str, serve: Serve) -> None:
    port = free_port()
    serve(with_port(command, port), port)
    by_gunicorn = command.startswith("gunicorn") and "UvicornWorker" not in command
    assert get(port) == (200, "gunicorn" if by_gunicorn else "uvicorn", b"hello from myapp")


def test_uvicorn_serves_the_app_object(serve: Serve) -> None:
    port = free_port()
    serve([str(BIN / "uvicorn"), "myapp:app", "--port", str(port)], port)
    assert get(port) == (200, "uvicorn", b"hello from myapp")


def test_app_run_with_debug_reloads(project: Path) -> None:
    port = free_port()
    (project / "script.py").write_text(
        textwrap.dedent(
            f"""
            from myapp import create_app

            app = create_app()

            if __name__ == "__main__":
                app.run(port={port}, debug=True)
            """
        )
    )
    proc = start([sys.executable, "script.py"], project)
    try:
        wait_until_up(port, proc)
        assert get(port) == (200, "uvicorn", b"hello from myapp")
    finally:
        err = stop(proc)
    assert b"reloader" in err.lower()
    assert b"Traceback" not in err, err.decode(errors="replace")
