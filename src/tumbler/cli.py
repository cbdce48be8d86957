"""The ``tumbler`` command line: find the app, then ``run``, ``routes``, ``shell`` or its commands.

Why argparse and not click: the core needs nothing beyond the standard library, and the
three built-in commands are small. Flask users, though, write ``@app.cli.command()`` stacked
on ``@click.option(...)`` and register ready-made click commands with
``app.cli.add_command``. So ``app.cli`` is an ``AppGroup`` of our own that only *records*
commands, and each command is run the way it was written:

* a command carrying click parameters, or a click command object, is run by click (imported
  only then; it is installed with the ``cli`` extra, and the user's own code needs it anyway);
* a plain function is run through argparse: parameters without a default become positional
  arguments, parameters with a default become ``--options`` (``--flag/--no-flag`` for bools),
  ``async def`` commands are run with ``asyncio.run``.

Every app command runs inside ``app.app_context()`` (Flask 2.2 and later push it for every
app command; ``with_appcontext=False`` is accepted and ignored). ``command()`` returns the
function unchanged, where Flask returns a ``click.Command``. ``app.cli.group()`` nests an
``AppGroup``. A click command gets a ``ScriptInfo`` as its context's ``obj`` (where Flask
extensions look for the app), and ``with_appcontext`` works as Flask's. ``.env`` and
``.flaskenv`` are loaded first when python-dotenv is installed (``envfiles.py``). For a
click-based command line of your own, ``TumblerGroup`` (``FlaskGroup``) is in ``cli_click.py``.

``tumbler run`` serves ``app.asgi`` with uvicorn (``--wsgi``: ``app`` with gunicorn). With
``--reload`` uvicorn needs an import string, so it is given ``tumbler.cli:asgi_factory``,
which finds the app again in the reloader's child process from ``TUMBLER_APP``.
"""

from __future__ import annotations

import argparse
import asyncio
import code
import functools
import importlib
import inspect
import os
import platform
import sys
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from ._install import install_hint
from .app import Tumbler
from .app_serving import RUN_FROM_CLI
from .context import has_app_context
from .discovery import NoAppException, find_app_by_string, find_best_app, locate_app
from .envfiles import debug_flag, load_dotenv, should_load_dotenv

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "AppGroup",
    "Command",
    "NoAppException",
    "ScriptInfo",
    "asgi_factory",
    "find_app_by_string",
    "find_best_app",
    "format_routes",
    "locate_app",
    "main",
    "plugin_commands",
    "with_appcontext",
]

F = TypeVar("F", bound=Callable[..., Any])

_USAGE = "Usage: tumbler [OPTIONS] COMMAND [ARGS]..."
_HELP = """\
{usage}

  A command line for Tumbler applications.

  The application is given with the '--app' option or the 'TUMBLER_APP' environment
  variable, or found in a 'wsgi.py' or 'app.py' file in the current directory.

Options:
  -A, --app IMPORT      The application or factory to load, as 'module:name'. The module
                        may be a dotted name or a file path. The name may be left out when
                        it is 'app', 'application', 'create_app' or 'make_app', and may be
                        'name(args)' to call a factory with literal arguments.
  --debug / --no-debug  Set debug mode.
  --version             Show the versions and exit.
  --help                Show this message and exit.

Commands:
"""


class UsageError(Exception):
    """The command line was wrong: shown with the usage line, exit status 2."""


def asgi_factory() -> Callable[..., Any]:
    """Find the app again and return ``app.asgi``: the factory ``run --reload`` gives uvicorn."""
    app = locate_app()
    debug = debug_flag()
    if debug is not None:
        app.debug = debug
    return app.asgi


