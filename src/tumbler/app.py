"""``Tumbler``: configuration, routes, error handlers and the two server entry points.

The app holds no lifecycle logic; ``lifecycle/pipeline.py`` has it. The app answers the
questions the pipeline asks (which error handler, how to make a response, how to log) and
builds the per-request ``Context``.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote_from_bytes, urljoin

from .app_resources import AppResources
from .app_serving import AppServing
from .app_steps import AppSteps
from .config import DEFAULT_CONFIG
from .context import Context, _cv_context
from .files import StaticFiles, static_view
from .http.datastructures import Headers
from .http.exceptions import HTTPException, MethodNotAllowed, RequestRedirect
from .http.interop import foreign_error_classes, is_foreign_headers, response_from_foreign
from .http.request import Request, blueprint_chain, untrusted_host
from .http.response import Response
from .http.websocket import WEBSOCKET_METHOD, http_error_for, websocket_scheme
from .instance import default_instance_path
from .json import DefaultJSONProvider, JSONProvider
from .lifecycle.handler import Handler
from .lifecycle.hooks import HookSet
from .logging import create_logger
from .routing import BuildError, Map, Rule, RuleRedirect
from .scaffold import Scaffold, endpoint_from_view
from .sessions import (
    SecureCookieSessionInterface,
    SessionInterface,
    SessionMixin,
    refresh_wanted,
)
from .templating import AppTemplating

if TYPE_CHECKING:
    from .asgi import ASGIAdapter
    from .blueprints import Blueprint
    from .cli import AppGroup
    from .wsgi import WSGIAdapter

__all__ = ["Tumbler"]

# Printable ASCII but space: kept as sent in a redirect's query; anything else is escaped.
_QUERY_SAFE = "".join(map(chr, range(0x21, 0x7F)))

F = TypeVar("F", bound=Callable[..., Any])

_FIRST_REQUEST_DONE = (
    "The setup method '{}' can no longer be called on the application. It has already "
    "handled its first request; register everything before the app starts serving."
)


def _root_path(import_name: str) -> str:
    module = sys.modules.get(import_name)
    filename = getattr(module, "__file__", None)
    if filename:
        return os.path.dirname(os.path.abspath(str(filename)))
    return os.getcwd()


def _foreign_http_error_response(error: Any) -> Any:
    """A Werkzeug HTTP error without a handler answers with its own response, as in Flask."""
    return error.get_response()


_FOREIGN_HTTP_ERROR = Handler(_foreign_http_error_response)


def _headers_like(value: Any) -> bool:
    """Whether the second item of a view's 2-tuple is headers (else it is the status)."""
    return isinstance(value, Headers | Mapping | list | tuple) or is_foreign_headers(value)


