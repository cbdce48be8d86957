"""The rules around the pipeline that both adapters apply: each one written here, once.

* ``appcontext_pushed`` and ``appcontext_popped`` are sent as calls through the driver
  (``context_pushed``, ``context_popped``), like every other user code: a sync receiver runs
  where the request's sync code runs.
* After the response went out, something is left to do when teardown is still due (a
  streamed body), or the response has ``call_on_close`` callbacks, or the app has
  ``after_response`` hooks (``needs_finish``; ``pipeline.finish`` does it).
* A response to HEAD sends no body; its body iterable is closed unread (``sends_body``).
* An error raised while a streamed body is produced cannot reach the client as a response:
  the status line is gone. It becomes the request's error (teardown receives it) and is
  logged (``stream_failed``); then the body ends without completing, so the client sees a
  truncated response: under WSGI the error propagates from the iterable after teardown,
  under ASGI the final body message is never sent.
* A client that left while its body was being sent is no error of the app: the send's
  ``OSError`` is logged at debug level, without a traceback (``client_left``).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from ..signals import appcontext_popped, appcontext_pushed
from .pipeline import Call, LifecycleApp, _log_exception

if TYPE_CHECKING:
    import logging

    from ..context import Context
    from ..http.response import Response

__all__ = [
    "BODILESS",
    "client_left",
    "context_popped",
    "context_pushed",
    "needs_finish",
    "sends_body",
    "stream_failed",
]


def context_pushed(app: Any) -> Generator[Call, Any, None]:
    """Send ``appcontext_pushed`` through the driver (drive it only when it has receivers)."""
    for call in appcontext_pushed.calls(app):
        _ = yield call  # (not `yield from`: a list cannot take what the driver sends)


def context_popped(app: Any) -> Generator[Call, Any, None]:
    """Send ``appcontext_popped`` through the driver (drive it only when it has receivers)."""
    for call in appcontext_popped.calls(app):
        _ = yield call  # (not `yield from`: a list cannot take what the driver sends)


def needs_finish(app: LifecycleApp, ctx: Context, response: Response) -> bool:
    """Whether ``pipeline.finish`` has work once the body went out (or the client left)."""
    return not ctx.torn_down or response._on_close is not None or app.after_response_hooks != ()


#: Methods whose response carries no body (``method not in BODILESS``: PERF, no call).
BODILESS = frozenset(("HEAD",))


def sends_body(method: str) -> bool:
    """Whether a response to ``method`` carries its body (not for HEAD)."""
    return method not in BODILESS


def stream_failed(app: LifecycleApp, ctx: Context, error: Exception) -> Generator[Call, Any, None]:
    """An error while producing a streamed body: the request's error, logged."""
    ctx.error = error
    yield from _log_exception(app, error)


def client_left(logger: logging.Logger, error: BaseException) -> None:
    """The client went away while its response was sent: a debug line, no traceback."""
    logger.debug("The client left before the response was complete (%s).", error)
