"""Measurement 2: real HTTP on loopback, servers under load from wrk.

For each (server, framework, scenario): start the server on 127.0.0.1 with a free port,
pinned to CPU 0 (``taskset -c 0``); poll until it answers (bounded); check the answer over
HTTP like the in-process check; run wrk pinned to CPU 1 for a 1 s warm-up then the measured
run (``wrk -t1 -c32 -d2s --latency``, with a Lua script for the method, headers and body);
parse requests/s and the p99 latency; stop the server (terminate, wait, kill). Every step has
a time limit.

That is done in rounds, each in a freshly shuffled order, and the figures quoted are the
medians over the rounds: a slow spell of a shared machine then lands on one run of a server,
not on all of them (every run is kept in the JSON).
"""

from __future__ import annotations

import http.client
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .apps import Framework
from .apps import by_name as frameworks_by_name
from .scenarios import Answer, Scenario, check

__all__ = ["HTTPResult", "Server", "combine", "environment", "run_http", "servers"]

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SERVER_CPU, WRK_CPU = "0", "1"
CONNECTIONS, THREADS = 32, 1
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0


@dataclass(frozen=True)
class Server:
    """A server command line for a framework; ``{port}`` is filled in at start."""

    name: str
    framework: str

    def command(self, port: int, http_impl: str) -> list[str]:
        target = "benchmarks.apps.served:app"
        if self.name == "gunicorn":
            return [
                str(BIN / "gunicorn"),
                "--workers", "1",
                "--worker-class", "sync",
                "--bind", f"{HOST}:{port}",
                "--log-level", "warning",
                target,
            ]  # fmt: skip
        return [
            str(BIN / "uvicorn"),
            target,
            "--host", HOST,
            "--port", str(port),
            "--workers", "1",
            "--no-access-log",
            "--log-level", "warning",
            "--http", http_impl,
        ]  # fmt: skip


def servers() -> list[Server]:
    """tumbler vs Flask under gunicorn; tumbler (app.asgi, sync and async views), Quart and
    Starlette under uvicorn."""
    return [
        Server("gunicorn", "tumbler"),
        Server("gunicorn", "flask"),
        Server("uvicorn", "tumbler-asgi"),
        Server("uvicorn", "tumbler-asgi-async"),
        Server("uvicorn", "quart"),
        Server("uvicorn", "starlette"),
    ]


def uvicorn_http() -> str:
    """httptools when it is installed (uvicorn's fastest parser), else h11."""
    try:
        import httptools  # noqa: F401
    except ImportError:
        return "h11"
    return "httptools"


