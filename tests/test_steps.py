"""The lifecycle steps are app methods with Flask's names, and ``ensure_sync``/``ensure_async``.

A subclass override, or a replacement on the instance (as Flask-CORS does for
``handle_exception`` and ``handle_user_exception``), changes what the pipeline does under
both servers. ``ensure_sync`` runs a coroutine from sync code without a new loop per call.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable
from typing import Any

import pytest

from tumbler import Response, Tumbler, current_app, request
from tumbler.http.exceptions import HTTPException
from tumbler.testing import TestClient


class Recording(Tumbler):
    """Every step override records itself and defers to the default."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.steps: list[str] = []

    def preprocess_request(self) -> Any:
        self.steps.append("preprocess_request")
        return super().preprocess_request()

    def dispatch_request(self) -> Any:
        self.steps.append("dispatch_request")
        return super().dispatch_request()

    def finalize_request(self, rv: Any, from_error_handler: bool = False) -> Response:
        self.steps.append(f"finalize_request {from_error_handler}")
        return super().finalize_request(rv, from_error_handler)

    def make_response(self, rv: Any) -> Response:
        self.steps.append("make_response")
        return super().make_response(rv)

    def process_response(self, response: Response) -> Response:
        self.steps.append("process_response")
        response = super().process_response(response)
        response.headers["X-Processed"] = "yes"
        return response

    def handle_user_exception(self, e: Exception) -> Any:
        self.steps.append(f"handle_user_exception {type(e).__name__}")
        return super().handle_user_exception(e)

    def handle_http_exception(self, e: HTTPException) -> Any:
        self.steps.append(f"handle_http_exception {e.code}")
        return super().handle_http_exception(e)

    def handle_exception(self, e: Exception) -> Response:
        self.steps.append(f"handle_exception {type(e).__name__}")
        return super().handle_exception(e)

    def log_exception(self, exc_info: Any) -> None:
        self.steps.append(f"log_exception {exc_info[0].__name__}")

    def do_teardown_request(self, exc: BaseException | None = None) -> None:
        self.steps.append("do_teardown_request")
        super().do_teardown_request(exc)

    def do_teardown_appcontext(self, exc: BaseException | None = None) -> None:
        self.steps.append("do_teardown_appcontext")
        super().do_teardown_appcontext(exc)


@pytest.fixture
def recording() -> Recording:
    app = Recording("steps")

    @app.before_request
    async def before() -> None:
        await asyncio.sleep(0)

    @app.route("/")
    def index() -> str:
        return "index"

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    @app.teardown_request
    def teardown(error: BaseException | None) -> None:
        app.steps.append(f"teardown {type(error).__name__}")

    return app


def test_subclass_steps_run_in_flask_order(recording: Recording, protocol: str) -> None:
    with recording.test_client(protocol=protocol) as client:
        response = client.get("/")
    assert response.text == "index"
    assert response.headers["X-Processed"] == "yes"
    assert recording.steps == [
        "preprocess_request",
        "dispatch_request",
        "finalize_request False",
        "make_response",
        "process_response",
        "do_teardown_request",
        "teardown NoneType",
        "do_teardown_appcontext",
    ]


def test_subclass_error_steps(recording: Recording, protocol: str) -> None:
    with recording.test_client(protocol=protocol) as client:
        assert client.get("/boom").status_code == 500
        assert client.get("/missing").status_code == 404
    assert recording.steps == [
        "preprocess_request",
        "dispatch_request",
        "handle_user_exception RuntimeError",
        "handle_exception RuntimeError",
        "log_exception RuntimeError",
        "finalize_request True",
        "make_response",
        "process_response",
        "do_teardown_request",
        "teardown RuntimeError",
        "do_teardown_appcontext",
        "preprocess_request",
        "dispatch_request",
        "handle_user_exception NotFound",
        "handle_http_exception 404",
        "finalize_request False",
        "make_response",
        "process_response",
        "do_teardown_request",
        "teardown NoneType",
        "do_teardown_appcontext",
    ]


def _add_cors(f: Callable[..., Any]) -> Callable[..., Any]:
    """What Flask-CORS does to ``handle_exception`` and ``handle_user_exception``."""

    @functools.wraps(f)
    def wrapped(*args: Any, **kwargs: Any) -> Response:
        response = current_app.make_response(f(*args, **kwargs))
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapped


