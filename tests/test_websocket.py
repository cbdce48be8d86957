"""WebSockets through the test client: the API, the lifecycle, errors, limits, and WSGI's 426.

Handlers come in both kinds (``kind``): ``async def``, and plain ``def`` run on a worker
thread with blocking calls.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tumbler import (
    Blueprint,
    Tumbler,
    WebsocketDisconnected,
    abort,
    g,
    session,
    url_for,
    websocket,
)
from tumbler.testing import TestClient
from tumbler.ws_testing import WebsocketRejected


@pytest.fixture(params=["async", "sync"])
def kind(request: pytest.FixtureRequest) -> str:
    """Whether the handlers under test are ``async def`` or plain ``def``."""
    return str(request.param)


@pytest.fixture
def ws_client(app: Tumbler) -> Iterator[TestClient]:
    client = app.test_client()
    yield client
    client.close()


def add_echo(app: Tumbler, kind: str, rule: str = "/chat/<room>") -> None:
    """The issue's chat handler, in the kind asked for."""
    if kind == "async":

        @app.websocket(rule)
        async def chat(room: str) -> None:
            await websocket.accept()
            while True:
                text = await websocket.receive()
                await websocket.send(f"{room}: {text}")

    else:

        @app.websocket(rule)
        def chat(room: str) -> None:
            while True:
                text = websocket.receive()
                websocket.send(f"{room}: {text}")


def handler(app: Tumbler, kind: str, rule: str, body: Callable[..., Any]) -> None:
    """Register ``body(call)`` as a handler; ``call(x)`` awaits ``x`` or returns it."""
    if kind == "async":

        async def run_async(**values: Any) -> Any:
            steps = body(lambda value: value, **values)
            try:
                step = next(steps)
                while True:
                    result = await step if hasattr(step, "__await__") else step
                    step = steps.send(result)
            except StopIteration:
                return None

        app.websocket(rule, endpoint="h")(run_async)
    else:

        def run_sync(**values: Any) -> Any:
            for _ in body(lambda value: value, **values):
                pass
            return None

        app.websocket(rule, endpoint="h")(run_sync)


# The API -------------------------------------------------------------------------------------


def test_echo_as_in_the_issue(app: Tumbler, ws_client: TestClient, kind: str) -> None:
    add_echo(app, kind)
    with ws_client.websocket("/chat/x") as ws:
        ws.send("hi")
        assert ws.receive() == "x: hi"
        ws.send("again")
        assert ws.receive() == "x: again"


def test_json_and_binary(app: Tumbler, ws_client: TestClient, kind: str) -> None:
    if kind == "async":

        @app.websocket("/j")
        async def j() -> None:
            data = await websocket.receive_json()
            await websocket.send_json({"got": data})
            raw = await websocket.receive()
            await websocket.send(raw[::-1])

    else:

        @app.websocket("/j")
        def j() -> None:
            data = websocket.receive_json()
            websocket.send_json({"got": data})
            raw = websocket.receive()
            websocket.send(raw[::-1])

    with ws_client.websocket("/j") as ws:
        ws.send_json([1, "a"])
        assert ws.receive_json() == {"got": [1, "a"]}
        ws.send(b"\x00\x01\xff")
        assert ws.receive() == b"\xff\x01\x00"


def test_accept_with_subprotocol_and_headers(
    app: Tumbler, ws_client: TestClient, kind: str
) -> None:
    if kind == "async":

        @app.websocket("/p")
        async def p() -> None:
            await websocket.accept(headers={"X-Room": "lobby"}, subprotocol="chat.v2")
            await websocket.send(",".join(websocket.requested_subprotocols))

    else:

        @app.websocket("/p")
        def p() -> None:
            websocket.accept(headers={"X-Room": "lobby"}, subprotocol="chat.v2")
            websocket.send(",".join(websocket.requested_subprotocols))

    with ws_client.websocket("/p", subprotocols=["chat.v1", "chat.v2"]) as ws:
        assert ws.subprotocol == "chat.v2"
        assert ws.accept_headers["X-Room"] == "lobby"
        assert ws.receive() == "chat.v1,chat.v2"


