"""The seed document's example, as written, with only its imports changed."""

from __future__ import annotations

import pytest

from tumbler import Tumbler
from tumbler.testing import TestClient


def make_seed_app() -> Tumbler:
    from tumbler import after_this_request, g, request

    app = Tumbler(__name__)

    def guess_language_from_request() -> str:
        return request.accept_languages.best_match(["en", "fr", "de"]) or "en"

    # ---- the seed's code, verbatim from here ----
    # fmt: off
    @app.before_request
    def detect_user_language():
        language = request.cookies.get('user_lang')

        if language is None:
            language = guess_language_from_request()

            # when the response exists, set a cookie with the language
            @after_this_request
            def remember_language(response):
                response.set_cookie('user_lang', language)

        g.language = language
    # fmt: on
    # ---- end of the seed's code ----

    @app.route("/")
    def index() -> str:
        return f"Hello in {g.language}"

    return app


@pytest.fixture
def seed_client(protocol: str) -> TestClient:
    return make_seed_app().test_client(protocol=protocol)


def test_first_visit_sets_cookie_from_accept_language(seed_client: TestClient) -> None:
    response = seed_client.get("/", headers={"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.5"})
    assert response.status_code == 200
    assert response.text == "Hello in fr"
    set_cookie = response.headers.getlist("Set-Cookie")
    assert len(set_cookie) == 1
    assert set_cookie[0].startswith("user_lang=fr;")
    assert "Path=/" in set_cookie[0]


def test_second_visit_reads_cookie_and_sets_nothing(seed_client: TestClient) -> None:
    seed_client.get("/", headers={"Accept-Language": "de"})
    response = seed_client.get("/", headers={"Accept-Language": "en"})
    assert response.text == "Hello in de"
    assert "Set-Cookie" not in response.headers


def test_no_accept_language_falls_back(seed_client: TestClient) -> None:
    response = seed_client.get("/")
    assert response.text == "Hello in en"
    assert response.headers["Set-Cookie"].startswith("user_lang=en;")


def test_callback_returning_none_keeps_the_view_response(seed_client: TestClient) -> None:
    # The seed's callback has no return statement: the response must survive it.
    response = seed_client.get("/", headers={"Accept-Language": "de"})
    assert response.status_code == 200
    assert response.data == b"Hello in de"
    assert response.content_type == "text/html; charset=utf-8"


def test_seed_callback_runs_on_404_too(protocol: str) -> None:
    client = make_seed_app().test_client(protocol=protocol)
    response = client.get("/missing", headers={"Accept-Language": "fr"})
    assert response.status_code == 404
    assert response.headers["Set-Cookie"].startswith("user_lang=fr;")


@pytest.mark.parametrize("async_parts", ["hook", "callback", "view", "all"])
def test_seed_with_async_functions(protocol: str, async_parts: str) -> None:
    from tumbler import after_this_request, g, request

    app = Tumbler(__name__)

    async def async_remember(response):  # type: ignore[no-untyped-def]
        response.set_cookie("user_lang", g.language)

    def sync_remember(response):  # type: ignore[no-untyped-def]
        response.set_cookie("user_lang", g.language)

    remember = async_remember if async_parts in ("callback", "all") else sync_remember

    def detect() -> None:
        language = request.cookies.get("user_lang")
        if language is None:
            language = request.accept_languages.best_match(["en", "fr", "de"]) or "en"
            after_this_request(remember)
        g.language = language

    async def async_detect() -> None:
        detect()

    app.before_request(async_detect if async_parts in ("hook", "all") else detect)

    if async_parts in ("view", "all"):

        @app.route("/")
        async def index() -> str:
            return f"Hello in {g.language}"

    else:

        @app.route("/")
        def index() -> str:
            return f"Hello in {g.language}"

    client = app.test_client(protocol=protocol)
    first = client.get("/", headers={"Accept-Language": "de"})
    assert first.text == "Hello in de"
    assert first.headers["Set-Cookie"].startswith("user_lang=de;")
    second = client.get("/")
    assert second.text == "Hello in de"
    assert "Set-Cookie" not in second.headers
