"""Advancing the pipeline generator: the part both drivers share.

``start`` runs the pipeline to its first call. ``run_calls`` executes calls and feeds their
results back until the pipeline finishes, or until it asks for an async call and no
``run_async`` was given (the ASGI driver then awaits that call on its event loop, and runs
``run_calls`` itself on the request's worker thread for each stretch of sync calls).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from typing import TYPE_CHECKING, Any, TypeVar

from .pipeline import Call

if TYPE_CHECKING:
    from ..context import Context
    from ..http.response import Response

__all__ = [
    "Step",
    "drive_request",
    "drive_sync",
    "resume",
    "run_calls",
    "run_calls_here",
    "start",
]

R = TypeVar("R")

# (the next call to make, or None when finished; the pipeline's result when finished)
Step = tuple[Call | None, Any]


def start(gen: Generator[Call, Any, R]) -> Step:
    """Run the pipeline up to its first call."""
    try:
        return gen.send(None), None
    except StopIteration as stop:
        return None, stop.value


def resume(gen: Generator[Call, Any, R], value: Any, error: BaseException | None) -> Step:
    """Send a call's result (or throw its exception) back and run to the next call."""
    try:
        if error is None:
            return gen.send(value), None
        return gen.throw(error), None
    except StopIteration as stop:
        return None, stop.value


def run_calls(
    gen: Generator[Call, Any, R],
    call: Call | None,
    run_async: Callable[[Awaitable[Any]], Any] | None,
) -> Step:
    """Make calls until the pipeline ends, or it wants an async call we cannot run here."""
    result: Any = None
    while call is not None:
        handler, args, kwargs = call
        try:
            if not handler.is_async:
                value = handler.func(*args, **kwargs)
            elif run_async is None:
                return call, None
            else:
                value = run_async(handler.func(*args, **kwargs))
        except BaseException as error:  # thrown back in: the pipeline decides
            call, result = resume(gen, None, error)
        else:
            try:
                call = gen.send(value)
            except StopIteration as stop:
                return None, stop.value
    return None, result


def run_calls_here(gen: Generator[Call, Any, R], call: Call, ctx: Context) -> Step:
    """``run_calls`` on the thread where the request's sync code belongs (under ASGI, its
    worker thread): while it runs, the pipeline calls sync code in place (``sync_here``)."""
    ctx.sync_here = True
    try:
        return run_calls(gen, call, None)
    finally:
        ctx.sync_here = False


def drive_sync(gen: Generator[Call, Any, R], run_async: Callable[[Awaitable[Any]], Any]) -> R:
    """Run the whole pipeline here: sync calls inline, async ones through ``run_async``."""
    try:
        call: Call | None = gen.send(None)
    except StopIteration as stop:
        result: R = stop.value
        return result
    _, value = run_calls(gen, call, run_async)
    result = value
    return result


def drive_request(
    gen: Generator[Call, Any, Response],
    ctx: Context,
    run_async: Callable[[Awaitable[Any]], Any],
) -> Response:
    """``drive_sync`` for ``handle``: the request's response.

    PERF: ``next()`` reports a pipeline that finished in one go (it made no call: a 404
    without hooks) without a ``StopIteration`` to catch; the response is then on the context.
    """
    call = next(gen, None)
    if call is None:
        response = ctx.response
        assert response is not None, "handle() leaves its response on the context"
        return response
    result: Response = run_calls(gen, call, run_async)[1]
    return result