class ScriptInfo:
    """How the command line finds its app (Flask's ``ScriptInfo``); ``load_app()`` loads it once.

    A click command run by ``tumbler`` gets it as ``click.get_current_context().obj``, which
    is where Flask extensions look (``ctx.ensure_object(ScriptInfo).load_app()``).
    """

    def __init__(
        self,
        app_import_path: str | None = None,
        create_app: Callable[..., Tumbler] | None = None,
        set_debug_flag: bool = True,
        load_dotenv_defaults: bool = True,
        *,
        app: Tumbler | None = None,
    ) -> None:
        self.app_import_path = app_import_path
        self.create_app = create_app
        self.set_debug_flag = set_debug_flag
        self.load_dotenv_defaults = load_dotenv_defaults
        #: Free storage for whoever runs the command line.
        self.data: dict[Any, Any] = {}
        self._loaded_app = app

    def load_app(self) -> Tumbler:
        """The app: given, made by ``create_app``, or found by ``locate_app``; loaded once."""
        app = self._loaded_app
        if app is not None:
            return app
        app = self.create_app() if self.create_app is not None else None
        if app is None:
            app = locate_app(self.app_import_path)
        if self.set_debug_flag:
            flag = debug_flag()
            if flag is not None:
                app.debug = flag
        self._loaded_app = app
        return app


def _script_info() -> ScriptInfo:
    """The ScriptInfo of the click command being run, or a fresh one."""
    click = sys.modules.get("click")
    ctx = click.get_current_context(silent=True) if click is not None else None
    if ctx is not None:
        info: ScriptInfo = ctx.ensure_object(ScriptInfo)
        return info
    return ScriptInfo()


