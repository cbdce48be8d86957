"""``import tumbler.flask_patch``: ``import flask`` and its submodules resolve to tumbler.

Flask extensions import ``flask`` and reach into ``flask.globals``, ``flask.signals``,
``flask.cli`` and a dozen more. Importing this module first puts an alias table in
``sys.modules``: each ``flask.X`` module is a thin module whose names are tumbler's own objects
(``flask.Flask`` is ``tumbler.Tumbler``), found when first asked for. Nothing is
re-implemented here, asyncio is not touched, and an app that never imports this module sees
no change at all. The real Flask package may be installed (extensions depend on it); once the
patch is active it is never imported.

Rules:

* It must come before anything imports ``flask``: importing it afterwards raises, because
  objects of the real Flask would already be held by other modules.
* A ``flask`` submodule that is not in the table cannot be imported (a clear ``ImportError``),
  rather than silently loading the real Flask beside tumbler.
* A name tumbler lacks raises ``ImportError`` naming the tumbler modules it looked in.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["FLASK_MODULES", "PatchError", "install"]


class PatchError(ImportError):
    """The patch cannot take effect (``flask`` was imported first)."""


#: Flask's module -> (tumbler modules whose names it offers, in order; Flask's names that
#: tumbler spells differently, as "module:attribute").
FLASK_MODULES: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "flask": (
        ("tumbler", "tumbler.helpers", "tumbler.templating", "tumbler.files", "tumbler.signals"),
        {"Flask": "tumbler.app:Tumbler"},
    ),
    "flask.app": (("tumbler.app",), {"Flask": "tumbler.app:Tumbler"}),
    "flask.globals": (("tumbler.globals",), {}),
    "flask.signals": (("tumbler.signals",), {}),
    "flask.cli": (("tumbler.cli",), {}),
    "flask.json": (("tumbler.json",), {}),
    "flask.json.provider": (("tumbler.json",), {}),
    "flask.json.tag": (("tumbler.sessions",), {}),
    "flask.sessions": (("tumbler.sessions",), {}),
    "flask.wrappers": (("tumbler.http.request", "tumbler.http.response"), {}),
    "flask.ctx": (
        ("tumbler.context",),
        # tumbler has one context object for the app and the request (Flask 3.2's shape)
        {
            "_AppCtxGlobals": "tumbler.context:AppGlobals",
            "AppContext": "tumbler.context:Context",
            "RequestContext": "tumbler.context:Context",
        },
    ),
    "flask.testing": (
        ("tumbler.testing", "tumbler.cli_testing"),
        {
            "FlaskClient": "tumbler.testing:TestClient",
            "FlaskCliRunner": "tumbler.cli_testing:CliRunner",
        },
    ),
    "flask.views": (("tumbler.views",), {}),
    "flask.helpers": (
        ("tumbler.helpers", "tumbler.files", "tumbler.flashing", "tumbler.templating"),
        {},
    ),
    "flask.templating": (("tumbler.templating",), {}),
    "flask.blueprints": (("tumbler.blueprints",), {}),
    "flask.typing": (("tumbler.typing",), {}),
    "flask.logging": (("tumbler.logging",), {}),
    "flask.config": (("tumbler.config",), {}),
    "flask.debughelpers": (("tumbler.exceptions", "tumbler.http.exceptions"), {}),
}

#: Flask's package attributes that are its submodules (``flask.json.dumps(...)``).
_SUBMODULE_ATTRIBUTES = ("json", "cli", "globals", "signals", "sessions", "views", "typing")


def _resolve(path: str) -> Any:
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


def _alias_getattr(
    name: str, sources: Sequence[str], renamed: dict[str, str]
) -> Callable[[str], Any]:
    """The module ``__getattr__`` (PEP 562) of one alias module."""

    def __getattr__(attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        for source in sources:
            found = getattr(importlib.import_module(source), attribute, _MISSING)
            if found is not _MISSING:
                return found
        if attribute in renamed:
            return _resolve(renamed[attribute])
        raise AttributeError(
            f"{name}.{attribute} has no tumbler equivalent (tumbler.flask_patch looked in "
            f"{', '.join(sources)}); see docs/extensions.md"
        )

    return __getattr__


_MISSING = object()


class _AliasModule(types.ModuleType):
    """A ``flask`` module made by the patch (so a second import can tell it is ours)."""


def _make_module(name: str) -> _AliasModule:
    sources, renamed = FLASK_MODULES[name]
    module = _AliasModule(name, f"tumbler's stand-in for {name} (tumbler.flask_patch)")
    module.__dict__["__getattr__"] = _alias_getattr(name, sources, renamed)
    module.__spec__ = importlib.machinery.ModuleSpec(name, _REFUSER, is_package=True)
    module.__path__ = []  # a package, so "import flask.x" asks the finders below
    module.__file__ = None
    return module


class _Refuser(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Stops an import of a ``flask`` submodule the table does not have."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname == "flask" or fullname.startswith("flask."):
            raise ModuleNotFoundError(
                f"{fullname} is not provided by tumbler.flask_patch (the real Flask is never "
                "imported once the patch is active); see docs/extensions.md",
                name=fullname,
            )
        return None


_REFUSER = _Refuser()


def install() -> None:
    """Put the alias modules in ``sys.modules``; done once, on first import of this module."""
    existing = sys.modules.get("flask")
    if isinstance(existing, _AliasModule):
        return
    if existing is not None or any(name.startswith("flask.") for name in sys.modules):
        raise PatchError(
            "import tumbler.flask_patch before anything imports flask: the real Flask is "
            "already imported, and objects of it are held by other modules"
        )
    modules = {name: _make_module(name) for name in FLASK_MODULES}
    for name, module in modules.items():
        parent, _, child = name.rpartition(".")
        if parent:
            setattr(modules[parent], child, module)
    for child in _SUBMODULE_ATTRIBUTES:
        modules["flask"].__dict__.setdefault(child, modules[f"flask.{child}"])
    sys.modules.update(modules)
    sys.meta_path.insert(0, _REFUSER)


install()
