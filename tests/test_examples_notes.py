"""The notes example (examples/notes), over both protocols."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from examples.notes import create_app

from tumbler import Tumbler
from tumbler.testing import TestClient


@pytest.fixture
def notes_app(tmp_path: Path) -> Tumbler:
    return create_app({"TESTING": True}, instance_path=str(tmp_path / "instance"))


@pytest.fixture
def notes(notes_app: Tumbler, protocol: str) -> Iterator[TestClient]:
    client = notes_app.test_client(protocol=protocol)
    yield client
    client.close()


def log_in(client: TestClient, name: str = "ann") -> None:
    response = client.post("/login", data={"username": name})
    assert response.status_code == 302


def test_schema_is_created_in_the_instance_folder(notes_app: Tumbler, tmp_path: Path) -> None:
    database = tmp_path / "instance" / "notes.sqlite3"
    assert notes_app.config["DATABASE"] == str(database)
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    connection.close()
    assert "note" in tables


def test_secret_key_has_a_demo_default_and_an_env_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from examples.notes import DEMO_SECRET_KEY

    assert create_app(instance_path=str(tmp_path)).secret_key == DEMO_SECRET_KEY
    monkeypatch.setenv("NOTES_SECRET_KEY", "from-the-environment")
    assert create_app(instance_path=str(tmp_path)).secret_key == "from-the-environment"


def test_pages_need_a_login(notes: TestClient) -> None:
    response = notes.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")
    response = notes.get("/notes/1", follow_redirects=True)
    assert "Please log in first." in response.text


def test_login_form_validation(notes: TestClient) -> None:
    response = notes.post("/login", data={"username": "a b c"})
    assert response.status_code == 400
    assert 'class="field-error"' in response.text
    assert 'value="a b c"' in response.text  # the form keeps what was typed, escaped
    assert notes.get("/").status_code == 302  # still logged out


def test_login_flash_and_logout(notes: TestClient) -> None:
    response = notes.post("/login", data={"username": "ann"}, follow_redirects=True)
    assert response.status_code == 200
    assert "Welcome, ann!" in response.text
    assert "<h1>ann's notes</h1>" in response.text
    assert "Welcome" not in notes.get("/").text  # a flash message is shown once
    response = notes.post("/logout", follow_redirects=True)
    assert "You are logged out." in response.text
    assert notes.get("/").status_code == 302


def test_login_follows_only_local_next(notes: TestClient) -> None:
    response = notes.post("/login?next=/about", data={"username": "ann"})
    assert response.headers["Location"] == "/about"
    response = notes.post("/login?next=//evil.example/", data={"username": "ann"})
    assert response.headers["Location"] == "/"


def test_note_form_errors_and_success(notes: TestClient) -> None:
    log_in(notes)
    response = notes.post("/notes", data={"title": "  ", "body": "kept"})
    assert response.status_code == 400
    assert "A note needs a title." in response.text
    assert ">kept</textarea>" in response.text
    response = notes.post("/notes", data={"title": "<b>Milk</b>", "body": "2 l"})
    assert response.status_code == 302
    page = notes.get("/").text
    assert "Note saved." in page
    assert "&lt;b&gt;Milk&lt;/b&gt;" in page  # autoescaped


def test_json_api_beside_the_pages(notes: TestClient) -> None:
    assert notes.get("/api/notes").status_code == 401
    log_in(notes)
    created = notes.post("/api/notes", json={"title": "Eggs", "body": "a dozen"})
    assert created.status_code == 201
    note_id = created.json["id"]
    assert created.headers["Location"] == f"/notes/{note_id}"
    listing = notes.get("/api/notes").json
    assert listing["user"] == "ann"
    assert [n["title"] for n in listing["notes"]] == ["Eggs"]
    assert "a dozen" in notes.get(f"/notes/{note_id}").text
    bad = notes.post("/api/notes", json={"title": ""})
    assert bad.status_code == 400
    assert bad.json == {"errors": {"title": "A note needs a title."}}
    assert notes.post("/api/notes", data="not json").status_code == 400


def test_notes_are_private_to_their_author(notes: TestClient) -> None:
    log_in(notes, "ann")
    note_id = notes.post("/api/notes", json={"title": "Ann's"}).json["id"]
    log_in(notes, "bob")
    assert notes.get(f"/notes/{note_id}").status_code == 404
    assert notes.post(f"/notes/{note_id}/delete").status_code == 404
    assert notes.get("/api/notes").json["notes"] == []
    log_in(notes, "ann")
    response = notes.post(f"/notes/{note_id}/delete", follow_redirects=True)
    assert "Deleted" in response.text
    assert notes.get(f"/notes/{note_id}").status_code == 404


def test_cache_control_only_on_pages_that_ask(notes: TestClient) -> None:
    assert notes.get("/about").headers["Cache-Control"] == "public, max-age=600"
    assert "Cache-Control" not in notes.get("/login").headers
    log_in(notes)
    assert notes.get("/").headers["Cache-Control"] == "private, no-store"
    assert "Cache-Control" not in notes.get("/api/notes").headers


def test_connection_is_opened_lazily_and_closed_at_teardown(notes_app: Tumbler) -> None:
    seen: list[object] = []

    @notes_app.teardown_appcontext
    def look(error: BaseException | None) -> None:  # registered last: runs first
        from tumbler import g

        seen.append(g.get("db"))

    client = notes_app.test_client()
    client.get("/about")  # never touches the database
    log_in(client)
    client.get("/api/notes")
    assert seen[0] is None
    connection = seen[-1]
    assert isinstance(connection, sqlite3.Connection)
    with pytest.raises(sqlite3.ProgrammingError):  # closed by close_db, which ran after
        connection.execute("SELECT 1")
