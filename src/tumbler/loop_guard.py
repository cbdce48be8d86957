"""Where sync user code runs under ASGI: on the event loop, or on a worker thread.

``ASGI_SYNC_IN_THREADS`` chooses:

* ``"auto"`` (the default): on the loop, timed. A thread hop costs tens of microseconds, ten
  times the whole request of a small app, so code that never blocks should not pay it. When
  an endpoint's sync code holds the loop longer than ``ASGI_SYNC_BLOCK_LIMIT`` seconds in
  ``STRIKES`` runs, that endpoint's sync code runs on worker threads from its next request
  on, and a warning says so once. A run is what executes between two awaits: the sync calls
  of a request up to its end or its next ``async def`` call, one chunk of a sync stream, the
  callbacks after the response. Two strikes, not one: an endpoint's first request often
  pays for imports, template compiles or a connection, once.
* ``True``: always on worker threads (the loop is never held by sync code).
* ``False``: always on the loop, untimed (for code known never to block).

Within one request the placement is fixed when it starts, so a hook and the view share one
thread (thread-locals keep working). A streamed sync body is the exception: it may move to
threads between two chunks, since a generator does not care which thread resumes it.

The garbage collector's pauses are not the endpoint's doing: a full collection of a large
heap takes tens of milliseconds and lands in whatever run allocates at that moment, so over
a long uptime it would give every busy endpoint its strikes. ``GC_PAUSES`` records the recent
pauses (a ``gc.callbacks`` entry, installed once per process at the first slow run) and a
slow run's time is counted without the pauses that ended within it. Nothing of this is on the
path of a fast run, and a process whose runs are never slow has no callback at all.
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Mapping
from time import perf_counter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .context import Context

__all__ = ["GC_PAUSES", "INLINE", "STRIKES", "THREADS", "TIMED", "GCPauses", "LoopGuard"]

#: Placements of one request's sync code.
INLINE, TIMED, THREADS = 0, 1, 2
#: Slow runs an endpoint may have on the loop before its sync code moves to threads.
STRIKES = 2


class GCPauses:
    """The garbage collector's most recent pauses, as (end, seconds) on ``perf_counter``."""

    __slots__ = ("_began", "recent")

    def __init__(self) -> None:
        self._began = 0.0
        #: Only the last few: a run longer than that many collections is slow anyway.
        self.recent: deque[tuple[float, float]] = deque(maxlen=16)

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = perf_counter()
        else:
            now = perf_counter()
            self.recent.append((now, now - self._began))

    def since(self, moment: float) -> float:
        """Seconds of collector pauses that ended at ``moment`` or later."""
        return sum(seconds for end, seconds in self.recent if end >= moment)

    def install(self) -> None:
        if self not in gc.callbacks:
            gc.callbacks.append(self)


#: The process's record of collector pauses, shared by every guard.
GC_PAUSES = GCPauses()


class LoopGuard:
    """The adapter's memory of which endpoints' sync code blocked the loop."""

    __slots__ = ("_strikes", "threaded")

    def __init__(self) -> None:
        #: Endpoints (None: requests that matched no rule) whose sync code runs on threads.
        self.threaded: set[str | None] = set()
        self._strikes: dict[str | None, int] = {}

    def placement(self, config: Mapping[str, Any], ctx: Context) -> int:
        """INLINE, TIMED or THREADS for the sync code of the request in ``ctx``."""
        mode = config["ASGI_SYNC_IN_THREADS"]
        if mode == "auto":
            return THREADS if endpoint_of(ctx) in self.threaded else TIMED
        return THREADS if mode else INLINE

    def timed(self, ctx: Context, seconds: float) -> None:
        """Count a run of ``seconds`` that just ended; move the endpoint at its last strike.

        The collector's pauses within the run do not count (module docstring).
        """
        config = ctx.app.config
        limit = float(config["ASGI_SYNC_BLOCK_LIMIT"])
        if seconds <= limit:
            return
        pauses = GC_PAUSES
        seconds -= pauses.since(perf_counter() - seconds)
        if seconds <= limit:
            return
        pauses.install()  # from the first slow run on (an app that never has one pays nothing)
        endpoint = endpoint_of(ctx)
        if endpoint in self.threaded:
            return
        strikes = self._strikes[endpoint] = self._strikes.get(endpoint, 0) + 1
        if strikes < STRIKES:
            return
        self.threaded.add(endpoint)
        self._strikes.pop(endpoint, None)
        ctx.app.logger.warning(
            "Sync code of endpoint %r held the event loop for %.1f ms (more than "
            "ASGI_SYNC_BLOCK_LIMIT = %g s, %d times); it runs on worker threads from now on. "
            "Set ASGI_SYNC_IN_THREADS to True or False to choose for every endpoint.",
            endpoint,
            seconds * 1000,
            limit,
            strikes,
        )


def endpoint_of(ctx: Context) -> str | None:
    """The endpoint a request matched; None for one that matched no rule."""
    rule = ctx.url_rule
    return None if rule is None else rule.endpoint
