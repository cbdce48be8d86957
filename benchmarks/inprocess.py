"""Measurement 1: every framework x scenario in-process, checked first, timed in rounds.

1. Build each framework's apps; a framework that does not import is skipped (with the error).
2. Check every answer (status, body, the ``user_lang`` cookie, headers). A wrong answer or an
   exception marks the pair FAILED and it is not timed.
3. Calibrate each pair's batch size so one batch takes about ``batch_seconds``.
4. Rounds: each round times every pair once, in a freshly shuffled order, so drift on a noisy
   machine hits all pairs alike. ``gc.collect()`` runs between batches, not inside them, with
   what existed before the rounds frozen (``gc.freeze``) so that it stays cheap.
5. Check the answers again, so an app that breaks while being timed is FAILED too.

The figure quoted for a pair is the median, over the rounds, of the per-request time of a batch,
counting only the batches that ran while the machine ran at its normal speed. A shared machine
can slow down for seconds at a time (another tenant on the same core); a slow spell that covers
more of one pair's batches than of another's moves their ratio. So a fixed reference loop is
timed right before and right after every batch, and a batch counts when both readings are within
``SPEED_TOLERANCE`` of the fastest reading of the run. The raw samples and readings of every
batch stay in the JSON. A pair left with fewer than ``MIN_KEPT`` such batches keeps them all,
with a warning.
"""

from __future__ import annotations

import asyncio
import gc
import random
import statistics
import traceback
from dataclasses import dataclass, field
from time import perf_counter_ns
from typing import Any

from .apps import Framework
from .drivers import ASGIDriver, Driver, WSGIDriver
from .scenarios import Scenario, check

__all__ = ["MIN_KEPT", "SPEED_TOLERANCE", "Pair", "Suite", "reference_ns", "run_suite"]

#: A batch counts when the reference loop ran at most this much slower than its fastest.
SPEED_TOLERANCE = 0.2
#: The fewest counted batches a pair's median is taken over; with fewer, all of them count.
MIN_KEPT = 3


@dataclass
class Pair:
    """One framework serving one scenario, and what was measured."""

    framework: Framework
    scenario: Scenario
    driver: Driver | None = None
    status: str = "ok"  # "ok", "FAILED" or "skipped"
    error: str = ""
    #: Something the reader of a figure must know, though the answers were right.
    warning: str = ""
    iterations: int = 0
    samples_ns: list[float] = field(default_factory=list)
    #: The slower of the reference loop's two readings around each sample.
    reference_ns: list[float] = field(default_factory=list)
    #: Which samples count (the machine at its normal speed); all until ``select`` runs.
    kept: list[bool] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.framework.name}/{self.scenario.name}"

    @property
    def counted_ns(self) -> list[float]:
        """The samples the figure is made of."""
        if len(self.kept) != len(self.samples_ns):
            return self.samples_ns
        return [sample for sample, keep in zip(self.samples_ns, self.kept, strict=True) if keep]

    @property
    def median_ns(self) -> float | None:
        counted = self.counted_ns
        return statistics.median(counted) if counted else None

    def select(self, fastest_reference: float) -> None:
        """Keep the samples taken at normal speed (see the module docstring)."""
        limit = fastest_reference * (1 + SPEED_TOLERANCE)
        self.kept = [reading <= limit for reading in self.reference_ns]
        if sum(self.kept) < MIN_KEPT:
            self.kept = [True] * len(self.samples_ns)
            slow = "the machine ran slow during most of its batches: every batch counts"
            self.warning = f"{self.warning}; {slow}" if self.warning else slow

    def fail(self, error: str) -> None:
        self.status, self.error, self.driver = "FAILED", error, None

    def verify(self) -> None:
        """Check the answer; mark the pair FAILED when it is wrong or the app raised."""
        if self.driver is None:
            return
        try:
            problem = check(self.scenario, self.driver.answer())
        except Exception as exc:
            problem = _exception_text(exc)
        if problem:
            self.fail(problem)

    def as_json(self) -> dict[str, Any]:
        return {
            "framework": self.framework.name,
            "scenario": self.scenario.name,
            "status": self.status,
            "error": self.error,
            "warning": self.warning,
            "iterations_per_batch": self.iterations,
            "samples_ns_per_request": [round(s, 1) for s in self.samples_ns],
            "reference_ns": [round(r) for r in self.reference_ns],
            "counted": self.kept,
            "median_ns_per_request": self.median_ns,
        }


@dataclass
class Suite:
    """All the pairs, the frameworks skipped at import, and the event loop for ASGI."""

    pairs: list[Pair]
    skipped: dict[str, str]
    loop: asyncio.AbstractEventLoop

    def ready(self) -> list[Pair]:
        return [p for p in self.pairs if p.driver is not None]

    def failed(self) -> list[Pair]:
        return [p for p in self.pairs if p.status == "FAILED"]