def with_appcontext(f: F) -> F:
    """Run ``f`` inside the app's context, loading the app if none is current (Flask's).

    Commands run by ``tumbler`` already have one; this matters for click commands run some
    other way, e.g. by an extension's own click group.
    """
    if inspect.iscoroutinefunction(f):

        @functools.wraps(f)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            if has_app_context():
                return await f(*args, **kwargs)
            with _script_info().load_app().app_context():
                return await f(*args, **kwargs)

        return async_wrapper  # type: ignore[return-value]

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if has_app_context():
            return f(*args, **kwargs)
        with _script_info().load_app().app_context():
            return f(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


# App commands ----------------------------------------------------------------------------------


def _import_click() -> Any:
    try:
        return importlib.import_module("click")
    except ImportError:
        raise NoAppException(
            "This command is written with click, which is not installed: "
            + install_hint("click>=8.1", "cli")
        ) from None


def _is_click_command(obj: object) -> bool:
    return hasattr(obj, "main") and hasattr(obj, "params") and hasattr(obj, "callback")


class Command:
    """One command of an ``AppGroup``: a function or a click command, run the way it was written."""

    def __init__(self, target: Any, name: str, help: str | None, click_kwargs: dict[str, Any]):
        self.target = target
        self.name = name
        self.click_kwargs = click_kwargs
        doc = help or getattr(target, "help", None) or inspect.getdoc(target) or ""
        self.help = doc
        self._click: Any = target if _is_click_command(target) else None

    @property
    def short_help(self) -> str:
        """The first line of the help text, for the list of commands."""
        return self.help.strip().splitlines()[0] if self.help.strip() else ""

    @property
    def uses_click(self) -> bool:
        """Whether click runs this command (it has click parameters or is a click command)."""
        return (
            self._click is not None
            or hasattr(self.target, "__click_params__")
            or bool(self.click_kwargs)
        )

    def invoke(self, args: Sequence[str], prog: str, info: ScriptInfo | None = None) -> int:
        """Run the command with its arguments; return the exit status."""
        if isinstance(self.target, AppGroup):
            return self.target.invoke(args, prog, info)
        if self.uses_click:
            return self._invoke_click(args, prog, info)
        parser = _signature_parser(self.target, prog, self.help)
        values = vars(parser.parse_args(list(args)))
        positional: list[Any] = []
        keywords: dict[str, Any] = {}
        for param in inspect.signature(self.target).parameters.values():
            if param.kind is inspect.Parameter.VAR_POSITIONAL:
                positional.extend(values["*args"])
            elif param.kind is inspect.Parameter.KEYWORD_ONLY:
                keywords[param.name] = values[param.name]
            elif param.kind is not inspect.Parameter.VAR_KEYWORD:
                positional.append(values[param.name])
        result = self.target(*positional, **keywords)
        if inspect.isawaitable(result):
            result = asyncio.run(_await(result))
        return result if isinstance(result, int) and not isinstance(result, bool) else 0

    def _invoke_click(self, args: Sequence[str], prog: str, info: ScriptInfo | None) -> int:
        if self._click is None:
            click = _import_click()
            kwargs = dict(self.click_kwargs)
            if self.help and "help" not in kwargs:
                kwargs["help"] = self.help
            self._click = click.command(self.name, **kwargs)(self.target)
        try:
            self._click.main(
                args=list(args), prog_name=prog, standalone_mode=True, obj=info or ScriptInfo()
            )
        except SystemExit as exit:
            return _exit_status(exit)
        return 0  # pragma: no cover - standalone mode always exits


async def _await(awaitable: Any) -> Any:
    return await awaitable


def _exit_status(exit: SystemExit) -> int:
    if exit.code is None:
        return 0
    if isinstance(exit.code, int):
        return exit.code
    print(exit.code, file=sys.stderr)
    return 1


def _signature_parser(func: Callable[..., Any], prog: str, help: str) -> argparse.ArgumentParser:
    """An argparse parser for a plain function's parameters."""
    parser = argparse.ArgumentParser(prog=prog, description=help or None)
    try:
        hints = typing.get_type_hints(func)
    except Exception:  # unresolvable annotations: treat everything as text
        hints = {}
    for param in inspect.signature(func).parameters.values():
        kind = param.kind
        if kind is inspect.Parameter.VAR_KEYWORD:
            continue
        if kind is inspect.Parameter.VAR_POSITIONAL:
            parser.add_argument("*args", metavar=param.name.upper(), nargs="*")
            continue
        hint = hints.get(param.name)
        convert: Callable[[str], Any] = hint if hint in (int, float) else str
        if param.default is inspect.Parameter.empty:
            parser.add_argument(param.name, metavar=param.name.upper(), type=convert)
        elif isinstance(param.default, bool):
            flag = "--" + param.name.replace("_", "-")
            parser.add_argument(
                flag, dest=param.name, default=param.default, action=argparse.BooleanOptionalAction
            )
        else:
            default = param.default
            if convert is str and type(default) in (int, float):
                convert = type(default)
            parser.add_argument(
                "--" + param.name.replace("_", "-"),
                dest=param.name,
                default=default,
                type=convert,
                help=f"(default: {default!r})",
            )
    return parser


class AppGroup:
    """``app.cli``: the commands an app adds to ``tumbler``, registered as in Flask."""

    def __init__(self, name: str | None = None, help: str | None = None) -> None:
        self.name = name
        self.help = help
        self.commands: dict[str, Command] = {}

    def group(self, *args: Any, **kwargs: Any) -> Any:
        """Add a group of subcommands: ``@app.cli.group()`` returns an ``AppGroup``.

        ``tumbler user create`` then runs the ``create`` command of the ``user`` group.
        """
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return self.group()(args[0])  # used bare: @app.cli.group
        name: str | None = args[0] if args else kwargs.pop("name", None)

        def decorator(f: Callable[..., Any]) -> AppGroup:
            group_name = name or f.__name__.lower().replace("_", "-")
            group = AppGroup(group_name, kwargs.get("help") or inspect.getdoc(f))
            self.add_command(group, group_name)
            return group

        return decorator

    def invoke(self, args: Sequence[str], prog: str, info: ScriptInfo | None = None) -> int:
        """Run the subcommand named by ``args[0]``; list the subcommands for ``--help``."""
        if not args or args[0] in ("--help", "-h"):
            width = max((len(name) for name in self.commands), default=0)
            print(f"Usage: {prog} COMMAND [ARGS]...\n")
            if self.help:
                print(f"  {self.help}\n")
            print("Commands:")
            for name in self.list_commands():
                print(f"  {name.ljust(width)}  {self.commands[name].short_help}".rstrip())
            return 0 if args else 2
        command = self.get_command(args[0])
        if command is None:
            print(f"Usage: {prog} COMMAND [ARGS]...\n\nError: No such command {args[0]!r}.")
            return 2
        return command.invoke(args[1:], f"{prog} {args[0]}", info)

    def command(self, *args: Any, **kwargs: Any) -> Any:
        """Register a function as a command: ``@app.cli.command()`` or ``command("name")``.

        Keyword arguments other than ``name``, ``help`` and ``with_appcontext`` go to
        ``click.command`` (and make click run the command).
        """
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return self.command()(args[0])  # used bare: @app.cli.command
        name: str | None = args[0] if args else kwargs.pop("name", None)
        help = kwargs.pop("help", None)
        kwargs.pop("with_appcontext", None)

        def decorator(f: F) -> F:
            command_name = name or f.__name__.lower().replace("_", "-")
            if command_name.endswith(("-command", "-cmd")):  # click strips these suffixes
                command_name = command_name.rsplit("-", 1)[0]
            self.commands[command_name] = Command(f, command_name, help, kwargs)
            return f

        return decorator

    def add_command(self, cmd: Any, name: str | None = None) -> None:
        """Add a click command (or a plain function) under ``name`` or its own name."""
        command_name = name or getattr(cmd, "name", None) or cmd.__name__.replace("_", "-")
        self.commands[command_name] = Command(cmd, command_name, None, {})

    def get_command(self, name: str) -> Command | None:
        """The command called ``name``, or None."""
        return self.commands.get(name)

    def list_commands(self) -> list[str]:
        """The command names, sorted."""
        return sorted(self.commands)

    def find(self, target: Any) -> Command | None:
        """The command wrapping ``target`` (a registered function or click command), or None."""
        for command in self.commands.values():
            if command.target is target or command._click is target:
                return command
        return None

    def __repr__(self) -> str:
        return f"<AppGroup {self.name!r} {self.list_commands()}>"


# Built-in commands -----------------------------------------------------------------------------


@dataclass
class _Invocation:
    """What a built-in command needs: the arguments, and how to get the app."""

    args: list[str]
    get_app: Callable[[], Tumbler]
    spec: str | None
    debug: bool | None


def _run_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tumbler run", description="Run a development server.", add_help=False
    )
    parser.add_argument(
        "-h",
        "--host",
        default=os.environ.get("TUMBLER_RUN_HOST") or "127.0.0.1",
        help="The interface to bind to (default: 127.0.0.1).",
    )
    parser.add_argument(
        "-p",
        "--port",
        type=int,
        default=int(os.environ.get("TUMBLER_RUN_PORT") or 5000),
        help="The port to bind to (default: 5000).",
    )
    parser.add_argument(
        "--reload",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="Restart when code changes (default: on in debug mode).",
    )
    parser.add_argument(
        "--debug", action=argparse.BooleanOptionalAction, default=None, help="Set debug mode."
    )
    parser.add_argument(
        "--wsgi", action="store_true", help="Serve over WSGI with gunicorn instead of uvicorn."
    )
    parser.add_argument("--help", action="help", help="Show this message and exit.")
    return parser


