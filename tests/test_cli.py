"""The ``tumbler`` command line: app discovery, built-in commands, app commands, the runner."""

from __future__ import annotations

import http.client
import itertools
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import pytest

from tumbler import Tumbler, current_app, g
from tumbler.asgi import ASGIAdapter
from tumbler.cli import AppGroup, NoAppException, asgi_factory, locate_app, main

BIN = Path(sys.executable).parent
_counter = itertools.count()

Writer = Callable[..., str]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No TUMBLER_* variables from outside; whatever a test sets is restored afterwards."""
    for name in ("TUMBLER_APP", "TUMBLER_DEBUG", "TUMBLER_RUN_HOST", "TUMBLER_RUN_PORT"):
        monkeypatch.setenv(name, "")


@pytest.fixture
def write_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Writer]:
    """Write a module with a unique name into ``tmp_path`` (on sys.path); return its name."""
    names: list[str] = []
    monkeypatch.syspath_prepend(str(tmp_path))

    def write(source: str, name: str | None = None) -> str:
        name = name or f"cli_app_{os.getpid()}_{next(_counter)}"
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
        names.append(name)
        return name

    yield write
    for name in names:
        sys.modules.pop(name, None)


APP_SOURCE = """
    from tumbler import Tumbler

    {name} = Tumbler("{label}")

    @{name}.route("/")
    def index():
        return "index of {label}"
"""

FACTORY_SOURCE = """
    from tumbler import Tumbler

    def {name}(label="default", *, suffix=""):
        app = Tumbler(label + suffix)

        @app.route("/")
        def index():
            return "made"

        return app
