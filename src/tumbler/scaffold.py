"""The registration API that the app and blueprints share.

Registering only records: callables are wrapped in ``Handler`` (sync or async decided here,
once) and appended to per-scope lists. The app freezes them on its first request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .http.exceptions import HTTPException, default_exceptions
from .http.interop import is_werkzeug_http_class, twin
from .lifecycle.handler import Handler
from .templating import TemplateRegistry

__all__ = ["Scaffold", "endpoint_from_view"]

F = TypeVar("F", bound=Callable[..., Any])
ExceptionKey = type[BaseException] | int

# A scope is None for the app, or a blueprint's dotted name.
Scope = str | None


def endpoint_from_view(view: Callable[..., Any]) -> str:
    """Flask's default endpoint: the view function's name."""
    name = getattr(view, "__name__", None)
    if not name:
        raise ValueError("Cannot derive an endpoint from this view; pass endpoint=.")
    return str(name)


def exception_class(key: ExceptionKey) -> tuple[int | None, type[BaseException]]:
    """Resolve an ``errorhandler`` key to (status code or None, exception class)."""
    if isinstance(key, int):
        try:
            cls: type[BaseException] = default_exceptions[key]
        except KeyError:
            raise ValueError(
                f"'{key}' is not a recognized HTTP error code. Use a subclass of "
                "HTTPException with that code instead."
            ) from None
        return key, cls
    if isinstance(key, type) and issubclass(key, BaseException):
        key = twin(key)  # Werkzeug's NotFound is tumbler's NotFound
        if issubclass(key, HTTPException) or is_werkzeug_http_class(key):
            return getattr(key, "code", None), key
        return None, key
    if isinstance(key, BaseException):
        raise TypeError(f"{key!r} is an instance, not a class. Handlers take exception classes.")
    raise ValueError(f"'{key!r}' is not a subclass of Exception.")


class Scaffold(TemplateRegistry):
    """Hooks, routes and error handlers for one scope."""

    #: The scope name this object registers under (None for the app).
    name: str

    def __init__(self, import_name: str) -> None:
        self.import_name = import_name
        self.view_functions: dict[str, Callable[..., Any]] = {}
        self.before_request_funcs: dict[Scope, list[Handler]] = {}
        self.after_request_funcs: dict[Scope, list[Handler]] = {}
        self.teardown_request_funcs: dict[Scope, list[Handler]] = {}
        self.url_value_preprocessors: dict[Scope, list[Handler]] = {}
        self.url_default_functions: dict[Scope, list[Handler]] = {}
        self.template_context_processors: dict[Scope, list[Handler]] = {}
        # WebSocket hooks, by scope as the request ones (asgi_websocket.py freezes them)
        self.before_websocket_funcs: dict[Scope, list[Handler]] = {}
        self.after_websocket_funcs: dict[Scope, list[Handler]] = {}
        self.teardown_websocket_funcs: dict[Scope, list[Handler]] = {}
        # scope -> status code (None for class-only) -> exception class -> handler
        self.error_handler_spec: dict[
            Scope, dict[int | None, dict[type[BaseException], Handler]]
        ] = {}

    # Subclasses decide what "now" means (the app may refuse after its first request).

    def _check_setup(self, what: str) -> None:
        """Raise when registering is no longer allowed."""

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: Callable[..., Any] | None = None,
        provide_automatic_options: bool | None = None,
        **options: Any,
    ) -> None:
        """Connect a URL rule to a view function."""
        raise NotImplementedError

    # Routes -----------------------------------------------------------------------------

    def route(self, rule: str, **options: Any) -> Callable[[F], F]:
        """Register the decorated function as the view for ``rule``."""

        def decorator(f: F) -> F:
            endpoint = options.pop("endpoint", None)
            self.add_url_rule(rule, endpoint, f, **options)
            return f

        return decorator

    def _method_route(self, method: str, rule: str, options: dict[str, Any]) -> Callable[[F], F]:
        if "methods" in options:
            raise TypeError("Use the 'route' decorator to pass 'methods'.")
        return self.route(rule, methods=[method], **options)

    def get(self, rule: str, **options: Any) -> Callable[[F], F]:
        """Shortcut for ``route(rule, methods=["GET"])``."""
        return self._method_route("GET", rule, options)

    def post(self, rule: str, **options: Any) -> Callable[[F], F]:
        """Shortcut for ``route(rule, methods=["POST"])``."""
        return self._method_route("POST", rule, options)

    def put(self, rule: str, **options: Any) -> Callable[[F], F]:
        """Shortcut for ``route(rule, methods=["PUT"])``."""
        return self._method_route("PUT", rule, options)

    def patch(self, rule: str, **options: Any) -> Callable[[F], F]:
        """Shortcut for ``route(rule, methods=["PATCH"])``."""
        return self._method_route("PATCH", rule, options)

    def delete(self, rule: str, **options: Any) -> Callable[[F], F]:
        """Shortcut for ``route(rule, methods=["DELETE"])``."""
        return self._method_route("DELETE", rule, options)

    def endpoint(self, endpoint: str) -> Callable[[F], F]:
        """Register the decorated function as the view for an endpoint added elsewhere."""

        def decorator(f: F) -> F:
            self._check_setup("endpoint")
            self.view_functions[endpoint] = f
            return f

        return decorator

    # Hooks --------------------------------------------------------------------------------

    def _register(self, table: dict[Scope, list[Handler]], f: F, what: str) -> F:
        self._check_setup(what)
        table.setdefault(None, []).append(Handler(f))
        return f

    def before_request(self, f: F) -> F:
        """Run ``f()`` before each request; a non-None return value answers the request."""
        return self._register(self.before_request_funcs, f, "before_request")

    def after_request(self, f: F) -> F:
        """Run ``f(response)`` after each request; return a response, or None to keep it."""
        return self._register(self.after_request_funcs, f, "after_request")

    def teardown_request(self, f: F) -> F:
        """Run ``f(error)`` when each request ends, whatever happened; return value ignored."""
        return self._register(self.teardown_request_funcs, f, "teardown_request")

    def url_value_preprocessor(self, f: F) -> F:
        """Run ``f(endpoint, view_args)`` before the before_request hooks; may edit the args."""
        return self._register(self.url_value_preprocessors, f, "url_value_preprocessor")

    def url_defaults(self, f: F) -> F:
        """Run ``f(endpoint, values)`` when a URL is built; may fill in missing values."""
        return self._register(self.url_default_functions, f, "url_defaults")

    def context_processor(self, f: F) -> F:
        """Run ``f()`` when a template renders; its dict is added to the template context."""
        return self._register(self.template_context_processors, f, "context_processor")

    # WebSockets ---------------------------------------------------------------------------

    def websocket(self, rule: str, **options: Any) -> Callable[[F], F]:
        """Register the decorated function as the WebSocket handler for ``rule`` (ASGI only).

        It may be ``async def`` or a plain ``def`` (run on a worker thread); it talks through
        ``tumbler.websocket``. Under WSGI, requests to ``rule`` get a 426.
        """

        def decorator(f: F) -> F:
            endpoint = options.pop("endpoint", None)
            if "methods" in options:
                raise TypeError("A websocket route takes no 'methods'.")
            self.add_url_rule(
                rule, endpoint, f, provide_automatic_options=False, websocket=True, **options
            )
            return f

        return decorator

    def before_websocket(self, f: F) -> F:
        """Run ``f()`` before each WebSocket handler; a non-None return refuses the handshake."""
        return self._register(self.before_websocket_funcs, f, "before_websocket")

    def after_websocket(self, f: F) -> F:
        """Run ``f(response)`` after each WebSocket handler (``response`` is usually None)."""
        return self._register(self.after_websocket_funcs, f, "after_websocket")

    def teardown_websocket(self, f: F) -> F:
        """Run ``f(error)`` when each WebSocket connection ends, whatever happened."""
        return self._register(self.teardown_websocket_funcs, f, "teardown_websocket")

    # Errors ---------------------------------------------------------------------------------

    def errorhandler(self, code_or_exception: ExceptionKey) -> Callable[[F], F]:
        """Handle an HTTP status code or an exception class (and its subclasses) with ``f``."""

        def decorator(f: F) -> F:
            self.register_error_handler(code_or_exception, f)
            return f

        return decorator

    def register_error_handler(
        self, code_or_exception: ExceptionKey, f: Callable[..., Any]
    ) -> None:
        """Non-decorator form of ``errorhandler``."""
        self._check_setup("errorhandler")
        code, cls = exception_class(code_or_exception)
        self.error_handler_spec.setdefault(None, {}).setdefault(code, {})[cls] = Handler(f)
