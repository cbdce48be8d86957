"""Flask's blueprint API: app-wide helpers, bp.cli, prefixes and repeated registrations."""

from __future__ import annotations

from pathlib import Path

import pytest

from tumbler import Blueprint, Tumbler, render_template_string
from tumbler.testing import TestClient


def test_app_context_processor_reaches_every_template(app: Tumbler, client: TestClient) -> None:
    bp = Blueprint("bp", __name__)

    @bp.app_context_processor
    def everywhere() -> dict[str, str]:
        return {"site": "tumbler"}

    @bp.context_processor
    def only_bp() -> dict[str, str]:
        return {"local": "bp"}

    bp.add_url_rule("/in", "inside", lambda: render_template_string("{{ site }} {{ local }}"))
    app.register_blueprint(bp)
    app.add_url_rule("/out", "outside", lambda: render_template_string("{{ site }}|{{ local }}"))
    assert client.get("/in").text == "tumbler bp"
    assert client.get("/out").text == "tumbler|"


def test_every_app_helper_of_flask_exists() -> None:
    names = [
        "app_context_processor",
        "app_errorhandler",
        "app_template_filter",
        "add_app_template_filter",
        "app_template_global",
        "add_app_template_global",
        "app_template_test",
        "add_app_template_test",
        "app_url_defaults",
        "app_url_value_preprocessor",
        "before_app_request",
        "after_app_request",
        "teardown_app_request",
    ]
    bp = Blueprint("bp", __name__)
    assert [name for name in names if not callable(getattr(bp, name, None))] == []


def test_app_helpers_apply_to_app_routes(app: Tumbler, client: TestClient) -> None:
    bp = Blueprint("bp", __name__)
    seen: list[str] = []

    @bp.before_app_request
    def before() -> None:
        seen.append("before")

    @bp.after_app_request
    def after(response: object) -> object:
        seen.append("after")
        return response

    @bp.teardown_app_request
    def teardown(error: BaseException | None) -> None:
        seen.append("teardown")

    @bp.app_errorhandler(404)
    def missing(error: Exception) -> tuple[str, int]:
        return "bp says missing", 404

    @bp.app_template_filter()
    def shout(text: str) -> str:
        return text.upper()

    @bp.app_template_global()
    def answer() -> int:
        return 42

    @bp.app_template_test()
    def even(n: int) -> bool:
        return n % 2 == 0

    app.register_blueprint(bp)
    app.add_url_rule(
        "/",
        "index",
        lambda: render_template_string("{{ 'x'|shout }} {{ answer() }} {{ 4 is even }}"),
    )
    assert client.get("/").text == "X 42 True"
    assert seen == ["before", "after", "teardown"]
    assert client.get("/nowhere").text == "bp says missing"


def test_url_prefix_none_keeps_the_blueprints_prefix(app: Tumbler, client: TestClient) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/bp")
    bp.add_url_rule("/x", "x", lambda: "x")
    app.register_blueprint(bp, url_prefix=None)
    assert client.get("/bp/x").text == "x"
    assert client.get("/x").status_code == 404


def test_nested_url_prefix_none_keeps_the_childs_prefix(app: Tumbler, client: TestClient) -> None:
    parent = Blueprint("parent", __name__, url_prefix="/p")
    child = Blueprint("child", __name__, url_prefix="/c")
    child.add_url_rule("/x", "x", lambda: "child")
    parent.register_blueprint(child, url_prefix=None)
    app.register_blueprint(parent)
    assert client.get("/p/c/x").text == "child"


def test_same_blueprint_twice_under_one_name_raises(app: Tumbler, client: TestClient) -> None:
    bp = Blueprint("bp", __name__)
    bp.add_url_rule("/x", "x", lambda: "x")
    seen: list[str] = []
    bp.before_request(lambda: seen.append("before") and None)
    app.register_blueprint(bp, url_prefix="/one")
    with pytest.raises(ValueError, match="already registered for this blueprint"):
        app.register_blueprint(bp, url_prefix="/two")
    app.register_blueprint(bp, url_prefix="/two", name="again")
    assert client.get("/one/x").text == "x"
    assert client.get("/two/x").text == "x"
    assert seen == ["before", "before"]  # the hooks run under the second name too


def test_bound_method_serves_two_rules(app: Tumbler, client: TestClient) -> None:
    class Pages:
        def __init__(self) -> None:
            self.calls = 0

        def page(self) -> str:
            self.calls += 1
            return f"page {self.calls}"

    pages = Pages()
    app.add_url_rule("/a", "page", pages.page)
    app.add_url_rule("/b", "page", pages.page)
    with pytest.raises(AssertionError, match="overwriting"):
        app.add_url_rule("/c", "page", Pages().page)
    assert client.get("/a").text == "page 1"
    assert client.get("/b").text == "page 2"


@pytest.fixture
def bp_with_commands() -> Blueprint:
    bp = Blueprint("users", __name__)

    @bp.cli.command("create")
    def create(name: str) -> None:
        """Create a user."""
        print(f"created {name}")

    return bp


