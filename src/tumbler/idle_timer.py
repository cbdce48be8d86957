"""Idle timeouts for ASGI request bodies: one timer per event loop, not one per message.

``asyncio.timeout`` around each ``receive()`` pushes a timer handle on the loop's heap and
cancels it again: 3.8 µs a message here, more than everything else a small POST costs the
adapter. Instead, a task about to wait for a body message notes the time in ``waiting``
(``watch``) and removes itself when the message came; one callback per tick (a quarter of
the shortest timeout, at most a second) cancels the tasks that have waited longer than
their timeout. The read asks ``timed_out`` whether its ``CancelledError`` came from here,
and answers 408 (``asgi._read_body``).
"""

from __future__ import annotations

import asyncio
from typing import Any

__all__ = ["IdleTimer"]

_MAX_TICK = 1.0
_MIN_TICK = 0.01

Task = asyncio.Task[Any]


def _tick(timeout: float) -> float:
    return max(_MIN_TICK, min(_MAX_TICK, timeout / 4))


class IdleTimer:
    """The body reads waiting on one event loop, checked by a single repeating callback."""

    __slots__ = ("_expired", "_handle", "_tick", "loop", "waiting")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        #: Task -> (when it began waiting for its next message, its timeout). A read removes
        #: its entry when the message came (``waiting.pop(task, None)``).
        self.waiting: dict[Task, tuple[float, float]] = {}
        self._expired: set[Task] = set()
        self._handle: asyncio.TimerHandle | None = None
        self._tick = _MAX_TICK

    def watch(self, task: Task, timeout: float) -> None:
        """``task`` begins to wait for a body message, for at most ``timeout`` seconds."""
        self.waiting[task] = (self.loop.time(), timeout)
        if self._handle is None or timeout < self._tick * 4:
            tick = _tick(timeout)
            if self._handle is None or tick < self._tick:
                if self._handle is not None:
                    self._handle.cancel()
                self._tick = tick
                self._handle = self.loop.call_later(tick, self._check)

    def timed_out(self, task: Task) -> bool:
        """After a ``CancelledError`` in a watched wait: whether this timer alone caused it."""
        if task not in self._expired:
            return False
        self._expired.discard(task)
        return task.uncancel() == 0  # anyone else's cancel still stands

    def _check(self) -> None:
        now = self.loop.time()  # the loop's clock, which call_later uses too (and tests set)
        waiting = self.waiting
        shortest = None
        for task, (since, timeout) in list(waiting.items()):
            if now - since >= timeout:
                del waiting[task]
                self._expired.add(task)
                task.cancel()
            elif shortest is None or timeout < shortest:
                shortest = timeout
        if shortest is None:  # nothing left to watch: no timer until the next wait
            self._handle = None
            return
        self._tick = _tick(shortest)
        self._handle = self.loop.call_later(self._tick, self._check)
