"""The code of docs/websockets.md runs as written, for both kinds of handler."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tumbler import url_for

PAGE = Path(__file__).resolve().parent.parent / "docs" / "websockets.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", PAGE.read_text(), re.S)


@pytest.mark.parametrize("which", ["async", "sync"])
def test_the_chat_handlers_and_the_test_on_the_page(which: str) -> None:
    app_code, sync_handler, build_url, test_code = python_blocks()
    namespace: dict[str, Any] = {"__name__": f"docs_ws_{which}"}
    if which == "async":
        exec(app_code, namespace)
    else:
        setup = app_code.split("@app.websocket")[0]
        exec(setup + sync_handler, namespace)
    exec(test_code, namespace)
    namespace["test_chat"]()
    app = namespace["app"]
    namespace["url_for"] = url_for
    app.config["SERVER_NAME"] = "example.com"
    with app.app_context():
        assert eval(build_url.split("#")[0], namespace) == "ws://example.com/chat/lobby"
    with app.test_client().websocket("/chat/y") as ws:
        ws.send("hello")
        assert ws.receive() == "y: hello"
