"""Finding the app for the command line, as Flask does: ``--app``, ``TUMBLER_APP``, factories.

``module:name`` names an app or a factory (``create_app``, ``make_app`` or any function),
and ``module:create_app("dev")`` calls a factory with literal arguments. Without a name the
module's ``app`` or ``application``, its only app, or what its ``create_app``/``make_app``
returns is used. The module may be a dotted name or a file path.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from types import ModuleType
from typing import Any

from .app import Tumbler

__all__ = ["NoAppException", "find_app_by_string", "find_best_app", "locate_app"]

_NO_APP = (
    "Could not locate a Tumbler application. Use the 'tumbler --app' option, the "
    "'TUMBLER_APP' environment variable, or a 'wsgi.py' or 'app.py' file in the current "
    "directory."
)


class NoAppException(Exception):
    """The application could not be found or loaded."""


def _module_name(module_part: str) -> str:
    """The import name for ``module_part``; a file path puts its folder on ``sys.path``."""
    looks_like_path = module_part.endswith(".py") or os.sep in module_part or "/" in module_part
    if not looks_like_path:
        _prepend_path(os.getcwd())
        return module_part
    path = os.path.realpath(module_part)
    base, ext = os.path.splitext(path)
    if ext == ".py":
        path = base
    if os.path.basename(path) == "__init__":
        path = os.path.dirname(path)
    names: list[str] = []
    while True:  # climb out of packages: the first folder without __init__.py goes on sys.path
        path, name = os.path.split(path)
        names.append(name)
        if not os.path.exists(os.path.join(path, "__init__.py")):
            break
    _prepend_path(path)
    return ".".join(reversed(names))


def _prepend_path(path: str) -> None:
    if path not in sys.path:
        sys.path.insert(0, path)


def _import(name: str) -> ModuleType:
    """Import ``name``; a missing module is a NoAppException, an error inside it is not."""
    try:
        return importlib.import_module(name)
    except ImportError as error:
        missing = error.name
        if missing is not None and (missing == name or name.startswith(missing + ".")):
            raise NoAppException(f"Could not import {name!r}.") from None
        raise  # the module exists but failed to import something: show the real error


def _call_factory(
    factory: Callable[..., Any], args: Sequence[Any], kwargs: Mapping[str, Any]
) -> Any:
    """Call an app factory; a TypeError from the call itself (bad arguments) is reported."""
    try:
        return factory(*args, **kwargs)
    except TypeError as error:
        tb = error.__traceback__
        if tb is not None and tb.tb_next is None:  # raised by the call, not inside the factory
            raise NoAppException(
                f"The factory {factory.__name__!r} in module {factory.__module__!r} could not "
                f"be called with the given arguments: {error}"
            ) from None
        raise


def _parse_app_expression(expr: str) -> tuple[str, bool, list[Any], dict[str, Any]]:
    """Split ``name`` or ``name(literal, key=literal)`` into (name, called, args, kwargs)."""
    try:
        node = ast.parse(expr.strip(), mode="eval").body
    except SyntaxError:
        raise NoAppException(
            f"Failed to parse {expr!r} as an attribute name or function call."
        ) from None
    if isinstance(node, ast.Name):
        return node.id, False, [], {}
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
        raise NoAppException(f"Failed to parse {expr!r} as an attribute name or function call.")
    try:
        args = [ast.literal_eval(arg) for arg in node.args]
        kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords if kw.arg}
    except ValueError:
        raise NoAppException(
            f"Failed to parse arguments as literal values: {expr!r}. Pass only strings, "
            "numbers, tuples, lists, dicts, booleans and None."
        ) from None
    if len(kwargs) != len(node.keywords):
        raise NoAppException(f"'**' arguments are not supported in {expr!r}.")
    return node.func.id, True, args, kwargs


def find_app_by_string(module: ModuleType, expr: str) -> Tumbler:
    """The app named by ``expr`` in ``module``: an attribute, or a factory called with literals."""
    name, called, args, kwargs = _parse_app_expression(expr)
    try:
        attr = getattr(module, name)
    except AttributeError:
        raise NoAppException(f"Failed to find attribute {name!r} in {module.__name__!r}.") from None
    if inspect.isfunction(attr):
        app = _call_factory(attr, args, kwargs)
    elif called:
        raise NoAppException(f"{name!r} in {module.__name__!r} is not a function; cannot call it.")
    else:
        app = attr
    if isinstance(app, Tumbler):
        return app
    raise NoAppException(
        f"A valid Tumbler application was not obtained from '{module.__name__}:{expr}'."
    )


def find_best_app(module: ModuleType) -> Tumbler:
    """The app in ``module``: ``app``/``application``, the only Tumbler, or a factory's result."""
    for attr in ("app", "application"):
        app = getattr(module, attr, None)
        if isinstance(app, Tumbler):
            return app
    found = list({id(v): v for v in vars(module).values() if isinstance(v, Tumbler)}.values())
    if len(found) == 1:
        return found[0]
    if found:
        raise NoAppException(
            f"Detected multiple Tumbler applications in module {module.__name__!r}. Use "
            f"'{module.__name__}:name' to specify the correct one."
        )
    for attr in ("create_app", "make_app"):
        factory = getattr(module, attr, None)
        if inspect.isfunction(factory):
            app = _call_factory(factory, (), {})
            if isinstance(app, Tumbler):
                return app
    raise NoAppException(
        f"Failed to find a Tumbler application or factory in module {module.__name__!r}. "
        f"Use '{module.__name__}:name' to specify one."
    )


def locate_app(spec: str | None = None) -> Tumbler:
    """Find the app from ``spec`` (``module:name``), ``TUMBLER_APP`` (or ``FLASK_APP``), or
    wsgi.py/app.py here."""
    spec = spec or os.environ.get("TUMBLER_APP") or os.environ.get("FLASK_APP") or None
    if spec:
        module_part, _, expr = spec.partition(":")
        module = _import(_module_name(module_part))
        return find_app_by_string(module, expr) if expr else find_best_app(module)
    for filename in ("wsgi.py", "app.py"):
        if os.path.isfile(filename):
            return find_best_app(_import(_module_name(filename)))
    raise NoAppException(_NO_APP)
