"""The ASGI body idle timeout (``idle_timer.py``): one timer per loop for every body read."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tumbler import Tumbler, request
from tumbler.idle_timer import IdleTimer

FORM = [(b"content-type", b"application/x-www-form-urlencoded"), (b"content-length", b"7")]


def _scope(path: str = "/form") -> dict[str, Any]:
    return {
        "type": "http",
        "method": "POST",
        "path": path,
        "query_string": b"",
        "headers": FORM,
    }


def _receiver(first: bytes, rest: bytes, pause: float) -> Any:
    """Send ``first``, wait ``pause`` seconds, then send ``rest`` (the end of the body)."""
    calls = 0

    async def receive() -> dict[str, Any]:
        nonlocal calls
        calls += 1
        if calls == 1:
            return {"type": "http.request", "body": first, "more_body": True}
        await asyncio.sleep(pause)
        return {"type": "http.request", "body": rest, "more_body": False}

    return receive


async def _serve(app: Tumbler, receive: Any) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app.asgi(_scope(), receive, send)
    return sent


@pytest.fixture
def form_app(app: Tumbler) -> Tumbler:
    @app.route("/form", methods=["POST"])
    def form() -> str:
        return ",".join(f"{k}={v}" for k, v in request.form.items())

    return app


def test_a_slow_read_times_out_while_a_prompt_one_completes(form_app: Tumbler) -> None:
    form_app.config["ASGI_BODY_TIMEOUT"] = 0.1

    async def both() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        stalled = _serve(form_app, _receiver(b"a=1", b"&b=22", pause=2.0))
        prompt = _serve(form_app, _receiver(b"a=1", b"&b=22", pause=0.02))
        first, second = await asyncio.wait_for(asyncio.gather(stalled, prompt), 5)
        return first, second

    stalled, prompt = asyncio.run(both())
    assert stalled[0]["status"] == 408
    assert prompt[0]["status"] == 200
    assert prompt[1]["body"] == b"a=1,b=22"


def test_each_message_restarts_the_wait(form_app: Tumbler) -> None:
    """Three pauses of 60 ms each under a 100 ms timeout: 180 ms in all, never 100 idle."""
    form_app.config["ASGI_BODY_TIMEOUT"] = 0.1
    parts = [b"a", b"=", b"1", b"&b=22"]

    async def receive() -> dict[str, Any]:
        if len(parts) < 4:
            await asyncio.sleep(0.06)
        body = parts.pop(0)
        return {"type": "http.request", "body": body, "more_body": bool(parts)}

    sent = asyncio.run(asyncio.wait_for(_serve(form_app, receive), 5))
    assert sent[0]["status"] == 200
    assert sent[1]["body"] == b"a=1,b=22"


def test_a_cancellation_from_the_server_is_not_a_timeout(form_app: Tumbler) -> None:
    form_app.config["ASGI_BODY_TIMEOUT"] = 10

    async def cancelled() -> None:
        task = asyncio.ensure_future(_serve(form_app, _receiver(b"a=1", b"&b=22", pause=5)))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(cancelled())


def test_the_timer_stops_when_no_read_is_left() -> None:
    async def main() -> tuple[bool, bool]:
        timer = IdleTimer(asyncio.get_running_loop())
        read = timer.start(0.04)
        armed = timer._handle is not None

        async def message() -> str:
            return "m"

        assert await timer.receive(read, message) == "m"
        timer.stop(read)
        await asyncio.sleep(0.05)  # one tick passes: nothing left to watch
        return armed, timer._handle is None

    assert asyncio.run(main()) == (True, True)


def test_a_read_that_waits_too_long_gets_none() -> None:
    async def main() -> Any:
        timer = IdleTimer(asyncio.get_running_loop())
        read = timer.start(0.03)

        async def never() -> str:
            await asyncio.sleep(5)
            return "late"

        try:  # in the task that started the read, as in the adapter (never ends: 5 s)
            return await timer.receive(read, never)
        finally:
            timer.stop(read)

    assert asyncio.run(main()) is None
