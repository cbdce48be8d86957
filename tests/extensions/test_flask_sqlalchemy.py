"""Flask-SQLAlchemy: models, sessions scoped to the app context, get_or_404."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask, jsonify, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Book(db.Model):  # type: ignore[name-defined,misc]
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]


def create_app(database: Path) -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database}"
    db.init_app(app)

    @app.route("/books", methods=["POST"])
    def add_book() -> object:
        book = Book(title=request.form["title"])
        db.session.add(book)
        db.session.commit()
        return jsonify(id=book.id), 201

    @app.route("/books")
    def list_books() -> object:
        titles = db.session.execute(select(Book.title).order_by(Book.id)).scalars().all()
        return jsonify(titles=titles)

    @app.route("/books/<int:book_id>")
    def show_book(book_id: int) -> str:
        return str(db.get_or_404(Book, book_id).title)

    @app.route("/pending")
    def pending() -> object:
        return jsonify(new=len(db.session.new))

    @app.route("/leave-pending")
    def leave_pending() -> str:
        db.session.add(Book(title="never committed"))
        return "left"

    with app.app_context():
        db.create_all()
    return app


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return create_app(tmp_path / "books.sqlite3")


def test_add_commit_select_and_get_or_404(app: Flask, protocol: str) -> None:
    client = app.test_client(protocol=protocol)
    assert client.post("/books", data={"title": "Dune"}).status_code == 201
    client.post("/books", data={"title": "Emma"})
    assert client.get("/books").get_json() == {"titles": ["Dune", "Emma"]}
    assert client.get("/books/1").text == "Dune"
    assert client.get("/books/99").status_code == 404


def test_session_is_removed_at_the_end_of_each_request(app: Flask, protocol: str) -> None:
    client = app.test_client(protocol=protocol)
    assert client.get("/leave-pending").text == "left"
    assert client.get("/pending").get_json() == {"new": 0}
    assert client.get("/books").get_json() == {"titles": []}


def test_session_is_removed_at_the_end_of_each_app_context_block(app: Flask) -> None:
    with app.app_context():
        db.session.add(Book(title="pending"))
        assert len(db.session.new) == 1
    with app.app_context():
        assert len(db.session.new) == 0
        assert db.session.execute(select(Book)).first() is None