class Tumbler(StaticFiles, AppTemplating, AppResources, AppServing, AppSteps, Scaffold):
    """The application: create one, register views and hooks, serve it over WSGI or ASGI.

    ``app`` itself is the WSGI callable (``gunicorn module:app``) and ``app.asgi`` is the
    ASGI one (``uvicorn module:app.asgi``); ``app`` also answers ASGI 2 calls, so ``uvicorn
    module:app`` and ``uvicorn --factory module:create_app`` work too.
    """

    response_class = Response
    json_provider_class: type[JSONProvider] = DefaultJSONProvider
    session_interface: SessionInterface = SecureCookieSessionInterface()
    default_config = DEFAULT_CONFIG

    def __init__(
        self,
        import_name: str,
        static_url_path: str | None = None,
        static_folder: str | None = "static",
        template_folder: str | None = "templates",
        instance_path: str | None = None,
        instance_relative_config: bool = False,
        root_path: str | None = None,
        host_matching: bool = False,
        subdomain_matching: bool = False,
        static_host: str | None = None,
    ) -> None:
        #: The lifecycle steps (``pipeline.STEPS``) a subclass or this instance replaced.
        self.step_overrides: dict[str, Handler] = self._find_step_overrides()
        if type(self).request_class is not Request:  # a subclass set its own
            self._protocol_request_classes()
        super().__init__(import_name)
        self.root_path = root_path or _root_path(import_name)
        self.instance_path = instance_path or default_instance_path(import_name)
        self.static_folder = static_folder
        self.static_url_path = static_url_path
        self.template_folder = template_folder
        self.config = self.make_config(instance_relative_config)
        self.url_map = Map(host_matching=host_matching)
        #: Match ``subdomain=`` rules against the request's host under ``SERVER_NAME``.
        self.subdomain_matching = subdomain_matching
        self.json: JSONProvider = self.json_provider_class(self)
        self.extensions: dict[str, Any] = {}
        self.teardown_appcontext_funcs: list[Handler] = []
        self.after_response_funcs: list[Handler] = []
        self.before_serving_funcs: list[Handler] = []
        self.after_serving_funcs: list[Handler] = []
        self._views: dict[str, Handler] = {}
        self._auto_options: set[int] = set()
        self.blueprints: dict[str, Blueprint] = {}
        self._hooksets: dict[str | None, HookSet] = {}
        #: endpoint -> (its hooks, its view): what a matched request needs, in one lookup.
        self._dispatch: dict[str, tuple[HookSet, Handler]] = {}
        self._after_response: tuple[Handler, ...] = ()
        self._got_first_request = False

        from .asgi import ASGIAdapter
        from .wsgi import WSGIAdapter

        #: The WSGI application; wrap it to add WSGI middleware.
        self.wsgi_app: WSGIAdapter | Callable[..., Any] = WSGIAdapter(self)
        #: The ASGI application; wrap it to add ASGI middleware.
        self.asgi_app: ASGIAdapter | Callable[..., Any] = ASGIAdapter(self)
        if self.has_static_folder:  # even when the folder does not exist, as in Flask
            if bool(static_host) != host_matching:  # AssertionError, as Flask's assert
                raise AssertionError(
                    "Invalid static_host/host_matching combination: with host_matching=True "
                    "and a static folder, set static_host; without it, leave it out."
                )
            static_options: dict[str, Any] = {"host": static_host} if static_host else {}
            self.add_url_rule(
                f"{self.static_url_path}/<path:filename>",
                "static",
                static_view(self),
                **static_options,
            )

    # Names and settings ------------------------------------------------------------------------

    @cached_property
    def name(self) -> str:  # type: ignore[override]
        """The import name, or the script's name when run as ``__main__``."""
        if self.import_name == "__main__":
            filename = getattr(sys.modules["__main__"], "__file__", None)
            if filename:
                return os.path.splitext(os.path.basename(str(filename)))[0]
        return self.import_name

    @property
    def debug(self) -> bool:
        """``config["DEBUG"]``."""
        return bool(self.config["DEBUG"])

    @debug.setter
    def debug(self, value: bool) -> None:
        self.config["DEBUG"] = value

    @property
    def testing(self) -> bool:
        """``config["TESTING"]``: exceptions reach the test client."""
        return bool(self.config["TESTING"])

    @testing.setter
    def testing(self, value: bool) -> None:
        self.config["TESTING"] = value

    @property
    def secret_key(self) -> str | bytes | None:
        """``config["SECRET_KEY"]``."""
        value: str | bytes | None = self.config["SECRET_KEY"]
        return value

    @secret_key.setter
    def secret_key(self, value: str | bytes | None) -> None:
        self.config["SECRET_KEY"] = value

    @property
    def propagate_exceptions(self) -> bool:
        """Whether unhandled exceptions are re-raised instead of answered with a 500."""
        value = self.config["PROPAGATE_EXCEPTIONS"]
        if value is not None:
            return bool(value)
        return self.testing or self.debug

    @cached_property
    def logger(self) -> logging.Logger:
        """The app's logger, named after the app; ``tumbler.logging.default_handler`` if needed."""
        return create_logger(self)

    # Registration -------------------------------------------------------------------------------

    def _check_setup(self, what: str) -> None:
        if self._got_first_request:
            raise AssertionError(_FIRST_REQUEST_DONE.format(what))

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: Callable[..., Any] | None = None,
        provide_automatic_options: bool | None = None,
        **options: Any,
    ) -> None:
        """Connect ``rule`` to ``view_func`` under ``endpoint`` (the function name by default)."""
        self._check_setup("add_url_rule")
        if endpoint is None:
            if view_func is None:
                raise TypeError("add_url_rule() needs an endpoint or a view function.")
            endpoint = endpoint_from_view(view_func)
        methods = options.pop("methods", None)
        if methods is None:
            methods = getattr(view_func, "methods", None) or ("GET",)
        if isinstance(methods, str):
            raise TypeError(
                "Allowed methods must be a list of strings, for example: @app.route(..., "
                'methods=["POST"])'
            )
        method_set = {m.upper() for m in methods}
        method_set |= set(getattr(view_func, "required_methods", ()))
        if provide_automatic_options is None:
            provide_automatic_options = getattr(view_func, "provide_automatic_options", None)
        if provide_automatic_options is None:
            provide_automatic_options = "OPTIONS" not in method_set
        if provide_automatic_options:
            method_set.add("OPTIONS")
        rule_obj = Rule(rule, endpoint=endpoint, methods=method_set, **options)
        self.url_map.add(rule_obj)
        if provide_automatic_options:
            self._auto_options.add(id(rule_obj))
        if view_func is not None:
            existing = self.view_functions.get(endpoint)
            # ``!=``, not ``is not``: a bound method is a new object at each attribute access.
            if existing is not None and existing != view_func:
                raise AssertionError(
                    "View function mapping is overwriting an existing endpoint function: "
                    f"{endpoint}"
                )
            self.view_functions[endpoint] = view_func

    def teardown_appcontext(self, f: F) -> F:
        """Run ``f(error)`` when the app context ends (after ``teardown_request``)."""
        self._check_setup("teardown_appcontext")
        self.teardown_appcontext_funcs.append(Handler(f))
        return f

    def after_response(self, f: F) -> F:
        """Run ``f(response)`` after the last byte was sent, or the client went away.

        There is no request context then. Errors are logged, never sent.
        """
        self._check_setup("after_response")
        self.after_response_funcs.append(Handler(f))
        return f

    def before_serving(self, f: F) -> F:
        """Run ``f()`` when an ASGI server starts the app (lifespan startup)."""
        self.before_serving_funcs.append(Handler(f))
        return f

    def after_serving(self, f: F) -> F:
        """Run ``f()`` when an ASGI server stops the app (lifespan shutdown)."""
        self.after_serving_funcs.append(Handler(f))
        return f

    # Per request -------------------------------------------------------------------------------

    def register_blueprint(self, blueprint: Blueprint, **options: Any) -> None:
        """Add a blueprint's routes and hooks; ``url_prefix=`` and ``name=`` override its own."""
        self._check_setup("register_blueprint")
        blueprint.register(self, options)

    def _freeze(self) -> None:
        """Mark setup as done: hook tuples are prepared from now on, registration refused."""
        self._after_response = tuple(self.after_response_funcs)
        self._got_first_request = True

    def _hooks_for(self, endpoint: str | None) -> HookSet:
        """The frozen hooks for requests to ``endpoint`` (its blueprint chain), cached."""
        hooks = self._hooksets.get(endpoint)
        if hooks is None:
            if not self._got_first_request:
                self._freeze()
            hooks = self._hooksets[endpoint] = HookSet.build(
                blueprint_chain(endpoint),
                self.url_value_preprocessors,
                self.before_request_funcs,
                self.after_request_funcs,
                self.teardown_request_funcs,
                self.teardown_appcontext_funcs,
            )
        return hooks

    def _view_handler(self, endpoint: str) -> Handler:
        func = self.view_functions[endpoint]
        handler = self._views.get(endpoint)
        if handler is None or handler.func is not func:
            handler = self._views[endpoint] = Handler(func)
        return handler

    def request_context_for(self, request: Request) -> Context:
        """Route ``request`` and build its context (not pushed yet)."""
        ctx = Context(self, request)
        config = request.config = self.config
        # a permanent session is re-sent on every request (PERF: no call without cookies)
        cookie = request._header("cookie")
        if cookie is not None and refresh_wanted(self, cookie):
            ctx.session  # noqa: B018 - opens it, so it is saved with the response
        refused = request.framing_error()
        if refused is None and config.get("TRUSTED_HOSTS"):
            refused = untrusted_host(request, config["TRUSTED_HOSTS"])
        if refused is not None:  # answered before routing, through the error handlers
            ctx.routing_error = request.routing_exception = refused
            ctx.hooks = self._hooks_for(None)
            return ctx
        try:
            url_map = self.url_map
            if url_map.host_matching or self.subdomain_matching:
                domain = self._request_domain(request)
                rule, args = url_map.match(request.path, request.method, domain)
            else:
                rule, args = url_map.match(request.path, request.method)
        except HTTPException as error:
            if isinstance(error, RuleRedirect):  # redirect_to: relative to the script root
                error = RequestRedirect(urljoin(request.root_url, error.new_url))
            elif isinstance(error, RequestRedirect):
                error = self._redirect_with_query(error, request)
            elif isinstance(error, MethodNotAllowed):  # 426 for a websocket-only URL
                error = http_error_for(error)
            ctx.routing_error = request.routing_exception = error
            ctx.hooks = self._hooks_for(None)
            return ctx
        ctx.url_rule = request.url_rule = rule
        ctx.view_args = request.view_args = args
        endpoint = rule.endpoint
        # PERF: one lookup for the hooks and the view of an endpoint (0.05 µs)
        found = self._dispatch.get(endpoint)
        if found is None or found[1].func is not self.view_functions.get(endpoint):
            found = self._dispatch_for(endpoint)
        ctx.hooks = found[0]
        if request.method == "OPTIONS" and id(rule) in self._auto_options:
            return ctx  # view stays None: the pipeline answers with the Allow header
        ctx.view = found[1]
        return ctx

    def _request_domain(self, request: Request) -> str | None:
        """What ``host=`` or ``subdomain=`` rules are matched against for ``request``.

        With ``host_matching``, the host. With ``subdomain_matching``, the labels in front of
        ``SERVER_NAME``; None (the default subdomain) for another host or no SERVER_NAME.
        """
        host = request.host.lower()
        if self.url_map.host_matching:
            return host
        server_name = str(self.config["SERVER_NAME"] or "").lower()
        if not server_name:
            return None
        default_port = ":443" if request.scheme == "https" else ":80"
        server_name = server_name.removesuffix(default_port)  # the Host header omits it
        if ":" not in server_name:
            host = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if host == server_name:
            return ""
        if host.endswith("." + server_name):
            return host[: -len(server_name) - 1]
        return None

    def _url_host(self, domain: str, request: Request | None, host: str) -> str | None:
        """The host a URL to a rule with ``domain`` must name, or None when it is this one."""
        if self.url_map.host_matching:
            return domain if domain and (request is None or domain != host) else None
        current = None
        if request is not None and self.subdomain_matching:
            current = self._request_domain(request)
        if current is None:
            current = self.url_map.default_subdomain
        if domain == current and request is not None:
            return None
        server_name = self.config["SERVER_NAME"] or host
        return f"{domain}.{server_name}" if domain else str(server_name)

    def _dispatch_for(self, endpoint: str) -> tuple[HookSet, Handler]:
        found = self._dispatch[endpoint] = (self._hooks_for(endpoint), self._view_handler(endpoint))
        return found

    def _redirect_with_query(self, error: RequestRedirect, request: Request) -> RequestRedirect:
        location = request.root_path + (error.new_url if hasattr(error, "new_url") else "")
        location = "/" + location.lstrip("/\\")  # never a scheme-relative URL to another host
        qs = request.query_string
        if qs:
            # Raw bytes a server let through (controls, spaces, non-ASCII) are escaped, so
            # they can neither break the header nor make it invalid.
            location = f"{location}?{quote_from_bytes(qs, _QUERY_SAFE)}"
        return RequestRedirect(location)

    def make_default_options_response(self, ctx: Context) -> Response:
        """Answer OPTIONS with the methods the URL allows."""
        assert ctx.request is not None
        try:
            request = ctx.request
            if self.url_map.host_matching or self.subdomain_matching:
                self.url_map.match(request.path, "\x00", self._request_domain(request))
            else:
                self.url_map.match(request.path, "\x00")
            methods: set[str] = set()
        except MethodNotAllowed as error:
            methods = set(getattr(error, "valid_methods", None) or ())
            methods.discard(WEBSOCKET_METHOD)  # a websocket rule at the same path
        except HTTPException:
            methods = set()
        response = self.response_class()
        if methods:
            response.headers["Allow"] = ", ".join(sorted(methods))
        return response

    def find_error_handler(self, error: BaseException, ctx: Context) -> Handler | None:
        """The handler for ``error``: by status code first, then by the exception's MRO.

        A Werkzeug HTTP error is looked up as its tumbler twin, and without a handler of
        its own it is answered by its own response, as in Flask.
        """
        fallback = None
        mro: tuple[type[BaseException], ...] | None
        if isinstance(error, HTTPException):
            code, mro = error.code, type(error).__mro__
        else:
            mro = foreign_error_classes(error)
            if mro is None:
                code, mro = None, type(error).__mro__
            else:  # PERF: tumbler's own errors never take this branch (the 404 path)
                code, fallback = getattr(error, "code", None), _FOREIGN_HTTP_ERROR
        hooks = ctx.hooks
        for scope in hooks.error_scopes if hooks is not None else (None,):
            spec = self.error_handler_spec.get(scope)
            if not spec:
                continue
            for key in (code, None) if code is not None else (None,):
                handlers = spec.get(key)
                if handlers:
                    for cls in mro:
                        handler = handlers.get(cls)
                        if handler is not None:
                            return handler
        return fallback

    def make_response(self, rv: Any) -> Response:
        """Turn a view's return value into a Response (Flask's rules)."""
        if type(rv) is str:
            return self.response_class.from_text(rv)
        status: Any = None
        headers: Any = None
        if isinstance(rv, tuple):
            size = len(rv)
            if size == 3:
                rv, status, headers = rv
            elif size == 2:
                if _headers_like(rv[1]):
                    rv, headers = rv
                else:
                    rv, status = rv
            else:
                raise TypeError(
                    "The view function did not return a valid response tuple. The tuple "
                    "must have the form (body, status, headers), (body, status), or "
                    "(body, headers)."
                )
        if rv is None:
            raise TypeError("The view function did not return a valid response: the body was None.")
        if isinstance(rv, Response):
            pass
        elif isinstance(rv, str | bytes | bytearray):
            rv = self.response_class(rv, status=status, headers=headers)
            status = headers = None
        elif isinstance(rv, dict | list):
            rv = self.json.response(rv)
        elif isinstance(rv, HTTPException):
            rv = rv.get_response()
        elif isinstance(rv, Iterator | AsyncIterator):
            rv = self.response_class(rv, status=status, headers=headers)
            status = headers = None
        else:
            rv = self._response_from_other(rv)
        if status is not None:
            if isinstance(status, str | bytes):
                rv.status = status.decode("latin-1") if isinstance(status, bytes) else status
            else:
                rv.status_code = int(status)
        if headers:
            rv.headers.update(headers)
        response: Response = rv
        return response

    def _response_from_other(self, rv: Any) -> Response:
        """A Werkzeug response or HTTP exception (Flask accepts them), else a TypeError."""
        foreign = response_from_foreign(rv, self.response_class)
        if foreign is not None:
            return foreign
        raise TypeError(
            "The view function did not return a valid response. The return type must be "
            "a string, bytes, dict, list, tuple with headers or status, Response "
            f"instance, or an iterator, but it was a {type(rv).__name__}."
        )

    def log_exception(self, exc_info: Any) -> None:
        """Log an unhandled exception (``sys.exc_info()`` form) with the method and path."""
        ctx = _cv_context.get()
        request = ctx.request if ctx is not None else None
        where = f"{request.path!a} [{request.method}]" if request is not None else "(no request)"
        self.logger.error("Exception on %s", where, exc_info=exc_info)

    def log_teardown_error(self, handler: Handler, error: BaseException) -> None:
        """Log an exception raised by a teardown or after-response callback."""
        self.logger.error(
            "Exception in callback %s",
            handler.name,
            exc_info=(type(error), error, error.__traceback__),
        )

    @property
    def after_response_hooks(self) -> tuple[Handler, ...]:
        """The frozen ``after_response`` hooks."""
        return self._after_response

    def open_session(self, ctx: Context) -> SessionMixin:
        """Open this request's session through ``session_interface``."""
        assert ctx.request is not None
        interface = self.session_interface
        session = interface.open_session(self, ctx.request)
        return session if session is not None else interface.make_null_session(self)

    def save_session(self, ctx: Context, response: Response) -> None:
        """Save the session on the response through ``session_interface``."""
        session = ctx._session
        interface = self.session_interface
        if session is not None and not interface.is_null_session(session):
            interface.save_session(self, session, response)

    # Contexts, URLs and testing ---------------------------------------------------------------

    def app_context(self) -> Context:
        """A context with ``current_app`` and a fresh ``g`` but no request.

        Push it with ``with``; leaving it runs the ``teardown_appcontext`` callbacks.
        """
        return Context(self)

    def request_context(self, environ: dict[str, Any]) -> Context:
        """A request context for a WSGI ``environ``, to push by hand (``with``).

        Leaving it runs ``teardown_request`` then ``teardown_appcontext`` callbacks. Making
        it does not end the set-up phase: routes and hooks may still be added.
        """
        return self._context_in_setup(self.wsgi_request_class(environ))

    def test_request_context(self, *args: Any, **kwargs: Any) -> Context:
        """A request context for a made-up request; takes the test client's arguments."""
        from .testing import make_environ

        return self.request_context(make_environ(*args, app=self, **kwargs))

    def _context_in_setup(self, request: Request) -> Context:
        """Route ``request`` for a hand-pushed context without ending the set-up phase."""
        if self._got_first_request:
            return self.request_context_for(request)
        try:
            return self.request_context_for(request)
        finally:
            # The hooks were frozen for this one context: forget them, so that what is
            # registered afterwards is seen by the first real request (as in Flask).
            self._got_first_request = False
            self._hooksets.clear()
            self._dispatch.clear()

    @cached_property
    def cli(self) -> AppGroup:
        """The app's commands for the ``tumbler`` command line: ``@app.cli.command()``."""
        from .cli import AppGroup

        return AppGroup(self.name)

    def url_for(
        self,
        /,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: Any,
    ) -> str:
        """Build the URL of ``endpoint``; extra values become the query string."""
        from urllib.parse import quote

        ctx = _cv_context.get()
        request = ctx.request if ctx is not None else None
        if request is not None:
            if endpoint.startswith("."):
                blueprint = request.blueprint
                endpoint = f"{blueprint}{endpoint}" if blueprint else endpoint[1:]
            root, host, scheme = request.root_path, request.host, request.scheme
            external = _scheme is not None if _external is None else _external
        else:
            server_name = self.config["SERVER_NAME"]
            if server_name is None:
                raise RuntimeError(
                    "Unable to build URLs outside an active request without 'SERVER_NAME' "
                    "configured. Also configure 'APPLICATION_ROOT' and 'PREFERRED_URL_SCHEME'."
                )
            root = str(self.config["APPLICATION_ROOT"] or "/").rstrip("/")
            host = server_name or "localhost"
            scheme = self.config["PREFERRED_URL_SCHEME"]
            external = True if _external is None else _external
        if _scheme is not None:
            if not external:
                raise ValueError("When specifying '_scheme', '_external' must be True.")
            scheme = _scheme
        self.inject_url_defaults(endpoint, values)
        try:
            if self.url_map.has_domains:  # a rule may live on another host or subdomain
                path, domain = self.url_map.build_with_domain(endpoint, values, method=_method)
                other = self._url_host(domain, request, host)
                if other is not None:
                    host, external = other, True
            else:
                path = self.url_map.build(endpoint, values, method=_method)
        except BuildError as error:
            values.update(_anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external)
            return self.handle_url_build_error(error, endpoint, values)
        url = root + path
        if any(rule.websocket for rule in self.url_map.iter_rules(endpoint)):
            external, scheme = True, websocket_scheme(scheme)  # browsers want ws:// URLs
        if _anchor is not None:
            url += "#" + quote(_anchor, safe="%!#$&'()*+,/:;=?@")
        if external:
            url = f"{scheme}://{host}{url}"
        return url

    def inject_url_defaults(self, endpoint: str, values: dict[str, Any]) -> None:
        """Let ``url_defaults`` functions (app, then blueprints inwards) fill in ``values``."""
        if not self.url_default_functions:
            return
        scopes: list[str | None] = [None, *reversed(blueprint_chain(endpoint))]
        for scope in scopes:
            for handler in self.url_default_functions.get(scope, ()):
                handler.func(endpoint, values)

    def __repr__(self) -> str:
        return f"<Tumbler {self.name!r}>"

    @property
    def asgi(self) -> ASGIAdapter | Callable[..., Any]:
        """The ASGI entry point for servers: ``uvicorn module:app.asgi``.

        It is ``app.asgi_app`` as it is when read, so middleware set on ``app.asgi_app``
        before the server loads the app is served. PERF: the server then calls the adapter
        itself, with no forwarding coroutine in between (0.15 µs a request).
        """
        return self.asgi_app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any] | None = None
    ) -> Any:
        """The WSGI entry point (``gunicorn module:app``), and an ASGI 2 one.

        Called with one argument, the app is an ASGI 2 application (``app(scope)`` returns
        ``instance(receive, send)``): that is what uvicorn assumes of an object whose
        ``__call__`` is not a coroutine function, so ``uvicorn module:app``, ``uvicorn
        --factory module:create_app`` and gunicorn's uvicorn worker serve the app over
        ASGI. ``app.asgi`` (ASGI 3) saves that one extra call per request.
        """
        if start_response is None:
            return partial(self.asgi_app, environ)
        return self.wsgi_app(environ, start_response)
