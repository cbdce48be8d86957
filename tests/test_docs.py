"""The code in the docs runs as written.

The docs site itself is built by the test command (``mkdocs build --strict``); this file
checks that the examples shown in the pages work, over both protocols.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parent.parent / "docs"


def python_blocks(page: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", (DOCS / page).read_text(), re.S)


def test_deferred_callbacks_page_runs_as_written(protocol: str) -> None:
    app_code, try_it, cache_control = python_blocks("deferred-callbacks.md")
    namespace: dict[str, Any] = {"__name__": "docs_deferred"}
    exec(app_code, namespace)
    app = namespace["app"]
    # Routes must be added before the first request: the page's third block comes first here.
    exec("from tumbler import after_this_request\n" + cache_control, namespace)
    exec(try_it.replace("app.test_client()", f"app.test_client(protocol={protocol!r})"), namespace)
    response = app.test_client(protocol=protocol).get("/about")
    assert response.text == "Cached for ten minutes."
    assert response.headers["Cache-Control"] == "public, max-age=600"


def test_index_page_seed_example(protocol: str) -> None:
    (code,) = python_blocks("index.md")
    namespace: dict[str, Any] = {"__name__": "docs_index"}
    exec(code, namespace)
    client = namespace["app"].test_client(protocol=protocol)
    response = client.get("/", headers={"Accept-Language": "de"})
    assert response.text == "Hello in de"
    assert response.headers["Set-Cookie"].startswith("user_lang=de;")


def test_quickstart_hello_and_its_test() -> None:
    hello, test = python_blocks("quickstart.md")
    namespace: dict[str, Any] = {"__name__": "hello"}
    exec(hello, namespace)
    exec(test.replace("from hello import app\n", ""), namespace)
    namespace["test_hello"]()


def test_site_links_work_from_the_file_system() -> None:
    """Directory URLs (page/) land on folder listings when ./site is opened as files."""
    import yaml

    config = yaml.safe_load((DOCS.parent / "mkdocs.yml").read_text())
    assert config["use_directory_urls"] is False


def test_home_page_code_fits_without_a_scroll_bar() -> None:
    """The theme's code column shows about 80 characters; longer lines hide behind a scroll."""
    for block in python_blocks("index.md"):
        for line in block.splitlines():
            assert len(line) <= 79, line
