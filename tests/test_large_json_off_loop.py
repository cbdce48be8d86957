"""A large JSON body is parsed on a worker thread under ASGI, never on the event loop."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from tumbler import Tumbler, request
from tumbler.json import DefaultJSONProvider

BIG = json.dumps({"items": list(range(30_000))}).encode()  # about 200 KB


class RecordingProvider(DefaultJSONProvider):
    """The app's provider, noting the thread each parse runs on."""

    threads: list[int]

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        self.threads.append(threading.get_ident())
        return super().loads(s, **kwargs)


@pytest.fixture
def app() -> Tumbler:
    app = Tumbler("big_json")
    app.json = RecordingProvider(app)
    app.json.threads = []  # type: ignore[attr-defined]
    return app


def test_async_view_reads_a_large_body_parsed_off_the_loop(app: Tumbler) -> None:
    loop_threads: list[int] = []

    @app.post("/")
    async def view() -> str:
        loop_threads.append(threading.get_ident())  # the event loop's thread
        return str(len(request.json["items"]))

    response = app.test_client(protocol="asgi").post(
        "/", data=BIG, headers={"Content-Type": "application/json"}
    )
    assert response.text == "30000"
    threads = app.json.threads  # type: ignore[attr-defined]
    assert len(threads) == 1  # parsed once, with the app's provider
    assert threads[0] != loop_threads[0]


def test_small_bodies_are_parsed_when_read(app: Tumbler) -> None:
    @app.post("/")
    async def view() -> str:
        return str(request.json["n"])

    client = app.test_client(protocol="asgi")
    assert client.post("/", json={"n": 3}).text == "3"
    assert len(app.json.threads) == 1  # type: ignore[attr-defined]


def test_early_parse_keeps_get_json_rules(app: Tumbler, protocol: str) -> None:
    """Malformed: 400 through on_json_loading_failed, None when silent; depth still checked."""
    broken = BIG[:-1]

    @app.post("/strict")
    async def strict() -> str:
        return str(request.json)

    @app.post("/silent")
    async def silent() -> str:
        return repr(request.get_json(silent=True))

    @app.post("/shallow")
    async def shallow() -> str:
        request.max_json_depth = 1  # changed on the request: parsed again with it
        return str(request.json)

    client = app.test_client(protocol=protocol)
    headers = {"Content-Type": "application/json"}
    assert client.post("/strict", data=broken, headers=headers).status_code == 400
    assert client.post("/silent", data=broken, headers=headers).text == "None"
    nested = json.dumps({"a": {"b": list(range(30_000))}}).encode()
    answer = client.post("/shallow", data=nested, headers=headers)
    assert answer.status_code == 400
    assert "nested more than 1 levels" in answer.text
