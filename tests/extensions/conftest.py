"""The Flask-extension suites: unmodified Flask apps, run on tumbler through the patch.

This folder runs in its own pytest process (``tests/test_flask_patch.py`` starts it): the
patch replaces ``flask`` in ``sys.modules`` for the whole process, which the rest of the
suite must never see. Each app below is written as a Flask user writes it, importing
``flask``; only the test client's ``protocol`` is tumbler's.
"""

from __future__ import annotations

import pytest

import tumbler.flask_patch  # noqa: F401  (first: before anything imports flask)


@pytest.fixture(params=["wsgi", "asgi"])
def protocol(request: pytest.FixtureRequest) -> str:
    """The server interface the test client drives the app through."""
    return str(request.param)
