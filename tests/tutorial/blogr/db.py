"""One SQLite connection per app context, opened on first use and closed at teardown."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import click

from tumbler import Tumbler, current_app, g


def get_db() -> sqlite3.Connection:
    """This context's connection, opened on first use."""
    if "db" not in g:
        g.db = sqlite3.connect(current_app.config["DATABASE"], detect_types=sqlite3.PARSE_DECLTYPES)
        g.db.row_factory = sqlite3.Row
    return g.db  # type: ignore[no-any-return]


def close_db(exc: BaseException | None = None) -> None:
    """Close the connection if this context opened one."""
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_db() -> None:
    """Drop and recreate the tables from schema.sql."""
    db = get_db()
    with current_app.open_resource("schema.sql") as f:
        db.executescript(f.read().decode("utf8"))


@click.command("init-db")
def init_db_command() -> None:
    """Clear the existing data and create new tables."""
    init_db()
    click.echo("Initialized the database.")


sqlite3.register_converter("timestamp", lambda v: datetime.fromisoformat(v.decode()))


def init_app(app: Tumbler) -> None:
    """Close the connection with each app context, and add the init-db command."""
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)
