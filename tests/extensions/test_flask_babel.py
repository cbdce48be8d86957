"""Flask-Babel: the locale selector, gettext in views and templates, formatting."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask import Flask, render_template_string, request
from flask_babel import Babel, format_datetime, get_locale, gettext


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["BABEL_DEFAULT_TIMEZONE"] = "UTC"

    def select_locale() -> str | None:
        return request.accept_languages.best_match(["en", "de", "fr"])

    Babel(app, locale_selector=select_locale)

    @app.route("/locale")
    def locale() -> str:
        return str(get_locale())

    @app.route("/date")
    def date() -> str:
        return format_datetime(datetime(2026, 12, 2, 15, 30), "medium")

    @app.route("/page")
    def page() -> str:
        when = datetime(2026, 12, 2, 15, 30)
        return render_template_string("{{ _('Hello') }} {{ when|datetimeformat }}", when=when)

    @app.route("/text")
    def text() -> str:
        return gettext("Hello %(name)s", name="Ada")

    return app


@pytest.fixture
def app() -> Flask:
    return create_app()


def test_locale_selector_reads_the_request(app: Flask, protocol: str) -> None:
    client = app.test_client(protocol=protocol)
    assert client.get("/locale", headers={"Accept-Language": "de"}).text == "de"
    assert client.get("/locale", headers={"Accept-Language": "fr;q=1"}).text == "fr"


def test_formatting_follows_the_locale(app: Flask, protocol: str) -> None:
    client = app.test_client(protocol=protocol)
    assert (
        client.get("/date", headers={"Accept-Language": "en"}).text
        == "Dec 2, 2026, 3:30:00\u202fPM"
    )
    assert client.get("/date", headers={"Accept-Language": "de"}).text == "02.12.2026, 15:30:00"


def test_gettext_in_views_and_templates(app: Flask, protocol: str) -> None:
    client = app.test_client(protocol=protocol)
    assert client.get("/text").text == "Hello Ada"
    page = client.get("/page", headers={"Accept-Language": "de"}).text
    assert page == "Hello 02.12.2026, 15:30:00"
