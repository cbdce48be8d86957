"""A real thread-local under a real server: SQLAlchemy's ``scoped_session`` under uvicorn.

The "SQLAlchemy in Flask" pattern: a session (scoped to the thread) set up in a sync
``before_request``, used in the sync view, removed in teardown, with an ``async def``
before_request hook in between. 300 requests at once over HTTP: every answer must be the
request's own (issue 12 measured every answer wrong before the one-thread-per-request rule).
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tumbler import Tumbler, request

pytestmark = pytest.mark.live

sqlalchemy = pytest.importorskip("sqlalchemy")
uvicorn = pytest.importorskip("uvicorn")

REQUESTS = 300


def build_app(database: Path) -> Tumbler:
    from sqlalchemy import create_engine, text
    from sqlalchemy.orm import scoped_session, sessionmaker

    engine = create_engine(f"sqlite:///{database}", connect_args={"check_same_thread": False})
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)"))
        connection.execute(
            text("INSERT INTO items (id, name) VALUES (:id, :name)"),
            [{"id": n, "name": f"item {n}"} for n in range(REQUESTS)],
        )
    Session = scoped_session(sessionmaker(bind=engine))  # (SQLAlchemy's idiom)
    app = Tumbler(__name__)

    @app.before_request
    def open_session() -> None:
        Session().info["asked"] = request.view_args["n"] if request.view_args else None

    @app.before_request
    async def in_between() -> None:
        await asyncio.sleep(0.001)  # other requests run their sync code meanwhile

    @app.route("/items/<int:n>")
    def item(n: int) -> str:
        db = Session()
        asked = db.info.get("asked")
        name = db.execute(text("SELECT name FROM items WHERE id = :id"), {"id": asked}).scalar()
        return f"{n} {asked} {name}"

    @app.teardown_request
    def close_session(error: BaseException | None) -> None:
        Session.remove()

    return app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[int]:
    port = free_port()
    app = build_app(tmp_path / "items.sqlite")
    config = uvicorn.Config(
        app.asgi, host="127.0.0.1", port=port, log_level="warning", backlog=REQUESTS * 2
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(400):  # bounded: up to 20 s
        if server.started:
            break
        threading.Event().wait(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(30)


async def fetch(port: int, n: int) -> str:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(f"GET /items/{n} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        raw = await reader.read()
    finally:
        writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    return body.decode()


def test_scoped_session_under_uvicorn_gives_every_request_its_own_answer(served: int) -> None:
    async def main() -> list[str]:
        return await asyncio.gather(*(fetch(served, n) for n in range(REQUESTS)))

    answers = asyncio.run(main())
    wrong = [a for n, a in enumerate(answers) if a != f"{n} {n} item {n}"]
    assert wrong == []