def test_blueprint_cli_grouped_under_its_name(app: Tumbler, bp_with_commands: Blueprint) -> None:
    app.register_blueprint(bp_with_commands)
    result = app.test_cli_runner().invoke(args=["users", "create", "ann"])
    assert result.exit_code == 0, result.output
    assert result.output == "created ann\n"
    listing = app.test_cli_runner().invoke(args=["users", "--help"])
    assert "create" in listing.output and "Create a user." in listing.output
    assert "users" in app.test_cli_runner().invoke(args=["--help"]).output


def test_blueprint_cli_group_renamed(bp_with_commands: Blueprint) -> None:
    app = Tumbler("tests_app")
    bp_with_commands.cli_group = "people"
    app.register_blueprint(bp_with_commands)
    result = app.test_cli_runner().invoke(args=["people", "create", "bo"])
    assert result.output == "created bo\n"
    assert app.test_cli_runner().invoke(args=["users", "create", "bo"]).exit_code != 0


def test_blueprint_cli_at_top_level(app: Tumbler, bp_with_commands: Blueprint) -> None:
    app.register_blueprint(bp_with_commands, cli_group=None)
    assert app.test_cli_runner().invoke(args=["create", "cy"]).output == "created cy\n"


def test_blueprint_cli_group_argument(app: Tumbler) -> None:
    bp = Blueprint("admin", __name__, cli_group=None)
    bp.cli.command("reset")(lambda: print("reset"))
    app.register_blueprint(bp)
    assert app.test_cli_runner().invoke(args=["reset"]).output == "reset\n"
    unknown = app.test_cli_runner().invoke(args=["admin", "reset"])
    assert unknown.exit_code != 0


@pytest.mark.parametrize(
    ("parent_own", "child_own", "parent_given", "child_given"),
    [
        ("/parent", "/child", None, None),
        ("/parent", None, None, "/child"),
        (None, None, "/parent", "/child"),
        ("/other", "/something", "/parent", "/child"),
    ],
)
def test_nested_prefixes_from_init_or_registration(
    app: Tumbler,
    client: TestClient,
    parent_own: str | None,
    child_own: str | None,
    parent_given: str | None,
    child_given: str | None,
) -> None:
    parent = Blueprint("parent", __name__, url_prefix=parent_own)
    child = Blueprint("child", __name__, url_prefix=child_own)
    child.add_url_rule("/", "index", lambda: "index")
    parent.register_blueprint(child, url_prefix=child_given)
    app.register_blueprint(parent, url_prefix=parent_given)
    assert client.get("/parent/child/").text == "index"


def test_subdomain_given_at_registration_reaches_nested_rules(
    app: Tumbler, client: TestClient
) -> None:
    app.subdomain_matching = True
    app.config["SERVER_NAME"] = "example.test"
    parent = Blueprint("parent", __name__)
    child = Blueprint("child", __name__)
    child.add_url_rule("/child/", "index", lambda: "child")
    parent.register_blueprint(child)
    app.register_blueprint(parent, subdomain="api")
    assert client.get("/child/", base_url="http://api.example.test").text == "child"
    assert client.get("/child/", base_url="http://example.test").status_code == 404


def test_child_subdomain_goes_in_front_of_the_parents(app: Tumbler, client: TestClient) -> None:
    app.subdomain_matching = True
    app.config["SERVER_NAME"] = "example.test"
    parent = Blueprint("parent", __name__)
    child = Blueprint("child", __name__, subdomain="api")
    child.add_url_rule("/", "index", lambda: "child")
    parent.register_blueprint(child)
    app.register_blueprint(parent, subdomain="parent")
    assert client.get("/", base_url="http://api.parent.example.test").text == "child"
    assert client.get("/", base_url="http://parent.example.test").status_code == 404


def test_make_setup_state_can_be_overridden(app: Tumbler, client: TestClient) -> None:
    from tumbler.blueprints import BlueprintSetupState

    class LoudState(BlueprintSetupState):
        def add_url_rule(self, rule: str, *args: object, **options: object) -> None:
            super().add_url_rule(rule + "-loud", *args, **options)  # type: ignore[arg-type]

    class LoudBlueprint(Blueprint):
        def make_setup_state(
            self, app: Tumbler, options: dict[str, object], first_registration: bool = False
        ) -> BlueprintSetupState:
            return LoudState(self, app, options, first_registration)

    bp = LoudBlueprint("loud", __name__)
    bp.add_url_rule("/x", "x", lambda: "x")
    app.register_blueprint(bp)
    assert client.get("/x-loud").text == "x"


def test_blueprint_open_resource_reads_beside_its_module(tmp_path: Path) -> None:
    (tmp_path / "schema.sql").write_text("create table t (x);\n")
    bp = Blueprint("data", __name__, root_path=str(tmp_path))
    with bp.open_resource("schema.sql") as raw:
        assert raw.read() == b"create table t (x);\n"
    with bp.open_resource("schema.sql", "r") as text:
        assert text.read().startswith("create table")
    with pytest.raises(ValueError, match="only be opened for reading"):
        bp.open_resource("schema.sql", "w")
    here = Blueprint("here", __name__)  # no root_path: the module's folder
    with here.open_resource(Path(__file__).name) as source:
        assert b"def test_blueprint_open_resource_reads_beside_its_module" in source.read()
