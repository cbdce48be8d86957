"""Idle timeouts for ASGI request bodies: one timer per event loop, not one per message.

``asyncio.timeout`` around each ``receive()`` pushes a timer handle on the loop's heap and
cancels it again: 3.8 µs a message here, more than everything else a small POST costs the
adapter. Instead, a body read registers once, stamps the time when it starts waiting for a
message, and one callback per tick (a quarter of the shortest timeout, at most a second)
cancels the reads that have waited longer than their timeout. The read then sees
``expired`` and answers 408 (``asgi._read_body``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

__all__ = ["IdleRead", "IdleTimer"]

T = TypeVar("T")

_MAX_TICK = 1.0
_MIN_TICK = 0.01


def _tick(timeout: float) -> float:
    return max(_MIN_TICK, min(_MAX_TICK, timeout / 4))


class IdleRead:
    """One body read: when it started waiting for a message, and whether it ran out of time."""

    __slots__ = ("expired", "since", "task", "timeout")

    def __init__(self, task: asyncio.Task[object], timeout: float) -> None:
        self.task = task
        self.timeout = timeout
        #: Loop time when the read started waiting for its next message; None while not waiting.
        self.since: float | None = None
        self.expired = False


class IdleTimer:
    """Every body read in flight on one event loop, checked by a single repeating callback."""

    __slots__ = ("_handle", "_reads", "_tick", "loop")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._reads: set[IdleRead] = set()
        self._handle: asyncio.TimerHandle | None = None
        self._tick = _MAX_TICK

    def start(self, timeout: float) -> IdleRead:
        """Watch the current task's body read; call ``stop`` when it is over."""
        task = asyncio.current_task(self.loop)
        assert task is not None, "a body read runs in a task"
        read = IdleRead(task, timeout)
        self._reads.add(read)
        tick = _tick(timeout)
        if self._handle is None or tick < self._tick:
            if self._handle is not None:
                self._handle.cancel()
            self._tick = tick
            self._handle = self.loop.call_later(tick, self._check)
        return read

    async def receive(self, read: IdleRead, receive: Callable[[], Awaitable[T]]) -> T | None:
        """``await receive()`` for ``read``; None when it waited longer than its timeout."""
        read.since = self.loop.time()
        try:
            return await receive()
        except asyncio.CancelledError:
            if read.expired and read.task.uncancel() == 0:  # our timer's doing, no one else's
                return None
            raise
        finally:
            read.since = None

    def stop(self, read: IdleRead) -> None:
        """The read is over (done, failed or cancelled)."""
        self._reads.discard(read)

    def _check(self) -> None:
        now = self.loop.time()
        shortest = None
        for read in list(self._reads):
            since = read.since
            if since is not None and now - since >= read.timeout:
                self._reads.discard(read)
                read.expired = True
                read.task.cancel()
            elif shortest is None or read.timeout < shortest:
                shortest = read.timeout
        if shortest is None:  # nothing left to watch: no timer until the next read
            self._handle = None
            return
        self._tick = _tick(shortest)
        self._handle = self.loop.call_later(self._tick, self._check)
