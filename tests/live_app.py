"""The app the live-server tests serve with gunicorn and uvicorn."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

from tumbler import Tumbler, after_this_request, g, request

app = Tumbler(__name__)


@app.before_request
def detect_user_language() -> None:
    language = request.cookies.get("user_lang")
    if language is None:
        language = request.accept_languages.best_match(["en", "fr", "de"]) or "en"

        @after_this_request
        def remember_language(response):  # type: ignore[no-untyped-def]
            response.set_cookie("user_lang", language)

    g.language = language


@app.route("/")
def index() -> str:
    return f"Hello in {g.language}"


@app.route("/stream")
def stream() -> Iterator[str]:
    def chunks() -> Iterator[str]:
        for n in range(5):
            yield f"line {n} {request.path}\n"

    return chunks()


@app.route("/astream")
async def astream() -> AsyncIterator[str]:
    async def chunks() -> AsyncIterator[str]:
        for n in range(5):
            await asyncio.sleep(0)
            yield f"async {n}\n"

    return chunks()
