"""``python -m benchmarks``: run the suite, write benchmarks/results/latest.{json,md,png}.

With no step flag every step runs: in-process, memory, HTTP (wrk) and profile. A step flag
(``--inprocess``, ``--memory``, ``--http``, ``--profile``) runs only the steps named; the
sections of the previous latest.json that were not re-measured are kept (each has its date).
``--smoke`` checks every framework's answers with a few requests, times nothing, writes
nothing, and exits non-zero if an answer is wrong or a framework cannot be imported.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from . import httpbench, inprocess
from .apps import by_name as frameworks_by_name
from .machine import describe, one_line
from .report import markdown, targets
from .scenarios import by_name as scenarios_by_name

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DOCS = ROOT / "docs"
STEPS = ("inprocess", "memory", "http", "profile")
DEFAULT_HTTP_SCENARIOS = "hello,seed_nocookie,seed_cookie,params_json,form,notfound"
MEMORY_RUNS = (("tumbler", "seed_nocookie"), ("tumbler-asgi", "seed_nocookie"))
PROFILE_RUNS = (
    ("tumbler", "hello"),
    ("tumbler", "seed_nocookie"),
    ("tumbler-asgi", "hello"),
    ("tumbler-asgi", "seed_nocookie"),
)
SCHEMA = 1


def _names(value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="check answers only; CI mode")
    for step in STEPS:
        parser.add_argument(f"--{step}", action="store_true", help=f"run the {step} step")
        parser.add_argument(f"--no-{step}", action="store_true", help=f"skip the {step} step")
    parser.add_argument("--frameworks", type=_names, help="comma-separated (default: all)")
    parser.add_argument("--scenarios", type=_names, help="comma-separated (default: all)")
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--batch-seconds", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=2024, help="for the round shuffles")
    parser.add_argument("--memory-requests", type=int, default=1_000_000)
    parser.add_argument(
        "--http-scenarios",
        type=_names,
        default=_names(DEFAULT_HTTP_SCENARIOS),
        help=f"comma-separated, or 'all' (default: {DEFAULT_HTTP_SCENARIOS})",
    )
    parser.add_argument("--http-seconds", type=float, default=2.0, help="per measured run")
    parser.add_argument("--http-rounds", type=int, default=3, help="runs per server x scenario")
    parser.add_argument("--profile-requests", type=int, default=20_000)
    parser.add_argument("--results", type=Path, default=RESULTS, help="output directory")
    parser.add_argument(
        "--docs", action="store_true", help="also refresh docs/performance.md and its chart"
    )
    return parser.parse_args(argv)


def _steps(args: argparse.Namespace) -> list[str]:
    chosen = [s for s in STEPS if getattr(args, s)]
    return [s for s in chosen or STEPS if not getattr(args, f"no_{s}")]


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env


# Steps -----------------------------------------------------------------------------------------


def run_smoke(args: argparse.Namespace) -> int:
    suite = inprocess.build_suite(
        frameworks_by_name(args.frameworks), scenarios_by_name(args.scenarios)
    )
    inprocess.smoke(suite, iterations=5)
    for pair in suite.pairs:
        print(f"{pair.status.upper():7} {pair.key}{': ' + pair.error if pair.error else ''}")
    failed, skipped = suite.failed(), suite.skipped
    print(
        f"\n{len(suite.pairs) - len(failed)} of {len(suite.pairs)} answers correct; "
        f"{len(failed)} wrong; {len(skipped)} framework(s) not importable. No timings taken."
    )
    return 1 if failed or skipped else 0


def run_inprocess(args: argparse.Namespace) -> tuple[dict[str, Any], bool]:
    frameworks = frameworks_by_name(args.frameworks)
    print(f"In-process: building and checking {len(frameworks)} frameworks", flush=True)
    suite = inprocess.build_suite(frameworks, scenarios_by_name(args.scenarios))
    for pair in suite.failed():
        print(f"  FAILED {pair.key}: {pair.error}")
    ready = len(suite.ready())
    print(
        f"  calibrating and timing {ready} pairs x {args.rounds} rounds "
        f"(~{ready * args.rounds * args.batch_seconds / 60:.1f} min)",
        flush=True,
    )
    fastest = inprocess.run_suite(suite, args.rounds, args.batch_seconds, args.seed, log=True)
    suite.loop.close()
    for pair in suite.failed():
        print(f"  FAILED {pair.key}: {pair.error}")
    versions = describe()["packages"]
    section = {
        "date": _now(),
        "config": {
            "rounds": args.rounds,
            "batch_seconds": args.batch_seconds,
            "shuffle_seed": args.seed,
            "gc": "enabled during batches; gc.collect() between them, the apps frozen (gc.freeze)",
            "clock": "time.perf_counter_ns",
            "speed_reference": {
                "what": "a fixed Python loop timed before and after every batch; a batch "
                "counts when both readings are within the tolerance of the run's fastest",
                "fastest_ns": round(fastest),
                "tolerance": inprocess.SPEED_TOLERANCE,
                "min_counted": inprocess.MIN_KEPT,
            },
        },
        "frameworks": [
            {
                "name": f.name,
                "protocol": f.protocol,
                "package": f.package,
                "version": versions.get(f.package),
                "note": f.note,
            }
            for f in frameworks
        ],
        "skipped": suite.skipped,
        "results": [pair.as_json() for pair in suite.pairs],
    }
    return section, bool(suite.failed())


def run_memory(args: argparse.Namespace) -> tuple[dict[str, Any], bool]:
    print(
        f"Memory: {args.memory_requests:,} requests per app, one fresh process each "
        f"({', '.join(f'{f} {s}' for f, s in MEMORY_RUNS)}), in parallel",
        flush=True,
    )
    command = [sys.executable, "-m", "benchmarks.memory"]
    processes = [
        subprocess.Popen(
            [*command, framework, scenario, str(args.memory_requests)],
            cwd=ROOT,
            env=_child_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for framework, scenario in MEMORY_RUNS
    ]
    results, failed = [], False
    deadline = time.monotonic() + 900
    for (framework, scenario), process in zip(MEMORY_RUNS, processes, strict=True):
        try:
            out, err = process.communicate(timeout=max(1.0, deadline - time.monotonic()))
            row = json.loads(out.strip().splitlines()[-1]) if out.strip() else None
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            out, err, row = "", "timed out after 900 s", None
        except ValueError:
            row = None
        if row is None:
            row = {"framework": framework, "scenario": scenario, "error": err.strip()[-500:]}
        failed = failed or bool(row.get("error"))
        results.append(row)
        shown = (
            f"growth {row['growth_kib'] * 1024 / 1e6:.2f} MB in {row['seconds']} s"
            if "growth_kib" in row
            else f"FAILED: {row['error']}"
        )
        print(f"  {framework} {scenario}: {shown}", flush=True)
    from .memory import WARMUP

    return {"date": _now(), "warmup": WARMUP, "results": results}, failed


def run_http(args: argparse.Namespace) -> tuple[dict[str, Any], bool]:
    environment = httpbench.environment()
    section: dict[str, Any] = {"date": _now(), "environment": environment, "results": []}
    section["seconds"] = args.http_seconds
    section["rounds"] = args.http_rounds
    if environment["problem"]:
        print(f"HTTP: skipped: {environment['problem']}")
        return section, False
    names = None if args.http_scenarios == ["all"] else args.http_scenarios
    scenarios = scenarios_by_name(names)
    runs = len(scenarios) * len(httpbench.servers()) * args.http_rounds
    print(
        f"HTTP: {runs} server runs ({environment['pinning']}; uvicorn {environment['uvicorn']}; "
        f"~{runs * (args.http_seconds + 2.5) / 60:.1f} min)",
        flush=True,
    )
    results = httpbench.run_http(
        scenarios, args.http_seconds, args.http_rounds, args.seed, log=True
    )
    section["results"] = [r.as_json() for r in results]
    return section, any(r.status != "ok" for r in results)


def run_profile(args: argparse.Namespace) -> dict[str, Any]:
    print("Profile: cProfile of tumbler's in-process loop", flush=True)
    texts = []
    for framework, scenario in PROFILE_RUNS:
        command = [
            sys.executable, "-m", "benchmarks.profiling",
            framework, scenario, str(args.profile_requests), "15",
        ]  # fmt: skip
        try:
            done = subprocess.run(
                command, cwd=ROOT, env=_child_env(), capture_output=True, text=True, timeout=300
            )
            texts.append(done.stdout.strip() or f"### {framework} / {scenario}: {done.stderr}")
        except subprocess.TimeoutExpired:
            texts.append(f"### {framework} / {scenario}: timed out")
    return {"date": _now(), "text": "\n\n".join(texts) + "\n"}


# Output ----------------------------------------------------------------------------------------


def _load_previous(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if data.get("schema") == SCHEMA else {}


def _write(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def write_outputs(data: dict[str, Any], directory: Path, docs: bool) -> None:
    from .chart import draw

    directory.mkdir(parents=True, exist_ok=True)
    _write(directory / "latest.json", json.dumps(data, indent=1) + "\n")
    draw(data, directory / "latest.png")
    report = markdown(data, "latest.png")
    _write(directory / "latest.md", report)
    if data.get("profile"):
        _write(directory / "profile.txt", data["profile"]["text"])
    print(f"Wrote {directory}/latest.json, latest.md, latest.png")
    if docs:
        update_docs(report, directory / "latest.png")


BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


def update_docs(report: str, chart: Path) -> None:
    """Copy the chart to docs/img and replace the results block of docs/performance.md."""
    page = DOCS / "performance.md"
    (DOCS / "img").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(chart, DOCS / "img" / "performance.png")
    text = page.read_text(encoding="utf-8") if page.exists() else ""
    if BEGIN not in text or END not in text:
        print(f"docs: {page} has no {BEGIN} … {END} block; not updated")
        return
    body = report.split("\n", 1)[1].strip()  # drop the page title
    body = body.replace("\n### ", "\n#### ").replace("\n## ", "\n### ")
    body = body.replace("![chart](latest.png)", "![chart](img/performance.png)")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    _write(page, f"{head}{BEGIN}\n{body}\n{END}{tail}")
    print(f"Updated {page} and docs/img/performance.png")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.smoke:
        return run_smoke(args)
    steps = _steps(args)
    began = time.monotonic()
    data = _load_previous(args.results / "latest.json")
    data["schema"] = SCHEMA
    data["machine"] = describe()
    print(f"Machine: {one_line(data['machine'])}; steps: {', '.join(steps)}", flush=True)
    failed = False
    if "inprocess" in steps:
        data["inprocess"], bad = run_inprocess(args)
        failed |= bad
    if "memory" in steps:
        data["memory"], bad = run_memory(args)
        failed |= bad
    if "http" in steps:
        data["http"], bad = run_http(args)
        failed |= bad
    if "profile" in steps:
        data["profile"] = run_profile(args)
    write_outputs(data, args.results, args.docs)
    print("\nTargets (from issue 3):")
    for target in targets(data):
        print(f"  {target.line()}")
    print(f"\nDone in {(time.monotonic() - began) / 60:.1f} min.")
    if failed:
        print("Some apps answered wrong or could not be measured: see FAILED above.")
    return 1 if failed else 0
