"""Measurement 1: every framework x scenario in-process, checked first, timed in rounds.

1. Build each framework's apps; a framework that does not import is skipped (with the error).
2. Check every answer (status, body, the ``user_lang`` cookie, headers). A wrong answer or an
   exception marks the pair FAILED and it is not timed.
3. Calibrate each pair's batch size so one batch takes about ``batch_seconds``.
4. Rounds: each round times every pair once, in a freshly shuffled order, so drift on a noisy
   machine hits all pairs alike. ``gc.collect()`` runs between batches, not inside them.
5. Check the answers again, so an app that breaks while being timed is FAILED too.

The figure quoted for a pair is the median, over the rounds, of the per-request time of a batch.
"""

from __future__ import annotations

import asyncio
import gc
import random
import statistics
import traceback
from dataclasses import dataclass, field
from typing import Any

from .apps import Framework
from .drivers import ASGIDriver, Driver, WSGIDriver
from .scenarios import Scenario, check

__all__ = ["Pair", "Suite", "run_suite"]


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

    @property
    def key(self) -> str:
        return f"{self.framework.name}/{self.scenario.name}"

    @property
    def median_ns(self) -> float | None:
        return statistics.median(self.samples_ns) if self.samples_ns else None

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

    def check_placement(self) -> None:
        """Warn when tumbler's loop guard moved endpoints to worker threads during the run.

        Its figure then mixes requests on the loop with requests that hopped to a thread
        (a pause of the machine landing in two runs of one endpoint can do that).
        """
        guard = getattr(getattr(self.driver, "app", None), "guard", None)
        moved = sorted(str(e) for e in getattr(guard, "threaded", ()))
        if moved:
            self.warning = f"the loop guard moved {', '.join(moved)} to worker threads"

    def as_json(self) -> dict[str, Any]:
        return {
            "framework": self.framework.name,
            "scenario": self.scenario.name,
            "status": self.status,
            "error": self.error,
            "warning": self.warning,
            "iterations_per_batch": self.iterations,
            "samples_ns_per_request": [round(s, 1) for s in self.samples_ns],
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


def run_suite(suite: Suite, rounds: int, batch_seconds: float, seed: int, log: bool) -> None:
    """Calibrate, then time ``rounds`` interleaved rounds; check the answers again at the end."""
    for pair in suite.ready():
        calibrate(pair, batch_seconds)
        gc.collect()
    shuffler = random.Random(seed)
    for round_number in range(rounds):
        order = suite.ready()
        shuffler.shuffle(order)
        for pair in order:
            per_request = _timed(pair, pair.iterations)
            if pair.driver is not None:
                pair.samples_ns.append(per_request)
            gc.collect()
        if log:
            print(f"  round {round_number + 1}/{rounds}: {len(order)} pairs timed", flush=True)
    for pair in suite.ready():
        pair.verify()
        pair.check_placement()


def smoke(suite: Suite, iterations: int) -> None:
    """Serve each pair a few times (answers checked before and after); nothing is timed."""
    for pair in suite.ready():
        if pair.driver is not None:
            _timed(pair, iterations)
            pair.iterations = iterations
    for pair in suite.ready():
        pair.verify()