def environment() -> dict[str, Any]:
    """What the HTTP measurement needs and uses; ``problem`` says why it cannot run."""
    problems = []
    wrk, taskset = shutil.which("wrk"), shutil.which("taskset")
    if wrk is None:
        problems.append("wrk is not installed (apt-get install wrk)")
    if taskset is None:
        problems.append("taskset is not installed (util-linux)")
    if (os.cpu_count() or 1) < 2:
        problems.append("fewer than 2 CPUs: cannot pin server and wrk apart")
    version = ""
    if wrk:
        try:
            probe = subprocess.run([wrk, "-v"], capture_output=True, text=True, timeout=10)
            version = (probe.stdout + probe.stderr).strip().splitlines()[0]
            version = version.split(" Copyright")[0].strip()
        except (OSError, subprocess.SubprocessError, IndexError):
            version = "unknown"
    return {
        "problem": "; ".join(problems),
        "wrk": version,
        "wrk_args": f"-t{THREADS} -c{CONNECTIONS} --latency (1s warm-up, then the timed run)",
        "pinning": f"server on CPU {SERVER_CPU}, wrk on CPU {WRK_CPU} (taskset -c)",
        "gunicorn": "1 sync worker",
        "uvicorn": f"1 worker, --no-access-log, --log-level warning, --http {uvicorn_http()}",
    }


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def fetch(port: int, scenario: Scenario, timeout: float = 5.0) -> Answer:
    """One request for ``scenario`` over HTTP/1.1."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(
            scenario.method,
            scenario.target,
            body=scenario.body or None,
            headers=dict(scenario.headers),
        )
        response = connection.getresponse()
        return Answer(response.status, response.getheaders(), response.read())
    finally:
        connection.close()


def wait_until_up(process: subprocess.Popen[bytes], port: int, deadline: float) -> str:
    """ "" when a TCP connection to the server works, else why it never came up."""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return f"server exited with {process.returncode}"
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return ""
        except OSError:
            time.sleep(0.1)
    return f"server not answering after {START_TIMEOUT:.0f}s"


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)


def lua_script(scenario: Scenario, directory: Path) -> Path:
    """A wrk script setting the scenario's method, headers and body."""
    lines = [f'wrk.method = "{scenario.method}"']
    for name, value in scenario.headers:
        lines.append(f'wrk.headers["{name}"] = "{value}"')
    if scenario.body:
        lines.append(f'wrk.body = "{scenario.body.decode("ascii")}"')
    path = directory / f"{scenario.name}.lua"
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return path


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_wrk(output: str) -> dict[str, Any]:
    """Requests/s, p50/p99 latency (ms), request count and error counts from wrk's output."""
    result: dict[str, Any] = {}
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    result["requests_per_second"] = float(match.group(1)) if match else None
    for percentile in ("50", "99"):
        match = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        result[f"p{percentile}_ms"] = (
            round(float(match.group(1)) * _UNITS[match.group(2)], 3) if match else None
        )
    match = re.search(r"(\d+) requests in", output)
    result["requests"] = int(match.group(1)) if match else None
    match = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    result["non_2xx_3xx"] = int(match.group(1)) if match else 0
    match = re.search(r"Socket errors: (.*)", output)
    result["socket_errors"] = match.group(1).strip() if match else ""
    return result


def run_wrk(port: int, scenario: Scenario, script: Path, seconds: float) -> str:
    command = [
        "taskset", "-c", WRK_CPU,
        "wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "--latency",
        "-s", str(script),
        f"http://{HOST}:{port}{scenario.target}",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30)
    if done.returncode:
        raise RuntimeError(f"wrk exited with {done.returncode}: {done.stderr.strip()}")
    return done.stdout


@dataclass
class HTTPResult:
    server: str
    framework: str
    scenario: str
    status: str = "ok"
    error: str = ""
    figures: dict[str, Any] | None = None
    #: The figures of every round, when this result is their median (``combine``).
    runs: list[dict[str, Any]] | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "server": self.server,
            "framework": self.framework,
            "scenario": self.scenario,
            "status": self.status,
            "error": self.error,
            **(self.figures or {}),
            **({"runs": self.runs} if self.runs is not None else {}),
        }


_MEDIAN_OF = ("requests_per_second", "p50_ms", "p99_ms")


def combine(results: list[HTTPResult]) -> HTTPResult:
    """One result from the rounds of a (server, framework, scenario): the medians.

    A failed round fails the result, with the first error: a server that answers wrongly once
    must not post a figure.
    """
    first = results[0]
    combined = HTTPResult(first.server, first.framework, first.scenario)
    failed = [r for r in results if r.status != "ok"]
    if failed:
        combined.status, combined.error = "FAILED", failed[0].error
        return combined
    runs = [r.figures or {} for r in results]
    figures: dict[str, Any] = {
        key: statistics.median(run[key] for run in runs) for key in _MEDIAN_OF
    }
    figures["requests"] = sum(run["requests"] or 0 for run in runs)
    figures["non_2xx_3xx"] = sum(run["non_2xx_3xx"] for run in runs)
    figures["socket_errors"] = "; ".join(
        run["socket_errors"] for run in runs if run["socket_errors"]
    )
    combined.figures, combined.runs = figures, runs
    return combined


def measure_one(
    server: Server, framework: Framework, scenario: Scenario, seconds: float, scripts: Path
) -> HTTPResult:
    result = HTTPResult(server.name, framework.name, scenario.name)
    port = free_port()
    env = {**os.environ, "BENCH_FRAMEWORK": framework.name, "BENCH_APP": scenario.app}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    command = ["taskset", "-c", SERVER_CPU, *server.command(port, uvicorn_http())]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        try:
            return _serve_and_load(process, port, scenario, seconds, scripts, result)
        finally:
            stop(process)
            if result.status != "ok":
                log.seek(0)
                tail = log.read().decode(errors="replace").strip().splitlines()[-5:]
                if tail:
                    result.error += " | server log: " + " / ".join(tail)


