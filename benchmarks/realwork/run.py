"""The measurement: every (server, app) pair, checked, then loaded by wrk, in rounds.

A round starts every pair's server in a freshly shuffled order (they wait idle until their
turn), checks it (the full verification in the first round, one checked answer per type in
the later ones: a pair that fails posts no figure from then on) and warms it up (one second
of load). Then, cell by cell (a test type at a concurrency) in a shuffled order, wrk loads
each pair that serves the cell, in a shuffled order: the runs compared with each other are
seconds apart, so a slow spell of a shared machine moves both sides of a ratio. The server runs
pinned to CPU 0; wrk and PostgreSQL share CPU 1, so the server has a core of its own. Each
figure is the median over the rounds (``combine``); every run is kept in the JSON.
"""

from __future__ import annotations

import random
import statistics
import subprocess
from dataclasses import dataclass, field
from typing import Any

from ..httpbench import parse_wrk
from .apps.registry import APPS, App
from .database import QueryCounter
from .servers import SERVERS, Running, Server, start
from .spec import TYPES
from .verify import quick_check, verify_app

__all__ = ["PAIRS", "Cell", "Pair", "cells", "combine", "measure", "smoke"]

SERVER_CPU, LOAD_CPU = "0", "1"

#: Which app runs under which server (the issue's list): tumbler and the floor under every
#: server of their interface, each peer under the server its users run it with.
PAIRS: tuple[tuple[str, str], ...] = (
    ("gunicorn", "tumbler"),
    ("gunicorn", "flask"),
    ("gunicorn", "falcon"),
    ("gunicorn", "bare-wsgi"),
    ("granian-wsgi", "tumbler"),
    ("granian-wsgi", "bare-wsgi"),
    ("uvicorn", "tumbler-async"),
    ("uvicorn", "tumbler-sync"),
    ("uvicorn", "starlette"),
    ("uvicorn", "starlette-sync"),
    ("uvicorn", "falcon-asgi"),
    ("uvicorn", "quart"),
    ("uvicorn", "blacksheep"),
    ("uvicorn", "bare-asgi"),
    ("granian-asgi", "tumbler-async"),
    ("granian-asgi", "tumbler-sync"),
    ("granian-asgi", "bare-asgi"),
)


@dataclass(frozen=True)
class Pair:
    server: Server
    app: App

    @property
    def key(self) -> str:
        return f"{self.server.name}:{self.app.name}"


@dataclass(frozen=True)
class Cell:
    """One timed load: a test type at a concurrency."""

    type: str
    connections: int


@dataclass
class Options:
    """What to run and for how long (the CLI's arguments)."""

    pairs: list[Pair]
    types: list[str]
    connections: int = 64
    sweep: tuple[int, ...] = (16, 64, 256)
    sweep_types: tuple[str, ...] = ("db", "fortunes")
    seconds: int = 2
    #: Seconds of load on the pair's ``queries`` (else its first type) after each start:
    #: every pool connection used and its statements prepared before the timed runs.
    warmup: int = 1
    rounds: int = 3
    seed: int = 17
    env: dict[str, str] = field(default_factory=dict)


def pairs(servers: list[str] | None, apps: list[str] | None) -> list[Pair]:
    """The pairs of ``PAIRS`` whose server and app are both chosen (all when None)."""
    return [
        Pair(SERVERS[s], APPS[a])
        for s, a in PAIRS
        if (not servers or s in servers) and (not apps or a in apps)
    ]


def cells(app: App, options: Options) -> list[Cell]:
    """Every type the app serves at the default concurrency, plus the sweep's other levels."""
    chosen = [t for t in options.types if t in app.types]
    found = [Cell(t, options.connections) for t in chosen]
    for name in options.sweep_types:
        if name in chosen:
            found += [Cell(name, c) for c in options.sweep if c != options.connections]
    return found