def _server_module(name: str, requirement: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        raise SystemExit(
            f"Error: 'tumbler run' needs {name}, which is not installed: "
            + install_hint(requirement, "serve")
        ) from None


def run_command(inv: _Invocation) -> int:
    """Serve the app with uvicorn (ASGI), or gunicorn (WSGI) with ``--wsgi``."""
    opts = _run_parser().parse_args(inv.args)
    debug = opts.debug if opts.debug is not None else inv.debug
    if debug is not None:
        os.environ["TUMBLER_DEBUG"] = "1" if debug else "0"  # seen by a reloader's child
    previous = os.environ.get(RUN_FROM_CLI)
    os.environ[RUN_FROM_CLI] = "true"  # a module-level app.run() is skipped, as in Flask
    try:
        return _serve(opts, inv)
    finally:
        if previous is None:
            os.environ.pop(RUN_FROM_CLI, None)
        else:
            os.environ[RUN_FROM_CLI] = previous


def _serve(opts: argparse.Namespace, inv: _Invocation) -> int:
    app = inv.get_app()
    debug = opts.debug if opts.debug is not None else inv.debug
    if debug is not None:
        app.debug = debug
    reload = app.debug if opts.reload is None else opts.reload
    print(f" * Serving Tumbler app {app.name!r}", file=sys.stderr)
    print(f" * Debug mode: {'on' if app.debug else 'off'}", file=sys.stderr)
    if opts.wsgi:
        if opts.reload:
            raise UsageError("--reload is not supported with --wsgi; use gunicorn --reload.")
        _serve_gunicorn(app, opts.host, opts.port)
        return 0
    uvicorn = _server_module("uvicorn", "uvicorn>=0.30")
    if reload:
        found_again = inv.spec or os.environ.get("TUMBLER_APP")
        if not found_again and not any(os.path.isfile(f) for f in ("wsgi.py", "app.py")):
            raise UsageError("--reload needs the app given by --app or TUMBLER_APP.")
        if inv.spec:
            os.environ["TUMBLER_APP"] = inv.spec
        uvicorn.run(
            "tumbler.cli:asgi_factory",
            factory=True,
            host=opts.host,
            port=opts.port,
            reload=True,
            reload_dirs=sorted({os.getcwd(), app.root_path}),
        )
    else:
        uvicorn.run(app.asgi, host=opts.host, port=opts.port)
    return 0


def _serve_gunicorn(app: Tumbler, host: str, port: int) -> None:
    base = _server_module("gunicorn.app.base", "gunicorn>=22").BaseApplication
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    settings = {"bind": bind, "workers": 1}

    def load_config(self: Any) -> None:
        for key, value in settings.items():
            self.cfg.set(key, value)

    def load(self: Any) -> Tumbler:
        return app

    server_class = type("TumblerGunicorn", (base,), {"load_config": load_config, "load": load})
    server_class().run()


def routes_command(inv: _Invocation) -> int:
    """Print the endpoint, methods and rule of every route, in aligned columns."""
    parser = argparse.ArgumentParser(
        prog="tumbler routes", description="Show the routes for the app."
    )
    parser.add_argument(
        "-s",
        "--sort",
        choices=["endpoint", "methods", "rule", "match"],
        default="endpoint",
        help="Sort by a column, or by 'match' (the order rules are tried).",
    )
    parser.add_argument("--all-methods", action="store_true", help="Show HEAD and OPTIONS too.")
    opts = parser.parse_args(inv.args)
    app = inv.get_app()
    with app.app_context():
        print(format_routes(app, opts.sort, opts.all_methods))
    return 0


def format_routes(app: Tumbler, sort: str = "endpoint", all_methods: bool = False) -> str:
    """The ``routes`` table: Endpoint, Methods and Rule, one rule per line."""
    rules = list(app.url_map.iter_rules())
    if not rules:
        return "No routes were registered."
    hidden = set() if all_methods else {"HEAD", "OPTIONS"}
    rows = [
        [rule.endpoint, ", ".join(sorted(set(rule.methods or ()) - hidden)), rule.rule]
        for rule in rules
    ]
    columns = ["endpoint", "methods", "rule"]
    if sort in columns:
        index = columns.index(sort)
        rows.sort(key=lambda row: row[index])
    rows.insert(0, ["Endpoint", "Methods", "Rule"])
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    rows.insert(1, ["-" * width for width in widths])
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows
    )


