"""``python -m benchmarks.realwork``: TechEmpower's test types against a real PostgreSQL.

Starts a private PostgreSQL cluster, then for every (server, app) pair: starts the server,
verifies every answer against the database, and (unless ``--smoke``) loads it with wrk in
interleaved rounds. Writes ``benchmarks/results/realwork.{json,md,png}``; ``--docs`` also
refreshes the real-work section of ``docs/performance.md`` and ``docs/img/realwork.png``.
``--smoke`` checks every pair's answers with a handful of requests, times nothing, writes
nothing, and exits 1 when an answer is wrong.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from ..machine import describe
from .apps.registry import APPS
from .database import Cluster, QueryCounter
from .report import chart, markdown
from .run import LOAD_CPU, Options, combine, measure, pairs, smoke
from .servers import SERVERS
from .spec import TYPES

__all__ = ["main", "refresh", "results"]

ROOT = Path(__file__).resolve().parent.parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DOCS = ROOT / "docs"
BEGIN, END = "<!-- realwork:begin -->", "<!-- realwork:end -->"
PACKAGES = (
    "tumbler-web", "tumbler", "flask", "falcon", "starlette", "quart", "blacksheep",
    "gunicorn", "uvicorn", "granian", "httptools", "uvloop", "psycopg", "psycopg-binary",
    "psycopg-pool", "asyncpg", "jinja2",
)  # fmt: skip


def _names(value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


def _ints(value: str) -> list[int]:
    return [int(name) for name in _names(value)]


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.realwork", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="check answers only; no timings")
    parser.add_argument("--report", action="store_true", help="rebuild the report from JSON")
    parser.add_argument("--docs", action="store_true", help="also refresh docs/performance.md")
    parser.add_argument("--servers", type=_names, help=f"of {', '.join(SERVERS)}")
    parser.add_argument("--apps", type=_names, help=f"of {', '.join(APPS)}")
    parser.add_argument("--types", type=_names, default=list(TYPES), help="test types")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=2, help="per timed run (wrk: whole s)")
    parser.add_argument("--warmup", type=int, default=1, help="s of load after each start")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--sweep", type=_ints, default=[16, 64, 256], help="e.g. 16,32,64,128,256")
    parser.add_argument("--sweep-types", type=_names, default=["db", "fortunes"])
    parser.add_argument("--pool", type=int, default=16, help="connections per database pool")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--results", type=Path, default=RESULTS)
    return parser.parse_args(argv)


def _versions() -> dict[str, str]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def _wrk_version() -> str:
    try:
        done = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "wrk (version unknown)"
    return (done.stdout + done.stderr).strip().splitlines()[0].split(" Copyright")[0].strip()


def _options(args: argparse.Namespace, env: dict[str, str]) -> Options:
    unknown = [t for t in args.types if t not in TYPES]
    if unknown:
        raise SystemExit(f"unknown test type(s): {', '.join(unknown)}")
    chosen = pairs(args.servers, args.apps)
    if not chosen:
        raise SystemExit("no (server, app) pair matches --servers/--apps")
    return Options(
        pairs=chosen,
        types=list(args.types),
        connections=args.connections,
        sweep=tuple(args.sweep),
        sweep_types=tuple(args.sweep_types),
        seconds=args.seconds,
        warmup=args.warmup,
        rounds=args.rounds,
        seed=args.seed,
        env=env,
    )


def refresh(page: str, report: str) -> str:
    """``page`` with the text between the real-work markers replaced by ``report``."""
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(page):
        raise SystemExit(f"docs/performance.md has no {BEGIN} ... {END} block to refresh")
    return pattern.sub(lambda _: f"{BEGIN}\n{report}\n{END}", page, count=1)


def _write(data: dict[str, Any], results: Path, docs: bool) -> None:
    results.mkdir(parents=True, exist_ok=True)
    (results / "realwork.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    chart(data, results / "realwork.png")
    (results / "realwork.md").write_text(markdown(data, "realwork.png"), encoding="utf-8")
    print(f"wrote {results / 'realwork.json'}, realwork.md, realwork.png")
    if docs:
        shutil.copyfile(results / "realwork.png", DOCS / "img" / "realwork.png")
        page = DOCS / "performance.md"
        text = page.read_text(encoding="utf-8")
        page.write_text(refresh(text, markdown(data, "img/realwork.png")), encoding="utf-8")
        print(f"refreshed {page} and docs/img/realwork.png")


def _stop_on_sigterm() -> None:
    """SIGTERM ends the run like Ctrl-C, so the database and servers are stopped."""

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def _needs(*programs: str) -> None:
    missing = [p for p in programs if shutil.which(p) is None]
    if missing:
        raise SystemExit(
            f"{', '.join(missing)} not found: apt-get install {' '.join(missing)} "
            "(taskset is in util-linux)"
        )


def main(argv: list[str] | None = None) -> int:
    """Run, and on Ctrl-C or SIGTERM stop the servers and the database and exit 130."""
    try:
        return _main(parse_args(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:
        print("interrupted: servers and database stopped", file=sys.stderr)
        return 130


def _main(args: argparse.Namespace) -> int:
    if args.report:
        data = json.loads((args.results / "realwork.json").read_text(encoding="utf-8"))
        _write(data, args.results, args.docs)
        return 0
    if not args.smoke:
        _needs("wrk", "taskset")
    _stop_on_sigterm()
    pinned = LOAD_CPU if not args.smoke and (os.cpu_count() or 1) > 1 else None
    with Cluster(cpu=pinned) as db:
        env = {"REALWORK_DSN": db.dsn, "REALWORK_URL": db.url, "REALWORK_POOL": str(args.pool)}
        options = _options(args, env)
        counter = QueryCounter(db.dsn)
        try:
            if args.smoke:
                found = smoke(options, counter)
                wrong = [key for key, problems in found.items() if problems]
                print(f"\n{len(found) - len(wrong)} of {len(found)} apps answer correctly; "
                      f"{len(wrong)} wrong. No timings taken.")  # fmt: skip
                return 1 if wrong else 0
            machine = describe()
            machine["packages"] = _versions()
            result = measure(options, counter)
        finally:
            counter.close()
        postgres = db.version
    data = results(options, machine, postgres, result)
    _write(data, args.results, args.docs)
    return 1 if result["failed"] else 0


def results(
    options: Options, machine: dict[str, Any], postgres: str, result: dict[str, Any]
) -> dict[str, Any]:
    """What realwork.json holds: the machine, the options, every sample and the medians."""
    return {
        "schema": 1,
        "machine": machine,
        "postgres": postgres,
        "wrk": _wrk_version(),
        "options": {
            "connections": options.connections,
            "sweep": list(options.sweep),
            "sweep_types": list(options.sweep_types),
            "seconds": options.seconds,
            "warmup": options.warmup,
            "rounds": options.rounds,
            "pool": int(options.env.get("REALWORK_POOL", "16")),
            "types": options.types,
        },
        "pairs": [p.key for p in options.pairs],
        "failed": result["failed"],
        "rows": combine(result["samples"], result["failed"]),
        "samples": result["samples"],
    }
