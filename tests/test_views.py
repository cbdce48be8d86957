"""Class-based views (``tumbler.views``) over WSGI and ASGI."""

from __future__ import annotations

import asyncio
import functools
import inspect
import threading
from collections.abc import Callable
from typing import Any

import pytest

from tumbler import Tumbler, request
from tumbler.testing import TestClient
from tumbler.views import MethodView, View


class Greeting(View):
    """Say hello."""

    methods = ["GET", "POST"]

    def __init__(self, greeting: str = "hello") -> None:
        self.greeting = greeting

    def dispatch_request(self, **kwargs: Any) -> Any:
        return f"{self.greeting} {kwargs.get('name', 'world')} {request.method}"


def test_as_view_attributes() -> None:
    view = Greeting.as_view("greet", "hi")
    assert view.view_class is Greeting
    assert view.__name__ == "greet"
    assert view.__doc__ == "Say hello."
    assert view.__module__ == __name__
    assert view.methods == ["GET", "POST"]
    assert not inspect.iscoroutinefunction(view)


def test_view_with_class_args(app: Tumbler, client: TestClient) -> None:
    app.add_url_rule("/hi/<name>", view_func=Greeting.as_view("greet", greeting="hi"))
    assert client.get("/hi/ann").text == "hi ann GET"
    assert client.post("/hi/bob").text == "hi bob POST"
    assert client.put("/hi/bob").status_code == 405
    options = client.options("/hi/bob")
    assert options.status_code == 200
    assert set(options.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}


def test_init_every_request(app: Tumbler, client: TestClient) -> None:
    made: list[object] = []

    class Counter(View):
        def __init__(self) -> None:
            made.append(self)

        def dispatch_request(self, **kwargs: Any) -> Any:
            return str(len(made))

    class Shared(Counter):
        init_every_request = False

    app.add_url_rule("/each", view_func=Counter.as_view("each"))
    app.add_url_rule("/shared", view_func=Shared.as_view("shared"))
    assert len(made) == 1  # the shared instance, made by as_view
    assert [client.get("/shared").text for _ in range(3)] == ["1", "1", "1"]
    assert [client.get("/each").text for _ in range(3)] == ["2", "3", "4"]


def test_async_view(app: Tumbler, client: TestClient) -> None:
    class Slow(View):
        async def dispatch_request(self, **kwargs: Any) -> Any:
            await asyncio.sleep(0)
            return {"id": kwargs["id"]}

    view = Slow.as_view("slow")
    assert inspect.iscoroutinefunction(view)
    app.add_url_rule("/slow/<int:id>", view_func=view)
    assert client.get("/slow/3").json == {"id": 3}