def _serve_and_load(
    process: subprocess.Popen[bytes],
    port: int,
    scenario: Scenario,
    seconds: float,
    scripts: Path,
    result: HTTPResult,
) -> HTTPResult:
    try:
        problem = wait_until_up(process, port, time.monotonic() + START_TIMEOUT)
        if not problem:
            try:
                problem = check(scenario, fetch(port, scenario)) or ""
            except (OSError, http.client.HTTPException) as exc:
                problem = f"{type(exc).__name__}: {exc}"
        if problem:
            result.status, result.error = "FAILED", problem
            return result
        script = lua_script(scenario, scripts)
        run_wrk(port, scenario, script, 1)
        result.figures = parse_wrk(run_wrk(port, scenario, script, seconds))
        if result.figures["requests_per_second"] is None:
            result.status, result.error = "FAILED", "could not parse wrk's output"
        elif result.figures["non_2xx_3xx"] and scenario.status < 400:
            result.status = "FAILED"
            result.error = f"{result.figures['non_2xx_3xx']} non-2xx/3xx responses"
        return result
    except (RuntimeError, subprocess.SubprocessError) as exc:
        result.status, result.error = "FAILED", str(exc)
        return result


def run_http(
    scenarios: list[Scenario], seconds: float, rounds: int, seed: int, log: bool
) -> list[HTTPResult]:
    """Every server x scenario in each round, one server process at a time; the medians."""
    runs: dict[tuple[str, str, str], list[HTTPResult]] = {}
    shuffler = random.Random(seed)
    work = [(scenario, server) for scenario in scenarios for server in servers()]
    with tempfile.TemporaryDirectory(prefix="tumbler-wrk-") as directory:
        for round_number in range(rounds):
            order = list(work)
            shuffler.shuffle(order)
            if log:
                print(f"  round {round_number + 1}/{rounds}", flush=True)
            for scenario, server in order:
                framework = frameworks_by_name([server.framework])[0]
                result = measure_one(server, framework, scenario, seconds, Path(directory))
                runs.setdefault((server.name, framework.name, scenario.name), []).append(result)
                if log:
                    figures = result.figures or {}
                    shown = (
                        f"{figures.get('requests_per_second', 0):,.0f} req/s, "
                        f"p99 {figures.get('p99_ms')} ms"
                        if result.status == "ok"
                        else f"FAILED: {result.error}"
                    )
                    print(f"  {server.name:8} {framework.name:18} {scenario.name:20} {shown}")
    return [
        combine(runs[(server.name, server.framework, scenario.name)])
        for scenario in scenarios
        for server in servers()
    ]


# Issue 12: sync views that block, beside an async endpoint -------------------------------------

#: (label, framework, app): tumbler with its default placement (sync code on the request's
#: worker thread), tumbler with sync code on the loop (the opt-in, misused on purpose: what
#: the former default did with a 1 ms wait), Starlette with a plain ``def`` endpoint.
BLOCKING_SERVERS = (
    ("tumbler", "tumbler-asgi", "blocking"),
    ("tumbler-on-loop", "tumbler-asgi", "blocking_loop"),
    ("starlette-def", "starlette", "blocking"),
)
#: (name, ms the view blocks, connections on it)
BLOCKING_SCENARIOS = (("block_1ms", 1, 16), ("block_500ms", 500, 4))

_MAX = re.compile(r"Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)")


def _wrk_command(port: int, path: str, connections: int, seconds: float) -> list[str]:
    return [
        "taskset", "-c", WRK_CPU,
        "wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", "--timeout", "10s",
        f"http://{HOST}:{port}{path}",
    ]  # fmt: skip


