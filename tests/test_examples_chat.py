"""The chat example: through the test client, and in headless Chromium against uvicorn."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import dev
import pytest
from examples.chat import ROOMS, app
from tests.test_live import free_port, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def test_the_page_points_at_the_websocket(protocol: str) -> None:
    client = app.test_client(protocol=protocol)
    page = client.get("/room/tea").get_data(as_text=True)
    assert '"ws://localhost/ws/tea"' in page
    assert client.get("/ws/tea").status_code == 426


def test_messages_reach_everyone_in_the_room_and_teardown_leaves() -> None:
    client = app.test_client()
    with (
        client.websocket("/ws/tea?name=ada") as ada,
        client.websocket("/ws/tea?name=bob") as bob,
        client.websocket("/ws/coffee") as other,
    ):
        ada.send("hello")
        assert ada.receive() == "ada: hello"
        assert bob.receive() == "ada: hello"
        other.send("elsewhere")
        assert other.receive() == "guest: elsewhere"
        assert len(ROOMS["tea"]) == 2
    assert ROOMS == {}
    client.close()


def test_dev_py_serves_it() -> None:
    assert dev.EXAMPLES["chat"] == "examples.chat:app"


# The browser ------------------------------------------------------------------------------------


@pytest.fixture
def served_chat() -> Iterator[int]:
    """uvicorn serving the example as ``python3 dev.py serve --app chat`` does."""
    port = free_port()
    proc = subprocess.Popen(
        [
            str(BIN / "uvicorn"),
            f"{dev.EXAMPLES['chat']}.asgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until_up(port, proc, 30)
        yield port
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            _, stderr = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            stderr = b""
        assert b"Traceback" not in stderr, stderr.decode(errors="replace")


@pytest.mark.live
@pytest.mark.skipif(
    not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
    reason="Debian's chromium and chromium-driver are not installed (.ci/run installs them)",
)
def test_a_message_typed_in_chromium_comes_back_over_the_websocket(
    served_chat: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    monkeypatch.setenv("SE_OFFLINE", "true")  # never let Selenium Manager fetch a browser
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        driver.get(f"http://127.0.0.1:{served_chat}/room/browser")
        wait = WebDriverWait(driver, 30)
        wait.until(lambda d: d.find_element(By.ID, "status").text == "connected")
        driver.find_element(By.ID, "message").send_keys("hello from chromium")
        driver.find_element(By.ID, "send").click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#log li"))
        items = [item.text for item in driver.find_elements(By.CSS_SELECTOR, "#log li")]
        assert items == ["guest: hello from chromium"]
    finally:
        driver.quit()
