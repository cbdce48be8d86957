"""The request lifecycle's steps as app methods, with Flask's names, and the sync/async bridges.

A mixin of ``Tumbler``. The pipeline (``lifecycle/pipeline.py``) decides the order once; each
step is also a method here, so a subclass that overrides one, or an extension that replaces
one on the instance, changes what happens under both servers (``step_overrides``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .context import _cv_context, _sentinel
from .http.exceptions import HTTPException
from .http.protocol_requests import ASGIRequest, WSGIRequest, protocol_request_class
from .http.request import Request
from .http.response import Response
from .lifecycle import pipeline
from .lifecycle.drive import drive_sync
from .lifecycle.handler import Handler
from .lifecycle.hooks import HookSet
from .threads import ensure_async, ensure_sync, run_async

__all__ = ["AppSteps"]


class AppSteps:
    """Flask's overridable lifecycle steps; ``ensure_sync`` and ``ensure_async``."""

    #: The request class views see: a subclass of ``Request`` may add properties, as in Flask.
    request_class: type[Request] = Request
    #: What the WSGI and ASGI adapters build (``request_class`` mixed into theirs).
    wsgi_request_class: type[WSGIRequest] = WSGIRequest
    asgi_request_class: type[ASGIRequest] = ASGIRequest
    #: The lifecycle steps (``pipeline.STEPS``) a subclass or this instance replaced.
    step_overrides: dict[str, Handler]

    if TYPE_CHECKING:
        url_value_preprocessors: Any
        before_request_funcs: Any
        after_request_funcs: Any
        teardown_request_funcs: Any
        teardown_appcontext_funcs: Any

    # The lifecycle steps, with Flask's names -------------------------------------------------
    # The pipeline calls these by name when a subclass or the instance replaces one (as
    # Flask-CORS replaces handle_exception); the defaults run the pipeline's own step right
    # here, sync hooks inline and async ones through ``run_async``.

    def _find_step_overrides(self) -> dict[str, Handler]:
        from .app import Tumbler as tumbler_class  # the defaults (this is its mixin)

        found: dict[str, Handler] = {}
        for name in pipeline.STEPS:
            own = self.__dict__.get(name)
            default = getattr(tumbler_class, name)
            if own is not None:
                if getattr(own, "__func__", None) is default and own.__self__ is self:
                    continue  # the default, put back (monkeypatch's undo does this)
                found[name] = Handler(own)
            elif getattr(type(self), name) is not default:
                found[name] = Handler(getattr(self, name))
        return found

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name in pipeline.STEPS:
            self.step_overrides = self._find_step_overrides()
        elif name == "request_class":
            self._protocol_request_classes()

    def _protocol_request_classes(self) -> None:
        """The classes the adapters build requests with: the protocol's, with ``request_class``."""
        user = self.request_class
        self.wsgi_request_class = protocol_request_class(WSGIRequest, user)
        self.asgi_request_class = protocol_request_class(ASGIRequest, user)

    def __delattr__(self, name: str) -> None:
        super().__delattr__(name)
        if name in pipeline.STEPS:
            self.step_overrides = self._find_step_overrides()

    def _step(self, step: Any, *args: Any, request_needed: bool = True) -> Any:
        """Run one of the pipeline's steps here, for the context being handled."""
        ctx = _cv_context.get()
        if ctx is None or (request_needed and ctx.request is None):
            raise RuntimeError(f"{step.__name__}() needs an active request.")
        if ctx.hooks is None:  # a hand-pushed app context: the app's own callbacks
            ctx.hooks = HookSet.build(
                (),
                self.url_value_preprocessors,
                self.before_request_funcs,
                self.after_request_funcs,
                self.teardown_request_funcs,
                self.teardown_appcontext_funcs,
            )
        return drive_sync(step(self, ctx, *args), run_async)

    def preprocess_request(self) -> Any:
        """Run the URL value preprocessors and ``before_request`` hooks; non-None answers."""
        return self._step(pipeline.preprocess_request)

    def dispatch_request(self) -> Any:
        """Call the view with the URL's values; return what it returned."""
        return self._step(pipeline.dispatch_request)

    def full_dispatch_request(self) -> Response:
        """Preprocess, dispatch, handle a user exception, then finalize: the response."""
        response: Response = self._step(pipeline.full_dispatch_request)
        return response

    def finalize_request(self, rv: Any, from_error_handler: bool = False) -> Response:
        """Make the response from ``rv``, run ``process_response``, send request_finished."""
        response: Response = self._step(pipeline.finalize_request, rv, from_error_handler)
        return response

    def process_response(self, response: Response) -> Response:
        """Run this request's callbacks and the ``after_request`` hooks, then save the session."""
        result: Response = self._step(pipeline.process_response, response)
        return result

    def handle_user_exception(self, e: Exception) -> Any:
        """The error handler's answer for ``e``; re-raised when no handler matches."""
        return self._step(pipeline.handle_user_exception, e)

    def handle_http_exception(self, e: HTTPException) -> Any:
        """The handler's answer for an HTTP error, or the error itself as the response."""
        return self._step(pipeline.handle_http_exception, e)

    def handle_exception(self, e: Exception) -> Response:
        """Log an unhandled exception and answer 500 (or re-raise, ``PROPAGATE_EXCEPTIONS``)."""
        response: Response = self._step(pipeline.handle_exception, e)
        return response

    def do_teardown_request(self, exc: BaseException | None = _sentinel) -> None:
        """Call the ``teardown_request`` callbacks (blueprints', then the app's) with ``exc``
        (by default the exception being handled); send request_tearing_down.

        The pipeline calls it at the end of each request, and popping a hand-pushed request
        context calls it. A callback that raises is logged and the others still run.
        """
        if exc is _sentinel:
            exc = sys.exc_info()[1]
        self._step(pipeline.do_teardown_request, exc, request_needed=False)

    def do_teardown_appcontext(self, exc: BaseException | None = _sentinel) -> None:
        """Call the ``teardown_appcontext`` callbacks, last registered first, with ``exc``;
        send appcontext_tearing_down. Also when a hand-pushed app context is popped."""
        if exc is _sentinel:
            exc = sys.exc_info()[1]
        self._step(pipeline.do_teardown_appcontext, exc, request_needed=False)

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """``func`` callable from sync code (Flask): an ``async def`` one waits for its result.

        Under ASGI, on a request's worker thread, the coroutine runs on the server's event
        loop; under WSGI on the thread's long-lived loop (never a new loop per call).
        """
        return ensure_sync(func)

    def ensure_async(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """``func`` awaitable from async code: a sync one runs on the request's thread."""
        return ensure_async(func)