def test_a_subprotocol_the_client_did_not_offer_is_an_error(
    app: Tumbler, ws_client: TestClient
) -> None:
    @app.websocket("/p")
    async def p() -> None:
        await websocket.accept(subprotocol="nope")

    with pytest.raises(WebsocketRejected) as info, ws_client.websocket("/p", subprotocols=["a"]):
        pass
    assert info.value.status_code == 500


def test_request_like_attributes(app: Tumbler, ws_client: TestClient) -> None:
    @app.websocket("/rooms/<int:number>", endpoint="room")
    async def room(number: int) -> None:
        await websocket.send_json(
            {
                "path": websocket.path,
                "args": websocket.args.get("q"),
                "header": websocket.headers.get("X-Test"),
                "cookie": websocket.cookies.get("flavour"),
                "view_args": websocket.view_args,
                "rule": websocket.url_rule.rule if websocket.url_rule else None,
                "endpoint": websocket.endpoint,
                "self": url_for("room", number=number + 1),
                "page": url_for("page", _external=True),
            }
        )

    @app.route("/page")
    def page() -> str:
        return ""

    ws_client.set_cookie("flavour", "mint")
    with ws_client.websocket(
        "/rooms/7?q=find", headers={"X-Test": "yes"}, base_url="https://example.com"
    ) as ws:
        assert ws.receive_json() == {
            "path": "/rooms/7",
            "args": "find",
            "header": "yes",
            "cookie": "mint",
            "view_args": {"number": 7},
            "rule": "/rooms/<int:number>",
            "endpoint": "room",
            "self": "wss://example.com/rooms/8",
            "page": "https://example.com/page",
        }


def test_url_for_builds_ws_and_wss_urls(app: Tumbler) -> None:
    @app.websocket("/live/<name>")
    async def live(name: str) -> None: ...

    @app.route("/")
    def index() -> str:
        return ""

    with app.test_request_context("/"):
        assert url_for("live", name="a") == "ws://localhost/live/a"
        assert url_for("index") == "/"
    with app.test_request_context("/", base_url="https://example.com"):
        assert url_for("live", name="a") == "wss://example.com/live/a"
    app.config["SERVER_NAME"] = "example.org"
    with app.app_context():
        assert url_for("live", name="b", _scheme="https") == "wss://example.org/live/b"


def test_session_can_be_read(app: Tumbler, ws_client: TestClient) -> None:
    pytest.importorskip("itsdangerous")
    app.secret_key = "test secret"

    @app.route("/login")
    def login() -> str:
        session["user"] = "ada"
        return "ok"

    @app.websocket("/me")
    async def me() -> None:
        await websocket.send(str(session.get("user")))

    ws_client.get("/login")
    with ws_client.websocket("/me") as ws:
        assert ws.receive() == "ada"


def test_the_proxy_outside_a_connection_says_so() -> None:
    with pytest.raises(RuntimeError, match="outside of websocket context"):
        websocket.receive()
    app = Tumbler("proxy")
    with app.test_request_context("/"), pytest.raises(RuntimeError, match="websocket context"):
        websocket.path  # noqa: B018


# The lifecycle ---------------------------------------------------------------------------------


def test_hooks_order_and_teardown_once(app: Tumbler, ws_client: TestClient, kind: str) -> None:
    calls: list[str] = []

    @app.before_request
    def before_request() -> None:
        calls.append("before_request")

    @app.before_websocket
    def before() -> None:
        calls.append("before")
        g.user = "ada"

    @app.after_websocket
    def after(response: Any) -> None:
        calls.append(f"after {response}")

    @app.teardown_websocket
    def teardown(error: BaseException | None) -> None:
        calls.append(f"teardown {type(error).__name__}")

    @app.teardown_appcontext
    def appcontext(error: BaseException | None) -> None:
        calls.append(f"appcontext {type(error).__name__}")

    def body(call: Callable[[Any], Any]) -> Iterator[Any]:
        calls.append("handler")
        yield call(websocket.send(g.user))

    handler(app, kind, "/h", body)
    with ws_client.websocket("/h") as ws:
        assert ws.receive() == "ada"
        with pytest.raises(WebsocketDisconnected) as info:
            ws.receive()
        assert info.value.code == 1000
    assert calls == [
        "before",
        "handler",
        "after None",
        "teardown NoneType",
        "appcontext NoneType",
    ]