def run_wrk(port: int, cell: Cell, seconds: int) -> dict[str, Any]:
    """wrk on ``cell`` for ``seconds``, pinned to the load CPU; its parsed figures."""
    threads = 1 if cell.connections < 128 else 2
    command = [
        "taskset", "-c", LOAD_CPU, "wrk", f"-t{threads}", f"-c{cell.connections}",
        f"-d{seconds}s", "--latency", "--timeout", "10s",
        f"http://127.0.0.1:{port}{TYPES[cell.type].target}",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode:
        raise RuntimeError(f"wrk exited with {done.returncode}: {done.stderr.strip()}")
    return parse_wrk(done.stdout)


def _sample(pair: Pair, cell: Cell, round_number: int, figures: dict[str, Any]) -> dict[str, Any]:
    status, error = "ok", ""
    if figures.get("requests_per_second") is None:
        status, error = "FAILED", figures.pop("error", "could not parse wrk's output")
    elif figures.get("non_2xx_3xx"):
        status, error = "FAILED", f"{figures['non_2xx_3xx']} non-2xx/3xx answers under load"
    return {
        "server": pair.server.name,
        "app": pair.app.name,
        "type": cell.type,
        "connections": cell.connections,
        "round": round_number,
        "status": status,
        "error": error,
        **figures,
    }


def _start_all(
    order: list[Pair],
    options: Options,
    round_number: int,
    counter: QueryCounter,
    log: bool,
    running: dict[str, tuple[Pair, Running]],
) -> dict[str, list[str]]:
    """Start and check every pair of the round into ``running``; returns the failures."""
    failed: dict[str, list[str]] = {}
    for pair in order:
        types = tuple(t for t in options.types if t in pair.app.types)
        try:
            server = start(pair.server, pair.app.name, options.env, SERVER_CPU)
        except (RuntimeError, OSError) as exc:
            failed[pair.key] = [str(exc)]
            continue
        running[pair.key] = (pair, server)
        if round_number == 0:
            problems = verify_app(server.port, types, counter)
        else:
            problems = quick_check(server.port, types)
        if not problems and options.warmup:
            first = "queries" if "queries" in types else types[0]
            try:
                run_wrk(server.port, Cell(first, options.connections), options.warmup)
            except (RuntimeError, subprocess.SubprocessError) as exc:
                problems = [f"warm-up: {exc}"]
        if problems:
            failed[pair.key] = problems
            running.pop(pair.key)[1].stop()
        if log:
            shown = "ready" if not problems else f"WRONG, no figures: {problems[:3]}"
            print(f"  {pair.key:28} {shown}", flush=True)
    return failed


def _load(
    pair: Pair, server: Running, cell: Cell, options: Options, round_number: int, log: bool
) -> dict[str, Any]:
    try:
        figures = run_wrk(server.port, cell, options.seconds)
    except (RuntimeError, subprocess.SubprocessError) as exc:
        figures = {"requests_per_second": None, "error": str(exc)}
    sample = _sample(pair, cell, round_number, figures)
    if log:
        shown = (
            f"{sample['requests_per_second']:>9,.0f} req/s  p99 {sample['p99_ms']} ms"
            if sample["status"] == "ok"
            else f"FAILED: {sample['error']}"
        )
        print(f"    {pair.key:28} {shown}", flush=True)
    return sample


def measure(options: Options, counter: QueryCounter, log: bool = True) -> dict[str, Any]:
    """Every round; returns ``{"samples": [...], "failed": {pair: problems}}``.

    In a round every pair's server is started (idle servers cost nothing), checked and
    warmed up; then, cell by cell in a shuffled order, each pair serving that cell is loaded
    in a shuffled order, so the runs compared with each other are seconds apart.
    """
    failed: dict[str, list[str]] = {}
    samples: list[dict[str, Any]] = []
    shuffler = random.Random(options.seed)
    for round_number in range(options.rounds):
        order = [p for p in options.pairs if p.key not in failed]
        shuffler.shuffle(order)
        if log:
            print(f"round {round_number + 1}/{options.rounds}", flush=True)
        running: dict[str, tuple[Pair, Running]] = {}
        try:
            failed.update(_start_all(order, options, round_number, counter, log, running))
            todo = list(
                dict.fromkeys(c for p, _ in running.values() for c in cells(p.app, options))
            )
            shuffler.shuffle(todo)
            for cell in todo:
                if log:
                    print(f"  {cell.type} c={cell.connections}", flush=True)
                serving = [(p, s) for p, s in running.values() if cell in cells(p.app, options)]
                shuffler.shuffle(serving)
                for pair, server in serving:
                    samples.append(_load(pair, server, cell, options, round_number, log))
        finally:
            for _, server in running.values():
                server.stop()
    return {"samples": samples, "failed": failed}


def combine(samples: list[dict[str, Any]], failed: dict[str, list[str]]) -> list[dict[str, Any]]:
    """One row per (server, app, type, connections): medians over the rounds.

    A pair that failed its checks, or a cell with a failed run, posts no figure.
    """
    groups: dict[tuple[str, str, str, int], list[dict[str, Any]]] = {}
    for sample in samples:
        key = (sample["server"], sample["app"], sample["type"], sample["connections"])
        groups.setdefault(key, []).append(sample)
    rows = []
    for (server, app, kind, connections), group in groups.items():
        row: dict[str, Any] = {
            "server": server,
            "app": app,
            "type": kind,
            "connections": connections,
            "rounds": len(group),
        }
        bad = [s for s in group if s["status"] != "ok"]
        if f"{server}:{app}" in failed or bad:
            row.update(status="FAILED", error=bad[0]["error"] if bad else "failed its checks")
        else:
            row["status"] = "ok"
            for figure in ("requests_per_second", "p50_ms", "p99_ms"):
                row[figure] = statistics.median(s[figure] for s in group)
        rows.append(row)
    return rows


def smoke(options: Options, counter: QueryCounter, log: bool = True) -> dict[str, list[str]]:
    """Every pair's full verification, no timings: ``{pair: problems}`` (empty when right)."""
    found: dict[str, list[str]] = {}
    for pair in options.pairs:
        types = tuple(t for t in options.types if t in pair.app.types)
        try:
            running = start(pair.server, pair.app.name, options.env, None)
        except RuntimeError as exc:
            found[pair.key] = [str(exc)]
        else:
            try:
                found[pair.key] = verify_app(running.port, types, counter)
            finally:
                running.stop()
        if log:
            problems = found[pair.key]
            status = "ok" if not problems else "WRONG: " + "; ".join(problems[:5])
            print(f"{pair.key:28} {status}", flush=True)
    return found
