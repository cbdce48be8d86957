"""``app.request_class``: a subclass of Request that views see, as in Flask."""

from __future__ import annotations

from functools import cached_property

from tumbler import Request, Tumbler, request
from tumbler.testing import TestClient


class TenantRequest(Request):
    """Adds what an app computes from every request."""

    @cached_property
    def tenant(self) -> str:
        return self.host.split(".", 1)[0]

    def on_json_loading_failed(self, e: ValueError | None) -> object:
        return {"fallback": True}  # an override wins over the protocol class's own


def test_app_request_class_is_what_views_see(app: Tumbler, client: TestClient) -> None:
    app.request_class = TenantRequest

    @app.route("/", methods=["POST"])
    def index() -> str:
        assert isinstance(request._get_current_object(), TenantRequest)
        return f"{request.tenant} {request.get_json(force=True)} {request.method}"

    answer = client.post("/", data=b"{not json", headers={"Host": "acme.example.com"})
    assert answer.text == "acme {'fallback': True} POST"


def test_subclass_sets_its_request_class(protocol: str) -> None:
    class App(Tumbler):
        request_class = TenantRequest

    app = App("subclassed")

    @app.route("/")
    def index() -> str:
        return request.tenant

    client = app.test_client(protocol=protocol)
    assert client.get("/", headers={"Host": "shop.example.com"}).text == "shop"
    with app.test_request_context("/", headers={"Host": "x.example.com"}):
        assert request.tenant == "x"


def test_default_request_class_builds_the_protocol_classes_unchanged() -> None:
    from tumbler.http.protocol_requests import ASGIRequest, WSGIRequest

    app = Tumbler("plain")
    assert app.wsgi_request_class is WSGIRequest
    assert app.asgi_request_class is ASGIRequest
    app.request_class = TenantRequest
    assert app.wsgi_request_class.__mro__[:3] == (
        app.wsgi_request_class,
        TenantRequest,
        WSGIRequest,
    )
    again = Tumbler("again")
    again.request_class = TenantRequest
    assert again.wsgi_request_class is app.wsgi_request_class  # made once per pair
