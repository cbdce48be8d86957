"""The README's commands as a newcomer runs them: dev.py's tasks, driven as subprocesses."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from tests.test_live import free_port, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
DEV = [sys.executable, str(ROOT / "dev.py")]


def dev(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DEV, *args], capture_output=True, text=True, timeout=60, cwd=ROOT)


@pytest.mark.parametrize("task", [None, "serve", "test", "docs", "bench"])
def test_every_task_has_help(task: str | None) -> None:
    result = dev(*([task] if task else []), "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: python3 dev.py")
    if task == "serve":
        assert "--port" in result.stdout and "--host" in result.stdout
    if task is None:
        assert all(name in result.stdout for name in ("serve", "test", "docs", "bench"))


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("nosuch",),
        ("serve", "--bogus"),
        ("serve", "--port", "9000x"),
        ("serve", "--port", "70000"),
        ("serve", "--app", "nosuch"),
        ("docs", "--bogus"),
    ],
)
def test_unknown_tasks_and_flags_are_errors(args: tuple[str, ...]) -> None:
    result = dev(*args)
    assert result.returncode == 2
    assert "error:" in result.stderr


def test_usage_text_says_what_test_runs() -> None:
    usage = dev("--help").stdout
    for check in ("ruff", "mypy", "docs", "pytest"):
        assert check in usage.split("python3 dev.py test", 1)[1].split("python3 dev.py docs")[0]


def test_the_test_extra_covers_the_serve_extra() -> None:
    """dev.py serves from a venv made for the tests without installing anything more."""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert set(extras["serve"]) <= set(extras["test"])


@pytest.mark.live
@pytest.mark.parametrize("wsgi", [False, True], ids=["uvicorn", "gunicorn"])
def test_sigterm_to_serve_stops_the_server(wsgi: bool) -> None:
    port = free_port()
    command = [*DEV, "serve", "--port", str(port), *(["--wsgi"] if wsgi else [])]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(port, proc)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.request("GET", "/", headers={"Accept-Language": "fr"})
            response = conn.getresponse()
            response.read()
        finally:
            conn.close()
        assert response.status == 200
        assert (response.getheader("Set-Cookie") or "").startswith("user_lang=fr")
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=30) is not None
        with pytest.raises(OSError):  # nothing is left listening: no orphaned server
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_nothing_tells_users_to_install_tumbler_from_the_index() -> None:
    """`tumbler` on the package index is someone else's project: no message may name it."""
    import re

    wrong = re.compile(r"pip install\s+(-U\s+|--upgrade\s+)?['\"]?tumbler\b")
    warnings = ("never", "don't", "message may tell")  # the lines that warn against it
    files = [ROOT / "README.md", *ROOT.glob("docs/**/*.md"), *ROOT.glob("src/**/*.py")]
    files += [*ROOT.glob("examples/**/*.py")]
    offenders = [
        f"{path}: {line}"
        for path in files
        for line in path.read_text(encoding="utf-8").splitlines()
        if wrong.search(line) and not any(word in line for word in warnings)
    ]
    assert offenders == []
    from tumbler.http.formparser import _INSTALL_HINT

    assert "pip install -e '.[forms]'" in _INSTALL_HINT
