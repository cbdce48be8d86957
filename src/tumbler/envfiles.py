"""``.env`` and ``.flaskenv`` files, read as Flask's command line reads them.

Only when python-dotenv is installed (it is not a dependency: ``pip install python-dotenv``).
A value already in the environment always wins over the files; among the files, an
explicit ``path`` wins over ``.env``, which wins over ``.flaskenv``. ``TUMBLER_SKIP_DOTENV=1``
(or Flask's ``FLASK_SKIP_DOTENV=1``) turns the loading off for ``tumbler`` and ``app.run()``.
"""

from __future__ import annotations

import os
import sys

__all__ = ["debug_flag", "load_dotenv", "should_load_dotenv"]

_FALSE = ("0", "false", "no", "off")


def should_load_dotenv(default: bool = True) -> bool:
    """False when ``TUMBLER_SKIP_DOTENV`` or ``FLASK_SKIP_DOTENV`` is set to a true value."""
    value = os.environ.get("TUMBLER_SKIP_DOTENV") or os.environ.get("FLASK_SKIP_DOTENV")
    if not value:
        return default
    return value.lower() in _FALSE


def debug_flag() -> bool | None:
    """``TUMBLER_DEBUG``, else Flask's ``FLASK_DEBUG``, as a bool; None when neither is set."""
    value = os.environ.get("TUMBLER_DEBUG") or os.environ.get("FLASK_DEBUG")
    if not value:
        return None
    return value.lower() not in _FALSE


def load_dotenv(path: str | os.PathLike[str] | None = None, load_defaults: bool = True) -> bool:
    """Set environment variables from ``.flaskenv``, ``.env`` and ``path``; True if any was set.

    The default files are searched for from the current directory upwards. Callers check
    ``should_load_dotenv()`` first.
    """
    try:
        import dotenv
    except ImportError:
        if path or os.path.isfile(".env") or os.path.isfile(".flaskenv"):
            print(
                " * Tip: There are .env files present. Install python-dotenv to use them.",
                file=sys.stderr,
            )
        return False
    data: dict[str, str | None] = {}
    if load_defaults:
        for name in (".flaskenv", ".env"):
            found = dotenv.find_dotenv(name, usecwd=True)
            if found:
                data |= dotenv.dotenv_values(found, encoding="utf-8")
    if path is not None and os.path.isfile(path):
        data |= dotenv.dotenv_values(path, encoding="utf-8")
    loaded = False
    for key, value in data.items():
        if key in os.environ or value is None:
            continue
        os.environ[key] = value
        loaded = True
    return loaded
