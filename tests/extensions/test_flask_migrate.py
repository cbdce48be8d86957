"""Flask-Migrate: db init, migrate and upgrade, through the CLI runner and the command."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Flask-Migrate's env.py template calls Flask-SQLAlchemy's get_engine(), which Flask-SQLAlchemy
# 3.1 deprecates: the same warning under Flask, from those two packages, not from tumbler.
pytestmark = pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")

APP_MODULE = textwrap.dedent(
    """
    import tumbler.flask_patch

    from flask import Flask
    from flask_migrate import Migrate
    from flask_sqlalchemy import SQLAlchemy
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


    class Base(DeclarativeBase):
        pass


    db = SQLAlchemy(model_class=Base)


    class Note(db.Model):
        id: Mapped[int] = mapped_column(primary_key=True)
        body: Mapped[str]


    def create_app():
        app = Flask(__name__)
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///{database}"
        db.init_app(app)
        Migrate(app, db, directory="{migrations}")
        return app
    """
)


def _tables(database: Path) -> set[str]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute("select name from sqlite_master where type='table'")
        return {row[0] for row in rows}


class Base(DeclarativeBase):
    pass


def test_init_migrate_upgrade_through_the_cli_runner(tmp_path: Path) -> None:
    db = SQLAlchemy(model_class=Base)

    class Entry(db.Model):  # type: ignore[name-defined,misc]
        id: Mapped[int] = mapped_column(primary_key=True)
        text: Mapped[str]

    database = tmp_path / "runner.sqlite3"
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database}"
    db.init_app(app)
    Migrate(app, db, directory=str(tmp_path / "migrations"))
    runner = app.test_cli_runner()
    for args in (["db", "init"], ["db", "migrate", "-m", "entries"], ["db", "upgrade"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, (args, result.output, result.exception)
    assert (tmp_path / "migrations" / "env.py").exists()
    assert "entry" in _tables(database)


def test_init_migrate_upgrade_through_the_tumbler_command(tmp_path: Path) -> None:
    database = tmp_path / "command.sqlite3"
    migrations = tmp_path / "migrations"
    (tmp_path / "notes_app.py").write_text(
        APP_MODULE.format(database=database, migrations=migrations)
    )
    tumbler = Path(sys.executable).parent / "tumbler"
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    for args in (["db", "init"], ["db", "migrate", "-m", "notes"], ["db", "upgrade"]):
        result = subprocess.run(
            [str(tumbler), "--app", "notes_app:create_app", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, (args, result.stdout, result.stderr)
    assert "note" in _tables(database)