def test_sync_code_of_a_connection_runs_on_one_worker_thread(
    app: Tumbler, ws_client: TestClient
) -> None:
    threads: list[int] = []

    @app.before_websocket
    def before() -> None:
        threads.append(threading.get_ident())

    @app.websocket("/t")
    def t() -> None:
        threads.append(threading.get_ident())
        websocket.send("x")
        websocket.receive()

    @app.teardown_websocket
    def teardown(error: BaseException | None) -> None:
        threads.append(threading.get_ident())

    with ws_client.websocket("/t") as ws:
        assert ws.receive() == "x"
    assert len(threads) == 3
    assert len(set(threads)) == 1
    assert threads[0] != threading.get_ident()


def test_a_hook_answer_rejects_the_handshake(app: Tumbler, ws_client: TestClient) -> None:
    ran: list[str] = []

    @app.before_websocket
    def refuse() -> Any:
        return "go away", 401

    @app.websocket("/r")
    async def r() -> None:
        ran.append("handler")

    with pytest.raises(WebsocketRejected) as info, ws_client.websocket("/r"):
        pass
    assert info.value.status_code == 401
    assert info.value.response.get_data() == b"go away"
    assert ran == []


def test_without_the_http_response_extension_a_refusal_is_a_403(
    app: Tumbler, ws_client: TestClient
) -> None:
    @app.websocket("/r")
    async def r() -> None:
        abort(401)

    with pytest.raises(WebsocketRejected) as info, ws_client.websocket("/r", http_response=False):
        pass
    assert info.value.status_code == 403


def test_an_http_error_before_accept_rejects_with_its_status(
    app: Tumbler, ws_client: TestClient, kind: str
) -> None:
    torn: list[Any] = []

    def body(call: Callable[[Any], Any]) -> Iterator[Any]:
        abort(418)
        yield None

    handler(app, kind, "/a", body)
    app.teardown_websocket(lambda error: torn.append(error))
    with pytest.raises(WebsocketRejected) as info, ws_client.websocket("/a"):
        pass
    assert info.value.status_code == 418
    assert torn == [None]


def test_an_error_handler_answers_the_handshake(app: Tumbler, ws_client: TestClient) -> None:
    @app.errorhandler(LookupError)
    def missing(error: LookupError) -> Any:
        return "no such room", 404

    @app.websocket("/room/<name>")
    async def room(name: str) -> None:
        raise LookupError(name)

    with pytest.raises(WebsocketRejected) as info, ws_client.websocket("/room/x"):
        pass
    assert info.value.status_code == 404
    assert info.value.response.get_data() == b"no such room"


def test_blueprint_hooks_are_scoped(app: Tumbler, ws_client: TestClient) -> None:
    calls: list[str] = []
    bp = Blueprint("bp", __name__, url_prefix="/bp")

    @bp.before_websocket
    def bp_before() -> None:
        calls.append("bp before")

    @bp.teardown_websocket
    def bp_teardown(error: BaseException | None) -> None:
        calls.append("bp teardown")

    @bp.before_app_websocket
    def everywhere() -> None:
        calls.append("app-wide before")

    @bp.websocket("/ws")
    async def inside() -> None:
        await websocket.send(url_for(".inside"))

    @app.websocket("/ws")
    async def outside() -> None:
        await websocket.send("out")

    app.register_blueprint(bp)
    with ws_client.websocket("/bp/ws") as ws:
        assert ws.receive() == "ws://localhost/bp/ws"
    assert calls == ["app-wide before", "bp before", "bp teardown"]
    calls.clear()
    with ws_client.websocket("/ws") as ws:
        assert ws.receive() == "out"
    assert calls == ["app-wide before"]


