"""cProfile of the in-process loop: where a framework spends its time for one scenario.

``python -m benchmarks.profiling FRAMEWORK SCENARIO [REQUESTS] [TOP]`` prints the top
functions by own time (tottime). Over ASGI, a sync tumbler app runs its hooks and view on a
worker thread that cProfile would not see; every thread started during the run gets its own
profiler and the stats are merged with the main thread's. Waiting shows up as time in lock
``acquire`` (worker idle) and ``epoll.poll`` (loop waiting for the worker): that is the
thread hop's latency, not CPU work.
"""

from __future__ import annotations

import asyncio
import cProfile
import gc
import io
import pstats
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

from .apps import by_name as frameworks_by_name
from .drivers import ASGIDriver, Driver, WSGIDriver
from .scenarios import by_name as scenarios_by_name
from .scenarios import check

__all__ = ["profile"]


class _Snapshot:
    """What ``pstats.Stats`` accepts: an object with ``stats`` and ``create_stats``."""

    def __init__(self, profiler: cProfile.Profile) -> None:
        profiler.snapshot_stats()
        self.stats = profiler.stats

    def create_stats(self) -> None:
        pass


#: Built-ins that only wait: a worker idle for work, the loop idle for a worker's result.
_WAITS = (
    "<method 'get' of '_queue.SimpleQueue' objects>",
    "<method 'poll' of 'select.epoll' objects>",
    "<method 'acquire' of '_thread.lock' objects>",
)


def _drop_waits(stats: pstats.Stats) -> float:
    """Remove the waiting built-ins from ``stats``; the seconds they took."""
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    waited = 0.0
    for key in [k for k in table if k[2] in _WAITS]:
        waited += table.pop(key)[2]
    stats.total_tt = sum(entry[2] for entry in table.values())  # type: ignore[attr-defined]
    return waited


def _waits(profiler: cProfile.Profile) -> float:
    """Seconds one thread's profiler spent in the waiting built-ins."""
    stats = pstats.Stats(cast(Any, _Snapshot(profiler)), stream=io.StringIO())
    return _drop_waits(stats)


def thread_hop_us(requests: int = 10_000) -> float:
    """Median µs of a bare ``await loop.run_in_executor(pool, f)`` round trip, for context."""
    pool = ThreadPoolExecutor(max_workers=4)
    loop = asyncio.new_event_loop()

    def nothing() -> None:
        pass

    async def hops(n: int) -> float:
        begin = time.perf_counter_ns()
        for _ in range(n):
            await loop.run_in_executor(pool, nothing)
        return (time.perf_counter_ns() - begin) / n / 1000

    try:
        loop.run_until_complete(hops(1000))
        return statistics.median(loop.run_until_complete(hops(requests)) for _ in range(5))
    finally:
        loop.close()
        pool.shutdown()


def _nothing() -> None:
    pass


async def _executor_hops(pool: ThreadPoolExecutor, n: int) -> None:
    loop = asyncio.get_running_loop()
    for _ in range(n):
        await loop.run_in_executor(pool, _nothing)


async def _held_hops(workers: Any, n: int) -> None:
    from tumbler.threads import RequestThread

    thread = RequestThread(workers)
    for _ in range(n):
        await thread.run(_nothing)
    thread.release()


async def _taken_hops(workers: Any, n: int) -> None:
    from tumbler.threads import RequestThread

    for _ in range(n):
        thread = RequestThread(workers)
        await thread.run(_nothing)
        thread.release()


async def _anyio_hops(_: Any, n: int) -> None:
    import anyio.to_thread

    for _ in range(n):
        await anyio.to_thread.run_sync(_nothing)


async def _timed(way: Any, arg: Any, n: int) -> float:
    begin = time.perf_counter_ns()
    await way(arg, n)
    return (time.perf_counter_ns() - begin) / n / 1000