def _blocking_run(port: int, ms: int, connections: int, seconds: float) -> dict[str, Any]:
    """wrk on ``/block`` and, at the same time, one connection of wrk on ``/ping``."""
    block = subprocess.Popen(
        _wrk_command(port, f"/block?ms={ms}", connections, seconds),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    ping = subprocess.Popen(
        _wrk_command(port, "/ping", 1, seconds),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    block_out, _ = block.communicate(timeout=seconds + 60)
    ping_out, _ = ping.communicate(timeout=seconds + 60)
    blocked, pinged = parse_wrk(block_out), parse_wrk(ping_out)
    found = _MAX.search(ping_out)
    if not pinged["requests"]:  # not one answer within the run: the loop was held throughout
        return {
            "block_requests_per_second": blocked["requests_per_second"],
            "block_p50_ms": blocked["p50_ms"],
            "ping_p99_ms": seconds * 1000,
            "ping_max_ms": seconds * 1000,
            "ping_unanswered": True,
        }
    return {
        "block_requests_per_second": blocked["requests_per_second"],
        "block_p50_ms": blocked["p50_ms"],
        "ping_p99_ms": pinged["p99_ms"],
        "ping_max_ms": (
            round(float(found.group(1)) * _UNITS[found.group(2)], 3) if found else None
        ),
    }


def _blocking_one(framework: str, app: str, ms: int, connections: int, seconds: float) -> Any:
    port = free_port()
    env = {**os.environ, "BENCH_FRAMEWORK": framework, "BENCH_APP": app}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    server = Server("uvicorn", framework).command(port, uvicorn_http())
    process = subprocess.Popen(
        ["taskset", "-c", SERVER_CPU, *server],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        problem = wait_until_up(process, port, time.monotonic() + START_TIMEOUT)
        if problem:
            return {"error": problem}
        return _blocking_run(port, ms, connections, seconds)
    finally:
        stop(process)


def run_blocking(seconds: float = 5.0, rounds: int = 3, log: bool = True) -> list[dict[str, Any]]:
    """Issue 12's HTTP scenarios under uvicorn, each server in each round: the medians.

    ``block_1ms``: 16 connections on a view that blocks 1 ms; its requests/s, and the p99 of
    an ``async def`` endpoint asked at the same time over one more connection.
    ``block_500ms``: 4 connections on a view that blocks 0.5 s; the longest wait of the
    ``async def`` endpoint meanwhile.
    """
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for round_number in range(rounds):
        for name, ms, connections in BLOCKING_SCENARIOS:
            for label, framework, app in BLOCKING_SERVERS:
                figures = _blocking_one(framework, app, ms, connections, seconds)
                runs.setdefault((name, label), []).append(figures)
                if log:
                    print(f"  round {round_number + 1} {name:12} {label:16} {figures}", flush=True)
    results = []
    for (name, label), figures in runs.items():
        ok = [f for f in figures if "error" not in f]
        row: dict[str, Any] = {"scenario": name, "server": label, "runs": figures}
        for key in ("block_requests_per_second", "block_p50_ms", "ping_p99_ms", "ping_max_ms"):
            values = [f[key] for f in ok if f.get(key) is not None]
            row[key] = statistics.median(values) if values else None
        results.append(row)
    return results


def main(argv: list[str]) -> int:
    """``python -m benchmarks.httpbench --blocking [SECONDS] [ROUNDS]``: issue 12's table."""
    if argv[:1] != ["--blocking"]:
        print("usage: python -m benchmarks.httpbench --blocking [SECONDS] [ROUNDS]")
        return 2
    problem = environment()["problem"]
    if problem:
        print(f"skipped: {problem}")
        return 1
    seconds = float(argv[1]) if len(argv) > 1 else 5.0
    rounds = int(argv[2]) if len(argv) > 2 else 3
    rows = run_blocking(seconds, rounds)
    print("\n| scenario | server | /block req/s | /block p50 ms | /ping p99 ms | /ping max ms |")
    print("|---|---|---:|---:|---:|---:|")
    for row in rows:
        cells = [
            f"{row[k]:,.1f}" if isinstance(row[k], float | int) else "-"
            for k in ("block_requests_per_second", "block_p50_ms", "ping_p99_ms", "ping_max_ms")
        ]
        print(f"| {row['scenario']} | {row['server']} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