def shell_command(inv: _Invocation) -> int:
    """Start an interactive Python shell with ``app`` and ``g``, inside an app context."""
    parser = argparse.ArgumentParser(
        prog="tumbler shell", description="Run a shell in the app context."
    )
    parser.parse_args(inv.args)
    app = inv.get_app()
    from .globals import g

    banner = (
        f"Python {sys.version} on {sys.platform}\nApp: {app.name}\nInstance: {app.instance_path}"
    )
    namespace: dict[str, Any] = {"app": app, "g": g}
    with app.app_context():
        startup = os.environ.get("PYTHONSTARTUP")
        if startup and os.path.isfile(startup):
            with open(startup) as f:
                exec(compile(f.read(), startup, "exec"), namespace)
        make_context = getattr(app, "make_shell_context", None)
        if callable(make_context):
            namespace.update(make_context())
        _enable_completion(namespace)
        code.interact(banner=banner, local=namespace)
    return 0


def _enable_completion(namespace: dict[str, Any]) -> None:
    if not sys.stdin.isatty():
        return
    try:
        import readline
        import rlcompleter
    except ImportError:  # pragma: no cover - platform without readline
        return
    readline.set_completer(rlcompleter.Completer(namespace).complete)
    readline.parse_and_bind("tab: complete")


_BUILTINS: dict[str, tuple[Callable[[_Invocation], int], str]] = {
    "routes": (routes_command, "Show the routes for the app."),
    "run": (run_command, "Run a development server."),
    "shell": (shell_command, "Run a shell in the app context."),
}


# The entry point -------------------------------------------------------------------------------


