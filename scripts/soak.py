"""Soak test: many good and bad requests against gunicorn and uvicorn, each with one worker.

Reports, per server: answers that are neither 2xx nor 4xx (must be 0), error lines in the
server's log (must be 0), and the worker's resident memory growth from /proc (must be under
10 MB, measured after a warm-up of 5% of the requests). Exit status 1 if any check fails.

    .venv/bin/python scripts/soak.py --requests 20000
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

APP_SOURCE = """
from tumbler import Tumbler, request, session, abort

app = Tumbler("soak")
app.secret_key = "soak-" + "k" * 30
app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024


@app.route("/")
def index():
    return "ok"


@app.route("/echo", methods=["GET", "POST"])
def echo():
    data = {"args": len(request.args), "cookies": len(request.cookies), "n": session.get("n", 0)}
    if request.method == "POST":
        if request.is_json:
            data["json"] = type(request.get_json()).__name__
        else:
            data["form"] = len(request.form)
    session["n"] = data["n"] + 1
    return data


@app.route("/stream")
def stream():
    return (f"line {i}\\n" for i in range(50))


@app.route("/missing")
def missing():
    abort(404)
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _worker_pid(master: int) -> int:
    """The one worker's pid (the master itself when it has no children)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        children: list[int] = []
        for task in Path(f"/proc/{master}/task").iterdir():
            text = (task / "children").read_text().split()
            children.extend(int(pid) for pid in text)
        if children:
            return children[-1]
        time.sleep(0.1)
    return master


def _wait_ready(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not start")


def _requests(rng: random.Random) -> tuple[str, str, bytes, dict[str, str]]:
    """One request of the mix: (method, target, body, headers)."""
    kind = rng.randrange(12)
    if kind == 0:
        return "GET", "/", b"", {}
    if kind == 1:
        return "GET", "/echo?" + "&".join(f"k{i}=v" for i in range(rng.randrange(50))), b"", {}
    if kind == 2:
        return "GET", "/echo?" + "&".join(f"k{i}" for i in range(2000)), b"", {}  # 400
    if kind == 3:
        return "GET", "/echo", b"", {"Cookie": "session=garbage." + "x" * rng.randrange(3000)}
    if kind == 4:
        body = json.dumps({"a": [1, 2, {"b": "c"}]}).encode()
        return "POST", "/echo", body, {"Content-Type": "application/json"}
    if kind == 5:
        body = b"[" * rng.randrange(100, 5000)
        return "POST", "/echo", body, {"Content-Type": "application/json"}  # 400
    if kind == 6:
        return (
            "POST",
            "/echo",
            b"a=1&b=%zz&c=%e9",
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
    if kind == 7:
        big = b"x" * 2_000_000
        return "POST", "/echo", big, {"Content-Type": "application/x-www-form-urlencoded"}  # 413
    if kind == 8:
        return "GET", "/stream", b"", {}
    if kind == 9:
        return "GET", "/missing%00/%2e%2e", b"", {}  # 404
    if kind == 10:
        accept = ",".join(f"t{i}/s{i};q=0.{i % 9}" for i in range(500))
        return "GET", "/echo", b"", {"Accept": accept}
    body = b"--X\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--X"  # unterminated
    return "POST", "/echo", body, {"Content-Type": "multipart/form-data; boundary=X"}


def _client(port: int, count: int, seed: int, statuses: Counter[int], lock: threading.Lock) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    local: Counter[int] = Counter()
    for _ in range(count):
        method, target, body, headers = _requests(rng)
        try:
            conn.request(method, target, body=body or None, headers=headers)
            response = conn.getresponse()
            response.read()
            local[response.status] += 1
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        except (OSError, http.client.HTTPException):
            # A server that refuses an oversized body early (413 before reading it) may close
            # while the client is still sending: a reset there is expected, and counted as
            # -1. Any other failure is 0, a bad answer.
            local[-1 if len(body) > 1024 * 1024 else 0] += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.close()
    with lock:
        statuses.update(local)


def _run(
    name: str,
    command: list[str],
    port: int,
    total: int,
    threads: int,
    env: dict[str, str],
    log: Path,
) -> dict[str, object]:
    with log.open("w") as log_file:
        server = subprocess.Popen(command, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        _wait_ready(port)
        worker = _worker_pid(server.pid)
        statuses: Counter[int] = Counter()
        lock = threading.Lock()
        warm = max(total // 20, threads)
        _burst(port, warm, threads, statuses, lock, seed=0)
        rss_start = _rss_kb(worker)
        started = time.perf_counter()
        _burst(port, total - warm, threads, statuses, lock, seed=1000)
        elapsed = time.perf_counter() - started
        rss_end = _rss_kb(worker)
    finally:
        server.terminate()
        server.wait(10)
    text = log.read_text(errors="replace")
    errors = [
        line
        for line in text.splitlines()
        if any(word in line for word in ("Traceback", "ERROR", "Exception", "CRITICAL"))
    ]
    bad = sum(n for status, n in statuses.items() if status != -1 and not (200 <= status < 500))
    return {
        "server": name,
        "requests": sum(statuses.values()),
        "seconds": round(elapsed, 1),
        "statuses": dict(sorted(statuses.items())),
        "bad_answers": bad,
        "log_errors": len(errors),
        "rss_start_mb": round(rss_start / 1024, 1),
        "rss_end_mb": round(rss_end / 1024, 1),
        "rss_growth_mb": round((rss_end - rss_start) / 1024, 2),
    }


def _burst(
    port: int, total: int, threads: int, statuses: Counter[int], lock: threading.Lock, seed: int
) -> None:
    share = total // threads
    workers = [
        threading.Thread(
            target=_client, args=(port, share + (i < total % threads), seed + i, statuses, lock)
        )
        for i in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def main() -> int:
    """Run the soak against both servers and print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200_000, help="per server")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--only", choices=["gunicorn", "uvicorn"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "soak_app.py").write_text(APP_SOURCE)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([tmp, str(ROOT / "src")]))
        runs = []
        if args.only in (None, "gunicorn"):
            port = _free_port()
            runs.append(
                (
                    "gunicorn",
                    [
                        str(BIN / "gunicorn"),
                        "-w",
                        "1",
                        "-b",
                        f"127.0.0.1:{port}",
                        "--log-level",
                        "warning",
                        "soak_app:app",
                    ],
                    port,
                )
            )
        if args.only in (None, "uvicorn"):
            port = _free_port()
            runs.append(
                (
                    "uvicorn",
                    [
                        str(BIN / "uvicorn"),
                        "soak_app:app.asgi",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(port),
                        "--workers",
                        "1",
                        "--log-level",
                        "warning",
                        "--no-access-log",
                    ],
                    port,
                )
            )
        results = [
            _run(name, command, port, args.requests, args.threads, env, Path(tmp, f"{name}.log"))
            for name, command, port in runs
        ]
    print(json.dumps(results, indent=2))
    failed = any(
        r["bad_answers"] or r["log_errors"] or float(str(r["rss_growth_mb"])) >= 10 for r in results
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
