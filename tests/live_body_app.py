"""The app the HTTP/2 body tests serve with hypercorn."""

from __future__ import annotations

from typing import Any

from tumbler import Tumbler, request, stream_request_body

app = Tumbler(__name__)
app.config["MAX_CONTENT_LENGTH"] = 1_000_000
asgi = app.asgi


@app.post("/echo")
def echo() -> Any:
    return {
        "length": request.content_length,
        "size": len(request.get_data()),
        "version": request.environ["SERVER_PROTOCOL"],
    }


@app.post("/form")
def form() -> Any:
    return request.form.to_dict()


@app.post("/stream")
@stream_request_body
async def stream() -> Any:
    sizes = [len(chunk) async for chunk in request.stream]
    return {"size": sum(sizes)}
