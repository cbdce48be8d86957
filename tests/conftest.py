"""Shared fixtures: every behavioural test runs over WSGI and over ASGI."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tumbler import Tumbler
from tumbler.context import _cv_context
from tumbler.testing import TestClient


@pytest.fixture(params=["wsgi", "asgi"])
def protocol(request: pytest.FixtureRequest) -> str:
    """The server interface the test client drives the app through."""
    return str(request.param)


@pytest.fixture
def app() -> Tumbler:
    """A fresh app, not in testing mode, so unhandled errors become 500s."""
    return Tumbler("tests_app")


@pytest.fixture
def client(app: Tumbler, protocol: str) -> Iterator[TestClient]:
    """A test client for ``app`` over ``protocol``."""
    client = app.test_client(protocol=protocol)
    yield client
    client.close()


@pytest.fixture(autouse=True)
def no_context_left_pushed() -> Iterator[None]:
    """Fail any test that leaves a request or app context pushed."""
    assert _cv_context.get() is None, "a context was already pushed before the test"
    yield
    leaked = _cv_context.get()
    assert leaked is None, f"the test left a context pushed: {leaked!r}"


#: tests/extensions/ replaces ``flask`` for its whole process: test_flask_patch.py runs it in
#: a pytest of its own.
collect_ignore = ["extensions"]
