"""Resident memory growth over many requests in one process.

Run as ``python -m benchmarks.memory FRAMEWORK SCENARIO REQUESTS`` (the runner does, in a
fresh process per measurement, so nothing else has touched the heap): after a warm-up of
10,000 requests and a ``gc.collect()``, VmRSS is read from /proc/self/status; then REQUESTS
requests are served in chunks with VmRSS sampled after each, and read once more after a final
``gc.collect()``. The result is one JSON object on stdout.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import time
from typing import Any

from .apps import by_name as frameworks_by_name
from .drivers import ASGIDriver, Driver, WSGIDriver
from .scenarios import by_name as scenarios_by_name
from .scenarios import check

__all__ = ["measure", "rss_kib"]

WARMUP = 10_000
CHUNKS = 10


def rss_kib() -> int:
    """This process's resident set size in KiB (VmRSS in /proc/self/status)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def measure(framework_name: str, scenario_name: str, requests: int) -> dict[str, Any]:
    """Serve ``requests`` requests after the warm-up; the RSS samples and the growth."""
    framework = frameworks_by_name([framework_name])[0]
    scenario = scenarios_by_name([scenario_name])[0]
    app = framework.create(scenario.app)
    loop = asyncio.new_event_loop()
    driver: Driver = (
        WSGIDriver(app, scenario)
        if framework.protocol == "wsgi"
        else ASGIDriver(app, scenario, loop)
    )
    problem = check(scenario, driver.answer())
    if problem:
        return {"framework": framework_name, "scenario": scenario_name, "error": problem}
    driver.run(WARMUP)
    gc.collect()
    baseline = rss_kib()
    samples = []
    chunk = max(1, requests // CHUNKS)
    began = time.perf_counter()
    done = 0
    while done < requests:
        n = min(chunk, requests - done)
        driver.run(n)
        done += n
        samples.append({"requests": done, "rss_kib": rss_kib()})
    elapsed = time.perf_counter() - began
    gc.collect()
    final = rss_kib()
    problem = check(scenario, driver.answer())
    loop.close()
    return {
        "framework": framework_name,
        "scenario": scenario_name,
        "requests": requests,
        "warmup": WARMUP,
        "baseline_rss_kib": baseline,
        "final_rss_kib": final,
        "growth_kib": final - baseline,
        "peak_growth_kib": max(s["rss_kib"] for s in samples) - baseline,
        "samples": samples,
        "seconds": round(elapsed, 2),
        "error": problem or "",
    }


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: python -m benchmarks.memory FRAMEWORK SCENARIO REQUESTS", file=sys.stderr)
        return 2
    result = measure(argv[0], argv[1], int(argv[2]))
    print(json.dumps(result))
    return 1 if result["error"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
