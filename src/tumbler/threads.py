"""Where sync code runs when an event loop serves the app: one worker thread per request.

Rules of this module:

* A request takes a thread from a bounded pool (``ASGI_THREADS``) the first time it runs sync
  code, and keeps it until it ends: every sync run of that request (hooks, view, callbacks,
  teardown, each chunk of a sync body, on-close code) goes to the same thread, and no other
  request's code runs there in between. So ``threading.local`` state (SQLAlchemy's
  ``scoped_session``, a driver's connection) behaves as under a threaded WSGI server.
* A request that runs no sync code takes no thread.
* When every thread is held, requests wait for one in the order they asked (FIFO); the pool
  never grows past its size.
* A run goes to its thread through that thread's own queue and comes back with one
  ``call_soon_threadsafe``: no ``concurrent.futures.Future`` and no chained callbacks, so
  the hop costs less than ``loop.run_in_executor`` (docs/performance.md has the figures).
* Runs of one request are queued in order on its thread. A run whose awaiting task was
  cancelled (the client left) still finishes on the thread before the next one starts, so
  closing a generator after a cancelled ``next()`` is safe; and a thread goes back to the
  pool only when its last run finished.

``RequestThread`` is the object an adapter holds per request (or per websocket connection):
``await thread.run(func, *args)``, then ``thread.release()`` at the end.

``run_async`` is the other direction, for sync code that must run a coroutine
(``app.ensure_sync``): on a worker thread the coroutine runs on the server's event loop and
the thread waits for it; on any other thread (a WSGI server's) it runs on that thread's own
long-lived loop, made once and reused, never one per call.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
import weakref
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from queue import SimpleQueue
from typing import Any, TypeVar

from .context import _get_context
from .lifecycle.handler import ON_LOOP_ATTRIBUTE, is_async_callable

__all__ = [
    "RequestThread",
    "WorkerPool",
    "ensure_async",
    "ensure_sync",
    "run_async",
    "runs_in_flight",
    "sync_on_loop",
]

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

_STOP = None
_local = threading.local()


def sync_on_loop(view: F) -> F:
    """Mark a view's route as safe to run its sync code on the event loop (under ASGI).

    Every sync hook, the view, callbacks and teardown of a request to this route then run
    on the loop, with no thread hop. Use it only for code that never blocks: while it runs,
    no other request of the worker makes progress. Nothing is ever moved at run time.
    """
    setattr(view, ON_LOOP_ATTRIBUTE, True)
    return view


class _Worker:
    """One pool thread, taking runs from its own queue."""

    __slots__ = ("_pool", "pending", "queue", "release_when_idle", "thread")

    def __init__(self, pool: WorkerPool, number: int) -> None:
        # weakly: a pool no one uses any more is collected, and its finalizer stops us
        self._pool = weakref.ref(pool)
        self.queue: SimpleQueue[Any] = SimpleQueue()
        #: Runs submitted and not yet reported back (changed on the loop's thread only).
        self.pending = 0
        #: Its request ended while a run was still going: back to the pool when that ends.
        self.release_when_idle = False
        self.thread = threading.Thread(
            target=self._main, name=f"tumbler-sync-{number}", daemon=True
        )
        self.thread.start()

    def _main(self) -> None:
        get = self.queue.get
        while True:
            item = get()
            if item is _STOP:
                return
            future, context, func, args = item
            del item
            loop = future.get_loop()
            _local.server_loop = loop
            try:
                outcome: tuple[Any, BaseException | None] = (context.run(func, *args), None)
            except BaseException as error:  # reported to the awaiting task
                outcome = (None, error)
            # Nothing of the request stays referenced here once the loop hears of it (the
            # loop may finish the request before this thread runs another line).
            del context, func, args
            loop.call_soon_threadsafe(self._done, future, *outcome)
            del future, outcome

    def _done(self, future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
        """On the loop: report a run's outcome; give the thread back if its request ended."""
        self.pending -= 1
        if self.pending == 0 and self.release_when_idle:
            self.release_when_idle = False
            pool = self._pool()
            if pool is not None:
                pool.give_back(self)
        if future.cancelled():
            return
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)


