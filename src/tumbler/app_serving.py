"""``app.run()``: Flask's development-server call, served by uvicorn.

Flask's ``run`` hands its keyword arguments to Werkzeug's ``run_simple``. Here they go to
uvicorn: the Werkzeug names that have an equivalent are translated, the ones that mean
nothing under uvicorn are accepted and ignored, and anything neither Werkzeug's nor
uvicorn's is refused with an error naming it (before any server starts).
"""

from __future__ import annotations

import inspect
import os
import sys
from typing import TYPE_CHECKING, Any, cast

from ._install import install_hint

if TYPE_CHECKING:
    from .app import Tumbler

__all__ = ["AppServing", "uvicorn_options"]

#: Set in the environment by ``tumbler run`` and by ``app.run()``'s reloader: a module-level
#: ``app.run()`` in the imported code is skipped, as with Flask's ``FLASK_RUN_FROM_CLI``.
RUN_FROM_CLI = "TUMBLER_RUN_FROM_CLI"

#: Werkzeug ``run_simple`` options with a uvicorn equivalent.
_RENAMED = {"use_reloader": "reload", "reloader_interval": "reload_delay"}
#: Werkzeug options that have no meaning under uvicorn (it serves concurrently, and the
#: debug page follows ``app.debug``).
_IGNORED = frozenset({"use_debugger", "use_evalex", "threaded", "reloader_type"})


def _server_name(config: dict[str, Any]) -> tuple[str | None, int | None]:
    name = config.get("SERVER_NAME")
    if not name:
        return None, None
    host, _, port = str(name).partition(":")
    return host or None, int(port) if port else None


def uvicorn_options(options: dict[str, Any], accepted: set[str]) -> dict[str, Any]:
    """Translate Flask/Werkzeug ``run`` options into uvicorn's; raise naming the rest."""
    result: dict[str, Any] = {}
    refused: list[str] = []
    for name, value in options.items():
        if name in _IGNORED:
            continue
        if name == "ssl_context":
            if isinstance(value, tuple) and len(value) == 2:
                result["ssl_certfile"], result["ssl_keyfile"] = value
            elif value is not None:
                refused.append(f"ssl_context={value!r} (give a (certfile, keyfile) tuple)")
            continue
        target = _RENAMED.get(name, name)
        if target in accepted:
            result[target] = value
        else:
            refused.append(name)
    if refused:
        raise TypeError(
            "app.run() got options that uvicorn, the server it starts, cannot take: "
            + ", ".join(refused)
        )
    return result


class AppServing:
    """``app.run()``."""

    def run(
        self,
        host: str | None = None,
        port: int | None = None,
        debug: bool | None = None,
        load_dotenv: bool = True,
        **options: Any,
    ) -> None:
        """Serve the app with uvicorn for development, with Flask's arguments.

        ``host`` and ``port`` default to ``SERVER_NAME``'s, then 127.0.0.1:5000.
        ``debug=True`` turns on debug mode and the reloader (``use_reloader=False`` keeps it
        off). ``load_dotenv`` loads ``.env`` and ``.flaskenv`` first.
        """
        app = cast("Tumbler", self)
        if os.environ.get(RUN_FROM_CLI) == "true":
            return  # the command line (or the reloader) serves this app already
        from .envfiles import debug_flag, should_load_dotenv
        from .envfiles import load_dotenv as load

        if should_load_dotenv(load_dotenv):
            load()
            flag = debug_flag()
            if flag is not None:
                app.debug = flag
        if debug is not None:
            app.debug = bool(debug)
        sn_host, sn_port = _server_name(app.config)
        host = host or sn_host or "127.0.0.1"
        port = int(port) if port or port == 0 else (sn_port or 5000)
        options.setdefault("use_reloader", app.debug)
        uvicorn = _uvicorn()
        accepted = set(inspect.signature(uvicorn.Config).parameters) - {"app"}
        settings = uvicorn_options(options, accepted)
        print(f" * Serving Tumbler app {app.name!r}", file=sys.stderr)
        print(f" * Debug mode: {'on' if app.debug else 'off'}", file=sys.stderr)
        if settings.get("reload"):
            os.environ[RUN_FROM_CLI] = "true"  # the reloader's child imports the module
            os.environ["TUMBLER_APP"] = _import_spec(app)
            os.environ["TUMBLER_DEBUG"] = "1" if app.debug else "0"
            settings.setdefault("reload_dirs", [os.getcwd(), app.root_path])
            uvicorn.run("tumbler.cli:asgi_factory", factory=True, host=host, port=port, **settings)
        else:
            uvicorn.run(app.asgi, host=host, port=port, **settings)


def _uvicorn() -> Any:
    try:
        import uvicorn
    except ImportError:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            "app.run() needs uvicorn: " + install_hint("uvicorn>=0.30", "serve")
        ) from None
    return uvicorn


def _import_spec(app: Tumbler) -> str:
    """How the reloader's child process finds ``app`` again: ``module-or-file:name``."""
    module = sys.modules.get(app.import_name)
    if app.import_name == "__main__":
        main = sys.modules["__main__"]
        where = os.path.abspath(str(getattr(main, "__file__", "") or ""))
        if not getattr(main, "__file__", None):
            raise RuntimeError("app.run() with the reloader needs the app to be in a file.")
        module = main
    elif module is None:
        raise RuntimeError(
            f"app.run() with the reloader imports the app again, but {app.import_name!r} is "
            "not an imported module; make the app with Tumbler(__name__)."
        )
    else:
        where = app.import_name
    names = [name for name, value in vars(module).items() if value is app]
    return f"{where}:{names[0]}" if names else where
