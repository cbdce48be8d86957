"""Where sync code runs under ASGI (``loop_guard.py``): on the loop until it proves it blocks.

The test client runs the ASGI app on an event loop in the calling (main) thread, so a view
that reports ``MainThread`` ran on the loop; a worker thread's name starts with ``tumbler``.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import threading
import time
from collections.abc import Iterator

import pytest

from tumbler import Response, Tumbler, after_this_request, g, loop_guard
from tumbler.loop_guard import GC_PAUSES, STRIKES, GCPauses, LoopGuard

LOOP = "MainThread"


def _thread() -> str:
    return threading.current_thread().name


@pytest.fixture
def slow_app(app: Tumbler) -> Tumbler:
    """An app with a fast endpoint and one whose sync code takes 30 ms (limit: 10 ms)."""
    app.config["ASGI_SYNC_BLOCK_LIMIT"] = 0.01

    @app.before_request
    def remember() -> None:
        g.hook_thread = _thread()

    @app.route("/fast")
    def fast() -> str:
        return f"{g.hook_thread} {_thread()}"

    @app.route("/slow")
    def slow() -> str:
        time.sleep(0.03)
        return f"{g.hook_thread} {_thread()}"

    return app


def test_auto_is_the_default_and_runs_sync_code_on_the_loop(app: Tumbler) -> None:
    @app.route("/")
    def view() -> str:
        return _thread()

    assert app.config["ASGI_SYNC_IN_THREADS"] == "auto"
    client = app.test_client(protocol="asgi")
    assert [client.get("/").text for _ in range(3)] == [LOOP] * 3


def test_an_endpoint_that_blocks_moves_to_threads_after_its_strikes(
    slow_app: Tumbler, caplog: pytest.LogCaptureFixture
) -> None:
    client = slow_app.test_client(protocol="asgi")
    with caplog.at_level(logging.WARNING, logger=slow_app.logger.name):
        answers = [client.get("/slow").text for _ in range(STRIKES + 2)]
        fast = client.get("/fast").text
    # The hook and the view of one request always share a thread.
    for text in answers:
        hook, view = text.split()
        assert hook == view
    assert [text.split()[1] == LOOP for text in answers] == [True] * STRIKES + [False] * 2
    assert answers[-1].split()[1].startswith("tumbler")
    assert fast == f"{LOOP} {LOOP}"  # the other endpoint stays on the loop
    warnings = [r.getMessage() for r in caplog.records if "held the event loop" in r.getMessage()]
    assert len(warnings) == 1
    assert "'slow'" in warnings[0]
    assert "ASGI_SYNC_IN_THREADS" in warnings[0]


def test_after_an_async_hook_the_sync_view_is_judged_too(slow_app: Tumbler) -> None:
    @slow_app.before_request
    async def first() -> None:
        g.seen_async = True

    client = slow_app.test_client(protocol="asgi")
    threads = [client.get("/slow").text.split()[1] for _ in range(STRIKES + 1)]
    assert threads[:STRIKES] == [LOOP] * STRIKES
    assert threads[-1].startswith("tumbler")


def test_false_keeps_slow_code_on_the_loop(slow_app: Tumbler) -> None:
    slow_app.config["ASGI_SYNC_IN_THREADS"] = False
    client = slow_app.test_client(protocol="asgi")
    assert [client.get("/slow").text for _ in range(STRIKES + 2)] == [f"{LOOP} {LOOP}"] * (
        STRIKES + 2
    )
    assert not slow_app.asgi_app.guard.threaded  # type: ignore[union-attr]


def test_true_runs_every_request_on_a_worker_thread(slow_app: Tumbler) -> None:
    slow_app.config["ASGI_SYNC_IN_THREADS"] = True
    text = slow_app.test_client(protocol="asgi").get("/fast").text
    hook, view = text.split()
    assert hook == view
    assert view.startswith("tumbler")


def test_a_slow_sync_stream_moves_to_threads_between_chunks(app: Tumbler) -> None:
    app.config["ASGI_SYNC_BLOCK_LIMIT"] = 0.01

    @app.route("/stream")
    def stream() -> Iterator[str]:
        def chunks() -> Iterator[str]:
            for _ in range(STRIKES + 2):
                time.sleep(0.02)
                yield _thread() + "\n"

        return chunks()

    lines = app.test_client(protocol="asgi").get("/stream").text.split()
    assert lines[:STRIKES] == [LOOP] * STRIKES
    assert all(name.startswith("tumbler") for name in lines[STRIKES:])
    assert len(lines) == STRIKES + 2


def test_requests_that_match_no_rule_are_judged_as_one_endpoint(app: Tumbler) -> None:
    app.config["ASGI_SYNC_BLOCK_LIMIT"] = 0.01
    threads: list[str] = []

    @app.before_request
    def slow_hook() -> None:
        threads.append(_thread())
        time.sleep(0.02)

    client = app.test_client(protocol="asgi")
    statuses = [client.get(f"/missing/{i}").status_code for i in range(STRIKES + 1)]
    assert statuses == [404] * (STRIKES + 1)
    assert threads[:STRIKES] == [LOOP] * STRIKES
    assert threads[-1].startswith("tumbler")
    assert None in app.asgi_app.guard.threaded  # type: ignore[union-attr]


@pytest.fixture
def x_app(app: Tumbler) -> Tumbler:
    """An app with one endpoint, ``x``, and a 10 ms limit, for timing runs by hand."""
    app.config["ASGI_SYNC_BLOCK_LIMIT"] = 0.01

    @app.route("/x")
    def x() -> str:
        return "x"

    return app


def test_guard_counts_only_runs_over_the_limit(x_app: Tumbler) -> None:
    app = x_app
    guard = LoopGuard()
    with app.test_request_context("/x") as ctx:
        for _ in range(10):
            guard.timed(ctx, 0.009)
        assert guard.threaded == set()
        for _ in range(STRIKES - 1):
            guard.timed(ctx, 0.02)
        assert guard.threaded == set()
        guard.timed(ctx, 0.02)
        assert guard.threaded == {"x"}


def test_a_slow_sync_callback_of_an_async_view_is_judged(app: Tumbler) -> None:
    app.config["ASGI_SYNC_BLOCK_LIMIT"] = 0.01
    threads: list[str] = []

    @app.before_request
    async def first() -> None:
        g.seen = True

    @app.route("/slow")
    async def slow() -> str:
        @after_this_request
        def late(response: Response) -> None:
            threads.append(_thread())
            time.sleep(0.02)

        return "ok"

    client = app.test_client(protocol="asgi")
    for _ in range(STRIKES + 1):
        assert client.get("/slow").text == "ok"
    assert threads[:STRIKES] == [LOOP] * STRIKES
    assert threads[-1].startswith("tumbler")
    assert "slow" in app.asgi_app.guard.threaded  # type: ignore[union-attr]


def test_garbage_collector_pauses_are_not_strikes(app: Tumbler) -> None:
    # A full collection lands in whatever run allocates at that moment; it is not the
    # endpoint's doing. The view's own work is tiny; the collection takes longer than the limit.
    app.config["ASGI_SYNC_BLOCK_LIMIT"] = 0.002
    collections: list[float] = []

    @app.route("/collects")
    def collects() -> str:
        began = time.perf_counter()
        gc.collect()
        collections.append(time.perf_counter() - began)
        return _thread()

    client = app.test_client(protocol="asgi")
    answers = [client.get("/collects").text for _ in range(STRIKES + 2)]
    # Installed at the first slow run: the first collection was a strike, no later one.
    assert GC_PAUSES in gc.callbacks
    assert min(collections) > 0.002, "the test needs a collection longer than the limit"
    assert answers == [LOOP] * (STRIKES + 2)
    assert app.asgi_app.guard.threaded == set()  # type: ignore[union-attr]


def test_a_slow_run_is_judged_without_the_pauses_within_it(x_app: Tumbler) -> None:
    app = x_app
    guard = LoopGuard()
    pauses = GCPauses()
    with app.test_request_context("/x") as ctx, _recorded(pauses):
        now = time.perf_counter()
        pauses.recent.append((now, 0.015))  # a 15 ms pause that just ended
        for _ in range(STRIKES):
            guard.timed(ctx, 0.02)  # 20 ms, 15 of them the collector's: 5 ms
        assert guard.threaded == set()
        pauses.recent.clear()
        pauses.recent.append((now - 1.0, 0.015))  # a pause before the run began
        for _ in range(STRIKES):
            guard.timed(ctx, 0.02)
        assert guard.threaded == {"x"}


def test_the_pause_record_keeps_the_recent_pauses() -> None:
    pauses = GCPauses()
    pauses("start", {"generation": 0})
    pauses("stop", {"generation": 0, "collected": 0, "uncollectable": 0})
    assert len(pauses.recent) == 1
    end, seconds = pauses.recent[0]
    assert 0 <= seconds < 1
    assert pauses.since(end) == seconds
    assert pauses.since(end + 1) == 0
    for _ in range(100):
        pauses("start", {"generation": 0})
        pauses("stop", {"generation": 0, "collected": 0, "uncollectable": 0})
    assert len(pauses.recent) == pauses.recent.maxlen
    assert pauses not in gc.callbacks  # only the process's record is installed


@contextlib.contextmanager
def _recorded(pauses: GCPauses) -> Iterator[None]:
    """Let the guard read ``pauses`` instead of the process's record."""
    saved = loop_guard.GC_PAUSES
    loop_guard.GC_PAUSES = pauses
    try:
        yield
    finally:
        loop_guard.GC_PAUSES = saved
