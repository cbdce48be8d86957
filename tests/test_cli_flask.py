"""Flask's config loaders, .env files, CLI extension points (ScriptInfo, with_appcontext,
groups, FlaskGroup) and ``tumbler.logging``."""

from __future__ import annotations

import logging
import os
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner as ClickRunner

from tumbler import Config, Tumbler, current_app, g
from tumbler.cli import AppGroup, ScriptInfo, main, with_appcontext
from tumbler.logging import default_handler, has_level_handler

ENV_NAMES = (
    "TUMBLER_APP",
    "FLASK_APP",
    "TUMBLER_DEBUG",
    "FLASK_DEBUG",
    "TUMBLER_SKIP_DOTENV",
    "FLASK_SKIP_DOTENV",
    "FROM_DOTENV",
    "FROM_FLASKENV",
    "BOTH",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """These variables start unset, and whatever sets them (even .env loading) is undone."""
    for name in ENV_NAMES:
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)


# Config ---------------------------------------------------------------------------------------


def test_from_envvar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "settings.py").write_text("SECRET = 'from file'\nlower = 1\n")
    config = Config(str(tmp_path))
    with pytest.raises(RuntimeError, match="'APP_SETTINGS' is not set"):
        config.from_envvar("APP_SETTINGS")
    assert config.from_envvar("APP_SETTINGS", silent=True) is False
    monkeypatch.setenv("APP_SETTINGS", str(tmp_path / "settings.py"))
    assert config.from_envvar("APP_SETTINGS") is True
    assert config["SECRET"] == "from file"
    assert "lower" not in config
    monkeypatch.setenv("APP_SETTINGS", str(tmp_path / "missing.py"))
    assert config.from_envvar("APP_SETTINGS", silent=True) is False
    with pytest.raises(OSError, match="Unable to load configuration file"):
        config.from_envvar("APP_SETTINGS")


def test_from_prefixed_env_reads_flask_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASK_SECRET_KEY", "from flask")
    monkeypatch.setenv("FLASK_ONLY", "1")
    monkeypatch.setenv("FLASK_DB__HOST", '"db.local"')
    config = Config()
    config.from_prefixed_env()
    assert config["SECRET_KEY"] == "from flask"  # a Flask deployment's key is not lost
    assert config["ONLY"] == 1
    assert config["DB"] == {"HOST": "db.local"}
    monkeypatch.setenv("TUMBLER_SECRET_KEY", "from tumbler")
    config.from_prefixed_env()
    assert config["SECRET_KEY"] == "from tumbler"  # tumbler's own prefix wins
    other = Config()
    other.from_prefixed_env("FLASK")
    assert other["SECRET_KEY"] == "from flask"


# .env and .flaskenv ---------------------------------------------------------------------------


APP_MODULE = """
    from tumbler import Tumbler

    app = Tumbler("dotenv_app")

    @app.cli.command()
    def show():
        import os
        print("debug", app.debug, os.environ.get("FROM_DOTENV"), os.environ.get("BOTH"))
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder with an app module, as the current directory."""
    name = f"dotenv_app_{os.getpid()}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(APP_MODULE))
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / ".flaskenv").write_text(f"FLASK_APP={name}\nFLASK_DEBUG=1\nBOTH=flaskenv\n")
    (tmp_path / ".env").write_text("FROM_DOTENV=yes\nBOTH=env\n")
    yield tmp_path
    sys.modules.pop(name, None)


def test_command_line_loads_dotenv_files(project: Path, capsys: Any) -> None:
    assert main(["show"]) == 0
    # FLASK_APP from .flaskenv found the app, FLASK_DEBUG turned debug on, .env beat .flaskenv
    assert capsys.readouterr().out == "debug True yes env\n"