"""


@pytest.mark.parametrize("attr", ["app", "application", "website"])
def test_find_best_app_by_attribute(write_module: Writer, attr: str) -> None:
    module = write_module(APP_SOURCE.format(name=attr, label="found"))
    assert locate_app(module).name == "found"


@pytest.mark.parametrize("factory", ["create_app", "make_app"])
def test_find_best_app_factory(write_module: Writer, factory: str) -> None:
    module = write_module(FACTORY_SOURCE.format(name=factory))
    assert locate_app(module).name == "default"


@pytest.mark.parametrize(
    ("expr", "name"),
    [
        ("create_app", "default"),
        ("create_app()", "default"),
        ('create_app("dev")', "dev"),
        ("create_app('dev', suffix='-1')", "dev-1"),
    ],
)
def test_find_app_by_string(write_module: Writer, expr: str, name: str) -> None:
    module = write_module(FACTORY_SOURCE.format(name="create_app"))
    assert locate_app(f"{module}:{expr}").name == name


def test_named_instance_wins(write_module: Writer) -> None:
    module = write_module(
        APP_SOURCE.format(name="app", label="one") + '\n    other = Tumbler("two")\n'
    )
    assert locate_app(f"{module}:other").name == "two"
    assert locate_app(module).name == "one"  # 'app' first


@pytest.mark.parametrize(
    ("source", "spec", "message"),
    [
        ("x = 1\n", "{m}", "Failed to find a Tumbler application or factory in module"),
        (
            'from tumbler import Tumbler\na = Tumbler("a")\nb = Tumbler("b")\n',
            "{m}",
            "Detected multiple Tumbler applications",
        ),
        ("x = 1\n", "{m}:missing", "Failed to find attribute 'missing'"),
        ("x = 1\n", "{m}:x", "A valid Tumbler application was not obtained"),
        ("x = 1\n", "{m}:x(", "Failed to parse"),
        ("x = 1\n", "{m}:x.y", "Failed to parse"),
        ("def f(a): pass\n", "{m}:f(a)", "Failed to parse arguments as literal values"),
        ("def f(): pass\n", "{m}:f(1)", "could not be called with the given arguments"),
        ("x = 1\n", "{m}:x()", "is not a function"),
        ("x = 1\n", "no_such_module_here", "Could not import 'no_such_module_here'."),
    ],
)
def test_discovery_errors(write_module: Writer, source: str, spec: str, message: str) -> None:
    module = write_module(source)
    with pytest.raises(NoAppException, match=message.replace("(", r"\(")):
        locate_app(spec.format(m=module))


def test_errors_inside_the_module_are_not_hidden(write_module: Writer) -> None:
    module = write_module("import no_such_dependency_xyz\n")
    with pytest.raises(ModuleNotFoundError, match="no_such_dependency_xyz"):
        locate_app(module)
    factory = write_module("def create_app():\n    raise TypeError('inside')\n")
    with pytest.raises(TypeError, match="inside"):
        locate_app(factory)


def test_file_path_and_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))  # restored afterwards; locate_app adds folders
    package = tmp_path / "proj" / f"pkg_{os.getpid()}"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "web.py").write_text(textwrap.dedent(APP_SOURCE.format(name="app", label="web")))
    try:
        assert locate_app(str(package / "web.py")).name == "web"
        assert locate_app(f"{package.name}.web:app").name == "web"
    finally:
        sys.modules.pop(f"{package.name}.web", None)
        sys.modules.pop(package.name, None)


def test_environment_variable(write_module: Writer, monkeypatch: pytest.MonkeyPatch) -> None:
    module = write_module(APP_SOURCE.format(name="app", label="from-env"))
    monkeypatch.setenv("TUMBLER_APP", module)
    assert locate_app().name == "from-env"
    assert locate_app(f"{module}:app").name == "from-env"  # --app wins over the variable


@pytest.mark.parametrize("filename", ["app", "wsgi"])
def test_fallback_files_in_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, filename: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, filename, raising=False)
    (tmp_path / f"{filename}.py").write_text(
        textwrap.dedent(APP_SOURCE.format(name="app", label=filename))
    )
    try:
        assert locate_app().name == filename
    finally:
        sys.modules.pop(filename, None)


def test_nothing_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(NoAppException, match="Could not locate a Tumbler application"):
        locate_app()
    assert main(["routes"]) == 2
    assert "Error: Could not locate a Tumbler application" in capsys.readouterr().err


def test_main_with_app_option(write_module: Writer, capsys: Any) -> None:
    module = write_module(APP_SOURCE.format(name="app", label="main"))
    assert main(["--app", module, "routes"]) == 0
    assert "/static/<path:filename>" in capsys.readouterr().out
    assert main([f"--app={module}", "--debug", "routes"]) == 0
    assert locate_app(module).debug is True


# routes ------------------------------------------------------------------------------------------


@pytest.fixture
def routed_app() -> Tumbler:
    app = Tumbler("routed", static_folder=None)

    @app.route("/users/<int:id>", methods=["GET", "POST", "DELETE"])
    def user(id: int) -> str:
        return "user"

    @app.route("/")
    def index() -> str:
        return "index"

    @app.route("/about", methods=["PUT"])
    def about() -> str:
        return "about"

    return app


def test_routes_table(routed_app: Tumbler) -> None:
    result = routed_app.test_cli_runner().invoke(args=["routes"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Endpoint  Methods            Rule           \n"
        "--------  -----------------  ---------------\n"
        "about     PUT                /about         \n"
        "index     GET                /              \n"
        "user      DELETE, GET, POST  /users/<int:id>\n"
    )


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("endpoint", ["about", "index", "user"]),
        ("methods", ["user", "index", "about"]),
        ("rule", ["index", "about", "user"]),
        ("match", ["user", "index", "about"]),
    ],
)
def test_routes_sort(routed_app: Tumbler, sort: str, order: list[str]) -> None:
    result = routed_app.test_cli_runner().invoke(args=["routes", "--sort", sort])
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.output.splitlines()[2:]] == order


def test_routes_all_methods_and_empty(routed_app: Tumbler) -> None:
    result = routed_app.test_cli_runner().invoke(args="routes --all-methods -s rule")
    assert "GET, HEAD, OPTIONS" in result.output.splitlines()[2]
    empty = Tumbler("empty", static_folder=None).test_cli_runner().invoke(args=["routes"])
    assert (empty.exit_code, empty.output) == (0, "No routes were registered.\n")
    bad = routed_app.test_cli_runner().invoke(args=["routes", "--sort", "nope"])
    assert bad.exit_code == 2
    assert "invalid choice" in bad.output


# app commands ------------------------------------------------------------------------------------


def test_click_command_in_app_context(app: Tumbler) -> None:
    @app.cli.command()
    @click.argument("name")
    @click.option("--times", type=int, default=1)
    def hello(name: str, times: int) -> None:
        """Say hello."""
        g.seen = True
        click.echo(f"hello {name} from {current_app.name}" * times)

    runner = app.test_cli_runner()
    result = runner.invoke(args=["hello", "ann", "--times", "2"])
    assert (result.exit_code, result.output) == (
        0,
        "hello ann from tests_apphello ann from tests_app\n",
    )
    result = runner.invoke(hello, ["bob"])  # the registered function itself
    assert result.output == "hello bob from tests_app\n"
    missing = runner.invoke(args=["hello"])
    assert missing.exit_code == 2
    assert "Missing argument 'NAME'" in missing.output
    assert isinstance(missing.exception, SystemExit)
    listing = runner.invoke(args=["--help"])
    # (the column width depends on the other commands: installed packages may add some)
    assert re.search(r"^  hello +Say hello\.$", listing.output, re.M), listing.output


def test_add_click_command_and_group(app: Tumbler) -> None:
    @click.command("greet")
    @click.option("--name", prompt=True)
    def greet(name: str) -> None:
        click.echo(f"hi {name} {current_app.name}")

    @click.group()
    def db() -> None:
        """Database commands."""

    @db.command()
    def init() -> None:
        click.echo("initialised")

    app.cli.add_command(greet)
    app.cli.add_command(db)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["greet"], input="zoe\n").output.endswith("hi zoe tests_app\n")
    assert runner.invoke(args=["db", "init"]).output == "initialised\n"
    assert runner.invoke(greet, ["--name", "x"]).output == "hi x tests_app\n"


def test_plain_function_commands(app: Tumbler) -> None:
    @app.cli.command("add-up")
    def add_up(a: int, b: int, *rest: str, label: str = "sum", loud: bool = False) -> None:
        """Add two numbers."""
        text = f"{label}={a + b} rest={list(rest)} in {current_app.name}"
        print(text.upper() if loud else text)

    @app.cli.command
    def plain_cmd() -> int:
        return 3

    @app.cli.command()
    async def wait() -> None:
        print("awaited")

    runner = app.test_cli_runner()
    result = runner.invoke(args=["add-up", "2", "3", "x", "--label", "total"])
    assert result.output == "total=5 rest=['x'] in tests_app\n"
    assert runner.invoke(args="add-up 1 1 --loud").output == "SUM=2 REST=[] IN TESTS_APP\n"
    assert runner.invoke(args=["add-up", "one", "1"]).exit_code == 2
    assert "Add two numbers." in runner.invoke(args=["add-up", "--help"]).output
    assert runner.invoke(args=["plain"]).exit_code == 3  # click's name rule: no "-cmd"
    assert runner.invoke(args=["wait"]).output == "awaited\n"
    assert sorted(app.cli.commands) == ["add-up", "plain", "wait"]


def test_unregistered_callable_and_errors(app: Tumbler) -> None:
    def once() -> None:
        print("once", current_app.name)

    def boom() -> None:
        raise RuntimeError("broken")

    app.cli.add_command(boom)
    runner = app.test_cli_runner()
    assert runner.invoke(once).output == "once tests_app\n"
    assert "once" not in app.cli.commands
    result = runner.invoke(args=["boom"])
    assert result.exit_code == 1
    assert isinstance(result.exception, RuntimeError)
    assert result.exc_info is not None
    with pytest.raises(RuntimeError, match="broken"):
        runner.invoke(args=["boom"], catch_exceptions=False)
    unknown = runner.invoke(args=["nope"])
    assert unknown.exit_code == 2
    assert "Error: No such command 'nope'." in unknown.stderr


def test_runner_env_and_version(app: Tumbler) -> None:
    @app.cli.command()
    def show() -> None:
        print(os.environ.get("TUMBLER_X"))

    runner = app.test_cli_runner()
    assert runner.invoke(args=["show"], env={"TUMBLER_X": "1"}).output == "1\n"
    assert os.environ.get("TUMBLER_X") is None
    assert "Tumbler 0.1.0" in runner.invoke(args=["--version"]).output
    assert runner.invoke(args=[]).exit_code == 2
    assert isinstance(app.cli, AppGroup)


# run ---------------------------------------------------------------------------------------------


@pytest.fixture
def uvicorn_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    import uvicorn

    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: calls.append((a, kw)))
    return calls


def test_run_defaults(app: Tumbler, uvicorn_calls: list[Any]) -> None:
    result = app.test_cli_runner().invoke(args=["run"])
    assert result.exit_code == 0, result.output
    assert uvicorn_calls == [((app.asgi,), {"host": "127.0.0.1", "port": 5000})]
    assert " * Serving Tumbler app 'tests_app'" in result.stderr
    assert app.debug is False


def test_run_options(app: Tumbler, uvicorn_calls: list[Any], monkeypatch: Any) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args="run --host 0.0.0.0 -p 8001 --no-reload --debug").exit_code == 0
    assert uvicorn_calls[-1] == ((app.asgi,), {"host": "0.0.0.0", "port": 8001})
    assert app.debug is True
    monkeypatch.setenv("TUMBLER_RUN_PORT", "7000")
    assert runner.invoke(args=["run", "--no-debug"]).exit_code == 0
    assert uvicorn_calls[-1][1]["port"] == 7000
    assert app.debug is False
    assert runner.invoke(args=["run", "--port", "x"]).exit_code == 2


def test_run_reload_uses_the_factory(
    write_module: Writer, uvicorn_calls: list[Any], capsys: Any
) -> None:
    module = write_module(FACTORY_SOURCE.format(name="create_app"))
    spec = f"{module}:create_app('dev')"
    assert main(["--app", spec, "--debug", "run", "--port", "8002"]) == 0
    args, kwargs = uvicorn_calls[-1]
    assert args == ("tumbler.cli:asgi_factory",)
    assert kwargs["factory"] is True
    assert kwargs["reload"] is True
    assert (kwargs["host"], kwargs["port"]) == ("127.0.0.1", 8002)
    # What the reloader's child process does with the factory:
    assert (os.environ["TUMBLER_APP"], os.environ["TUMBLER_DEBUG"]) == (spec, "1")
    entry = asgi_factory()
    assert isinstance(entry, ASGIAdapter)
    assert entry.app.name == "dev"
    assert entry.app.debug is True


def test_run_reload_needs_an_import_string(
    app: Tumbler, uvicorn_calls: list[Any], tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    result = app.test_cli_runner().invoke(args=["run", "--reload"])
    assert result.exit_code == 2
    assert "--reload needs the app given by --app or TUMBLER_APP" in result.output
    assert uvicorn_calls == []


def test_run_without_uvicorn(app: Tumbler, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    result = app.test_cli_runner().invoke(args=["run"])
    assert result.exit_code == 1
    assert "'tumbler run' needs uvicorn, which is not installed" in result.output


def test_run_wsgi_with_gunicorn(app: Tumbler, monkeypatch: pytest.MonkeyPatch) -> None:
    from gunicorn.app.base import BaseApplication

    seen: dict[str, Any] = {}

    def fake_run(self: Any) -> None:
        seen.update(bind=self.cfg.bind, workers=self.cfg.workers, app=self.load())

    monkeypatch.setattr(BaseApplication, "run", fake_run)
    runner = app.test_cli_runner()
    assert runner.invoke(args="run --wsgi --port 8003").exit_code == 0
    assert seen == {"bind": ["127.0.0.1:8003"], "workers": 1, "app": app}
    assert runner.invoke(args="run --wsgi -h ::1").exit_code == 0
    assert seen["bind"] == ["[::1]:5000"]
    assert runner.invoke(args="run --wsgi --reload").exit_code == 2


# shell -------------------------------------------------------------------------------------------


def test_shell(app: Tumbler) -> None:
    script = (
        "print('name:', app.name)\n"
        "from tumbler import current_app\n"
        "print('same:', current_app.name)\n"
    )
    result = app.test_cli_runner().invoke(args=["shell"], input=script)
    assert result.exit_code == 0, result.output
    assert f"Python {sys.version}" in result.stderr
    assert "App: tests_app" in result.stderr
    assert "name: tests_app" in result.stdout
    assert "same: tests_app" in result.stdout  # inside the app context


# a real server -----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.live
def test_tumbler_run_serves(tmp_path: Path) -> None:
    (tmp_path / "live_site.py").write_text(
        textwrap.dedent(APP_SOURCE.format(name="app", label="live"))
    )
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUMBLER_")}
    proc = subprocess.Popen(
        [str(BIN / "tumbler"), "--app", "live_site", "run", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            assert proc.poll() is None, "tumbler run exited early"
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                assert time.monotonic() < deadline, "tumbler run did not start in 20 s"
                time.sleep(0.1)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/")
        response = conn.getresponse()
        assert (response.status, response.read()) == (200, b"index of live")
        conn.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            _, stderr = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, stderr = proc.communicate()
    assert b"Serving Tumbler app 'live'" in stderr
    assert b"Traceback" not in stderr
