import sqlite3

import pytest
from blogr.db import get_db

from tumbler import Tumbler
from tumbler.cli_testing import CliRunner


def test_get_close_db(app: Tumbler) -> None:
    with app.app_context():
        db = get_db()
        assert db is get_db()

    with pytest.raises(sqlite3.ProgrammingError) as e:
        db.execute("SELECT 1")

    assert "closed" in str(e.value)


def test_init_db_command(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    class Recorder:
        called = False

    def fake_init_db() -> None:
        Recorder.called = True

    monkeypatch.setattr("blogr.db.init_db", fake_init_db)
    result = runner.invoke(args=["init-db"])
    assert "Initialized" in result.output
    assert Recorder.called


def test_init_db_command_really_initializes(app: Tumbler, runner: CliRunner) -> None:
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0
    with app.app_context():
        assert get_db().execute("SELECT COUNT(*) FROM user").fetchone()[0] == 0
