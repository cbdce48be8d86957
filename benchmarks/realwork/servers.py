"""The servers, their command lines, and starting and stopping one.

One worker process per server (the machine has 2 cores), pinned to its CPU with taskset.
Sync code gets as many threads as the database pool has connections: gunicorn's ``gthread``
worker with ``--threads POOL`` (keep-alive, as every other server here), granian's WSGI
interface with ``--blocking-threads POOL``. uvicorn runs with httptools and uvloop, granian's
ASGI interface with uvloop. Access logs are off everywhere (TechEmpower's rule: no logging per
request).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..httpbench import HOST, free_port, stop, wait_until_up

__all__ = ["SERVERS", "Running", "Server", "start"]

ROOT = Path(__file__).resolve().parent.parent.parent
BIN = Path(sys.executable).parent
TARGET = "benchmarks.realwork.apps.served:app"
START_TIMEOUT = 30.0


@dataclass(frozen=True)
class Server:
    """A server for one interface (``wsgi`` or ``asgi``)."""

    name: str
    interface: str

    def command(self, port: int, threads: int) -> list[str]:
        common_granian = [
            str(BIN / "granian"), "--host", HOST, "--port", str(port), "--workers", "1",
            "--no-access-log", "--log-level", "warning", "--no-ws",
        ]  # fmt: skip
        if self.name == "gunicorn":
            return [
                str(BIN / "gunicorn"), "--workers", "1", "--worker-class", "gthread",
                "--threads", str(threads), "--bind", f"{HOST}:{port}",
                "--log-level", "warning", TARGET,
            ]  # fmt: skip
        if self.name == "granian-wsgi":
            return [
                *common_granian, "--interface", "wsgi", "--blocking-threads", str(threads),
                TARGET,
            ]  # fmt: skip
        if self.name == "uvicorn":
            return [
                str(BIN / "uvicorn"), TARGET, "--host", HOST, "--port", str(port),
                "--workers", "1", "--no-access-log", "--log-level", "warning",
                "--http", "httptools", "--loop", "uvloop",
            ]  # fmt: skip
        if self.name == "granian-asgi":
            return [*common_granian, "--interface", "asgi", "--loop", "uvloop", TARGET]
        raise ValueError(f"unknown server {self.name!r}")


SERVERS: dict[str, Server] = {
    s.name: s
    for s in (
        Server("gunicorn", "wsgi"),
        Server("granian-wsgi", "wsgi"),
        Server("uvicorn", "asgi"),
        Server("granian-asgi", "asgi"),
    )
}


@dataclass
class Running:
    """A started server: its process, port and log file."""

    process: subprocess.Popen[bytes]
    port: int
    log: IO[bytes]

    def log_tail(self, lines: int = 8) -> str:
        self.log.seek(0)
        tail = self.log.read().decode(errors="replace").strip().splitlines()[-lines:]
        return " / ".join(tail)

    def stop(self) -> None:
        try:
            stop(self.process)
        finally:
            self.log.close()


def start(server: Server, app: str, env: dict[str, str], cpu: str | None) -> Running:
    """Start ``server`` serving ``app`` (pinned to ``cpu`` when given) and wait until it
    accepts connections; raises RuntimeError with the server's log when it never does."""
    port = free_port()
    child_env = {**os.environ, **env, "REALWORK_APP": app}
    child_env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT), child_env.get("PYTHONPATH", "")])
    )
    command = server.command(port, int(env.get("REALWORK_POOL", "16")))
    if cpu is not None:
        command = ["taskset", "-c", cpu, *command]
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by Running.stop()
    process = subprocess.Popen(command, cwd=ROOT, env=child_env, stdout=log, stderr=log)
    running = Running(process, port, log)
    try:
        problem = wait_until_up(process, port, time.monotonic() + START_TIMEOUT)
    except BaseException:  # Ctrl-C while waiting: no server left behind
        running.stop()
        raise
    if problem:
        tail = running.log_tail()
        running.stop()
        raise RuntimeError(f"{problem} | server log: {tail}")
    return running