def test_g_lives_for_the_connection(app: Tumbler, ws_client: TestClient, kind: str) -> None:
    def body(call: Callable[[Any], Any]) -> Iterator[Any]:
        g.count = 0
        while True:
            yield call(websocket.receive())
            g.count += 1
            yield call(websocket.send(str(g.count)))

    handler(app, kind, "/g", body)
    with ws_client.websocket("/g") as first, ws_client.websocket("/g") as second:
        for expected in ("1", "2", "3"):
            first.send("x")
            assert first.receive() == expected
        second.send("x")
        assert second.receive() == "1"


# Errors and disconnects --------------------------------------------------------------------------


def test_a_handler_error_closes_with_1011_and_is_logged(
    app: Tumbler, ws_client: TestClient, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    torn: list[Any] = []

    def body(call: Callable[[Any], Any]) -> Iterator[Any]:
        yield call(websocket.send("first"))
        yield call(websocket.receive())
        raise ValueError("bad input")

    handler(app, kind, "/e", body)
    app.teardown_websocket(lambda error: torn.append(error))
    with caplog.at_level(logging.ERROR), ws_client.websocket("/e") as ws:
        assert ws.receive() == "first"
        ws.send("go")
        with pytest.raises(WebsocketDisconnected) as info:
            ws.receive()
        assert info.value.code == 1011
    assert len(torn) == 1 and isinstance(torn[0], ValueError)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "/e" in errors[0].getMessage()
    assert errors[0].exc_info is not None and errors[0].exc_info[0] is ValueError


def test_with_propagation_the_error_reaches_the_test(app: Tumbler, ws_client: TestClient) -> None:
    app.testing = True

    @app.websocket("/e")
    async def e() -> None:
        await websocket.accept()
        raise ValueError("shown to the test")

    with pytest.raises(ValueError, match="shown to the test"), ws_client.websocket("/e") as ws:
        with pytest.raises(WebsocketDisconnected) as info:
            ws.receive()
        assert info.value.code == 1011


def test_the_client_leaving_mid_handler_runs_teardown(
    app: Tumbler, ws_client: TestClient, kind: str
) -> None:
    torn: list[Any] = []
    after_receive: list[str] = []

    def body(call: Callable[[Any], Any]) -> Iterator[Any]:
        yield call(websocket.send("ready"))
        yield call(websocket.receive())  # the client leaves instead
        after_receive.append("reached")

    handler(app, kind, "/d", body)
    app.teardown_websocket(lambda error: torn.append(error))
    app.teardown_appcontext(lambda error: torn.append(error))
    with ws_client.websocket("/d") as ws:
        assert ws.receive() == "ready"
        ws.close(1001)
    assert after_receive == []
    assert len(torn) == 2
    assert all(isinstance(e, WebsocketDisconnected) and e.code == 1001 for e in torn)


def test_send_after_the_client_left_raises(app: Tumbler, ws_client: TestClient) -> None:
    outcome: list[Any] = []

    @app.websocket("/s")
    async def s() -> None:
        await websocket.send("hello")
        try:
            await websocket.receive()
        except WebsocketDisconnected:
            pass
        try:
            await websocket.send("too late")
        except WebsocketDisconnected as gone:
            outcome.append(gone.code)

    with ws_client.websocket("/s") as ws:
        assert ws.receive() == "hello"
    assert outcome == [1000]


def test_close_codes_from_the_handler(app: Tumbler, ws_client: TestClient, kind: str) -> None:
    def body(call: Callable[[Any], Any]) -> Iterator[Any]:
        yield call(websocket.accept())
        yield call(websocket.close(4001, "bye now"))

    handler(app, kind, "/c", body)
    with ws_client.websocket("/c") as ws, pytest.raises(WebsocketDisconnected) as info:
        ws.receive()
    assert (info.value.code, info.value.reason) == (4001, "bye now")


def test_close_before_accept_refuses(app: Tumbler, ws_client: TestClient) -> None:
    @app.websocket("/c")
    async def c() -> None:
        await websocket.close()

    with pytest.raises(WebsocketRejected) as info, ws_client.websocket("/c"):
        pass
    assert info.value.status_code == 403


# Routing, Origin and limits --------------------------------------------------------------------


def test_routing_refusals(app: Tumbler, ws_client: TestClient) -> None:
    @app.route("/page")
    def page() -> str:
        return "page"

    with pytest.raises(WebsocketRejected) as info, ws_client.websocket("/nowhere"):
        pass
    assert info.value.status_code == 404
    with pytest.raises(WebsocketRejected) as info, ws_client.websocket("/page"):
        pass
    assert info.value.status_code == 400


@pytest.mark.parametrize(
    ("allowed", "origin", "ok"),
    [
        (None, None, True),  # not a browser
        (None, "http://localhost", True),
        (None, "https://localhost", True),  # host and port as the request's Host
        (None, "http://localhost:8080", False),
        (None, "https://evil.example", False),
        (None, "null", False),
        (["https://app.example"], "https://app.example", True),
        (["https://app.example"], "http://localhost", False),
        (["*"], "https://evil.example", True),
    ],
)
def test_origin_check(
    app: Tumbler, ws_client: TestClient, allowed: list[str] | None, origin: str | None, ok: bool
) -> None:
    app.config["WEBSOCKET_ALLOWED_ORIGINS"] = allowed
    ran: list[str] = []

    @app.before_websocket
    def before() -> None:
        ran.append("hook")

    @app.websocket("/o")
    async def o() -> None:
        await websocket.send("in")

    headers = {"Origin": origin} if origin is not None else {}
    if ok:
        with ws_client.websocket("/o", headers=headers) as ws:
            assert ws.receive() == "in"
        assert ran == ["hook"]
    else:
        with pytest.raises(WebsocketRejected) as info, ws_client.websocket("/o", headers=headers):
            pass
        assert info.value.status_code == 403
        assert ran == []


def test_a_message_over_the_limit_closes_with_1009(
    app: Tumbler, ws_client: TestClient, kind: str
) -> None:
    app.config["WEBSOCKET_MAX_MESSAGE_SIZE"] = 8
    torn: list[Any] = []
    add_echo(app, kind, "/big/<room>")
    app.teardown_websocket(lambda error: torn.append(error))
    with ws_client.websocket("/big/r") as ws:
        ws.send("12345678")
        assert ws.receive() == "r: 12345678"
        ws.send("é" * 5)  # 5 characters, 10 bytes
        with pytest.raises(WebsocketDisconnected) as info:
            ws.receive()
        assert info.value.code == 1009
    assert len(torn) == 1 and torn[0].code == 1009


def test_http_requests_to_a_websocket_route_get_426(client: TestClient, app: Tumbler) -> None:
    @app.websocket("/live")
    async def live() -> None: ...

    @app.route("/both")
    def both() -> str:
        return "page"

    @app.websocket("/both", endpoint="both_ws")
    async def both_ws() -> None: ...

    response = client.get("/live")
    assert response.status_code == 426
    assert response.headers["Upgrade"] == "websocket"
    assert "ASGI server" in response.get_data(as_text=True)
    assert client.get("/both").get_data() == b"page"
    refused = client.post("/both")
    assert refused.status_code == 405
    assert "WEBSOCKET" not in refused.headers["Allow"]
    assert "WEBSOCKET" not in client.options("/both").headers["Allow"]


def test_websocket_rules_take_no_http_methods(app: Tumbler) -> None:
    with pytest.raises(TypeError):

        @app.websocket("/x", methods=["POST"])
        async def x() -> None: ...


def test_appcontext_signals_are_sent(app: Tumbler, ws_client: TestClient) -> None:
    from tumbler import appcontext_popped, appcontext_pushed

    seen: list[str] = []

    def pushed(sender: Tumbler) -> None:
        seen.append("pushed")

    def popped(sender: Tumbler) -> None:
        seen.append("popped")

    @app.websocket("/s")
    async def s() -> None:
        seen.append("handler")
        await websocket.send("x")

    appcontext_pushed.connect(pushed)
    appcontext_popped.connect(popped)
    try:
        with ws_client.websocket("/s") as ws:
            assert ws.receive() == "x"
    finally:
        appcontext_pushed.disconnect(pushed)
        appcontext_popped.disconnect(popped)
    assert seen == ["pushed", "handler", "popped"]
