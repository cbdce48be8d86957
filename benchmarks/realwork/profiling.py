"""Where a server's time goes under load: py-spy on one (server, app) pair while wrk runs.

``python -m benchmarks.realwork.profiling SERVER APP TYPE [SECONDS]`` starts the private
database and the pair (server on CPU 0, wrk and PostgreSQL on CPU 1, as the benchmark),
loads ``TYPE`` at 64 connections and samples the server's processes with py-spy (only the
stacks holding the GIL: the Python work that competes for the core). It prints the functions
with the most samples on top of the stack (own time) and, for frames in the frameworks, the
share of samples they appear in (time under them), and writes that summary to
``benchmarks/results/realwork-profile-<server>-<app>-<type>.txt``.
"""

from __future__ import annotations

import collections
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from .database import Cluster
from .run import LOAD_CPU, SERVER_CPU, Cell, run_wrk
from .servers import SERVERS, start
from .spec import TYPES

__all__ = ["main", "summarise"]

RESULTS = Path(__file__).resolve().parent.parent / "results"
PACKAGES = ("tumbler", "flask", "werkzeug", "falcon", "starlette", "quart", "blacksheep")


def _frame_name(frame: str) -> str:
    """``func (path/to/module.py:12)`` → ``func (module.py)``."""
    name, _, where = frame.partition(" (")
    path = where.rsplit(":", 1)[0]
    parts = path.split("/")
    short = "/".join(parts[-2:]) if len(parts) > 1 else path
    return f"{name} ({short})"


def summarise(collapsed: str, top: int = 25) -> str:
    """Own-time and inclusive-time tables from py-spy's ``raw`` (collapsed) stacks."""
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [_frame_name(f) for f in stack.split(";") if " (" in f]
        if frames:
            own[frames[-1]] += count
        for frame in set(frames):
            if any(f"{package}/" in frame or f"({package}" in frame for package in PACKAGES):
                inclusive[frame] += count
    if not total:
        return "no samples"
    lines = [f"{total} samples (GIL held)", "", "own time (top of stack):"]
    lines += [f"  {n / total:6.1%}  {name}" for name, n in own.most_common(top)]
    lines += ["", "time under framework functions (inclusive):"]
    lines += [f"  {n / total:6.1%}  {name}" for name, n in inclusive.most_common(top)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 3 or args[0] not in SERVERS or args[2] not in TYPES:
        raise SystemExit(__doc__)
    server, app, kind = SERVERS[args[0]], args[1], args[2]
    seconds = int(args[3]) if len(args) > 3 else 6
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    with Cluster(cpu=LOAD_CPU) as db:
        env = {"REALWORK_DSN": db.dsn, "REALWORK_URL": db.url, "REALWORK_POOL": "16"}
        running = start(server, app, env, SERVER_CPU)
        try:
            cell = Cell(kind, 64)
            run_wrk(running.port, cell, 1)
            load = threading.Thread(target=run_wrk, args=(running.port, cell, seconds + 2))
            load.start()
            with tempfile.TemporaryDirectory() as folder:
                out = Path(folder) / "stacks.txt"
                subprocess.run(
                    [spy, "record", "--pid", str(running.process.pid), "--subprocesses",
                     "--gil", "--rate", "250", "--duration", str(seconds), "--format", "raw",
                     "--output", str(out)],
                    capture_output=True, check=True, timeout=seconds + 60,
                )  # fmt: skip
                collapsed = out.read_text(encoding="utf-8")
            load.join()
        finally:
            running.stop()
    report = f"{server.name} {app} {kind}, {seconds} s at 64 connections\n{summarise(collapsed)}\n"
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"realwork-profile-{server.name}-{app}-{kind}.txt").write_text(
        report, encoding="utf-8"
    )
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
