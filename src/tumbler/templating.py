"""Templates with Jinja2: rendering, streaming, and the app's Jinja environment.

Jinja2 is optional: nothing here imports it until a template is needed (``_jinja.py`` holds
the code that does), so an app without templates runs on the standard library alone.

Names follow Flask: ``render_template``, ``render_template_string``, ``stream_template``,
``stream_template_string``, ``app.jinja_env``, ``template_filter`` and friends. The app
searches its own ``template_folder`` first, then each blueprint's. Files ending in ``.html``,
``.htm``, ``.xml``, ``.xhtml`` and ``.svg`` are autoescaped, and so are template strings.
Context processors run the app's first, then the current blueprint chain's from the outside
in; values passed to the render call win over all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar, cast

from ._install import install_hint
from .context import _get_context, current_context
from .flashing import get_flashed_messages
from .globals import g, request, session
from .signals import before_render_template, template_rendered

if TYPE_CHECKING:
    from jinja2 import BaseLoader, Environment, Template

    from .app import Tumbler
    from .blueprints import Blueprint

__all__ = [
    "AppTemplating",
    "BlueprintTemplating",
    "TemplateRegistry",
    "render_template",
    "render_template_string",
    "stream_template",
    "stream_template_string",
]

F = TypeVar("F", bound=Callable[..., Any])

_AUTOESCAPED = (".html", ".htm", ".xml", ".xhtml", ".svg")


def _jinja() -> Any:
    """The ``_jinja`` module, or a RuntimeError that says how to install Jinja2."""
    try:
        from . import _jinja
    except ImportError as error:
        if (error.name or "").split(".")[0] in ("jinja2", "markupsafe"):
            raise RuntimeError(
                "Templates need Jinja2, which is not installed: "
                + install_hint("jinja2>=3.1", "templates")
            ) from error
        raise
    return _jinja


# Registration -------------------------------------------------------------------------------


class TemplateRegistry:
    """Registering Jinja filters, globals and tests; shared by the app and blueprints."""

    def _check_setup(self, what: str) -> None:
        """Raise when registering is no longer allowed."""

    def _add_template_item(self, kind: str, func: Callable[..., Any], name: str | None) -> None:
        raise NotImplementedError

    def template_filter(self, name: str | None = None) -> Callable[[F], F]:
        """Register the decorated function as a Jinja filter (named ``name`` or its own name)."""

        def decorator(f: F) -> F:
            self.add_template_filter(f, name)
            return f

        return decorator

    def add_template_filter(self, f: Callable[..., Any], name: str | None = None) -> None:
        """Non-decorator form of ``template_filter``."""
        self._add_template_item("filters", f, name)

    def template_global(self, name: str | None = None) -> Callable[[F], F]:
        """Make the decorated function a global in every template."""

        def decorator(f: F) -> F:
            self.add_template_global(f, name)
            return f

        return decorator

    def add_template_global(self, f: Callable[..., Any], name: str | None = None) -> None:
        """Non-decorator form of ``template_global``."""
        self._add_template_item("globals", f, name)

    def template_test(self, name: str | None = None) -> Callable[[F], F]:
        """Register the decorated function as a Jinja test (``{% if x is name %}``)."""

        def decorator(f: F) -> F:
            self.add_template_test(f, name)
            return f

        return decorator

    def add_template_test(self, f: Callable[..., Any], name: str | None = None) -> None:
        """Non-decorator form of ``template_test``."""
        self._add_template_item("tests", f, name)


class BlueprintTemplating(TemplateRegistry):
    """A blueprint's template registrations: they go to the app when it is registered.

    Jinja filters, globals and tests are app-wide, so ``bp.template_filter`` and Flask's
    ``bp.app_template_filter`` are the same thing.
    """

    def _add_template_item(self, kind: str, func: Callable[..., Any], name: str | None) -> None:
        blueprint = cast("Blueprint", self)
        blueprint._check_setup(f"add_template_{kind[:-1]}")
        blueprint.record_once(lambda state: state.app._add_template_item(kind, func, name))

    app_template_filter = TemplateRegistry.template_filter
    add_app_template_filter = TemplateRegistry.add_template_filter
    app_template_global = TemplateRegistry.template_global
    add_app_template_global = TemplateRegistry.add_template_global
    app_template_test = TemplateRegistry.template_test
    add_app_template_test = TemplateRegistry.add_template_test


class AppTemplating(TemplateRegistry):
    """The app's side of templating: ``jinja_env`` and the template context."""

    #: Extra keyword arguments for the Jinja ``Environment`` (set before first use).
    jinja_options: dict[str, Any] = {}

    @cached_property
    def template_items(self) -> dict[str, dict[str, Callable[..., Any]]]:
        """The filters, globals and tests registered so far, by kind and name."""
        return {"filters": {}, "globals": {}, "tests": {}}

    def _add_template_item(self, kind: str, func: Callable[..., Any], name: str | None) -> None:
        self._check_setup(f"add_template_{kind[:-1]}")
        key = name or func.__name__
        self.template_items[kind][key] = func
        env = self.__dict__.get("jinja_env")
        if env is not None:  # already made: update it too
            getattr(env, kind)[key] = func

    @property
    def jinja_loader(self) -> BaseLoader | None:
        """A loader for the app's own ``template_folder`` (None without one)."""
        app = cast("Tumbler", self)
        if app.template_folder is None:
            return None
        return cast("BaseLoader", _jinja().folder_loader(app.root_path, app.template_folder))

    def create_global_jinja_loader(self) -> BaseLoader:
        """The environment's loader: the app's folder first, then each blueprint's."""
        return cast("BaseLoader", _jinja().AppLoader(self))

    @property
    def jinja_environment(self) -> type[Environment]:
        """The class ``create_jinja_environment`` makes: ``tumbler.templating.Environment``.

        Set it (on a subclass, or on the app before first use) to a subclass of that class.
        """
        cls = self.__dict__.get("_jinja_environment")
        return cls if cls is not None else cast("type[Environment]", _jinja().Environment)

    @jinja_environment.setter
    def jinja_environment(self, cls: type[Environment]) -> None:
        self.__dict__["_jinja_environment"] = cls

    @cached_property
    def jinja_env(self) -> Environment:
        """The app's Jinja environment, made on first use by ``create_jinja_environment``."""
        return self.create_jinja_environment()

    def create_jinja_environment(self) -> Environment:
        """Make the Jinja environment: loader, autoescaping, globals, filters and tests."""
        app = cast("Tumbler", self)
        options = dict(self.jinja_options)
        options.setdefault("autoescape", self.select_jinja_autoescape)
        if "auto_reload" not in options:
            reload = app.config.get("TEMPLATES_AUTO_RELOAD")
            options["auto_reload"] = app.debug if reload is None else bool(reload)
        template_globals = {
            "url_for": app.url_for,
            "get_flashed_messages": get_flashed_messages,
            "config": app.config,
            "request": request,
            "session": session,
            "g": g,
        }
        env: Environment = _jinja().create_environment(
            app, options, template_globals, self.template_items, self.jinja_environment
        )
        return env

    def select_jinja_autoescape(self, filename: str | None) -> bool:
        """Autoescape template strings and HTML/XML files."""
        return filename is None or filename.endswith(_AUTOESCAPED)

    def update_template_context(self, context: dict[str, Any]) -> None:
        """Add ``g``, ``request``, ``session`` and the context processors' values to ``context``.

        Processors run the app's first, then each blueprint's from the outside in. The
        values already in ``context`` (those passed to the render call) are kept.
        """
        app = cast("Tumbler", self)
        original = dict(context)
        ctx = _get_context()
        scopes: list[str | None] = [None]
        if ctx is not None:
            context["g"] = g
            if ctx.request is not None:
                context["request"] = request
                context["session"] = session
                scopes.extend(reversed(ctx.request.blueprints))
        processors = app.template_context_processors
        for scope in scopes:
            for handler in processors.get(scope, ()):
                if handler.is_async:
                    raise TypeError(
                        f"The context processor {handler.name!r} is 'async def'; templates "
                        "render synchronously, so context processors must be plain functions."
                    )
                context.update(handler.func())
        context.update(original)


