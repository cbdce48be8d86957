"""``app.config``: a dict with Flask's loaders."""

from __future__ import annotations

import errno
import json
import os
import types
from collections.abc import Callable, Mapping
from typing import IO, Any

__all__ = ["DEFAULT_CONFIG", "Config"]

#: Flask's keys that apply to tumbler, with Flask's defaults unless the docs say otherwise.
DEFAULT_CONFIG: dict[str, Any] = {
    "DEBUG": False,
    "TESTING": False,
    "PROPAGATE_EXCEPTIONS": None,
    "SECRET_KEY": None,
    "SECRET_KEY_FALLBACKS": None,
    "SERVER_NAME": None,
    "APPLICATION_ROOT": "/",
    "PREFERRED_URL_SCHEME": "http",
    # Flask's default is None (no limit). Tumbler sets 100 MiB (Sanic's default; Quart has
    # 16 MiB): under ASGI the body is buffered (spooled to disk) before the view runs, and
    # multipart files spool to disk, so without a limit one client could fill the disk.
    # See docs/security.md.
    "MAX_CONTENT_LENGTH": 100 * 1024 * 1024,
    # Deepest nesting of JSON arrays and objects request.get_json() accepts (400 past it).
    "MAX_JSON_DEPTH": 64,
    # Under ASGI, seconds to wait for each next chunk of a request body before a 408.
    "ASGI_BODY_TIMEOUT": 60.0,
    # Under ASGI, the whole body must arrive within ASGI_BODY_TIMEOUT seconds plus one second
    # per this many bytes received, or 408 (Apache's MinRate); None: no bound on the total.
    "ASGI_BODY_MIN_RATE": 500,
    "MAX_FORM_MEMORY_SIZE": 500_000,
    "MAX_FORM_PARTS": 1_000,
    # max_age of send_file and static files when not given: None sends "no-cache" (Flask 2.0+).
    "SEND_FILE_MAX_AGE_DEFAULT": None,
    # Bytes of an upload (and, under ASGI, of a request body) kept in memory; past this it
    # moves to a temporary file that is closed at the end of the request.
    "UPLOAD_SPOOL_THRESHOLD": 500 * 1024,
    "TRUSTED_HOSTS": None,
    "SESSION_COOKIE_NAME": "session",
    "SESSION_COOKIE_DOMAIN": None,
    "SESSION_COOKIE_PATH": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_PARTITIONED": False,
    # Flask's default is None. Lax keeps the session cookie off cross-site POSTs, iframes and
    # subresource requests (most CSRF), while links from other sites still arrive logged in.
    # Browsers differ when the attribute is missing (Chrome assumes Lax, others do not), so
    # saying it gives one behaviour everywhere. See docs/migrating.md.
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_REFRESH_EACH_REQUEST": True,
    "PERMANENT_SESSION_LIFETIME": 31 * 24 * 3600,
    # Bytes a Set-Cookie may have before set_cookie warns (browsers drop larger cookies
    # silently); 0 turns the check off. Flask's default.
    "MAX_COOKIE_SIZE": 4093,
    # Under ASGI, sync views, hooks and callbacks run on worker threads, one thread per
    # request (threads.py). False runs them on the event loop instead, for an app whose
    # sync code never blocks; @sync_on_loop does that for one route.
    "ASGI_SYNC_IN_THREADS": True,
    # In debug mode, sync code put on the loop that holds it longer than this many seconds
    # is logged as a warning (None: never). It is never moved.
    "ASGI_SYNC_WARN_AFTER": 0.005,
    # Worker threads for sync code under ASGI: at most this many requests run sync code at
    # once; the others wait, in order.
    "ASGI_THREADS": 40,
    # WebSockets (docs/websockets.md): the largest message received, in bytes (larger ones
    # close the connection with 1009; None: no limit); the origins a browser page may connect
    # from (None: the same host and port as the request; "*": any); the messages a handler may
    # queue for a slow client before send() waits; the worker threads for sync handlers.
    "WEBSOCKET_MAX_MESSAGE_SIZE": 1024 * 1024,
    "WEBSOCKET_ALLOWED_ORIGINS": None,
    "WEBSOCKET_SEND_QUEUE": 16,
    "WEBSOCKET_SYNC_THREADS": 100,
}


