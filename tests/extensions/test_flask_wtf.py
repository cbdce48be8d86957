"""Flask-WTF: CSRFProtect and FlaskForm.validate_on_submit."""

from __future__ import annotations

import re

import pytest
from flask import Flask, render_template_string
from flask_wtf import CSRFProtect, FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired

PAGE = '<form method="post">{{ form.hidden_tag() }}{{ form.name() }}</form>'


class NameForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired()])


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "wtf-tests"
    CSRFProtect(app)

    @app.route("/", methods=["GET", "POST"])
    def index() -> str:
        form = NameForm()
        if form.validate_on_submit():
            return f"thanks {form.name.data}"
        return render_template_string(PAGE, form=form)

    return app


@pytest.fixture
def app() -> Flask:
    return create_app()


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert found is not None, page
    return found.group(1)


def test_post_without_token_is_a_400(app: Flask, protocol: str) -> None:
    client = app.test_client(protocol=protocol)
    response = client.post("/", data={"name": "ada"})
    assert response.status_code == 400
    assert "CSRF" in response.text


def test_post_with_rendered_token_is_accepted(app: Flask, protocol: str) -> None:
    client = app.test_client(protocol=protocol)
    token = _token(client.get("/").text)
    response = client.post("/", data={"name": "ada", "csrf_token": token})
    assert response.status_code == 200
    assert response.text == "thanks ada"


def test_invalid_form_renders_again(app: Flask, protocol: str) -> None:
    client = app.test_client(protocol=protocol)
    token = _token(client.get("/").text)
    response = client.post("/", data={"name": "", "csrf_token": token})
    assert response.status_code == 200
    assert "<form" in response.text
