"""Sync code under ASGI: one worker thread per request, from a bounded pool (issue 12).

Rules tested here, over ASGI (and WSGI where the rule applies there):
1. user sync code runs on worker threads by default, never on the event loop's thread;
2. one thread for all sync code of a request, also with ``async def`` hooks in between, and
   no other request's code on that thread while the request holds it; a request that runs
   no sync code takes no thread;
3. the loop only by explicit opt-in (``@sync_on_loop``, ``ASGI_SYNC_IN_THREADS = False``);
5. a bounded pool: requests wait in order; lifespan shutdown waits, then stops the threads.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tumbler import Response, Tumbler, after_this_request, request, session, sync_on_loop
from tumbler.asgi import ASGIAdapter
from tumbler.sessions import SecureCookieSessionInterface
from tumbler.testing import TestClient
from tumbler.threads import RequestThread, WorkerPool


def _scope(path: str) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"test")],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }


async def asgi_get(app: Tumbler, path: str) -> tuple[int, bytes]:
    """One GET through ``app.asgi`` on the running loop: (status, body)."""
    sent: list[dict[str, Any]] = []
    received = False

    async def receive() -> dict[str, Any]:
        nonlocal received
        if received:
            await asyncio.Event().wait()  # the client stays until cancelled
        received = True
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app.asgi(_scope(path), receive, send)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], body


def pool_of(app: Tumbler) -> WorkerPool:
    adapter = app.asgi_app
    assert isinstance(adapter, ASGIAdapter)
    return adapter.pool


class RecordingSessions(SecureCookieSessionInterface):
    """Records the thread that saves the session."""

    def __init__(self, seen: list[tuple[str, int]]) -> None:
        self.seen = seen

    def save_session(self, app: Any, session: Any, response: Response) -> None:
        self.seen.append(("session save", threading.get_ident()))
        super().save_session(app, session, response)


def build_recording_app(seen: list[tuple[str, int]]) -> Tumbler:
    """Sync code of every kind records its thread; one async hook runs in between."""
    app = Tumbler(__name__)
    app.secret_key = "test secret"
    app.session_interface = RecordingSessions(seen)

    def mark(what: str) -> None:
        seen.append((what, threading.get_ident()))

    @app.url_value_preprocessor
    def preprocess(endpoint: str | None, values: dict[str, Any] | None) -> None:
        mark("url_value_preprocessor")

    @app.before_request
    def before_sync() -> None:
        mark("before_request")

    @app.before_request
    async def before_async() -> None:
        await asyncio.sleep(0)

    @app.after_request
    def after(response: Response) -> Response:
        mark("after_request")
        return response

    @app.teardown_request
    def teardown(error: BaseException | None) -> None:
        mark("teardown_request")

    @app.teardown_appcontext
    def teardown_app(error: BaseException | None) -> None:
        mark("teardown_appcontext")

    @app.errorhandler(LookupError)
    def lookup_failed(error: LookupError) -> tuple[str, int]:
        mark("errorhandler")
        return "handled", 404

    @app.route("/view")
    def view() -> str:
        mark("view")
        session["seen"] = True

        @after_this_request
        def callback(response: Response) -> None:
            mark("after_this_request")

        return "ok"

    @app.route("/fails")
    def fails() -> str:
        mark("view")
        raise LookupError("nothing here")

    @app.route("/stream")
    def stream() -> Response:
        mark("view")

        def chunks() -> Iterator[str]:
            for i in range(3):
                mark("chunk")
                yield str(i)

        response = Response(chunks())
        response.call_on_close(lambda: mark("call_on_close"))
        return response

    return app


KINDS_VIEW = {
    "url_value_preprocessor",
    "before_request",
    "view",
    "after_this_request",
    "after_request",
    "session save",
    "teardown_request",
    "teardown_appcontext",
}


@pytest.mark.parametrize(
    ("path", "kinds"),
    [
        ("/view", KINDS_VIEW),
        ("/fails", KINDS_VIEW - {"after_this_request", "session save"} | {"errorhandler"}),
        (
            "/stream",
            KINDS_VIEW - {"after_this_request", "session save"} | {"chunk", "call_on_close"},
        ),
    ],
)
def test_all_sync_code_of_a_request_runs_on_one_thread(
    protocol: str, path: str, kinds: set[str]
) -> None:
    seen: list[tuple[str, int]] = []
    app = build_recording_app(seen)
    with app.test_client(protocol=protocol) as client:
        response = client.get(path)
    assert response.status_code in (200, 404)
    assert {what for what, _ in seen} == kinds
    threads = {ident for _, ident in seen}
    assert len(threads) == 1, seen
    if protocol == "asgi":  # a worker thread, not the loop's (the test's own thread)
        assert threads != {threading.get_ident()}
    else:  # WSGI: the server's thread itself
        assert threads == {threading.get_ident()}


def test_concurrent_requests_never_share_a_thread() -> None:
    """Twenty requests in flight at once, each parked in an async hook between two sync
    hooks: each kept its own thread, and no thread served two requests at a time."""
    app = Tumbler(__name__)
    app.config["ASGI_THREADS"] = 20
    holders: dict[int, str] = {}
    clashes: list[str] = []
    idents: dict[str, set[int]] = {}
    lock = threading.Lock()
    arrived = 0
    everyone_in = asyncio.Event()

    @app.before_request
    def take() -> None:
        me = request.path
        ident = threading.get_ident()
        with lock:
            if ident in holders:
                clashes.append(f"{me} on the thread of {holders[ident]}")
            holders[ident] = me
            idents.setdefault(me, set()).add(ident)

    @app.before_request
    async def wait_for_all() -> None:
        nonlocal arrived
        arrived += 1
        if arrived == 20:
            everyone_in.set()
        await everyone_in.wait()

    @app.route("/<int:n>")
    def view(n: int) -> str:
        idents[request.path].add(threading.get_ident())
        return str(n)

    @app.teardown_request
    def release(error: BaseException | None) -> None:
        with lock:
            idents[request.path].add(threading.get_ident())
            del holders[threading.get_ident()]

    async def main() -> list[tuple[int, bytes]]:
        return await asyncio.gather(*(asgi_get(app, f"/{n}") for n in range(20)))

    results = asyncio.run(main())
    assert [body for _, body in results] == [str(n).encode() for n in range(20)]
    assert clashes == []
    assert all(len(threads) == 1 for threads in idents.values())
    assert len({next(iter(t)) for t in idents.values()}) == 20  # all in flight: 20 threads


def test_a_request_without_sync_code_takes_no_thread() -> None:
    app = Tumbler(__name__)

    @app.before_request
    async def before() -> None:
        await asyncio.sleep(0)

    @app.route("/")
    async def index() -> str:
        return "async"

    @app.teardown_request
    async def teardown(error: BaseException | None) -> None:
        return None

    with app.test_client(protocol="asgi") as client:
        for _ in range(5):
            assert client.get("/").text == "async"
        assert client.get("/missing").status_code == 404
    assert pool_of(app).started == 0


def test_a_sync_view_takes_one_thread_and_gives_it_back() -> None:
    app = Tumbler(__name__)

    @app.route("/")
    def index() -> str:
        return "sync"

    with app.test_client(protocol="asgi") as client:
        for _ in range(5):
            assert client.get("/").text == "sync"
    pool = pool_of(app)
    assert pool.started == 1  # sequential requests reuse the one thread
    assert pool.in_use == 0


def test_sync_on_loop_opts_one_route_in() -> None:
    app = Tumbler(__name__)
    loop_thread = threading.get_ident()
    places: dict[str, bool] = {}

    @app.before_request
    def before() -> None:
        places[f"before {request.path}"] = threading.get_ident() == loop_thread

    @app.route("/fast")
    @sync_on_loop
    def fast() -> str:
        places["fast"] = threading.get_ident() == loop_thread
        return "fast"

    @app.route("/slow")
    def slow() -> str:
        places["slow"] = threading.get_ident() == loop_thread
        return "slow"

    with app.test_client(protocol="asgi") as client:
        assert client.get("/fast").text == "fast"
        assert pool_of(app).started == 0
        assert client.get("/slow").text == "slow"
    assert places == {"before /fast": True, "fast": True, "before /slow": False, "slow": False}


def test_asgi_sync_in_threads_false_keeps_every_sync_call_on_the_loop() -> None:
    app = Tumbler(__name__)
    app.config["ASGI_SYNC_IN_THREADS"] = False
    loop_thread = threading.get_ident()
    on_loop: list[bool] = []

    @app.before_request
    def before() -> None:
        on_loop.append(threading.get_ident() == loop_thread)

    @app.route("/")
    def index() -> Response:
        on_loop.append(threading.get_ident() == loop_thread)

        def chunks() -> Iterator[str]:
            on_loop.append(threading.get_ident() == loop_thread)
            yield "x"

        return Response(chunks())

    with app.test_client(protocol="asgi") as client:
        assert client.get("/").text == "x"
    assert on_loop == [True, True, True]
    assert pool_of(app).started == 0


@pytest.mark.parametrize("size", [1, 2])
def test_the_pool_is_bounded_and_requests_wait_in_order(size: int) -> None:
    """``size`` threads, six requests that each hold one until told to go: ``size`` at a
    time run; with one thread they start exactly in the order they arrived."""
    app = Tumbler(__name__)
    app.config["ASGI_THREADS"] = size
    started: list[int] = []
    gates = {n: threading.Event() for n in range(6)}
    running = 0
    most = 0
    lock = threading.Lock()

    @app.route("/<int:n>")
    def view(n: int) -> str:
        nonlocal running, most
        with lock:
            started.append(n)
            running += 1
            most = max(most, running)
        gates[n].wait(30)
        with lock:
            running -= 1
        return str(n)

    async def main() -> list[tuple[int, bytes]]:
        tasks = []
        for n in range(6):
            tasks.append(asyncio.ensure_future(asgi_get(app, f"/{n}")))
            for _ in range(5):  # let this one reach the pool before the next arrives
                await asyncio.sleep(0)
        for n in range(6):
            while n not in started:  # bounded: each wait ends when the request starts
                await asyncio.sleep(0.001)
            gates[n].set()
        return await asyncio.gather(*tasks)

    results = asyncio.run(main())
    assert [body for _, body in results] == [str(n).encode() for n in range(6)]
    if size == 1:
        assert started == list(range(6))
    else:  # two threads: who of a pair appends first is up to the OS
        assert sorted(started) == list(range(6))
    assert most == size
    assert pool_of(app).started == size


def test_waiters_are_served_first_come_first_served() -> None:
    async def main() -> list[str]:
        pool = WorkerPool(1)
        holder = RequestThread(pool)
        await holder.run(lambda: None)  # takes the only thread
        order: list[str] = []

        async def request(name: str) -> None:
            thread = RequestThread(pool)
            await thread.run(order.append, name)
            thread.release()

        tasks = []
        for name in "abc":
            tasks.append(asyncio.ensure_future(request(name)))
            await asyncio.sleep(0)
        holder.release()
        await asyncio.gather(*tasks)
        await pool.close()
        return order

    assert asyncio.run(main()) == ["a", "b", "c"]


def test_lifespan_shutdown_waits_for_running_sync_code_then_stops_the_threads() -> None:
    app = Tumbler(__name__)
    in_view = threading.Event()
    go_on = threading.Event()
    events: list[str] = []
    workers: list[threading.Thread] = []

    @app.route("/")
    def slow() -> str:
        workers.append(threading.current_thread())
        in_view.set()
        go_on.wait(30)
        events.append("view done")
        return "done"

    async def main() -> None:
        messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        await messages.put({"type": "lifespan.startup"})

        async def send(message: dict[str, Any]) -> None:
            events.append(message["type"])

        lifespan = asyncio.ensure_future(app.asgi({"type": "lifespan"}, messages.get, send))
        request_task = asyncio.ensure_future(asgi_get(app, "/"))
        while not in_view.is_set():  # bounded by the view starting
            await asyncio.sleep(0.001)
        await messages.put({"type": "lifespan.shutdown"})
        for _ in range(20):
            await asyncio.sleep(0)
        assert "lifespan.shutdown.complete" not in events  # still waiting for the view
        go_on.set()
        await asyncio.gather(lifespan, request_task)

    asyncio.run(main())
    assert events == ["lifespan.startup.complete", "view done", "lifespan.shutdown.complete"]
    assert pool_of(app).started == 0  # stopped (a later request would start them again)
    assert workers and not any(worker.is_alive() for worker in workers)


def test_sync_lifespan_hooks_run_on_a_worker_thread() -> None:
    app = Tumbler(__name__)
    where: list[bool] = []

    @app.before_serving
    def start() -> None:
        where.append(threading.get_ident() == main_thread)

    main_thread = threading.get_ident()

    async def main() -> None:
        messages = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
        sent: list[str] = []

        async def receive() -> dict[str, Any]:
            return messages.pop(0)

        async def send(message: dict[str, Any]) -> None:
            sent.append(message["type"])

        await app.asgi({"type": "lifespan"}, receive, send)
        assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]

    asyncio.run(main())
    assert where == [False]


def test_a_client_that_leaves_mid_stream_is_logged_quietly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """send() raising OSError after a disconnect: no error record, no traceback."""
    app = Tumbler(__name__)
    closed: list[str] = []

    @app.route("/")
    def stream() -> Response:
        def chunks() -> Iterator[str]:
            try:
                for i in range(100):
                    yield str(i)
            finally:
                closed.append("closed")

        return Response(chunks())

    async def main() -> None:
        sent = 0

        async def receive() -> dict[str, Any]:
            await asyncio.Event().wait()
            return {}

        async def send(message: dict[str, Any]) -> None:
            nonlocal sent
            sent += 1
            if sent > 3:
                raise OSError("connection reset by peer")

        await app.asgi(_scope("/"), receive, send)

    with caplog.at_level("DEBUG"):
        asyncio.run(main())
    assert closed == ["closed"]
    assert not [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")]
    assert any("client left" in r.getMessage() for r in caplog.records)


def test_contextvars_set_by_a_hook_do_not_leak_into_the_next_wsgi_request() -> None:
    import contextvars

    var: contextvars.ContextVar[str] = contextvars.ContextVar("user", default="nobody")
    app = Tumbler(__name__)

    @app.before_request
    def login() -> None:
        if request.args.get("user"):
            var.set(request.args["user"])

    @app.route("/")
    def who() -> Response:
        def chunks() -> Iterator[str]:
            yield var.get()

        return Response(chunks())

    client = TestClient(app, protocol="wsgi")
    assert client.get("/?user=alice").text == "alice"
    assert client.get("/").text == "nobody"
    assert var.get() == "nobody"


def test_debug_mode_warns_of_sync_code_that_holds_the_loop(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A route that opted in to the loop and blocks: a warning in debug mode, and the next
    request still runs on the loop (nothing moves)."""
    import time

    app = Tumbler(__name__)
    app.debug = True
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.config["ASGI_SYNC_WARN_AFTER"] = 0.001
    loop_thread = threading.get_ident()
    on_loop: list[bool] = []

    @app.route("/slow")
    @sync_on_loop
    def slow() -> str:
        on_loop.append(threading.get_ident() == loop_thread)
        time.sleep(0.02)  # (sleep never returns early: always over the 1 ms limit)
        return "slow"

    with caplog.at_level("WARNING"), app.test_client(protocol="asgi") as client:
        assert client.get("/slow").text == "slow"
        assert client.get("/slow").text == "slow"
    warnings = [r for r in caplog.records if "held the event loop" in r.getMessage()]
    assert len(warnings) == 2
    assert on_loop == [True, True]
    assert pool_of(app).started == 0


def test_no_warning_outside_debug_mode(caplog: pytest.LogCaptureFixture) -> None:
    import time

    app = Tumbler(__name__)
    app.config["ASGI_SYNC_WARN_AFTER"] = 0.001

    @app.route("/slow")
    @sync_on_loop
    def slow() -> str:
        time.sleep(0.005)
        return "slow"

    with caplog.at_level("WARNING"), app.test_client(protocol="asgi") as client:
        assert client.get("/slow").text == "slow"
    assert not [r for r in caplog.records if "held the event loop" in r.getMessage()]