class Config(dict[str, Any]):
    """Configuration values; only UPPER-CASE names are loaded from objects and files."""

    def __init__(
        self, root_path: str | os.PathLike[str] = "", defaults: Mapping[str, Any] | None = None
    ):
        super().__init__(defaults or {})
        self.root_path = os.fspath(root_path)

    def from_mapping(self, mapping: Mapping[str, Any] | None = None, **kwargs: Any) -> bool:
        """Load the upper-case keys of ``mapping`` and ``kwargs``."""
        items: dict[str, Any] = dict(mapping or {})
        items.update(kwargs)
        for key, value in items.items():
            if key.isupper():
                self[key] = value
        return True

    def from_object(self, obj: object | str) -> None:
        """Load the upper-case attributes of an object, or of an import path to one."""
        if isinstance(obj, str):
            obj = _import_string(obj)
        for key in dir(obj):
            if key.isupper():
                self[key] = getattr(obj, key)

    def from_envvar(self, variable_name: str, silent: bool = False) -> bool:
        """Load the Python file that environment variable ``variable_name`` names."""
        path = os.environ.get(variable_name)
        if not path:
            if silent:
                return False
            raise RuntimeError(
                f"The environment variable {variable_name!r} is not set and as such "
                "configuration could not be loaded. Set this variable and make it point to a "
                "configuration file"
            )
        return self.from_pyfile(path, silent=silent)

    def from_pyfile(self, filename: str | os.PathLike[str], silent: bool = False) -> bool:
        """Execute a Python file and load its upper-case globals."""
        path = os.path.join(self.root_path, filename)
        module = types.ModuleType("config")
        module.__file__ = path
        try:
            with open(path, "rb") as file:
                exec(compile(file.read(), path, "exec"), module.__dict__)
        except OSError as error:
            if silent and error.errno in (errno.ENOENT, errno.EISDIR, errno.ENOTDIR):
                return False
            error.strerror = f"Unable to load configuration file ({error.strerror})"
            raise
        self.from_object(module)
        return True

    def from_file(
        self,
        filename: str | os.PathLike[str],
        load: Callable[[IO[Any]], Mapping[str, Any]] = json.load,
        silent: bool = False,
        text: bool = True,
    ) -> bool:
        """Load a file with ``load`` (``json.load``, ``tomllib.load`` with ``text=False``)."""
        path = os.path.join(self.root_path, filename)
        try:
            with open(path, "r" if text else "rb") as file:
                data = load(file)
        except OSError as error:
            if silent and error.errno in (errno.ENOENT, errno.EISDIR):
                return False
            error.strerror = f"Unable to load configuration file ({error.strerror})"
            raise
        return self.from_mapping(data)

    def from_prefixed_env(
        self, prefix: str | None = None, *, loads: Callable[[str], Any] = json.loads
    ) -> bool:
        """Load ``PREFIX_KEY`` variables; values are parsed as JSON when they parse.

        Without ``prefix``, Flask's ``FLASK_`` variables are loaded, then ``TUMBLER_`` ones
        (which win). ``PREFIX_A__B`` sets ``config["A"]["B"]``.
        """
        for each in ("FLASK", "TUMBLER") if prefix is None else (prefix,):
            self._load_prefixed(f"{each}_", loads)
        return True

    def _load_prefixed(self, prefix: str, loads: Callable[[str], Any]) -> None:
        for key in sorted(os.environ):
            if not key.startswith(prefix):
                continue
            raw = os.environ[key]
            try:
                value: Any = loads(raw)
            except Exception:
                value = raw
            name = key[len(prefix) :]
            if "__" not in name:
                self[name] = value
                continue
            current: dict[str, Any] = self
            *parts, last = name.split("__")
            for part in parts:
                current = current.setdefault(part, {})
            current[last] = value

    def get_namespace(
        self, namespace: str, lowercase: bool = True, trim_namespace: bool = True
    ) -> dict[str, Any]:
        """Return the keys that start with ``namespace`` as a new dict."""
        found: dict[str, Any] = {}
        for key, value in self.items():
            if not key.startswith(namespace):
                continue
            name = key[len(namespace) :] if trim_namespace else key
            found[name.lower() if lowercase else name] = value
        return found

    def __repr__(self) -> str:
        return f"<Config {dict.__repr__(self)}>"


def _import_string(path: str) -> object:
    import importlib

    module_name, _, attr = path.replace(":", ".").rpartition(".")
    try:
        return getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError):
        return importlib.import_module(path)
