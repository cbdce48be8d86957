"""Blueprints: groups of routes and hooks that an app (or another blueprint) registers.

A blueprint records; registration replays. Its routes become app rules with a prefixed rule
and a dotted endpoint; its hooks are copied into the app's tables under the blueprint's
dotted name, so the app's per-request ``HookSet`` for that blueprint chain includes them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cached_property
from typing import IO, TYPE_CHECKING, Any, TypeVar

from .files import StaticFiles, static_view
from .lifecycle.handler import Handler
from .scaffold import Scaffold, endpoint_from_view
from .templating import BlueprintTemplating

if TYPE_CHECKING:
    from .app import Tumbler
    from .cli import AppGroup

__all__ = ["Blueprint", "BlueprintSetupState"]

F = TypeVar("F", bound=Callable[..., Any])
#: ``cli_group``'s default: group the blueprint's commands under its registered name.
_NAME_GROUP: Any = object()
DeferredSetup = Callable[["BlueprintSetupState"], None]


class BlueprintSetupState:
    """Where and how one registration of a blueprint happens."""

    def __init__(
        self, blueprint: Blueprint, app: Tumbler, options: dict[str, Any], first: bool
    ) -> None:
        self.blueprint = blueprint
        self.app = app
        self.options = options
        self.first_registration = first
        prefix = options.get("url_prefix")
        #: ``register_blueprint(bp, url_prefix=None)`` keeps the blueprint's own, as in Flask.
        self.url_prefix: str | None = blueprint.url_prefix if prefix is None else prefix
        subdomain = options.get("subdomain")
        self.subdomain: str | None = blueprint.subdomain if subdomain is None else subdomain
        self.name_prefix: str = options.get("name_prefix", "")
        self.name: str = options.get("name", blueprint.name)
        self.url_defaults: dict[str, Any] = dict(blueprint.url_values_defaults)
        self.url_defaults.update(options.get("url_defaults") or {})

    @property
    def full_name(self) -> str:
        """The dotted name endpoints and hooks are registered under."""
        return f"{self.name_prefix}.{self.name}".lstrip(".")

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: Callable[..., Any] | None = None,
        **options: Any,
    ) -> None:
        """Register a blueprint route on the app, prefixed and namespaced."""
        if self.url_prefix is not None:
            rule = (
                "/".join((self.url_prefix.rstrip("/"), rule.lstrip("/")))
                if rule
                else self.url_prefix
            )
        if endpoint is None:
            assert view_func is not None
            endpoint = endpoint_from_view(view_func)
        defaults = dict(self.url_defaults)
        defaults.update(options.pop("defaults", None) or {})
        if defaults:
            options["defaults"] = defaults
        if self.subdomain is not None:
            options.setdefault("subdomain", self.subdomain)
        self.app.add_url_rule(rule, f"{self.full_name}.{endpoint}", view_func, **options)


class Blueprint(StaticFiles, BlueprintTemplating, Scaffold):
    """A reusable group of views and hooks, registered with ``app.register_blueprint``."""

    def __init__(
        self,
        name: str,
        import_name: str,
        static_folder: str | None = None,
        static_url_path: str | None = None,
        template_folder: str | None = None,
        url_prefix: str | None = None,
        subdomain: str | None = None,
        url_defaults: dict[str, Any] | None = None,
        root_path: str | None = None,
        cli_group: str | None = _NAME_GROUP,
    ) -> None:
        super().__init__(import_name)
        if not name:
            raise ValueError("'name' may not be empty.")
        if "." in name:
            raise ValueError("'name' may not contain a dot '.' character.")
        self.name = name
        self.url_prefix = url_prefix
        self.subdomain = subdomain
        #: The group ``bp.cli`` commands appear under: the blueprint's name by default, or
        #: None to add them to the app's commands directly.
        self.cli_group = cli_group
        self.static_folder = static_folder
        self.static_url_path = static_url_path
        self.template_folder = template_folder
        self.root_path = root_path
        self.url_values_defaults: dict[str, Any] = url_defaults or {}
        self.deferred_functions: list[DeferredSetup] = []
        self._blueprints: list[tuple[Blueprint, dict[str, Any]]] = []
        self._got_registered_once = False

    @cached_property
    def cli(self) -> AppGroup:
        """Commands added to the app's command line when the blueprint is registered."""
        from .cli import AppGroup

        return AppGroup(help=f"Commands of the blueprint {self.name!r}.")

    def open_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = "utf-8"
    ) -> IO[Any]:
        """Open a file relative to the blueprint's ``root_path`` for reading, as the app does.

        (A blueprint's own files, a schema or a data file, beside its module.)
        """
        if mode not in ("r", "rt", "rb"):
            raise ValueError("Resources can only be opened for reading.")
        from .app import _root_path  # the same rule as the app's root

        path = os.path.join(self.root_path or _root_path(self.import_name), resource)
        if mode == "rb":
            return open(path, mode)
        return open(path, mode, encoding=encoding)

    def _check_setup(self, what: str) -> None:
        if self._got_registered_once:
            raise AssertionError(
                f"The setup method '{what}' can no longer be called on the blueprint "
                f"'{self.name}'. It has already been registered; make changes before that."
            )

    def record(self, func: DeferredSetup) -> None:
        """Run ``func(state)`` each time the blueprint is registered."""
        self.deferred_functions.append(func)

    def record_once(self, func: DeferredSetup) -> None:
        """Run ``func(state)`` on the first registration only."""
        self.record(lambda state: func(state) if state.first_registration else None)

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: Callable[..., Any] | None = None,
        provide_automatic_options: bool | None = None,
        **options: Any,
    ) -> None:
        """Record a route; it is added to the app when the blueprint is registered."""
        self._check_setup("add_url_rule")
        if endpoint and "." in endpoint:
            raise ValueError("'endpoint' may not contain a dot '.' character.")
        if view_func is not None and "." in getattr(view_func, "__name__", ""):
            raise ValueError("'view_func' name may not contain a dot '.' character.")
        if provide_automatic_options is not None:
            options["provide_automatic_options"] = provide_automatic_options
        self.record(lambda s: s.add_url_rule(rule, endpoint, view_func, **options))

    def register_blueprint(self, blueprint: Blueprint, **options: Any) -> None:
        """Nest ``blueprint`` inside this one."""
        if blueprint is self:
            raise ValueError("Cannot register a blueprint on itself")
        self._check_setup("register_blueprint")
        self._blueprints.append((blueprint, options))

    # App-wide hooks registered from a blueprint ---------------------------------------------

    def _app_hook(self, attribute: str, f: F) -> F:
        self._check_setup(attribute)

        def register(state: BlueprintSetupState) -> None:
            getattr(state.app, attribute).setdefault(None, []).append(Handler(f))

        self.record_once(register)
        return f

    def before_app_request(self, f: F) -> F:
        """Like ``app.before_request``: runs for every request, not only this blueprint's."""
        return self._app_hook("before_request_funcs", f)

    def after_app_request(self, f: F) -> F:
        """Like ``app.after_request``, registered from the blueprint."""
        return self._app_hook("after_request_funcs", f)

    def teardown_app_request(self, f: F) -> F:
        """Like ``app.teardown_request``, registered from the blueprint."""
        return self._app_hook("teardown_request_funcs", f)

    def app_url_value_preprocessor(self, f: F) -> F:
        """Like ``app.url_value_preprocessor``, registered from the blueprint."""
        return self._app_hook("url_value_preprocessors", f)

    def app_url_defaults(self, f: F) -> F:
        """Like ``app.url_defaults``, registered from the blueprint."""
        return self._app_hook("url_default_functions", f)

    def before_app_websocket(self, f: F) -> F:
        """Like ``app.before_websocket``: runs for every WebSocket, not only this blueprint's."""
        return self._app_hook("before_websocket_funcs", f)

    def after_app_websocket(self, f: F) -> F:
        """Like ``app.after_websocket``, registered from the blueprint."""
        return self._app_hook("after_websocket_funcs", f)

    def teardown_app_websocket(self, f: F) -> F:
        """Like ``app.teardown_websocket``, registered from the blueprint."""
        return self._app_hook("teardown_websocket_funcs", f)

    def app_context_processor(self, f: F) -> F:
        """Like ``app.context_processor``: for every template, not only this blueprint's."""
        return self._app_hook("template_context_processors", f)

    def app_errorhandler(self, code: type[BaseException] | int) -> Callable[[F], F]:
        """Like ``app.errorhandler``, registered from the blueprint."""

        def decorator(f: F) -> F:
            self._check_setup("app_errorhandler")
            self.record_once(lambda state: state.app.register_error_handler(code, f))
            return f

        return decorator

    # Registration -----------------------------------------------------------------------

    def make_setup_state(
        self, app: Tumbler, options: dict[str, Any], first_registration: bool = False
    ) -> BlueprintSetupState:
        """The state deferred functions receive; override to give them a subclass of it."""
        return BlueprintSetupState(self, app, options, first_registration)

    def register(self, app: Tumbler, options: dict[str, Any]) -> None:
        """Add this blueprint's routes and hooks to ``app`` (called by register_blueprint)."""
        own = options.get("name", self.name)
        name = f"{options.get('name_prefix', '')}.{own}".lstrip(".")
        if name in app.blueprints:
            which = "this" if app.blueprints[name] is self else "a different"
            raise ValueError(
                f"The name '{own}' is already registered for {which} blueprint. "
                "Use 'name=' to give this registration a unique name."
            )
        first = not any(bp is self for bp in app.blueprints.values())
        app.blueprints[name] = self
        self._got_registered_once = True
        state = self.make_setup_state(app, options, first)
        self._merge_hooks(app, name)
        if self.has_static_folder:
            state.add_url_rule(
                f"{self.static_url_path}/<path:filename>", "static", static_view(self)
            )
        for deferred in self.deferred_functions:
            deferred(state)
        self._register_commands(app, options.get("cli_group", self.cli_group), name)
        for child, child_options in self._blueprints:
            child.register(app, self._child_options(state, child, child_options, name))

    @staticmethod
    def _child_options(
        state: BlueprintSetupState, child: Blueprint, options: dict[str, Any], name: str
    ) -> dict[str, Any]:
        """A nested blueprint's options: prefixes and subdomains compose with the parent's."""
        options = dict(options)
        prefix = options.get("url_prefix")
        if prefix is None:
            prefix = child.url_prefix
        if state.url_prefix is not None and prefix is not None:
            options["url_prefix"] = state.url_prefix.rstrip("/") + "/" + prefix.lstrip("/")
        else:
            options["url_prefix"] = prefix if prefix is not None else state.url_prefix
        subdomain = options.get("subdomain")
        if subdomain is None:
            subdomain = child.subdomain
        if state.subdomain is not None and subdomain is not None:
            options["subdomain"] = f"{subdomain}.{state.subdomain}"
        else:
            options["subdomain"] = subdomain if subdomain is not None else state.subdomain
        options["name_prefix"] = name
        return options

    def _register_commands(self, app: Tumbler, group: Any, name: str) -> None:
        """Add ``bp.cli``'s commands to ``app.cli``: grouped, or at the top with group None."""
        if "cli" not in self.__dict__ or not self.cli.commands:
            return
        if group is None:
            app.cli.commands.update(self.cli.commands)
            return
        self.cli.name = name if group is _NAME_GROUP else group
        app.cli.add_command(self.cli, self.cli.name)

    def _merge_hooks(self, app: Tumbler, name: str) -> None:
        tables = (
            "before_request_funcs",
            "after_request_funcs",
            "teardown_request_funcs",
            "url_value_preprocessors",
            "url_default_functions",
            "template_context_processors",
            "before_websocket_funcs",
            "after_websocket_funcs",
            "teardown_websocket_funcs",
        )
        for table in tables:
            mine: dict[Any, list[Handler]] = getattr(self, table, {})
            target: dict[Any, list[Handler]] = getattr(app, table, {})
            for scope, handlers in mine.items():
                key = name if scope is None else f"{name}.{scope}"
                target.setdefault(key, []).extend(handlers)
        for scope, by_code in self.error_handler_spec.items():
            key = name if scope is None else f"{name}.{scope}"
            target_spec = app.error_handler_spec.setdefault(key, {})
            for code, by_class in by_code.items():
                target_spec.setdefault(code, {}).update(by_class)
