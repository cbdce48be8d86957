"""``app.logger``: Flask's defaults, and unhandled exceptions logged once under both protocols."""

from __future__ import annotations

import contextlib
import itertools
import logging
from collections.abc import Iterator

import pytest

from tumbler import Tumbler, abort
from tumbler.testing import TestClient

FLASK_FORMAT = "[%(asctime)s] %(levelname)s in %(module)s: %(message)s"
_names = itertools.count()


@pytest.fixture
def fresh_app() -> Iterator[Tumbler]:
    """An app with a never-used logger name; its logger is reset afterwards."""
    app = Tumbler(f"logging_app_{next(_names)}")
    yield app
    logger = logging.getLogger(app.name)
    logger.handlers.clear()
    logger.setLevel(logging.NOTSET)


@contextlib.contextmanager
def root_handlers(*handlers: logging.Handler) -> Iterator[None]:
    """Give the root logger only ``handlers`` (pytest adds its own for each test phase)."""
    saved = logging.root.handlers[:]
    logging.root.handlers[:] = handlers
    try:
        yield
    finally:
        logging.root.handlers[:] = saved


def test_logger_named_after_app(app: Tumbler) -> None:
    assert app.logger.name == app.name == "tests_app"
    assert app.logger is logging.getLogger("tests_app")


def test_default_handler_like_flask(fresh_app: Tumbler, capsys: pytest.CaptureFixture[str]) -> None:
    with root_handlers():
        logger = fresh_app.logger
    assert len(logger.handlers) == 1
    handler = logger.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    assert handler.formatter is not None
    assert handler.formatter._fmt == FLASK_FORMAT
    assert logger.level == logging.NOTSET  # not debug: the effective level comes from above
    with root_handlers():
        logger.error("to stderr")
    err = capsys.readouterr().err  # the stream is looked up per record, so capsys sees it
    assert "ERROR in test_logging: to stderr" in err


def test_debug_sets_debug_level(fresh_app: Tumbler) -> None:
    fresh_app.debug = True
    assert fresh_app.logger.level == logging.DEBUG


def test_explicit_level_is_kept(fresh_app: Tumbler) -> None:
    logging.getLogger(fresh_app.name).setLevel(logging.WARNING)
    fresh_app.debug = True
    assert fresh_app.logger.level == logging.WARNING


def test_existing_handler_is_respected(fresh_app: Tumbler) -> None:
    with root_handlers(logging.StreamHandler()):
        assert fresh_app.logger.handlers == []  # the root's handler will emit its records


def test_handler_added_when_others_filter_the_level(fresh_app: Tumbler) -> None:
    """As Flask: a root handler at WARNING does not show a debug app's DEBUG records."""
    quiet = logging.StreamHandler()
    quiet.setLevel(logging.WARNING)
    fresh_app.debug = True
    with root_handlers(quiet):
        assert len(fresh_app.logger.handlers) == 1


def test_unhandled_exception_logged_once(
    app: Tumbler, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    @app.route("/boom", methods=["POST"])
    def boom() -> str:
        raise RuntimeError("kaboom")

    with caplog.at_level(logging.ERROR, logger=app.name):
        response = client.post("/boom?x=1")
    assert response.status_code == 500
    records = [r for r in caplog.records if r.name == app.name]
    assert len(records) == 1
    record = records[0]
    assert record.levelno == logging.ERROR
    message = record.getMessage()
    assert message.startswith("Exception on ")
    assert "/boom" in message
    assert "[POST]" in message
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)


def test_async_view_exception_logged_once(
    app: Tumbler, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    @app.route("/aboom")
    async def aboom() -> str:
        raise ValueError("async kaboom")

    with caplog.at_level(logging.ERROR, logger=app.name):
        assert client.get("/aboom").status_code == 500
    records = [r for r in caplog.records if r.name == app.name]
    assert len(records) == 1
    assert "/aboom" in records[0].getMessage()
    assert "[GET]" in records[0].getMessage()


def test_handled_and_http_errors_not_logged(
    app: Tumbler, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    class Handled(Exception):
        pass

    @app.errorhandler(Handled)
    def handled(error: Handled) -> tuple[str, int]:
        return "handled", 418

    @app.route("/handled")
    def raise_handled() -> str:
        raise Handled()

    @app.route("/missing")
    def missing() -> str:
        abort(404)

    with caplog.at_level(logging.DEBUG, logger=app.name):
        assert client.get("/handled").status_code == 418
        assert client.get("/missing").status_code == 404
        assert client.get("/nowhere").status_code == 404
    assert [r for r in caplog.records if r.name == app.name] == []


def test_teardown_error_logged(
    app: Tumbler, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    @app.route("/")
    def index() -> str:
        return "ok"

    @app.teardown_request
    def broken(error: BaseException | None) -> None:
        raise RuntimeError("teardown failed")

    with caplog.at_level(logging.ERROR, logger=app.name):
        assert client.get("/").text == "ok"
    records = [r for r in caplog.records if r.name == app.name]
    assert len(records) == 1
    assert "broken" in records[0].getMessage()
