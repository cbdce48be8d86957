"""Templates: folders per app and blueprint, autoescaping, context, filters, streaming."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import pytest

from tumbler import (
    Blueprint,
    Tumbler,
    g,
    render_template,
    render_template_string,
    request,
    session,
    stream_template,
    stream_template_string,
)
from tumbler.testing import TestClient


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    """An app template folder and a blueprint one, under ``tmp_path``."""
    app_dir = tmp_path / "templates"
    app_dir.mkdir()
    (app_dir / "hello.html").write_text("Hello {{ name }}!")
    (app_dir / "hello.txt").write_text("Hello {{ name }}!")
    (app_dir / "shared.html").write_text("from the app")
    (app_dir / "request.html").write_text(
        "{{ request.path }}|{{ session.get('user') }}|{{ g.who }}|{{ url_for('show') }}"
        "|{{ config['SECRET_KEY'] }}"
    )
    bp_dir = tmp_path / "admin" / "pages"
    bp_dir.mkdir(parents=True)
    (bp_dir / "shared.html").write_text("from the blueprint")
    (bp_dir / "admin_only.html").write_text("admin {{ who }}")
    return tmp_path


@pytest.fixture
def app(templates: Path) -> Tumbler:
    """An app whose root is the temporary folder holding the templates."""
    app = Tumbler("tests_app", root_path=str(templates))
    app.secret_key = "templating secret"
    return app


@pytest.fixture
def admin(app: Tumbler, templates: Path) -> Blueprint:
    """A blueprint with its own template folder (its root path given explicitly)."""
    bp = Blueprint("admin", __name__, root_path=str(templates / "admin"), template_folder="pages")

    @bp.route("/page/<name>")
    def page(name: str) -> str:
        return render_template(name, who="bp")

    return bp


def test_app_template_folder(app: Tumbler, client: TestClient) -> None:
    @app.route("/")
    def index() -> str:
        return render_template("hello.html", name="<World>")

    assert client.get("/").text == "Hello &lt;World&gt;!"


def test_txt_templates_are_not_escaped(app: Tumbler, client: TestClient) -> None:
    @app.route("/")
    def index() -> str:
        return render_template("hello.txt", name="<World>")

    assert client.get("/").text == "Hello <World>!"


def test_template_strings_are_escaped(app: Tumbler, client: TestClient) -> None:
    @app.route("/")
    def index() -> str:
        return render_template_string("{{ x }}|{{ x|safe }}", x="<b>")

    assert client.get("/").text == "&lt;b&gt;|<b>"


def test_blueprint_template_folder(app: Tumbler, admin: Blueprint, client: TestClient) -> None:
    app.register_blueprint(admin, url_prefix="/admin")
    assert client.get("/admin/page/admin_only.html").text == "admin bp"
    # The app's folder is searched first.
    assert client.get("/admin/page/shared.html").text == "from the app"


def test_blueprint_root_path_from_module(app: Tumbler, tmp_path: Path) -> None:
    module_dir = tmp_path / "pkg"
    (module_dir / "tpl").mkdir(parents=True)
    (module_dir / "tpl" / "mod.html").write_text("module {{ 1 + 1 }}")
    (module_dir / "bpmod.py").write_text("")
    sys.path.insert(0, str(module_dir))
    try:
        importlib.import_module("bpmod")
        app.register_blueprint(Blueprint("mod", "bpmod", template_folder="tpl"))
        with app.app_context():
            assert render_template("mod.html") == "module 2"
            assert "mod.html" in app.jinja_env.list_templates()
    finally:
        sys.path.remove(str(module_dir))
        sys.modules.pop("bpmod", None)


def test_missing_template(app: Tumbler) -> None:
    from jinja2 import TemplateNotFound

    with app.app_context(), pytest.raises(TemplateNotFound):
        render_template("nope.html")


def test_first_existing_of_a_list(app: Tumbler) -> None:
    with app.app_context():
        assert render_template(["nope.html", "hello.txt"], name="x") == "Hello x!"


def test_request_session_g_url_for_config(app: Tumbler, client: TestClient) -> None:
    @app.route("/show")
    def show() -> str:
        session["user"] = "ann"
        g.who = "me"
        return render_template("request.html")

    assert client.get("/show").text == "/show|ann|me|/show|templating secret"


def test_context_processors_app_then_blueprint(
    app: Tumbler, admin: Blueprint, client: TestClient
) -> None:
    @app.context_processor
    def app_values() -> dict[str, Any]:
        return {"a": "app", "b": "app", "c": "app"}

    @admin.context_processor
    def bp_values() -> dict[str, Any]:
        return {"b": "bp", "c": "bp"}

    @admin.route("/ctx")
    def ctx_view() -> str:
        return render_template_string("{{ a }} {{ b }} {{ c }}", c="view")

    @app.route("/plain")
    def plain() -> str:
        return render_template_string("{{ a }} {{ b }}")

    app.register_blueprint(admin, url_prefix="/admin")
    assert client.get("/admin/ctx").text == "app bp view"
    assert client.get("/plain").text == "app app"


def test_nested_blueprint_processors_run_outside_in(app: Tumbler, client: TestClient) -> None:
    outer = Blueprint("outer", __name__)
    inner = Blueprint("inner", __name__)
    outer.context_processor(lambda: {"who": "outer", "o": 1})
    inner.context_processor(lambda: {"who": "inner"})

    @inner.route("/x")
    def x() -> str:
        return render_template_string("{{ who }} {{ o }}")

    outer.register_blueprint(inner, url_prefix="/inner")
    app.register_blueprint(outer, url_prefix="/outer")
    assert client.get("/outer/inner/x").text == "inner 1"


def test_async_context_processor_is_refused(app: Tumbler) -> None:
    @app.context_processor
    async def values() -> dict[str, Any]:
        return {}

    with app.test_request_context("/"), pytest.raises(TypeError, match="async def"):
        render_template_string("x")


def test_filters_globals_tests(app: Tumbler, client: TestClient) -> None:
    @app.template_filter()
    def shout(value: str) -> str:
        return value.upper() + "!"

    @app.template_global("answer")
    def the_answer() -> int:
        return 42

    @app.template_test()
    def even(value: int) -> bool:
        return value % 2 == 0

    app.add_template_filter(lambda v: v[::-1], "backwards")

    @app.route("/")
    def index() -> str:
        return render_template_string(
            "{{ 'hi'|shout }} {{ answer() }} {{ 4 is even }} {{ 3 is even }} {{ 'ab'|backwards }}"
        )

    assert client.get("/").text == "HI! 42 True False ba"


def test_registering_after_the_env_exists_updates_it(app: Tumbler) -> None:
    with app.app_context():
        assert render_template_string("{{ 1 }}") == "1"
        app.add_template_global(lambda: "late", "late")
        assert render_template_string("{{ late() }}") == "late"


def test_blueprint_filters_globals_tests(app: Tumbler, admin: Blueprint) -> None:
    admin.add_app_template_filter(lambda v: f"[{v}]", "box")
    admin.app_template_global("site")(lambda: "tumbler")

    @admin.app_template_test("short")
    def short(value: str) -> bool:
        return len(value) < 3

    @admin.template_filter("twice")
    def twice(value: str) -> str:
        return value * 2

    app.register_blueprint(admin)
    with app.app_context():
        out = render_template_string(
            "{{ 'x'|box }} {{ site() }} {{ 'ab' is short }} {{ 'o'|twice }}"
        )
    assert out == "[x] tumbler True oo"


def test_render_from_async_view(app: Tumbler, client: TestClient) -> None:
    @app.route("/")
    async def index() -> str:
        return render_template("hello.html", name=request.args["name"])

    assert client.get("/?name=async").text == "Hello async!"


def test_stream_template_keeps_the_request_context(app: Tumbler, client: TestClient) -> None:
    @app.route("/stream")
    def stream() -> Any:
        return stream_template_string(
            "{% for i in range(3) %}{{ request.args['p'] }}{{ i }};{% endfor %}"
        )

    @app.route("/file")
    def file() -> Any:
        return stream_template("hello.html", name=request.path)

    response = client.get("/stream?p=a")
    assert response.text == "a0;a1;a2;"
    assert client.get("/file").text == "Hello /file!"


def test_stream_template_yields_chunks(app: Tumbler) -> None:
    with app.test_request_context("/"):
        chunks = list(stream_template_string("a{% for i in range(2) %}{{ i }}{% endfor %}b"))
    assert len(chunks) > 1
    assert "".join(chunks) == "a01b"


def test_outside_app_context(app: Tumbler) -> None:
    with pytest.raises(RuntimeError, match="application context"):
        render_template_string("x")


def test_tojson_uses_the_app_json(app: Tumbler) -> None:
    with app.app_context():
        out = render_template_string("{{ data|tojson }}", data={"a": "</script>"})
    assert out == '{"a": "\\u003c/script\\u003e"}'


def test_autoescape_selection(app: Tumbler) -> None:
    for name in ("a.html", "a.htm", "a.xml", "a.xhtml", "a.svg", None):
        assert app.select_jinja_autoescape(name)
    for name in ("a.txt", "a.css", "a.js"):
        assert not app.select_jinja_autoescape(name)


def test_missing_jinja_says_how_to_install(app: Tumbler, monkeypatch: pytest.MonkeyPatch) -> None:
    import tumbler

    monkeypatch.delitem(sys.modules, "tumbler._jinja", raising=False)
    monkeypatch.delattr(tumbler, "_jinja", raising=False)
    monkeypatch.setitem(sys.modules, "jinja2", None)
    with app.app_context(), pytest.raises(RuntimeError, match=r"-e '\.\[templates\]'"):
        render_template_string("x")