def test_instance_replacements_change_the_error_answers(app: Tumbler, client: TestClient) -> None:
    @app.route("/missing-thing")
    def missing() -> str:
        raise LookupError("gone")

    @app.errorhandler(LookupError)
    def gone(error: LookupError) -> tuple[str, int]:
        return "gone", 410

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    app.handle_exception = _add_cors(app.handle_exception)  # type: ignore[method-assign]
    app.handle_user_exception = _add_cors(app.handle_user_exception)  # type: ignore[method-assign]
    gone_response = client.get("/missing-thing")
    assert gone_response.status_code == 410
    assert gone_response.headers["Access-Control-Allow-Origin"] == "*"
    not_found = client.get("/nowhere")
    assert not_found.status_code == 404
    assert not_found.headers["Access-Control-Allow-Origin"] == "*"
    failed = client.get("/boom")
    assert failed.status_code == 500
    assert failed.headers["Access-Control-Allow-Origin"] == "*"


def test_putting_the_default_back_restores_the_default(app: Tumbler) -> None:
    original = app.handle_exception
    app.handle_exception = _add_cors(original)  # type: ignore[method-assign]
    assert "handle_exception" in app.step_overrides
    app.handle_exception = original  # type: ignore[method-assign]
    assert app.step_overrides == {}
    del app.handle_exception
    assert app.step_overrides == {}


def test_a_replaced_dispatch_request_answers(app: Tumbler, client: TestClient) -> None:
    @app.route("/")
    def index() -> str:
        return "view"

    app.dispatch_request = lambda: "replaced"  # type: ignore[method-assign]
    assert client.get("/").text == "replaced"


def test_step_overrides_run_on_the_request_thread(recording: Recording) -> None:
    seen: set[int] = set()

    @recording.before_request
    def before() -> None:
        seen.add(threading.get_ident())

    original = recording.process_response

    def process(response: Response) -> Response:
        seen.add(threading.get_ident())
        return original(response)

    recording.process_response = process  # type: ignore[method-assign]
    with recording.test_client(protocol="asgi") as client:
        assert client.get("/").text == "index"
    assert len(seen) == 1 and seen != {threading.get_ident()}


# ensure_sync / ensure_async ----------------------------------------------------------------


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """A sync decorator, as Flask-Login's, around any view."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if request.args.get("user") is None:
            return "login first", 401
        return current_app.ensure_sync(view)(*args, **kwargs)

    return wrapper


def test_a_sync_decorator_around_an_async_view(app: Tumbler, client: TestClient) -> None:
    loops: list[int] = []

    @app.route("/")
    @login_required
    async def secret() -> str:
        await asyncio.sleep(0)
        loops.append(id(asyncio.get_running_loop()))
        return f"hello {request.args['user']}"

    assert client.get("/").status_code == 401
    assert client.get("/?user=ann").text == "hello ann"
    assert client.get("/?user=bob").text == "hello bob"
    assert len(set(loops)) == 1  # one long-lived loop, never one per call


def test_ensure_sync_under_asgi_runs_on_the_servers_loop(app: Tumbler) -> None:
    where: list[Any] = []

    async def lookup() -> str:
        where.append(asyncio.get_running_loop())
        return "looked up"

    @app.route("/")
    def view() -> str:
        where.append(threading.get_ident())
        return app.ensure_sync(lookup)()

    async def main() -> None:
        from tests.test_sync_threads import asgi_get

        where.append(asyncio.get_running_loop())
        assert await asgi_get(app, "/") == (200, b"looked up")

    asyncio.run(main())
    server_loop, view_thread, lookup_loop = where
    assert lookup_loop is server_loop
    assert view_thread != threading.get_ident()


def test_ensure_sync_keeps_sync_functions(app: Tumbler) -> None:
    def plain() -> str:
        return "plain"

    assert app.ensure_sync(plain) is plain


def test_ensure_async_runs_sync_code_on_the_request_thread(
    app: Tumbler, client: TestClient, protocol: str
) -> None:
    idents: dict[str, int] = {}

    @app.before_request
    def before() -> None:
        idents["before"] = threading.get_ident()

    def compute() -> str:
        idents["compute"] = threading.get_ident()
        return "computed"

    @app.route("/")
    async def view() -> str:
        return await app.ensure_async(compute)()

    assert client.get("/").text == "computed"
    assert idents["compute"] == idents["before"]
    assert (idents["compute"] == threading.get_ident()) is (protocol == "wsgi")


def test_ensure_async_keeps_coroutine_functions(app: Tumbler) -> None:
    async def already() -> None:
        return None

    assert app.ensure_async(already) is already


def test_ensure_async_outside_a_request(app: Tumbler) -> None:
    result = asyncio.run(app.ensure_async(lambda: threading.get_ident())())
    assert result != threading.get_ident()