class WorkerPool:
    """A bounded set of worker threads, lent out one per request, in the order asked."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("ASGI_THREADS must be at least 1")
        self.size = size
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._workers: list[_Worker] = []
        self._waiters: deque[asyncio.Future[_Worker]] = deque()
        self._drained: asyncio.Future[None] | None = None
        weakref.finalize(self, _stop, self._workers)  # (the list, not the pool)
        _POOLS.add(self)

    @property
    def started(self) -> int:
        """How many threads exist (they are started on demand, up to ``size``)."""
        return len(self._workers)

    @property
    def in_use(self) -> int:
        """How many threads requests hold right now."""
        return len(self._workers) - len(self._idle)

    async def acquire(self) -> _Worker:
        """A thread for one request: an idle one, a new one, or the next one given back."""
        with self._lock:
            if self._idle:
                return self._idle.pop()
            if len(self._workers) < self.size:
                worker = _Worker(self, len(self._workers) + 1)
                self._workers.append(worker)
                return worker
            waiter: asyncio.Future[_Worker] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            with self._lock:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
            if waiter.done() and not waiter.cancelled():  # handed over just as we left
                self.give_back(waiter.result())
            raise

    def give_back(self, worker: _Worker) -> None:
        """A request is done with ``worker``: hand it to the first waiter, or keep it idle."""
        with self._lock:
            while self._waiters:
                waiter = self._waiters.popleft()
                if not waiter.done():
                    waiter.get_loop().call_soon_threadsafe(self._hand, waiter, worker)
                    return
            self._idle.append(worker)
            drained = self._drained
            if drained is not None and len(self._idle) == len(self._workers):
                self._drained = None
                drained.get_loop().call_soon_threadsafe(_resolve, drained)

    def _hand(self, waiter: asyncio.Future[_Worker], worker: _Worker) -> None:
        if waiter.done():  # cancelled meanwhile: the next waiter gets it
            self.give_back(worker)
        else:
            waiter.set_result(worker)

    async def close(self) -> None:
        """Wait until no request holds a thread, then stop every thread.

        The pool can be used again afterwards (it starts threads on demand).
        """
        with self._lock:
            busy = len(self._idle) < len(self._workers)
            if busy:
                drained = self._drained = asyncio.get_running_loop().create_future()
        if busy:
            await drained
        with self._lock:
            workers = list(self._workers)
            self._workers.clear()
            self._idle.clear()
        _stop(workers)
        for worker in workers:
            await asyncio.to_thread(worker.thread.join)


_POOLS: weakref.WeakSet[WorkerPool] = weakref.WeakSet()


def runs_in_flight() -> int:
    """Sync runs submitted to worker threads and not yet reported back, in every pool.

    For tools that must know whether a thread's result is still to come (a test loop on a
    virtual clock waits for real while this is not zero).
    """
    return sum(worker.pending for pool in list(_POOLS) for worker in list(pool._workers))


def _stop(workers: list[_Worker]) -> None:
    for worker in workers:
        worker.queue.put(_STOP)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class RequestThread:
    """The worker thread of one request: ``await run(func, *args)`` runs there.

    The thread is taken from the pool at the first ``run`` (a request that runs no sync code
    takes none) and kept until ``release()``. Each run sees the ``contextvars`` of the task
    that awaits it, copied at that moment (as ``asyncio.to_thread`` does).
    """

    __slots__ = ("_pool", "_worker")

    def __init__(self, pool: WorkerPool) -> None:
        self._pool = pool
        self._worker: _Worker | None = None

    @property
    def holds_thread(self) -> bool:
        """Whether this request has taken a thread from the pool."""
        return self._worker is not None

    async def run(self, func: Callable[..., T], *args: Any) -> T:
        """Run ``func(*args)`` on this request's thread and return (or raise) its outcome."""
        worker = self._worker
        if worker is None:
            worker = self._worker = await self._pool.acquire()
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        worker.pending += 1
        worker.queue.put((future, contextvars.copy_context(), func, args))
        return await future

    def release(self) -> None:
        """The request ended: the thread goes back to the pool once its last run finished."""
        worker = self._worker
        if worker is None:
            return
        self._worker = None
        if worker.pending:
            worker.release_when_idle = True
        else:
            self._pool.give_back(worker)


# Sync code running a coroutine ---------------------------------------------------------------


class _ThreadLoop:
    """This thread's event loop; closed when the thread (and so this holder) goes away."""

    __slots__ = ("loop",)

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def __del__(self) -> None:
        if not self.loop.is_closed():
            self.loop.close()


async def _awaited(awaitable: Awaitable[T]) -> T:
    return await awaitable


def run_async(awaitable: Awaitable[T]) -> T:
    """Run ``awaitable`` to completion from sync code and return its result.

    On a worker thread of this module it runs on the server's event loop while the thread
    waits; elsewhere on this thread's long-lived loop. Called where an event loop is
    already running in this thread it raises RuntimeError: waiting there would block it.
    """
    server_loop: asyncio.AbstractEventLoop | None = getattr(_local, "server_loop", None)
    if server_loop is not None and not server_loop.is_closed():
        coro: Coroutine[Any, Any, T] = (
            awaitable if isinstance(awaitable, Coroutine) else _awaited(awaitable)
        )
        return asyncio.run_coroutine_threadsafe(coro, server_loop).result()
    if _running_loop() is not None:
        if isinstance(awaitable, Coroutine):
            awaitable.close()
        raise RuntimeError(
            "Cannot wait for a coroutine from sync code running on the event loop itself. "
            "Under ASGI this sync code was put on the loop on purpose (sync_on_loop or "
            "ASGI_SYNC_IN_THREADS = False): make the caller async and await instead."
        )
    holder: _ThreadLoop | None = getattr(_local, "holder", None)
    if holder is None:
        holder = _local.holder = _ThreadLoop()
    return holder.loop.run_until_complete(awaitable)


def own_loop() -> asyncio.AbstractEventLoop | None:
    """This thread's private loop of ``run_async``, if it was made."""
    holder: _ThreadLoop | None = getattr(_local, "holder", None)
    return None if holder is None else holder.loop


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


# Flask's ensure_sync / ensure_async -----------------------------------------------------------


def ensure_sync(func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` as a sync callable: an ``async def`` one is run through ``run_async``."""
    if not is_async_callable(func):
        return func

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return run_async(func(*args, **kwargs))

    return wrapper


def ensure_async(func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` as an ``async def`` callable: a sync one runs where the request's sync code runs.

    Under ASGI that is the request's worker thread (or the loop, for a route that opted in);
    under WSGI the server's thread itself, which only this request's private loop is waiting
    on; outside a request a thread of ``asyncio.to_thread``.
    """
    if is_async_callable(func):
        return func

    @functools.wraps(func)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = _get_context()
        if ctx is not None and ctx.sync_here:  # WSGI, or a route that opted in to the loop
            return func(*args, **kwargs)
        if ctx is not None and ctx.thread_lender is not None:  # ASGI: the request's thread
            thread = ctx.thread_lender.thread_for(ctx)
            return await thread.run(functools.partial(func, *args, **kwargs))
        if asyncio.get_running_loop() is own_loop():  # this thread's private loop
            return func(*args, **kwargs)
        return await asyncio.to_thread(func, *args, **kwargs)

    return wrapper
