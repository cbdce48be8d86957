"""One worker thread for all of a connection's sync code, from a bounded set of threads.

A plain ``def`` WebSocket handler blocks in ``websocket.receive()`` for as long as the
client stays, and its sync hooks and teardown callbacks expect the thread-local state it
left (as under a threaded WSGI server). So a connection checks out one thread (a *lane*),
runs every sync call there in order, and gives it back when it ends. At most ``size``
lanes are out at once; a connection that needs one when none is free waits (asynchronously,
before its handler starts) until one is given back.

The interface is deliberately small (``ThreadLanes.acquire`` -> ``Lane.run`` /
``Lane.release``) so it can be replaced by the request adapter's per-request worker
mechanism. Idle threads end after ``IDLE_SECONDS`` without work.
"""

from __future__ import annotations

import asyncio
import contextvars
import queue
import threading
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["IDLE_SECONDS", "Lane", "ThreadLanes"]

T = TypeVar("T")
IDLE_SECONDS = 30.0

_Job = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", Callable[..., Any], tuple[Any, ...]]


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class _Worker:
    """A thread that runs jobs in order; the pool's release marker returns it to the pool."""

    def __init__(self, pool: ThreadLanes) -> None:
        self.pool = pool
        self.jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._work, name="tumbler-ws-sync", daemon=True)
        self.thread.start()

    def _work(self) -> None:
        while True:
            try:
                job = self.jobs.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                if self.pool._retire(self):
                    return
                continue
            if job is None:  # released: the connection is done with this thread
                self.pool._give_back(self)
                continue
            loop, future, func, args = job
            try:
                result, error = func(*args), None
            except BaseException as raised:  # handed to the awaiting coroutine
                result, error = None, raised
            try:
                loop.call_soon_threadsafe(_settle, future, result, error)
            except RuntimeError:  # the loop is closed: nobody waits any more
                pass
            del job, result, error


class Lane:
    """One checked-out worker thread: every ``run`` of a connection happens on it, in order."""

    __slots__ = ("_worker",)

    def __init__(self, worker: _Worker) -> None:
        self._worker: _Worker | None = worker

    async def run(self, func: Callable[..., T], *args: Any) -> T:
        """Run ``func(*args)`` on this lane's thread with the caller's context variables."""
        worker = self._worker
        assert worker is not None, "run() after release()"
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        run = contextvars.copy_context().run
        worker.jobs.put((loop, future, run, (func, *args)))
        return await future

    def release(self) -> None:
        """Give the thread back once the work already handed to it is done."""
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.jobs.put(None)


class ThreadLanes:
    """At most ``size`` lanes out at once, threads made on demand and reused."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("a lane pool needs at least one thread")
        self.size = size
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._threads = 0
        self._waiting: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[_Worker]]] = deque()

    @property
    def threads(self) -> int:
        """How many worker threads exist now (busy or idle)."""
        return self._threads

    async def acquire(self) -> Lane:
        """A lane of its own for the caller; waits while all ``size`` are out."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._idle:
                return Lane(self._idle.pop())
            if self._threads < self.size:
                self._threads += 1
                make = True
            else:
                make = False
                future: asyncio.Future[_Worker] = loop.create_future()
                self._waiting.append((loop, future))
        if make:
            return Lane(_Worker(self))
        return Lane(await future)

    def _give_back(self, worker: _Worker) -> None:
        """On the worker's thread: hand it to a waiting connection, or park it idle."""
        with self._lock:
            while self._waiting:
                loop, future = self._waiting.popleft()
                if future.done():
                    continue
                try:
                    loop.call_soon_threadsafe(self._hand_over, future, worker)
                except RuntimeError:  # that loop is closed
                    continue
                return
            self._idle.append(worker)

    def _hand_over(self, future: asyncio.Future[_Worker], worker: _Worker) -> None:
        """On the waiter's loop: give it the worker, or pass the worker on if it stopped waiting."""
        if future.cancelled():
            self._give_back(worker)
        else:
            future.set_result(worker)

    def _retire(self, worker: _Worker) -> bool:
        """Whether an idle worker may end (it is idle and nobody holds it)."""
        with self._lock:
            if worker in self._idle:
                self._idle.remove(worker)
                self._threads -= 1
                return True
            return False
