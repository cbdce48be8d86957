"""The ASGI body idle timeout (``idle_timer.py``): one timer per loop for every body read.

Every test runs on a virtual clock (tests/virtual_clock.py): the timer reads the loop's
clock, so a 60 ms pause always ends before a 100 ms timeout, however loaded the machine.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from tests.virtual_clock import run_virtual

from tumbler import Tumbler, request
from tumbler.idle_timer import IdleTimer

FORM = [(b"content-type", b"application/x-www-form-urlencoded"), (b"content-length", b"8")]


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

    stalled, prompt = run_virtual(both())
    assert stalled[0]["status"] == 408
    assert prompt[0]["status"] == 200
    assert prompt[1]["body"] == b"a=1,b=22"


def test_each_message_restarts_the_wait(form_app: Tumbler) -> None:
    """Three pauses of 60 ms each under a 100 ms timeout: 180 ms in all, never 100 idle."""
    form_app.config["ASGI_BODY_TIMEOUT"] = 0.1
    form_app.config["ASGI_BODY_MIN_RATE"] = None  # (8 bytes in 180 ms is below the default)
    parts = [b"a", b"=", b"1", b"&b=22"]

    async def receive() -> dict[str, Any]:
        if len(parts) < 4:
            await asyncio.sleep(0.06)
        body = parts.pop(0)
        return {"type": "http.request", "body": body, "more_body": bool(parts)}

    sent = run_virtual(asyncio.wait_for(_serve(form_app, receive), 5))
    assert sent[0]["status"] == 200
    assert sent[1]["body"] == b"a=1,b=22"


def test_a_stalled_machine_does_not_time_a_prompt_read_out(form_app: Tumbler) -> None:
    """A process stalled for longer than the timeout (a loaded machine) is not a slow client:
    the timer reads the loop's clock, which here, as on a real loop, measures the waits."""
    form_app.config["ASGI_BODY_TIMEOUT"] = 0.1
    parts = [b"a=1", b"&b=22"]

    async def receive() -> dict[str, Any]:
        if len(parts) < 2:
            time.sleep(0.15)  # the whole process stalls in real time, past the timeout
            await asyncio.sleep(0.02)  # the client itself is prompt
        body = parts.pop(0)
        return {"type": "http.request", "body": body, "more_body": bool(parts)}

    sent = run_virtual(asyncio.wait_for(_serve(form_app, receive), 5))
    assert sent[0]["status"] == 200
    assert sent[1]["body"] == b"a=1,b=22"


def test_the_virtual_clock_moves_only_across_idle_waits() -> None:
    """Sanity of the test clock: a sleep advances it exactly; real time spent does not."""

    async def main() -> tuple[float, float]:
        loop = asyncio.get_running_loop()
        start = loop.time()
        time.sleep(0.05)
        busy = loop.time() - start
        await asyncio.sleep(2.0)
        await asyncio.to_thread(time.sleep, 0.05)  # a thread at work: the clock waits
        return busy, loop.time() - start

    busy, slept = run_virtual(main())
    assert busy == 0.0
    assert 2.0 <= slept < 2.01


def test_a_cancellation_from_the_server_is_not_a_timeout(form_app: Tumbler) -> None:
    form_app.config["ASGI_BODY_TIMEOUT"] = 10

    async def cancelled() -> None:
        task = asyncio.ensure_future(_serve(form_app, _receiver(b"a=1", b"&b=22", pause=5)))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run_virtual(cancelled())


def test_the_timer_stops_when_no_read_is_left() -> None:
    async def main() -> tuple[bool, bool, bool]:
        timer = IdleTimer(asyncio.get_running_loop())
        task = asyncio.current_task()
        assert task is not None
        timer.watch(task, 0.04)
        armed = timer._handle is not None
        await asyncio.sleep(0)  # the message came at once
        timer.waiting.pop(task, None)
        await asyncio.sleep(0.05)  # one tick passes: nothing left to watch
        return armed, timer._handle is None, timer.timed_out(task)

    assert run_virtual(main()) == (True, True, False)


def test_a_wait_that_lasts_too_long_is_cancelled_and_reported() -> None:
    async def main() -> tuple[bool, dict[Any, Any]]:
        timer = IdleTimer(asyncio.get_running_loop())
        task = asyncio.current_task()
        assert task is not None
        timer.watch(task, 0.03)
        try:
            await asyncio.sleep(5)  # never ends on its own
        except asyncio.CancelledError:
            return timer.timed_out(task), timer.waiting
        finally:
            timer.waiting.pop(task, None)
        raise AssertionError("not cancelled")

    assert run_virtual(main()) == (True, {})


def test_a_timeout_and_a_cancel_from_elsewhere_is_not_swallowed() -> None:
    async def main() -> bool:
        timer = IdleTimer(asyncio.get_running_loop())
        task = asyncio.current_task()
        assert task is not None
        timer.watch(task, 0.0)

        def both() -> None:
            timer._check()  # due at once: the timer cancels the wait
            task.cancel()  # and the server cancels the request too

        asyncio.get_running_loop().call_soon(both)
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            return timer.timed_out(task)
        finally:
            timer.waiting.pop(task, None)
        raise AssertionError("not cancelled")

    assert run_virtual(main()) is False