def _exception_text(exc: BaseException) -> str:
    last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" at {last[0].filename}:{last[0].lineno}" if last else ""
    return f"{type(exc).__name__}: {exc}{where}"


def build_suite(frameworks: list[Framework], scenarios: list[Scenario]) -> Suite:
    """Build every app once per (framework, app) and check every pair's answer."""
    loop = asyncio.new_event_loop()
    pairs: list[Pair] = []
    skipped: dict[str, str] = {}
    for framework in frameworks:
        apps: dict[str, Any] = {}
        for scenario in scenarios:
            pair = Pair(framework, scenario)
            pairs.append(pair)
            if framework.name in skipped:
                pair.status, pair.error = "skipped", skipped[framework.name]
                continue
            try:
                if scenario.app not in apps:
                    apps[scenario.app] = framework.create(scenario.app)
            except ImportError as exc:
                skipped[framework.name] = _exception_text(exc)
                pair.status, pair.error = "skipped", skipped[framework.name]
                print(f"SKIP {framework.name}: cannot import it ({skipped[framework.name]})")
                continue
            except Exception as exc:
                pair.fail(f"building the app: {_exception_text(exc)}")
                continue
            app = apps[scenario.app]
            if framework.protocol == "wsgi":
                pair.driver = WSGIDriver(app, scenario)
            else:
                pair.driver = ASGIDriver(app, scenario, loop)
            pair.verify()
    return Suite(pairs, skipped, loop)


def _timed(pair: Pair, n: int) -> float:
    """Per-request nanoseconds of one batch of ``n``; FAILED (and nan) if the app raises."""
    assert pair.driver is not None
    try:
        return pair.driver.run(n) / n
    except Exception as exc:
        pair.fail(f"while timing: {_exception_text(exc)}")
        return float("nan")


def calibrate(pair: Pair, batch_seconds: float) -> None:
    """Pick the batch size that makes one batch take about ``batch_seconds``."""
    n = 1
    per_request = _timed(pair, n)
    while pair.driver is not None and per_request * n < 0.02e9 and n < 10_000_000:
        n = max(n * 2, int(0.025e9 / max(per_request, 1.0)))
        per_request = _timed(pair, n)
    if pair.driver is not None:
        pair.iterations = max(1, int(batch_seconds * 1e9 / per_request))


def _reference_work() -> int:
    """A fixed mix of what a request does in Python: calls, attribute and dict access."""
    table = {"a": 1, "b": 2}
    total = 0
    for i in range(4000):
        total += table.get("a", i) + len(str(i))
    return total


def reference_ns() -> float:
    """Nanoseconds the reference loop takes right now (about 1 ms on a quiet machine)."""
    begin = perf_counter_ns()
    _reference_work()
    return float(perf_counter_ns() - begin)


def run_suite(suite: Suite, rounds: int, batch_seconds: float, seed: int, log: bool) -> float:
    """Calibrate, time ``rounds`` interleaved rounds, check the answers again at the end.

    Returns the fastest reference reading of the run; each pair's counted samples are those
    taken within ``SPEED_TOLERANCE`` of it.
    """
    for pair in suite.ready():
        calibrate(pair, batch_seconds)
        gc.collect()
    # The apps, the frameworks and their imports are frozen out of the collector's view, so
    # the collection between two batches looks at what the batches made, not at the whole
    # heap (0.1 s or more a batch otherwise, with every framework's apps loaded).
    gc.freeze()
    try:
        return _rounds(suite, rounds, seed, log)
    finally:
        gc.unfreeze()


def _rounds(suite: Suite, rounds: int, seed: int, log: bool) -> float:
    shuffler = random.Random(seed)
    for round_number in range(rounds):
        order = suite.ready()
        shuffler.shuffle(order)
        for pair in order:
            before = reference_ns()
            per_request = _timed(pair, pair.iterations)
            after = reference_ns()
            if pair.driver is not None:
                pair.samples_ns.append(per_request)
                pair.reference_ns.append(max(before, after))
            gc.collect()
        if log:
            print(f"  round {round_number + 1}/{rounds}: {len(order)} pairs timed", flush=True)
    readings = [r for pair in suite.ready() for r in pair.reference_ns]
    fastest = min(readings) if readings else 0.0
    for pair in suite.ready():
        pair.verify()
        pair.select(fastest)
    return fastest


def smoke(suite: Suite, iterations: int) -> None:
    """Serve each pair a few times (answers checked before and after); nothing is timed."""
    for pair in suite.ready():
        if pair.driver is not None:
            _timed(pair, iterations)
            pair.iterations = iterations
    for pair in suite.ready():
        pair.verify()
