"""An event loop on a virtual clock, so timeouts in tests cannot depend on the machine's load.

``run_virtual(coro)`` is ``asyncio.run(coro)`` on a loop whose ``time()`` only moves when the
loop has nothing left to do but wait for a timer: it then jumps straight to that timer. So
``asyncio.sleep(0.06)`` under a 0.1 s timeout always ends first, however long the machine
stalls the process, and a test of a 2-second wait takes no real time.

While work runs on a thread (``run_in_executor``, ``asyncio.to_thread``) the clock stands
still and the loop waits for the thread for real, as it waits for sockets: only idle waits
are skipped. Code that reads ``time.monotonic()`` itself is not affected; code under test
reads ``loop.time()``.
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Callable, Coroutine
from concurrent.futures import Executor
from typing import Any, TypeVar

from tumbler.threads import runs_in_flight

__all__ = ["VirtualClockLoop", "run_virtual"]

T = TypeVar("T")

#: How long (real seconds) the loop waits at a time for a thread before looking again.
_THREAD_POLL = 0.05


class _Selector(selectors.DefaultSelector):
    """Polls for I/O without waiting, and lets the loop's clock jump when it would idle."""

    loop: VirtualClockLoop

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        ready = super().select(0)
        if ready or timeout == 0:
            return ready
        loop = self.loop
        if loop.threads_at_work or runs_in_flight():  # a thread's result will wake the loop:
            # wait for it, for real (runs_in_flight: tumbler's per-request worker threads)
            return super().select(_THREAD_POLL if timeout is None else min(timeout, _THREAD_POLL))
        if timeout is None:  # no timer at all: only I/O or another thread can wake the loop
            return super().select(None)
        loop.advance(timeout)  # idle until the next timer: skip to it
        return []


class VirtualClockLoop(asyncio.SelectorEventLoop):
    """A selector event loop whose clock advances only across idle waits."""

    def __init__(self) -> None:
        selector = _Selector()
        selector.loop = self
        super().__init__(selector)
        self._now = 1000.0
        #: Executor jobs started and not yet finished.
        self.threads_at_work = 0

    def time(self) -> float:
        """The virtual time, in seconds."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward (the loop does this itself when it would wait idle)."""
        self._now += seconds

    def run_in_executor(  # type: ignore[override]
        self, executor: Executor | None, func: Callable[..., T], *args: Any
    ) -> asyncio.Future[T]:
        """As the base loop, counting the job until it is done (the clock waits for it)."""
        future = super().run_in_executor(executor, func, *args)
        self.threads_at_work += 1
        future.add_done_callback(self._job_done)
        return future

    def _job_done(self, future: asyncio.Future[Any]) -> None:
        self.threads_at_work -= 1


def run_virtual(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coro)`` on a ``VirtualClockLoop``."""
    with asyncio.Runner(loop_factory=VirtualClockLoop) as runner:
        return runner.run(coro)