def tag(label: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A plain ``def`` decorator that may answer by itself, like ``login_required``."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(**kwargs: Any) -> Any:
            if request.args.get("deny") == label:
                return f"denied by {label}", 403
            request.environ_tags = [*getattr(request, "environ_tags", []), label]
            return view(**kwargs)

        return wrapper

    return decorator


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_decorators_applied_in_order(app: Tumbler, client: TestClient, kind: str) -> None:
    if kind == "sync":

        class Page(View):
            decorators = [tag("inner"), tag("outer")]

            def dispatch_request(self, **kwargs: Any) -> Any:
                return ",".join(request.environ_tags)

    else:

        class Page(View):  # type: ignore[no-redef]
            decorators = [tag("inner"), tag("outer")]

            async def dispatch_request(self, **kwargs: Any) -> Any:
                await asyncio.sleep(0)
                return ",".join(request.environ_tags)

    view = Page.as_view("page")
    assert view.__name__ == "page"
    assert view.view_class is Page
    assert inspect.iscoroutinefunction(view) is (kind == "async")
    app.add_url_rule("/page", view_func=view)
    assert client.get("/page").text == "outer,inner"
    denied = client.get("/page?deny=inner")
    assert (denied.status_code, denied.text) == (403, "denied by inner")


class Items(MethodView):
    def get(self, id: int | None = None) -> Any:
        return f"get {id}"

    def post(self) -> Any:
        return "post", 201


class MoreItems(Items):
    def delete(self, id: int) -> Any:
        return f"delete {id}"


def test_method_view_methods_derived() -> None:
    assert Items.methods == {"GET", "POST"}
    assert MoreItems.methods == {"GET", "POST", "DELETE"}

    class Explicit(MethodView):
        methods = ["GET"]

        def get(self) -> Any:
            return "x"

        def post(self) -> Any:
            return "y"

    assert Explicit.methods == ["GET"]


def test_method_view_dispatch(app: Tumbler, client: TestClient) -> None:
    app.add_url_rule("/items", view_func=MoreItems.as_view("items"))
    app.add_url_rule("/items/<int:id>", view_func=MoreItems.as_view("item"))
    assert client.get("/items").text == "get None"
    assert client.get("/items/4").text == "get 4"
    created = client.post("/items")
    assert (created.status_code, created.text) == (201, "post")
    assert client.delete("/items/4").text == "delete 4"
    head = client.head("/items/4")
    assert head.status_code == 200
    assert head.data == b""
    assert client.put("/items/4").status_code == 405
    allow = client.options("/items").headers["Allow"]
    assert set(allow.split(", ")) == {"DELETE", "GET", "HEAD", "OPTIONS", "POST"}


def test_method_view_own_options(app: Tumbler, client: TestClient) -> None:
    class Custom(MethodView):
        def get(self) -> Any:
            return "get"

        def options(self) -> Any:
            return "my options", 200, {"Allow": "GET"}

    app.add_url_rule("/custom", view_func=Custom.as_view("custom"))
    response = client.options("/custom")
    assert (response.text, response.headers["Allow"]) == ("my options", "GET")


def test_method_view_head_handler_wins(app: Tumbler, client: TestClient) -> None:
    seen: list[str] = []

    class WithHead(MethodView):
        def get(self) -> Any:
            seen.append("get")
            return "body"

        def head(self) -> Any:
            seen.append("head")
            return "", 204

    app.add_url_rule("/h", view_func=WithHead.as_view("h"))
    assert client.head("/h").status_code == 204
    assert seen == ["head"]


def test_async_method_view(app: Tumbler, client: TestClient) -> None:
    class Async(MethodView):
        async def get(self, id: int) -> Any:
            await asyncio.sleep(0)
            return f"async get {id}"

        async def put(self, id: int) -> Any:
            await asyncio.sleep(0)
            return {"put": id, "json": request.get_json()}

    view = Async.as_view("async_item")
    assert inspect.iscoroutinefunction(view)
    app.add_url_rule("/a/<int:id>", view_func=view)
    assert client.get("/a/1").text == "async get 1"
    assert client.head("/a/1").status_code == 200
    assert client.put("/a/2", json={"x": 1}).json == {"put": 2, "json": {"x": 1}}
    assert client.post("/a/2").status_code == 405


def test_mixed_method_view(app: Tumbler, client: TestClient, protocol: str) -> None:
    """A sync ``get`` and an async ``post``: one async view; the sync handler leaves the loop."""
    threads: dict[str, Any] = {}

    class Mixed(MethodView):
        decorators = [tag("deco")]

        def get(self) -> Any:
            threads["get_on_loop"] = _loop_running()
            threads["get_thread"] = threading.current_thread().name
            return f"sync {request.method} {request.environ_tags}"

        async def post(self) -> Any:
            await asyncio.sleep(0)
            threads["post_thread"] = threading.current_thread() is not threading.main_thread()
            return f"async {request.form['x']}"

    view = Mixed.as_view("mixed")
    assert inspect.iscoroutinefunction(view)
    app.add_url_rule("/m", view_func=view)
    assert client.get("/m").text == "sync GET ['deco']"
    assert client.head("/m").status_code == 200
    assert client.post("/m", data={"x": "1"}).text == "async 1"
    # Under ASGI the sync handler ran on the request's worker thread, off the event loop.
    assert threads["get_on_loop"] is (protocol == "wsgi")
    if protocol == "asgi":
        assert threads["get_thread"].startswith("tumbler-sync-")


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def test_mixed_method_view_sync_on_loop_when_configured(app: Tumbler) -> None:
    app.config["ASGI_SYNC_IN_THREADS"] = False

    class Mixed(MethodView):
        def get(self) -> Any:
            return str(_loop_running())

        async def post(self) -> Any:
            return "post"

    app.add_url_rule("/m", view_func=Mixed.as_view("mixed"))
    with app.test_client(protocol="asgi") as client:
        assert client.get("/m").text == "True"


def test_unimplemented_method_is_an_error(app: Tumbler, client: TestClient) -> None:
    class OnlyGet(MethodView):
        methods = ["GET", "POST"]

        def get(self) -> Any:
            return "get"

    app.add_url_rule("/g", view_func=OnlyGet.as_view("g"))
    assert client.get("/g").text == "get"
    assert client.post("/g").status_code == 500


def test_blueprint_and_route_names(app: Tumbler, client: TestClient) -> None:
    from tumbler import Blueprint, url_for

    bp = Blueprint("api", __name__, url_prefix="/api")
    bp.add_url_rule("/items/<int:id>", view_func=Items.as_view("item"))
    app.register_blueprint(bp)
    assert client.get("/api/items/9").text == "get 9"
    with app.test_request_context("/"):
        assert url_for("api.item", id=9) == "/api/items/9"


def test_view_base_not_implemented() -> None:
    with pytest.raises(NotImplementedError):
        View().dispatch_request()