def _split_globals(argv: list[str]) -> tuple[list[str], str | None, list[str]]:
    """Split ``argv`` into the global options, the command name and the command's arguments."""
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        i += 2 if argv[i] in ("-A", "--app", "-e", "--env-file") else 1
    globals_ = argv[: min(i, len(argv))]
    if i >= len(argv):
        return globals_, None, []
    return globals_, argv[i], argv[i + 1 :]


def _global_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tumbler", usage=_USAGE[7:], add_help=False)
    parser.add_argument("-A", "--app", default=None)
    parser.add_argument("-e", "--env-file", default=None)
    parser.add_argument("--debug", action=argparse.BooleanOptionalAction, default=None)
    parser.add_argument("--version", action="store_true")
    parser.add_argument("--help", action="store_true")
    return parser


def plugin_commands() -> dict[str, Any]:
    """Commands installed packages add: entry points of ``tumbler.commands`` or Flask's
    ``flask.commands`` group (tumbler's win), by name; each is loaded only when run."""
    from importlib.metadata import entry_points

    found: dict[str, Any] = {}
    for group in ("flask.commands", "tumbler.commands"):
        for entry_point in entry_points(group=group):
            found[entry_point.name] = entry_point
    return found


def _help_text(get_app: Callable[[], Tumbler]) -> str:
    rows = {name: summary for name, (_, summary) in _BUILTINS.items()}
    rows.update(
        (name, f"(from {ep.value.partition(':')[0]})") for name, ep in plugin_commands().items()
    )
    note = ""
    try:
        group = get_app().cli
        rows.update((name, group.commands[name].short_help) for name in group.list_commands())
    except NoAppException as error:
        note = f"\nNote: the app's own commands are not listed: {error}\n"
    width = max(len(name) for name in rows)
    lines = [f"  {name.ljust(width)}  {summary}".rstrip() for name, summary in sorted(rows.items())]
    return _HELP.format(usage=_USAGE) + "\n".join(lines) + "\n" + note


def _versions() -> str:
    from . import __version__

    return f"Python {platform.python_version()}\nTumbler {__version__}"


def _run(argv: list[str], preset: Tumbler | None) -> int:
    globals_, name, rest = _split_globals(argv)
    opts = _global_parser().parse_args(globals_)
    if preset is None and should_load_dotenv():  # as Flask's command line (not its runner)
        load_dotenv(opts.env_file)
    if opts.debug is not None:
        os.environ["TUMBLER_DEBUG"] = "1" if opts.debug else "0"
    debug = debug_flag() if opts.debug is None else opts.debug
    info = ScriptInfo(opts.app, app=preset, set_debug_flag=False)

    def get_app() -> Tumbler:
        fresh = info._loaded_app is None
        app = info.load_app()
        if fresh and debug is not None:
            app.debug = debug
        return app

    if opts.version:
        print(_versions())
        return 0
    if opts.help or name is None:
        print(_help_text(get_app), end="")
        return 0 if opts.help else 2
    builtin = _BUILTINS.get(name)
    if builtin is not None:
        return builtin[0](_Invocation(rest, get_app, opts.app, debug))
    app = get_app()
    plugin = plugin_commands().get(name)  # before the app's, as in Flask
    command = Command(plugin.load(), name, None, {}) if plugin else app.cli.get_command(name)
    if command is None:
        raise UsageError(f"No such command {name!r}.")
    with app.app_context():
        return command.invoke(rest, f"tumbler {name}", info)


def main(argv: Sequence[str] | None = None, *, app: Tumbler | None = None) -> int:
    """Run the ``tumbler`` command line; ``app`` skips discovery. Returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        return _run(args, app)
    except UsageError as error:
        print(f"{_USAGE}\nTry 'tumbler --help' for help.\n\nError: {error}", file=sys.stderr)
        return 2
    except NoAppException as error:
        print(f"Error: {error}", file=sys.stderr)
        return 2
    except SystemExit as exit:  # argparse errors and --help, a server's exit
        return _exit_status(exit)


def __getattr__(name: str) -> Any:
    """``CliRunner``/``Result`` and the click group, imported only when asked for."""
    if name in ("CliRunner", "Result"):
        from . import cli_testing

        return getattr(cli_testing, name)
    if name in ("FlaskGroup", "TumblerGroup"):
        _import_click()  # the install hint when click is missing
        from . import cli_click

        return getattr(cli_click, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
