"""The SQLite connection of the current request, and the schema."""

from __future__ import annotations

import sqlite3

from tumbler import Tumbler, current_app, g

SCHEMA = """
CREATE TABLE IF NOT EXISTS note (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    author TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE INDEX IF NOT EXISTS note_author ON note (author, id);
"""


def connect(path: str) -> sqlite3.Connection:
    # check_same_thread=False: under ASGI a request's sync code runs on a worker thread and
    # its teardown may run on another one. The connection is still used by one request at a
    # time, never shared.
    connection = sqlite3.connect(path, check_same_thread=False)
    connection.row_factory = sqlite3.Row
    return connection


def get_db() -> sqlite3.Connection:
    """This request's connection, opened on first use."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    connection: sqlite3.Connection = g.db
    return connection


def close_db(error: BaseException | None) -> None:
    """Close the connection if this request opened one (a teardown_appcontext callback)."""
    connection = g.pop("db", None)
    if connection is not None:
        connection.close()


def init_app(app: Tumbler) -> None:
    """Create the schema if it is missing, and close connections at teardown."""
    with connect(app.config["DATABASE"]) as connection:
        connection.executescript(SCHEMA)
    connection.close()
    app.teardown_appcontext(close_db)
