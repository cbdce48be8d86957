"""Flask's app attributes: resources, shell context, aborter, redirect, classes, app.run()."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tumbler import (
    Blueprint,
    Config,
    Response,
    Tumbler,
    abort,
    g,
    get_template_attribute,
    redirect,
    url_for,
)
from tumbler.app_resources import Aborter
from tumbler.cli_testing import CliRunner
from tumbler.context import AppGlobals
from tumbler.http.exceptions import HTTPException
from tumbler.routing import BuildError
from tumbler.testing import RequestSpec, TestClient


@pytest.fixture
def folder_app(tmp_path: Path) -> Tumbler:
    """An app whose root and instance folders are temporary directories."""
    (tmp_path / "schema.sql").write_text("CREATE TABLE t (x);\n", encoding="utf-8")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "macros.html").write_text(
        "{% macro hello(name) %}Hello {{ name }}!{% endmacro %}{% set answer = 42 %}"
    )
    return Tumbler("folder_app", root_path=str(tmp_path), instance_path=str(tmp_path / "inst"))


# Resources -----------------------------------------------------------------------------------


def test_open_resource(folder_app: Tumbler) -> None:
    with folder_app.open_resource("schema.sql") as f:
        assert f.read() == b"CREATE TABLE t (x);\n"
    with folder_app.open_resource("schema.sql", "r", encoding="utf-8") as f:
        assert f.read().startswith("CREATE")
    for mode in ("w", "wb", "a", "r+"):
        with pytest.raises(ValueError, match="only be opened for reading"):
            folder_app.open_resource("schema.sql", mode)


def test_open_instance_resource(folder_app: Tumbler) -> None:
    Path(folder_app.instance_path).mkdir()
    with folder_app.open_instance_resource("settings.cfg", "w") as f:
        f.write("KEY = 'é'\n")
    with folder_app.open_instance_resource("settings.cfg") as f:
        assert f.read() == "KEY = 'é'\n".encode()
    with folder_app.open_instance_resource("settings.cfg", "r") as f:
        assert f.read() == "KEY = 'é'\n"


def test_get_template_attribute(folder_app: Tumbler) -> None:
    with folder_app.app_context():
        hello = get_template_attribute("macros.html", "hello")
        assert str(hello("Ann")) == "Hello Ann!"
        assert get_template_attribute("macros.html", "answer") == 42


# The shell ------------------------------------------------------------------------------------


def test_shell_context_processor(app: Tumbler) -> None:
    @app.shell_context_processor
    def extra() -> dict[str, Any]:
        return {"answer": 42, "db": "the database"}

    assert app.shell_context_processors == [extra]
    with app.app_context():
        namespace = app.make_shell_context()
    assert namespace["app"] is app
    assert namespace["answer"] == 42
    assert "g" in namespace
    result = app.test_cli_runner().invoke(args=["shell"], input="print('got', answer, db)\n")
    assert result.exit_code == 0, result.output
    assert "got 42 the database" in result.stdout


# Settings and classes --------------------------------------------------------------------------


def test_permanent_session_lifetime(app: Tumbler) -> None:
    assert app.permanent_session_lifetime == timedelta(days=31)
    app.permanent_session_lifetime = timedelta(hours=1)
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=1)
    app.config["PERMANENT_SESSION_LIFETIME"] = 60
    assert app.permanent_session_lifetime == timedelta(minutes=1)


def test_config_class_and_make_config(tmp_path: Path) -> None:
    class MyConfig(Config):
        pass

    class MyApp(Tumbler):
        config_class = MyConfig

    app = MyApp("x", root_path=str(tmp_path), instance_path=str(tmp_path / "i"))
    assert type(app.config) is MyConfig
    assert app.config["DEBUG"] is False
    assert app.make_config(instance_relative=True).root_path == str(tmp_path / "i")


def test_app_ctx_globals_class(protocol: str) -> None:
    class Globals(AppGlobals):
        def user_name(self) -> str:
            return str(self.get("user", "anonymous"))

    class MyApp(Tumbler):
        app_ctx_globals_class = Globals

    app = MyApp("globals_app")

    @app.route("/")
    def index() -> str:
        return g.user_name()  # type: ignore[no-any-return]

    with app.test_client(protocol=protocol) as client:
        assert client.get("/").text == "anonymous"


def test_test_client_and_cli_runner_classes(app: Tumbler) -> None:
    class MyClient(TestClient):
        pass

    class MyRunner(CliRunner):
        pass

    app.test_client_class = MyClient
    app.test_cli_runner_class = MyRunner
    with app.test_client(protocol="asgi") as client:
        assert type(client) is MyClient
        assert client.protocol == "asgi"
    assert type(app.test_cli_runner()) is MyRunner


def test_iter_blueprints(app: Tumbler) -> None:
    first, second = Blueprint("first", __name__), Blueprint("second", __name__)
    app.register_blueprint(first)
    app.register_blueprint(second)
    assert list(app.iter_blueprints()) == [first, second]


def test_jinja_environment_class(folder_app: Tumbler) -> None:
    from tumbler.templating import Environment

    class MyEnvironment(Environment):
        pass

    folder_app.jinja_environment = MyEnvironment
    env = folder_app.create_jinja_environment()
    assert isinstance(env, MyEnvironment)
    assert env.app is folder_app
    assert "url_for" in env.globals
    assert isinstance(folder_app.jinja_env, MyEnvironment)


# abort and redirect go through the app ----------------------------------------------------------


class PaymentRequired(HTTPException):
    code = 402
    description = "Pay first."


def test_aborter_mapping(app: Tumbler, client: TestClient) -> None:
    app.aborter.mapping[402] = PaymentRequired

    @app.route("/pay")
    def pay() -> str:
        abort(402)

    @app.errorhandler(PaymentRequired)
    def handle(error: PaymentRequired) -> tuple[str, int]:
        return f"handled {error.description}", 402

    response = client.get("/pay")
    assert response.status_code == 402
    assert response.text == "handled Pay first."


def test_aborter_class(protocol: str) -> None:
    class MyAborter(Aborter):
        def __init__(self) -> None:
            super().__init__(extra={402: PaymentRequired})

    class MyApp(Tumbler):
        aborter_class = MyAborter

    app = MyApp("aborter_app")

    @app.route("/")
    def index() -> str:
        abort(402)

    with app.test_client(protocol=protocol) as client:
        assert client.get("/").status_code == 402
    with pytest.raises(LookupError):
        app.aborter(799)
    with pytest.raises(PaymentRequired):  # outside a context: the default mapping has no 402
        MyAborter()(402)


def test_redirect_uses_the_app(protocol: str) -> None:
    class MyResponse(Response):
        pass

    class MyApp(Tumbler):
        response_class = MyResponse

        def redirect(self, location: str, code: int = 302) -> Response:
            response = super().redirect(location, code)
            response.headers["X-Redirected-By"] = "app"
            return response

    app = MyApp("redirect_app")

    @app.route("/")
    def index() -> Response:
        response = redirect("/there", 301)
        assert isinstance(response, MyResponse)
        return response

    with app.test_client(protocol=protocol) as client:
        response = client.get("/")
    assert response.status_code == 301
    assert response.headers["Location"] == "/there"
    assert response.headers["X-Redirected-By"] == "app"
    assert type(redirect("/x")) is Response  # no app: the plain function


def test_url_build_error_handlers(app: Tumbler) -> None:
    seen: list[tuple[str, dict[str, Any]]] = []

    def external(error: BuildError, endpoint: str, values: dict[str, Any]) -> str | None:
        seen.append((endpoint, values))
        if endpoint == "docs":
            return f"https://docs.example.com/{values['page']}"
        return None

    app.url_build_error_handlers.append(external)
    with app.test_request_context():
        assert url_for("docs", page="intro") == "https://docs.example.com/intro"
        with pytest.raises(BuildError):
            url_for("missing")
    assert seen[0][0] == "docs"
    assert seen[0][1]["_external"] is None


def test_url_build_error_handler_may_raise_a_new_error(app: Tumbler) -> None:
    def reraise(error: BuildError, endpoint: str, values: dict[str, Any]) -> str:
        raise BuildError("replaced", values, None)

    app.url_build_error_handlers.append(reraise)
    with app.test_request_context(), pytest.raises(BuildError) as info:
        url_for("missing")
    assert info.value.endpoint == "replaced"


# app.run() --------------------------------------------------------------------------------------


@pytest.fixture
def uvicorn_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    import uvicorn

    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: calls.append((a, kw)))
    for name in (
        "TUMBLER_APP",
        "TUMBLER_DEBUG",
        "FLASK_DEBUG",
        "TUMBLER_RUN_FROM_CLI",
        "TUMBLER_SKIP_DOTENV",
        "FLASK_SKIP_DOTENV",
    ):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    return calls


def test_run_defaults_and_server_name(app: Tumbler, uvicorn_calls: list[Any]) -> None:
    app.run()
    assert uvicorn_calls[-1] == ((app.asgi,), {"host": "127.0.0.1", "port": 5000, "reload": False})
    app.config["SERVER_NAME"] = "example.test:8123"
    app.run()
    assert uvicorn_calls[-1][1]["host"] == "example.test"
    assert uvicorn_calls[-1][1]["port"] == 8123
    app.run(host="0.0.0.0", port=0)  # given values win, and port 0 is a port
    assert uvicorn_calls[-1][1]["host"] == "0.0.0.0"
    assert uvicorn_calls[-1][1]["port"] == 0
    app.config["SERVER_NAME"] = "example.test"
    app.run()
    assert uvicorn_calls[-1][1]["port"] == 5000


RELOADED_APP = Tumbler(__name__)


def test_run_debug_turns_on_the_reloader(uvicorn_calls: list[Any]) -> None:
    app = RELOADED_APP
    app.run(debug=True)
    (args, kwargs) = uvicorn_calls[-1]
    assert app.debug is True
    assert args == ("tumbler.cli:asgi_factory",)
    assert kwargs["factory"] is True
    assert kwargs["reload"] is True
    assert os.environ["TUMBLER_APP"] == f"{__name__}:RELOADED_APP"
    assert os.environ["TUMBLER_DEBUG"] == "1"
    assert os.environ["TUMBLER_RUN_FROM_CLI"] == "true"
    os.environ.pop("TUMBLER_RUN_FROM_CLI")
    app.run(debug=True, use_reloader=False)
    assert uvicorn_calls[-1][0] == (app.asgi,)
    assert uvicorn_calls[-1][1]["reload"] is False
    with pytest.raises(RuntimeError, match="not an imported module"):
        Tumbler("not_a_module").run(use_reloader=True)


def test_run_options(app: Tumbler, uvicorn_calls: list[Any]) -> None:
    app.run(threaded=True, use_debugger=True, log_level="warning", ssl_context=("c.pem", "k.pem"))
    kwargs = uvicorn_calls[-1][1]
    assert kwargs["log_level"] == "warning"
    assert (kwargs["ssl_certfile"], kwargs["ssl_keyfile"]) == ("c.pem", "k.pem")
    assert "threaded" not in kwargs
    with pytest.raises(TypeError, match="cannot take: processes, no_such_option"):
        app.run(processes=2, no_such_option=1)
    with pytest.raises(TypeError, match="ssl_context='adhoc'"):
        app.run(ssl_context="adhoc")


def test_run_is_skipped_under_the_command_line(
    app: Tumbler, uvicorn_calls: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUMBLER_RUN_FROM_CLI", "true")
    app.run()
    assert uvicorn_calls == []


def test_run_loads_dotenv(
    app: Tumbler, uvicorn_calls: list[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".flaskenv").write_text("FLASK_DEBUG=1\n")
    monkeypatch.setenv("FLASK_DEBUG", "")
    monkeypatch.delenv("FLASK_DEBUG")
    app.run(load_dotenv=False)
    assert app.debug is False
    app.run(use_reloader=False)
    assert app.debug is True
    monkeypatch.setenv("TUMBLER_SKIP_DOTENV", "1")
    monkeypatch.delenv("FLASK_DEBUG")
    app.debug = False
    app.run()
    assert app.debug is False


def test_asgi2_call(app: Tumbler) -> None:
    """``app(scope)`` is an ASGI 2 instance: what uvicorn makes of a non-coroutine __call__."""
    import asyncio

    @app.route("/")
    def index() -> str:
        return "over ASGI 2"

    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = RequestSpec("/").scope()
    asyncio.run(app(scope)(receive, send))
    assert sent[0]["status"] == 200
    assert b"".join(m.get("body", b"") for m in sent[1:]) == b"over ASGI 2"


def test_inject_url_defaults_and_update_template_context(app: Tumbler) -> None:
    bp = Blueprint("shop", __name__, url_prefix="/<lang>")

    @bp.route("/items")
    def items(lang: str) -> str:
        return lang

    @app.url_defaults
    def app_defaults(endpoint: str, values: dict[str, Any]) -> None:
        values.setdefault("tracking", "app")

    @bp.url_defaults
    def shop_defaults(endpoint: str, values: dict[str, Any]) -> None:
        values.setdefault("lang", "en")

    @app.context_processor
    def site() -> dict[str, Any]:
        return {"site": "shop", "title": "from the processor"}

    app.register_blueprint(bp)
    values: dict[str, Any] = {}
    app.inject_url_defaults("shop.items", values)
    assert values == {"tracking": "app", "lang": "en"}
    with app.test_request_context("/fr/items"):
        assert url_for("shop.items") == "/en/items?tracking=app"
        context: dict[str, Any] = {"title": "given"}
        app.update_template_context(context)
    assert context["site"] == "shop"
    assert context["title"] == "given"  # values passed to the render call win
    assert {"g", "request", "session"} <= set(context)


def test_jinja_loaders(folder_app: Tumbler) -> None:
    loader = folder_app.jinja_loader
    assert loader is not None
    assert "macros.html" in loader.list_templates()
    assert "macros.html" in folder_app.create_global_jinja_loader().list_templates()
    assert Tumbler("no_templates", template_folder=None).jinja_loader is None

    class MyApp(Tumbler):
        def create_global_jinja_loader(self) -> Any:
            from jinja2 import DictLoader

            return DictLoader({"page.html": "from a dict"})

    app = MyApp("dict_templates")
    assert app.jinja_env.get_template("page.html").render() == "from a dict"


def test_auto_find_instance_path(tmp_path: Path) -> None:
    app = Tumbler(__name__)
    assert app.auto_find_instance_path() == app.instance_path
    given = Tumbler(__name__, instance_path=str(tmp_path))
    assert given.instance_path == str(tmp_path)
    assert given.auto_find_instance_path() == app.instance_path
