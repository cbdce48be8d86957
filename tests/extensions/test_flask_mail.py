"""Flask-Mail: messages built from the app's config and recorded by its test helper."""

from __future__ import annotations

import pytest
from flask import Flask, request
from flask_mail import Mail, Message


def create_app() -> tuple[Flask, Mail]:
    app = Flask(__name__)
    app.config.update(MAIL_DEFAULT_SENDER="shop@example.com", MAIL_SUPPRESS_SEND=True)
    mail = Mail(app)

    @app.route("/welcome", methods=["POST"])
    def welcome() -> str:
        message = Message("Welcome", recipients=[request.form["to"]])
        message.body = f"Hello {request.form['name']}"
        mail.send(message)
        return "sent"

    @app.route("/async-welcome", methods=["POST"])
    async def async_welcome() -> str:
        mail.send(Message("Async welcome", recipients=[request.form["to"]], body="hi"))
        return "sent"

    return app, mail


@pytest.fixture
def made() -> tuple[Flask, Mail]:
    return create_app()


def test_send_from_a_view_is_recorded(made: tuple[Flask, Mail], protocol: str) -> None:
    app, mail = made
    client = app.test_client(protocol=protocol)
    with mail.record_messages() as outbox:
        response = client.post("/welcome", data={"to": "ada@example.com", "name": "Ada"})
        client.post("/async-welcome", data={"to": "grace@example.com"})
    assert response.text == "sent"
    assert [m.subject for m in outbox] == ["Welcome", "Async welcome"]
    assert outbox[0].sender == "shop@example.com"
    assert outbox[0].recipients == ["ada@example.com"]
    assert outbox[0].body == "Hello Ada"


def test_send_in_an_app_context(made: tuple[Flask, Mail]) -> None:
    app, mail = made
    with app.app_context(), mail.record_messages() as outbox:
        mail.send(Message("Report", recipients=["boss@example.com"], body="numbers"))
        assert len(outbox) == 1
        assert "Subject: Report" in outbox[0].as_string()
