"""Where an app's instance folder is when the app does not say.

Flask's rule, which ported apps and their deployment scripts rely on: the folder sits beside
the app's top-level module or package (``instance/`` next to ``flaskr/``, never inside the
package, which may be read-only or replaced on every deploy), and for an app installed into
a Python environment it is ``<prefix>/var/<name>-instance``.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import PurePath

__all__ = ["default_instance_path"]


def default_instance_path(import_name: str) -> str:
    """The instance folder of the app or package named ``import_name``."""
    search_path = _search_path(import_name)
    prefix = _install_prefix(search_path)
    if prefix is None:
        return os.path.join(search_path, "instance")
    return os.path.join(prefix, "var", f"{_app_name(import_name)}-instance")


def _app_name(import_name: str) -> str:
    if import_name != "__main__":
        return import_name
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    return os.path.splitext(os.path.basename(main_file))[0] if main_file else "__main__"


def _search_path(import_name: str) -> str:
    """The folder that holds the app's top-level module or package: sys.path's entry for it."""
    top = import_name.partition(".")[0]
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):  # __main__ without a spec, or a broken import
        spec = None
    if spec is None:
        module = sys.modules.get(top)
        origin = getattr(module, "__file__", None)
        return os.path.dirname(os.path.abspath(origin)) if origin else os.getcwd()
    locations = list(spec.submodule_search_locations or ())
    if locations:  # a package: its parent folder (a namespace package: its first portion)
        if spec.origin and spec.origin not in ("namespace", None) and spec.has_location:
            return os.path.dirname(os.path.dirname(os.path.abspath(spec.origin)))
        return os.path.dirname(os.path.abspath(locations[0]))
    if spec.origin and spec.has_location:
        return os.path.dirname(os.path.abspath(spec.origin))
    return os.getcwd()


def _install_prefix(search_path: str) -> str | None:
    """The environment's prefix when ``search_path`` is an installed location, else None."""
    prefix = os.path.abspath(sys.prefix)
    if PurePath(search_path).is_relative_to(prefix):
        return prefix
    parent, folder = os.path.split(search_path)
    if folder.lower() != "site-packages":
        return None  # a source checkout: the folder goes beside the code
    above, lib = os.path.split(parent)
    if lib.lower() == "lib":  # prefix/Lib/site-packages (Windows)
        return above
    if os.path.basename(above).lower() == "lib":  # prefix/lib/pythonX.Y/site-packages
        return os.path.dirname(above)
    return parent  # prefix/site-packages