def hop_comparison(requests: int = 5_000, rounds: int = 7) -> dict[str, float]:
    """Median µs of one round trip to a worker thread and back, four ways, interleaved.

    * ``run_in_executor``: ``await loop.run_in_executor(pool, f)`` (a concurrent future
      chained to an asyncio future);
    * ``request_thread``: ``await thread.run(f)`` on a request's thread already held
      (tumbler's hop between the sync runs of one request);
    * ``request_thread_take``: take a thread from the pool, one run, give it back (the
      whole cost for a request with one stretch of sync code);
    * ``anyio``: ``anyio.to_thread.run_sync(f)`` (what Starlette does for a ``def``
      endpoint), when anyio is installed.

    The rounds interleave the ways, so a slow spell of a shared machine hits all of them.
    """
    from tumbler.threads import WorkerPool

    pool = ThreadPoolExecutor(max_workers=4)
    workers = WorkerPool(4)
    ways: dict[str, tuple[Any, Any]] = {
        "run_in_executor": (_executor_hops, pool),
        "request_thread": (_held_hops, workers),
        "request_thread_take": (_taken_hops, workers),
    }
    try:
        import anyio.to_thread  # noqa: F401 - only whether it is there
    except ImportError:  # pragma: no cover - depends on the environment
        pass
    else:
        ways["anyio"] = (_anyio_hops, None)
    samples: dict[str, list[float]] = {name: [] for name in ways}
    loop = asyncio.new_event_loop()
    try:
        for way, arg in ways.values():
            loop.run_until_complete(way(arg, 500))  # warm-up: threads started
        for _ in range(rounds):
            for name, (way, arg) in ways.items():
                samples[name].append(loop.run_until_complete(_timed(way, arg, requests)))
        loop.run_until_complete(workers.close())
    finally:
        loop.close()
        pool.shutdown()
    return {name: statistics.median(values) for name, values in samples.items()}


def profile(framework_name: str, scenario_name: str, requests: int, top: int = 15) -> str:
    """The pstats table (top ``top`` by tottime) for ``requests`` requests after a warm-up."""
    framework = frameworks_by_name([framework_name])[0]
    scenario = scenarios_by_name([scenario_name])[0]
    thread_profilers: list[cProfile.Profile] = []

    def start_thread_profiler(frame: Any, event: str, arg: Any) -> None:
        profiler = cProfile.Profile()
        thread_profilers.append(profiler)
        profiler.enable()

    threading.setprofile(start_thread_profiler)
    loop = asyncio.new_event_loop()
    try:
        app = framework.create(scenario.app)
        driver: Driver = (
            WSGIDriver(app, scenario)
            if framework.protocol == "wsgi"
            else ASGIDriver(app, scenario, loop)
        )
        problem = check(scenario, driver.answer())
        if problem:
            return f"{framework_name}/{scenario_name}: FAILED ({problem}), not profiled\n"
        driver.run(1000)
        for profiler in thread_profilers:
            profiler.clear()
        gc.collect()
        main = cProfile.Profile()
        main.enable()
        driver.run(requests)
        main.disable()
    finally:
        threading.setprofile(None)
    loop_waited = _waits(main)
    workers_idle = sum(_waits(profiler) for profiler in thread_profilers)
    stats = pstats.Stats(main, stream=io.StringIO())
    for profiler in thread_profilers:
        stats.add(cast(Any, _Snapshot(profiler)))
    _drop_waits(stats)
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.strip_dirs().sort_stats("tottime").print_stats(top)
    loop.close()
    header = (
        f"### {framework_name} / {scenario_name}: {requests:,} requests, top {top} by tottime\n"
    )
    if thread_profilers:
        header += (
            f"\n{len(thread_profilers)} worker thread(s) profiled and merged in. Left out of "
            f"the table: the event loop waiting in epoll.poll for the worker "
            f"{loop_waited:.3f} s ({loop_waited / requests * 1e6:.1f} µs/request under the "
            f"profiler), worker threads idle {workers_idle:.3f} s. For scale, a bare "
            f"run_in_executor round trip takes {thread_hop_us():.1f} µs here unprofiled.\n"
        )
    body = "\n".join(line.rstrip() for line in out.getvalue().strip().splitlines())
    return header + "\n" + body + "\n"


def main(argv: list[str]) -> int:
    if argv[:1] == ["--hops"]:
        figures = hop_comparison(int(argv[1]) if len(argv) > 1 else 5_000)
        base = figures["run_in_executor"]
        for name, us in figures.items():
            print(f"{name:22} {us:7.1f} µs  ({us / base:.2f}x run_in_executor)")
        return 0
    if not 2 <= len(argv) <= 4:
        print(
            "usage: python -m benchmarks.profiling FRAMEWORK SCENARIO [REQUESTS] [TOP]\n"
            "       python -m benchmarks.profiling --hops [ROUND_TRIPS]",
            file=sys.stderr,
        )
        return 2
    requests = int(argv[2]) if len(argv) > 2 else 20_000
    top = int(argv[3]) if len(argv) > 3 else 15
    print(profile(argv[0], argv[1], requests, top))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