def test_environment_beats_dotenv_files(
    project: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOTH", "environment")
    (project / "extra.env").write_text("FROM_DOTENV=extra\n")
    assert main(["--env-file", "extra.env", "show"]) == 0
    assert capsys.readouterr().out == "debug True extra environment\n"


def test_skip_dotenv(project: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUMBLER_SKIP_DOTENV", "1")
    assert main(["show"]) == 2
    assert "Could not locate" in capsys.readouterr().err


# Commands written for Flask's click command line ------------------------------------------------


@pytest.fixture
def app_with_resource(app: Tumbler) -> tuple[Tumbler, list[str]]:
    closed: list[str] = []

    @app.teardown_appcontext
    def close(exc: BaseException | None) -> None:
        if "resource" in g:
            closed.append(g.pop("resource"))

    return app, closed


def test_with_appcontext_loads_the_app_outside_tumbler(
    app_with_resource: tuple[Tumbler, list[str]],
) -> None:
    app, closed = app_with_resource

    @click.command()
    @click.argument("name")
    @with_appcontext
    def hello(name: str) -> None:
        g.resource = name
        click.echo(f"{name} on {current_app.name}")

    result = ClickRunner().invoke(hello, ["ann"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    assert result.output == "ann on tests_app\n"
    assert closed == ["ann"]  # its app context was popped, with teardown


def test_click_group_of_an_extension(app_with_resource: tuple[Tumbler, list[str]]) -> None:
    """The shape of Flask-Migrate's ``db`` group: click commands with ``@with_appcontext``."""
    app, closed = app_with_resource

    @click.group()
    def db() -> None:
        """Database commands."""

    @db.command()
    @click.option("--revision", default="head")
    @with_appcontext
    def upgrade(revision: str) -> None:
        info = click.get_current_context().find_object(ScriptInfo)
        assert info is not None and info.load_app() is current_app._get_current_object()  # type: ignore[attr-defined]
        g.resource = revision
        click.echo(f"upgrade {current_app.name} to {revision}")

    app.cli.add_command(db)
    result = app.test_cli_runner().invoke(args=["db", "upgrade", "--revision", "abc"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "upgrade tests_app to abc\n"
    assert closed == ["abc"]


def test_app_cli_group(app: Tumbler) -> None:
    @app.cli.group()
    def user() -> None:
        """Manage users."""

    assert isinstance(user, AppGroup)

    @user.command()
    def create(name: str, admin: bool = False) -> None:
        print(f"created {name} admin={admin} in {current_app.name}")

    runner = app.test_cli_runner()
    result = runner.invoke(args=["user", "create", "bob", "--admin"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "created bob admin=True in tests_app\n"
    listing = runner.invoke(args=["user", "--help"])
    assert "create" in listing.stdout
    assert "Manage users." in listing.stdout
    assert runner.invoke(args=["user", "nope"]).exit_code == 2
    assert "user" in runner.invoke(args=["--help"]).stdout


def test_flask_group(app: Tumbler) -> None:
    from tumbler.cli import FlaskGroup, TumblerGroup

    assert FlaskGroup is TumblerGroup

    @app.cli.command()
    def greet(name: str) -> None:
        print(f"hi {name} from {current_app.name} debug={current_app.debug}")

    @click.group(cls=FlaskGroup, create_app=lambda: app)
    def cli() -> None:
        """Management script of the project."""

    @cli.command()
    def own() -> None:
        click.echo("own command")

    runner = ClickRunner()
    result = runner.invoke(cli, ["--debug", "greet", "ann"])
    assert result.exit_code == 0, result.output
    assert result.output == "hi ann from tests_app debug=True\n"
    assert runner.invoke(cli, ["own"]).output == "own command\n"
    listing = runner.invoke(cli, ["--help"]).output
    for name in ("greet", "own", "routes", "run", "shell"):
        assert name in listing
    routes = runner.invoke(cli, ["routes"])
    assert routes.exit_code == 0
    assert "static" in routes.output


def test_app_factories_with_call_syntax(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    name = f"factory_pkg_{os.getpid()}"
    package = tmp_path / name
    package.mkdir()
    (package / "__init__.py").write_text(
        textwrap.dedent(
            """
            from tumbler import Tumbler

            def create_app(config="default"):
                app = Tumbler(__name__)
                app.config["WHICH"] = config

                @app.cli.command()
                def which():
                    print("config", app.config["WHICH"])

                return app
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    try:
        outputs = []
        for spec in (name, f"{name}:create_app", f"{name}:create_app('testing')"):
            assert main(["--app", spec, "which"]) == 0
            outputs.append(capsys.readouterr().out)
        assert outputs == ["config default\n", "config default\n", "config testing\n"]
    finally:
        sys.modules.pop(name, None)


# tumbler.logging --------------------------------------------------------------------------------


def test_default_handler(app: Tumbler) -> None:
    logger = logging.getLogger(f"{app.name}_logging_{os.getpid()}")
    fresh = Tumbler(logger.name)
    saved = logging.root.handlers[:]
    logging.root.handlers[:] = []
    try:
        assert not has_level_handler(logger)
        assert default_handler in fresh.logger.handlers
        fresh.logger.removeHandler(default_handler)  # as Flask's docs show
        assert default_handler not in fresh.logger.handlers
        logging.root.handlers[:] = [logging.NullHandler()]
        assert has_level_handler(logger)
    finally:
        logging.root.handlers[:] = saved
        logger.handlers.clear()


PLUGIN_MODULE = """
    import click

    from tumbler import current_app
    from tumbler.cli import with_appcontext


    @click.command()
    @click.argument("to")
    @with_appcontext
    def migrate(to):
        click.echo(f"migrating {current_app.name} to {to}")
"""


@pytest.fixture
def installed_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A distribution on sys.path whose ``flask.commands`` entry point adds ``migrate``."""
    name = f"plugin_cli_{os.getpid()}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(PLUGIN_MODULE))
    dist = tmp_path / "tumbler_test_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: tumbler-test-plugin\nVersion: 1.0\n"
    )
    (dist / "entry_points.txt").write_text(f"[flask.commands]\nmigrate = {name}:migrate\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    sys.modules.pop(name, None)


def test_plugin_commands_from_entry_points(app: Tumbler, installed_plugin: str) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["migrate", "v2"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "migrating tests_app to v2\n"
    assert "migrate" in runner.invoke(args=["--help"]).stdout

    from tumbler.cli import FlaskGroup

    cli = FlaskGroup(create_app=lambda: app)
    flask_style = ClickRunner().invoke(cli, ["migrate", "v3"])
    assert flask_style.output == "migrating tests_app to v3\n"


def test_module_level_app_run_is_skipped_by_tumbler_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A script that calls ``app.run()`` unguarded still works with ``tumbler run``."""
    import uvicorn

    calls: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: calls.append((a, kw)))
    name = f"runs_itself_{os.getpid()}"
    (tmp_path / f"{name}.py").write_text(
        "from tumbler import Tumbler\n\napp = Tumbler(__name__)\napp.run(port=9999)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("TUMBLER_SKIP_DOTENV", "1")
    try:
        assert main(["--app", name, "run", "--port", "8123"]) == 0
    finally:
        sys.modules.pop(name, None)
    assert len(calls) == 1
    assert calls[0][1]["port"] == 8123
    assert "TUMBLER_RUN_FROM_CLI" not in os.environ  # restored once the server stopped


def test_flask_group_without_an_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tumbler.cli import FlaskGroup

    monkeypatch.chdir(tmp_path)
    cli = FlaskGroup()
    listing = ClickRunner().invoke(cli, ["--help"])
    assert listing.exit_code == 0
    assert "routes" in listing.output
    result = ClickRunner().invoke(cli, ["nothing-here"])
    assert result.exit_code == 2
    assert "Could not locate a Tumbler application" in result.output
    assert "No such command" in result.output
