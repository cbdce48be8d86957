"""The lifecycle's rules, each over WSGI and ASGI (the ``client`` fixture is parametrised)."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import pytest

from tumbler import Response, Tumbler, abort, after_this_request, g, request
from tumbler.http.exceptions import HTTPException, InternalServerError, NotFound
from tumbler.testing import TestClient

# Rule 1: one context per request, context-local ------------------------------------------------


def test_request_g_and_app_are_available_in_every_stage(app: Tumbler, client: TestClient) -> None:
    from tumbler import current_app

    seen: list[tuple[str, str, Any]] = []

    @app.before_request
    def before() -> None:
        g.trace = ["before"]
        seen.append(("before", request.path, current_app.name))

    @app.route("/here")
    def view() -> str:
        g.trace.append("view")
        seen.append(("view", request.path, current_app.name))
        return "ok"

    @app.after_request
    def after(response: Response) -> Response:
        seen.append(("after", request.path, g.trace))
        return response

    @app.teardown_request
    def teardown(error: BaseException | None) -> None:
        seen.append(("teardown", request.path, g.trace))

    assert client.get("/here").text == "ok"
    assert seen == [
        ("before", "/here", "tests_app"),
        ("view", "/here", "tests_app"),
        ("after", "/here", ["before", "view"]),
        ("teardown", "/here", ["before", "view"]),
    ]


@pytest.mark.parametrize("name", ["request", "g", "current_app", "session"])
def test_globals_outside_a_request_raise_a_helpful_runtime_error(name: str) -> None:
    import tumbler

    proxy = getattr(tumbler, name)
    with pytest.raises(RuntimeError, match=r"outside of (request|application) context"):
        proxy.anything  # noqa: B018
    with pytest.raises(RuntimeError, match="with app"):
        proxy.anything  # noqa: B018


def test_after_this_request_outside_a_request_raises() -> None:
    with pytest.raises(RuntimeError, match="outside of request context"):
        after_this_request(lambda response: None)


def test_concurrent_asgi_requests_keep_their_own_context(app: Tumbler) -> None:
    @app.before_request
    async def remember() -> None:
        g.token = request.args["n"]

        @after_this_request
        def tag(response: Response) -> None:
            response.headers["X-N"] = g.token

    @app.route("/")
    async def view() -> str:
        await asyncio.sleep(0.01)  # let the other requests interleave
        return f"{g.token}:{request.args['n']}"

    async def one(n: int) -> tuple[str, str]:
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "method": "GET",
            "path": "/",
            "root_path": "",
            "query_string": f"n={n}".encode(),
            "headers": [],
            "scheme": "http",
            "server": ("localhost", 80),
        }
        await app.asgi(scope, receive, send)
        headers = dict(sent[0]["headers"])
        return sent[1]["body"].decode(), headers[b"x-n"].decode()

    async def many() -> list[tuple[str, str]]:
        return await asyncio.gather(*(one(n) for n in range(200)))

    results = asyncio.run(many())
    assert results == [(f"{n}:{n}", str(n)) for n in range(200)]


def test_threaded_wsgi_requests_keep_their_own_context(app: Tumbler) -> None:
    barrier = threading.Barrier(8, timeout=10)

    @app.route("/")
    def view() -> str:
        g.n = request.args["n"]
        barrier.wait()
        return f"{g.n}:{request.args['n']}"

    results: dict[int, str] = {}

    def worker(n: int) -> None:
        results[n] = app.test_client().get(f"/?n={n}").text

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert results == {n: f"{n}:{n}" for n in range(8)}


# Rule 2: before_request ----------------------------------------------------------------------


def test_before_request_hooks_run_in_registration_order(app: Tumbler, client: TestClient) -> None:
    order: list[int] = []
    for n in range(3):
        app.before_request(lambda n=n: order.append(n))
    app.route("/", endpoint="e24")(lambda: "ok")
    client.get("/")
    assert order == [0, 1, 2]


def test_first_non_none_before_request_answers(app: Tumbler, client: TestClient) -> None:
    calls: list[str] = []

    @app.before_request
    def first() -> None:
        calls.append("first")

    @app.before_request
    def second() -> tuple[str, int]:
        calls.append("second")
        return "early", 203

    @app.before_request
    def third() -> None:
        calls.append("third")

    @app.route("/")
    def view() -> str:
        calls.append("view")
        return "view"

    @app.after_request
    def after(response: Response) -> None:
        calls.append("after")

    response = client.get("/")
    assert (response.status_code, response.text) == (203, "early")
    assert calls == ["first", "second", "after"]


@pytest.mark.parametrize(("method", "path", "status"), [("GET", "/nope", 404), ("POST", "/", 405)])
def test_before_request_runs_when_routing_failed(
    app: Tumbler, client: TestClient, method: str, path: str, status: int
) -> None:
    @app.before_request
    def before() -> None:
        g.marker = "set by before_request"

    @app.route("/")
    def index() -> str:
        return "index"

    @app.errorhandler(status)
    def handler(error: HTTPException) -> tuple[str, int]:
        return f"{error.code} {g.marker}", status

    response = client.open(path, method)
    assert response.status_code == status
    assert response.text == f"{status} set by before_request"


# Rule 3: the view's return value --------------------------------------------------------------


@pytest.mark.parametrize(
    ("rv", "status", "body", "content_type"),
    [
        ("text", 200, b"text", "text/html; charset=utf-8"),
        (b"bytes", 200, b"bytes", "text/html; charset=utf-8"),
        ({"a": 1}, 200, b'{"a":1}\n', "application/json"),
        ([1, 2], 200, b"[1,2]\n", "application/json"),
        (("created", 201), 201, b"created", "text/html; charset=utf-8"),
        (("teapot", "418 I'm a teapot"), 418, b"teapot", "text/html; charset=utf-8"),
        (("with headers", {"X-A": "1"}), 200, b"with headers", "text/html; charset=utf-8"),
        (("all", 202, [("X-A", "1")]), 202, b"all", "text/html; charset=utf-8"),
    ],
)
def test_view_return_values_become_responses(
    app: Tumbler, client: TestClient, rv: Any, status: int, body: bytes, content_type: str
) -> None:
    app.route("/", endpoint="e25")(lambda: rv)
    response = client.get("/")
    assert response.status_code == status
    assert response.data == body
    assert response.headers["Content-Type"] == content_type
    if isinstance(rv, tuple) and len(rv) > 1 and not isinstance(rv[-1], int | str):
        assert response.headers["X-A"] == "1"


def test_view_response_object_is_used_as_is(app: Tumbler, client: TestClient) -> None:
    made = Response("custom", status=207, mimetype="text/plain")
    made.headers["X-Made"] = "yes"
    app.route("/", endpoint="e26")(lambda: made)
    response = client.get("/")
    assert (response.status_code, response.text) == (207, "custom")
    assert response.headers["X-Made"] == "yes"
    assert response.mimetype == "text/plain"


def test_view_url_variables_are_passed(app: Tumbler, client: TestClient) -> None:
    @app.route("/users/<int:user_id>/<name>")
    def user(user_id: int, name: str) -> str:
        return f"{type(user_id).__name__}:{user_id}:{name}"

    assert client.get("/users/42/ann").text == "int:42:ann"


def test_generator_is_streamed(app: Tumbler, client: TestClient) -> None:
    @app.route("/")
    def view() -> Any:
        def chunks() -> Any:
            yield "a"
            yield b"b"
            yield f"c{request.path}"

        return chunks()

    response = client.get("/")
    assert response.data == b"abc/"


def test_async_generator_is_streamed(app: Tumbler, client: TestClient) -> None:
    @app.route("/")
    async def view() -> Any:
        async def chunks() -> Any:
            for part in ("x", "y", "z"):
                await asyncio.sleep(0)
                yield part

        return chunks()

    assert client.get("/").data == b"xyz"


def test_view_returning_none_is_a_type_error_naming_the_view(app: Tumbler) -> None:
    app.testing = True

    @app.route("/")
    def forgetful_view() -> None:
        return None

    for protocol in ("wsgi", "asgi"):
        with pytest.raises(TypeError, match="forgetful_view"):
            app.test_client(protocol=protocol).get("/")


def test_view_returning_none_is_a_500_when_not_testing(
    app: Tumbler, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    app.route("/", endpoint="e27")(lambda: None)
    assert client.get("/").status_code == 500
    assert "did not return a valid response" in caplog.text


# Rule 4: exceptions ----------------------------------------------------------------------------


def test_abort_produces_an_error_page(app: Tumbler, client: TestClient) -> None:
    @app.route("/")
    def view() -> str:
        abort(403, description="Not <yours>.")

    response = client.get("/")
    assert response.status_code == 403
    assert "Not &lt;yours&gt;." in response.text
    assert response.mimetype == "text/html"


def test_method_not_allowed_carries_allow(app: Tumbler, client: TestClient) -> None:
    app.route("/", methods=["GET", "POST"], endpoint="e28")(lambda: "ok")
    response = client.put("/")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS, POST"


def test_error_handler_by_code(app: Tumbler, client: TestClient) -> None:
    @app.errorhandler(404)
    def missing(error: NotFound) -> tuple[str, int]:
        return f"no {request.path}", 404

    response = client.get("/x")
    assert (response.status_code, response.text) == (404, "no /x")


def test_error_handler_found_through_the_mro(app: Tumbler, client: TestClient) -> None:
    class AppError(Exception):
        pass

    class DeeperError(AppError):
        pass

    @app.errorhandler(AppError)
    def handle(error: AppError) -> tuple[str, int]:
        return f"handled {type(error).__name__}", 409

    @app.route("/")
    def view() -> str:
        raise DeeperError

    response = client.get("/")
    assert (response.status_code, response.text) == (409, "handled DeeperError")


def test_handler_for_http_exception_catches_all_http_errors(
    app: Tumbler, client: TestClient
) -> None:
    @app.errorhandler(HTTPException)
    def any_http(error: HTTPException) -> tuple[str, int]:
        return f"http {error.code}", error.code or 500

    app.route("/", endpoint="e29")(lambda: abort(410))
    assert client.get("/").text == "http 410"
    assert client.get("/missing").text == "http 404"


def test_code_handler_beats_class_handler(app: Tumbler, client: TestClient) -> None:
    app.register_error_handler(HTTPException, lambda e: ("generic", 500))
    app.register_error_handler(404, lambda e: ("specific", 404))
    assert client.get("/missing").text == "specific"


def test_unhandled_exception_is_a_logged_generic_500(
    app: Tumbler, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    @app.route("/boom")
    def boom() -> str:
        raise ValueError("secret detail")

    with caplog.at_level(logging.ERROR):
        response = client.get("/boom")
    assert response.status_code == 500
    assert "secret detail" not in response.text
    assert "Internal Server Error" in response.text
    records = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(records) == 1
    assert "/boom" in records[0].getMessage()
    assert records[0].exc_info is not None and records[0].exc_info[0] is ValueError


def test_500_handler_receives_the_original_exception(app: Tumbler, client: TestClient) -> None:
    @app.errorhandler(500)
    def server_error(error: InternalServerError) -> tuple[str, int]:
        return f"oops: {type(error.original_exception).__name__}", 500

    app.route("/", endpoint="e30")(lambda: 1 / 0)
    response = client.get("/")
    assert (response.status_code, response.text) == (500, "oops: ZeroDivisionError")


@pytest.mark.parametrize("setting", ["testing", "propagate"])
def test_exceptions_propagate_to_the_test_client(app: Tumbler, protocol: str, setting: str) -> None:
    if setting == "testing":
        app.testing = True
    else:
        app.config["PROPAGATE_EXCEPTIONS"] = True
    torn_down: list[BaseException | None] = []
    app.teardown_request(torn_down.append)
    app.route("/", endpoint="e31")(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        app.test_client(protocol=protocol).get("/")
    assert len(torn_down) == 1 and isinstance(torn_down[0], ZeroDivisionError)


# Rule 5: response processing -------------------------------------------------------------------


def test_deferred_callbacks_then_after_request_in_reverse(app: Tumbler, client: TestClient) -> None:
    order: list[str] = []

    @app.after_request
    def registered_first(response: Response) -> Response:
        order.append("after 1")
        return response

    @app.after_request
    def registered_second(response: Response) -> Response:
        order.append("after 2")
        return response

    @app.before_request
    def before() -> None:
        after_this_request(lambda r: order.append("deferred from before"))

    @app.route("/")
    def view() -> str:
        after_this_request(lambda r: order.append("deferred from view"))
        return "ok"

    client.get("/")
    assert order == ["deferred from before", "deferred from view", "after 2", "after 1"]


def test_callbacks_registered_during_the_after_chain(app: Tumbler, client: TestClient) -> None:
    """As in Flask: one added by a callback still runs; one added by an after_request hook
    does not (the request's callbacks are done by then)."""
    order: list[str] = []

    @app.after_request
    def hook(response: Response) -> Response:
        order.append("hook")
        after_this_request(lambda r: order.append("added by the hook"))
        return response

    @app.route("/")
    def view() -> str:
        def first(response: Response) -> None:
            order.append("first")
            after_this_request(lambda r: order.append("added by a callback"))

        after_this_request(first)
        return "ok"

    assert client.get("/").text == "ok"
    assert order == ["first", "added by a callback", "hook"]
    order.clear()
    assert client.get("/").text == "ok"  # and nothing is left over for the next request
    assert order == ["first", "added by a callback", "hook"]


def test_callbacks_may_replace_or_keep_the_response(app: Tumbler, client: TestClient) -> None:
    @app.after_request
    def last(response: Response) -> None:
        response.headers["X-Last-Saw"] = response.get_data(as_text=True)

    @app.after_request
    def replace(response: Response) -> Response:
        return Response("replaced", status=202)

    @app.route("/")
    def view() -> str:
        @after_this_request
        def keep(response: Response) -> None:
            response.headers["X-Kept"] = "yes"

        return "original"

    response = client.get("/")
    assert (response.status_code, response.text) == (202, "replaced")
    assert response.headers["X-Last-Saw"] == "replaced"
    assert "X-Kept" not in response.headers  # it changed the response that was replaced


def test_callback_returning_a_non_response_is_an_error(
    app: Tumbler, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    app.after_request(lambda response: "not a response")
    app.route("/", endpoint="e32")(lambda: "ok")
    assert client.get("/").status_code == 500
    assert "must return a Response" in caplog.text


@pytest.mark.parametrize("status", [404, 405, 500, 418])
def test_callbacks_run_on_error_responses(app: Tumbler, client: TestClient, status: int) -> None:
    @app.before_request
    def before() -> None:
        after_this_request(lambda r: r.headers.set("X-Deferred", "yes"))

    @app.after_request
    def after(response: Response) -> Response:
        response.headers["X-After"] = "yes"
        return response

    @app.errorhandler(418)
    def teapot(error: HTTPException) -> tuple[str, int]:
        return "handled", 418

    @app.route("/", methods=["GET"])
    def view() -> str:
        if request.args.get("fail") == "500":
            raise RuntimeError("boom")
        abort(418)

    path = {404: "/missing", 405: "/", 500: "/?fail=500", 418: "/"}[status]
    response = client.open(path, "POST" if status == 405 else "GET")
    assert response.status_code == status
    assert response.headers["X-Deferred"] == "yes"
    assert response.headers["X-After"] == "yes"


def test_raising_callback_gives_500_and_each_callback_runs_once(
    app: Tumbler, client: TestClient
) -> None:
    runs: list[str] = []
    torn_down: list[BaseException | None] = []

    @app.after_request
    def outer(response: Response) -> Response:
        runs.append(f"outer saw {response.status_code}")
        return response

    @app.after_request
    def failing(response: Response) -> Response:
        runs.append("failing")
        raise RuntimeError("after_request failed")

    @app.teardown_request
    def teardown(error: BaseException | None) -> None:
        torn_down.append(error)

    @app.route("/")
    def view() -> str:
        after_this_request(lambda r: runs.append("deferred") and None)
        return "ok"

    response = client.get("/")
    assert response.status_code == 500
    # deferred and failing ran once; outer ran once, on the 500 that replaced the response
    assert runs == ["deferred", "failing", "outer saw 500"]
    assert len(torn_down) == 1 and isinstance(torn_down[0], RuntimeError)


def test_raising_deferred_callback_gives_500_and_teardown_runs(
    app: Tumbler, client: TestClient
) -> None:
    torn_down: list[BaseException | None] = []
    app.teardown_request(torn_down.append)

    @app.route("/")
    def view() -> str:
        @after_this_request
        def broken(response: Response) -> None:
            raise KeyError("deferred failed")

        return "ok"

    assert client.get("/").status_code == 500
    assert len(torn_down) == 1 and isinstance(torn_down[0], KeyError)


# Rule 6: after_this_request from anywhere -------------------------------------------------------


def test_after_this_request_from_a_helper_and_an_error_handler(
    app: Tumbler, client: TestClient
) -> None:
    def helper(tag: str) -> None:
        after_this_request(lambda r: r.headers.add("X-Tag", tag))

    @app.errorhandler(404)
    def missing(error: NotFound) -> tuple[str, int]:
        helper("from handler")
        return "missing", 404

    @app.route("/")
    def view() -> str:
        helper("from helper")
        return "ok"

    assert client.get("/").headers.getlist("X-Tag") == ["from helper"]
    assert client.get("/nope").headers.getlist("X-Tag") == ["from handler"]


def test_after_this_request_is_a_decorator_that_returns_the_function(
    app: Tumbler, client: TestClient
) -> None:
    returned: list[Any] = []

    @app.route("/")
    def view() -> str:
        def callback(response: Response) -> None:
            response.headers["X-Cb"] = "1"

        returned.append((after_this_request(callback), callback))
        return "ok"

    assert client.get("/").headers["X-Cb"] == "1"
    assert returned[0][0] is returned[0][1]


def test_async_deferred_callback(app: Tumbler, client: TestClient) -> None:
    @app.route("/")
    def view() -> str:
        @after_this_request
        async def callback(response: Response) -> Response:
            await asyncio.sleep(0)
            response.headers["X-Async"] = "yes"
            return response

        return "ok"

    assert client.get("/").headers["X-Async"] == "yes"


def test_deferred_callbacks_do_not_leak_into_the_next_request(
    app: Tumbler, client: TestClient
) -> None:
    @app.route("/")
    def view() -> str:
        if request.args.get("register"):
            after_this_request(lambda r: r.headers.set("X-Once", "1"))
        return "ok"

    assert client.get("/?register=1").headers.get("X-Once") == "1"
    assert client.get("/").headers.get("X-Once") is None


# Rule 7: teardown ---------------------------------------------------------------------------------


def test_teardown_order_and_arguments(app: Tumbler, client: TestClient) -> None:
    calls: list[tuple[str, Any]] = []
    app.teardown_appcontext(lambda e: calls.append(("app 1", e)))
    app.teardown_appcontext(lambda e: calls.append(("app 2", e)))
    app.teardown_request(lambda e: calls.append(("request 1", e)))
    app.teardown_request(lambda e: calls.append(("request 2", e)))
    app.route("/", endpoint="e33")(lambda: "ok")
    client.get("/")
    assert calls == [("request 2", None), ("request 1", None), ("app 2", None), ("app 1", None)]


def test_teardown_gets_the_unhandled_error_even_after_a_500(
    app: Tumbler, client: TestClient
) -> None:
    errors: list[BaseException | None] = []
    app.teardown_request(errors.append)
    app.route("/", endpoint="e34")(lambda: {}["missing"])
    assert client.get("/").status_code == 500
    assert len(errors) == 1 and isinstance(errors[0], KeyError)


def test_teardown_gets_none_when_a_handler_dealt_with_it(app: Tumbler, client: TestClient) -> None:
    errors: list[BaseException | None] = ["sentinel"]  # type: ignore[list-item]
    app.teardown_request(lambda e: errors.__setitem__(0, e))
    app.register_error_handler(KeyError, lambda e: ("handled", 400))
    app.route("/", endpoint="e35")(lambda: {}["missing"])
    assert client.get("/").status_code == 400
    assert errors == [None]


def test_every_teardown_runs_when_one_raises(
    app: Tumbler, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[str] = []

    @app.teardown_request
    def first_registered(error: BaseException | None) -> None:
        ran.append("first")

    @app.teardown_request
    def raises(error: BaseException | None) -> None:
        ran.append("raises")
        raise RuntimeError("teardown failed")

    @app.teardown_appcontext
    def app_level(error: BaseException | None) -> str:
        ran.append("app")
        return "ignored"

    app.route("/", endpoint="e36")(lambda: "ok")
    response = client.get("/")
    assert (response.status_code, response.text) == (200, "ok")
    assert ran == ["raises", "first", "app"]
    assert "teardown failed" in caplog.text


def test_teardown_runs_when_a_before_hook_raises(app: Tumbler, client: TestClient) -> None:
    errors: list[BaseException | None] = []
    app.teardown_request(errors.append)

    @app.before_request
    def broken() -> None:
        raise LookupError("before failed")

    app.route("/", endpoint="e37")(lambda: "ok")
    assert client.get("/").status_code == 500
    assert len(errors) == 1 and isinstance(errors[0], LookupError)


def test_teardown_runs_after_a_streamed_body_ends(app: Tumbler, client: TestClient) -> None:
    events: list[str] = []
    app.teardown_request(lambda e: events.append("teardown"))

    @app.route("/")
    def view() -> Any:
        def chunks() -> Any:
            for n in range(3):
                events.append(f"chunk {n} for {request.path}")
                yield str(n)

        return chunks()

    assert client.get("/").text == "012"
    assert events == ["chunk 0 for /", "chunk 1 for /", "chunk 2 for /", "teardown"]


def test_teardown_gets_the_error_of_a_failing_stream(
    app: Tumbler, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    errors: list[BaseException | None] = []
    app.teardown_request(errors.append)

    @app.route("/")
    def view() -> Any:
        def chunks() -> Any:
            yield "first"
            raise OSError("disk gone")

        return chunks()

    if client.protocol == "wsgi":  # it propagates from the iterable: the server aborts
        with pytest.raises(OSError, match="disk gone"):
            client.get("/")
    else:  # the final body message never goes out: the server drops the connection
        response = client.get("/")
        assert response.status_code == 200  # the status line was already sent
        assert response.data == b"first"
    assert len(errors) == 1 and isinstance(errors[0], OSError)  # teardown ran first
    assert "disk gone" in caplog.text


# Rule 8: after the response is sent ------------------------------------------------------------


def test_call_on_close_and_after_response_run_after_sending(
    app: Tumbler, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    events: list[str] = []
    app.teardown_request(lambda e: events.append("teardown"))

    @app.after_response
    def logged(response: Response) -> None:
        events.append(f"after_response {response.status_code}")

    @app.after_response
    async def failing(response: Response) -> None:
        raise RuntimeError("after_response failed")

    @app.route("/")
    def view() -> Response:
        response = Response("body")
        response.call_on_close(lambda: events.append("call_on_close"))
        return response

    assert client.get("/").text == "body"
    assert events == ["teardown", "call_on_close", "after_response 200"]
    assert "after_response failed" in caplog.text
    events.clear()
    assert client.get("/missing").status_code == 404
    assert events == ["teardown", "after_response 404"]


# Rule 9: the context is popped ------------------------------------------------------------------


def test_nothing_carries_over_to_the_next_request(app: Tumbler, client: TestClient) -> None:
    @app.route("/")
    def view() -> str:
        seen = g.get("value", "unset")
        g.value = request.args.get("v", "none")
        return seen

    assert client.get("/?v=1").text == "unset"
    assert client.get("/?v=2").text == "unset"


def test_with_client_keeps_the_last_context_open(app: Tumbler, protocol: str) -> None:
    @app.route("/")
    def view() -> str:
        g.user = "ann"
        return "ok"

    client = app.test_client(protocol=protocol)
    with client:
        client.get("/?q=1")
        assert request.args["q"] == "1"
        assert g.user == "ann"
        client.get("/?q=2")
        assert request.args["q"] == "2"
    with pytest.raises(RuntimeError):
        request.args  # noqa: B018


def test_registration_after_first_request_is_refused(app: Tumbler, client: TestClient) -> None:
    app.route("/", endpoint="e38")(lambda: "ok")
    client.get("/")
    with pytest.raises(AssertionError, match="first request"):
        app.before_request(lambda: None)
    with pytest.raises(AssertionError, match="first request"):
        app.route("/late", endpoint="e39")(lambda: "late")
