"""Flask-Login: sessions, the remember-me cookie and @login_required, sync and async views."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, redirect, request, url_for
from flask_login import (
    LoginManager,
    UserMixin,
    current_user,
    login_required,
    login_user,
    logout_user,
)

USERS = {"1": "ada", "2": "grace"}


class User(UserMixin):
    def __init__(self, user_id: str) -> None:
        self.id = user_id
        self.name = USERS[user_id]


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "login-tests"
    login_manager = LoginManager(app)
    login_manager.login_view = "login"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        return User(user_id) if user_id in USERS else None

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        if request.method == "POST":
            login_user(User(request.form["id"]), remember=bool(request.form.get("remember")))
            return redirect(request.args.get("next") or url_for("private"))
        return "please log in"

    @app.route("/private")
    @login_required
    def private() -> str:
        return f"hello {current_user.name}"

    @app.route("/async-private")
    @login_required
    async def async_private() -> str:
        return f"async hello {current_user.name}"

    @app.route("/whoami")
    def whoami() -> str:
        return current_user.name if current_user.is_authenticated else "anonymous"

    @app.route("/logout")
    def logout() -> str:
        logout_user()
        return "bye"

    return app


@pytest.fixture
def app() -> Flask:
    return create_app()


def test_login_required_redirects_with_next(app: Flask, protocol: str) -> None:
    client = app.test_client(protocol=protocol)
    response = client.get("/private")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login?next=%2Fprivate")


def test_login_current_user_and_logout(app: Flask, protocol: str) -> None:
    client = app.test_client(protocol=protocol)
    response = client.post("/login?next=/private", data={"id": "1"})
    assert response.status_code == 302
    assert client.get("/private").text == "hello ada"
    assert client.get("/whoami").text == "ada"
    assert client.get("/logout").text == "bye"
    assert client.get("/whoami").text == "anonymous"
    assert client.get("/private").status_code == 302


def test_async_view_behind_login_required(app: Flask, protocol: str) -> None:
    client = app.test_client(protocol=protocol)
    assert client.get("/async-private").status_code == 302
    client.post("/login", data={"id": "2"})
    response = client.get("/async-private")
    assert response.status_code == 200
    assert response.text == "async hello grace"


def test_remember_me_cookie_logs_in_a_new_session(app: Flask, protocol: str) -> None:
    client = app.test_client(protocol=protocol)
    response = client.post("/login", data={"id": "2", "remember": "1"})
    cookies = "; ".join(response.headers.getlist("Set-Cookie"))
    assert "remember_token=" in cookies
    token = cookies.split("remember_token=", 1)[1].split(";", 1)[0]
    fresh = app.test_client(protocol=protocol)  # no session cookie: only the remember token
    assert fresh.get("/whoami", headers={"Cookie": f"remember_token={token}"}).text == "grace"