def __getattr__(name: str) -> Any:
    """``tumbler.templating.Environment``, imported (with Jinja2) only when asked for."""
    if name == "Environment":
        return _jinja().Environment
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Rendering ----------------------------------------------------------------------------------


def _current_app() -> Tumbler:
    return current_context().app


def _render(app: Tumbler, template: Template, context: dict[str, Any]) -> str:
    app.update_template_context(context)
    if before_render_template.receivers:
        before_render_template.send(app, template=template, context=context)
    rv = template.render(context)
    if template_rendered.receivers:
        template_rendered.send(app, template=template, context=context)
    return rv


def _stream(app: Tumbler, template: Template, context: dict[str, Any]) -> Iterator[str]:
    app.update_template_context(context)
    if before_render_template.receivers:
        before_render_template.send(app, template=template, context=context)

    def generate() -> Iterator[str]:
        yield from template.generate(context)
        if template_rendered.receivers:
            template_rendered.send(app, template=template, context=context)

    return generate()


def render_template(template_name_or_list: Any, **context: Any) -> str:
    """Render a template file (or the first existing one of a list) with ``context``."""
    app = _current_app()
    template = app.jinja_env.get_or_select_template(template_name_or_list)
    return _render(app, template, context)


def render_template_string(source: str, **context: Any) -> str:
    """Render a template given as a string (autoescaped) with ``context``."""
    app = _current_app()
    return _render(app, app.jinja_env.from_string(source), context)


def stream_template(template_name_or_list: Any, **context: Any) -> Iterator[str]:
    """Render a template file piece by piece; return it from a view to stream the page.

    Tumbler keeps the request context current while a response body streams, so
    ``request`` and friends work inside the template as it renders.
    """
    app = _current_app()
    template = app.jinja_env.get_or_select_template(template_name_or_list)
    return _stream(app, template, context)


def stream_template_string(source: str, **context: Any) -> Iterator[str]:
    """Like ``stream_template``, for a template given as a string."""
    app = _current_app()
    return _stream(app, app.jinja_env.from_string(source), context)
