"""Flask-SQLAlchemy under real servers: concurrent requests each see their own session."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from tests.test_live import free_port, wait_until_up

APP = textwrap.dedent(
    """
    import tumbler.flask_patch

    import asyncio

    from flask import Flask, jsonify, request
    from flask_sqlalchemy import SQLAlchemy

    db = SQLAlchemy()


    class Item(db.Model):
        id = db.Column(db.Integer, primary_key=True)
        name = db.Column(db.String, nullable=False)


    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///{database}"
    db.init_app(app)
    with app.app_context():
        db.create_all()


    @app.before_request
    def stage():
        db.session.add(Item(name=request.args["name"]))


    @app.before_request
    async def let_others_run():
        await asyncio.sleep(0.005)


    @app.route("/mine")
    def mine():
        return jsonify(sorted(item.name for item in db.session.new))
    """
)


def _command(server: str, port: int) -> list[str]:
    bin_dir = Path(sys.executable).parent
    if server == "gunicorn":  # threads, so requests overlap as under uvicorn
        threads = ["-k", "gthread", "--threads", "16"]
        return [str(bin_dir / "gunicorn"), "-b", f"127.0.0.1:{port}", *threads, "live_sqla:app"]
    address = ["--host", "127.0.0.1", "--port", str(port)]
    return [str(bin_dir / "uvicorn"), "live_sqla:app.asgi", *address]


@pytest.fixture(params=["uvicorn", "gunicorn"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[int]:
    (tmp_path / "live_sqla.py").write_text(APP.format(database=tmp_path / "live.sqlite3"))
    port = free_port()
    proc = subprocess.Popen(
        _command(str(request.param), port),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until_up(port, proc)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stderr is not None:
            proc.stderr.close()


def _ask(port: int, name: str) -> list[str]:
    url = f"http://127.0.0.1:{port}/mine?name={name}"
    with urllib.request.urlopen(url, timeout=30) as response:
        result: list[str] = json.loads(response.read())
        return result


@pytest.mark.live
def test_concurrent_requests_each_see_their_own_session(server: int) -> None:
    names = [f"req{i}" for i in range(120)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda name: _ask(server, name), names))
    wrong = [(name, seen) for name, seen in zip(names, answers, strict=True) if seen != [name]]
    assert wrong == []
