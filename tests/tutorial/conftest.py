"""The tutorial's fixtures, as a Flask user writes them (the client runs WSGI and ASGI)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from blogr import create_app
from blogr.db import get_db, init_db

from tumbler import Tumbler
from tumbler.cli_testing import CliRunner
from tumbler.testing import TestClient, TestResponse

_data_sql = (Path(__file__).parent / "data.sql").read_text(encoding="utf8")


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Tumbler]:
    db_fd, db_path = tempfile.mkstemp()
    app = create_app({"TESTING": True, "DATABASE": db_path}, instance_path=str(tmp_path))
    with app.app_context():
        init_db()
        get_db().executescript(_data_sql)
    yield app
    os.close(db_fd)
    os.unlink(db_path)


@pytest.fixture(params=["wsgi", "asgi"])
def client(app: Tumbler, request: pytest.FixtureRequest) -> Iterator[TestClient]:
    client = app.test_client(protocol=request.param)
    yield client
    client.close()


@pytest.fixture
def runner(app: Tumbler) -> CliRunner:
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client: TestClient) -> None:
        self._client = client

    def login(self, username: str = "test", password: str = "test") -> TestResponse:
        return self._client.post("/auth/login", data={"username": username, "password": password})

    def logout(self) -> TestResponse:
        return self._client.get("/auth/logout")


@pytest.fixture
def auth(client: TestClient) -> AuthActions:
    return AuthActions(client)
