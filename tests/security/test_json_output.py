"""Issue 14, JSON output: never ``NaN`` or ``Infinity``, which JSON does not have."""

from __future__ import annotations

import math
from typing import Any

import pytest

import tumbler.json as tjson
from tumbler import Tumbler, jsonify, render_template_string
from tumbler.testing import TestClient

NON_FINITE = [math.nan, math.inf, -math.inf, {"a": [1, math.nan]}, [{"b": -math.inf}]]


@pytest.mark.parametrize("value", NON_FINITE)
@pytest.mark.parametrize("debug", [False, True])
def test_jsonify_refuses_nan_and_infinity(app: Tumbler, value: Any, debug: bool) -> None:
    """``jsonify`` raises a ValueError that says what is wrong (compact or indented)."""
    app.debug = debug
    with app.app_context(), pytest.raises(ValueError, match="NaN, Infinity"):
        jsonify(value)


@pytest.mark.parametrize("value", NON_FINITE)
def test_dumps_refuses_nan_and_infinity(app: Tumbler, value: Any) -> None:
    """``app.json.dumps`` and ``tumbler.json.dumps``, inside an app or outside one."""
    with pytest.raises(ValueError, match="not valid JSON"):
        app.json.dumps(value)
    with pytest.raises(ValueError, match="not valid JSON"):
        tjson.dumps(value)
    with app.app_context(), pytest.raises(ValueError, match="not valid JSON"):
        tjson.dumps(value)


def test_nan_allowed_only_when_asked(app: Tumbler) -> None:
    """``allow_nan=True`` is the caller's explicit choice; finite floats are unaffected."""
    assert app.json.dumps(math.nan, allow_nan=True) == "NaN"
    assert tjson.dumps([math.inf], allow_nan=True) == "[Infinity]"
    with app.app_context():
        assert jsonify(1.5, 1e308).get_json() == [1.5, 1e308]


def test_other_value_errors_keep_their_message(app: Tumbler) -> None:
    """Only the NaN error is reworded: a circular reference still says so."""
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular"):
        app.json.dumps(loop)


@pytest.mark.parametrize("how", ["dict", "jsonify"])
def test_view_returning_nan_is_a_500(app: Tumbler, client: TestClient, how: str) -> None:
    """A view that returns NaN is the app's bug: a 500, and no ``NaN`` reaches the client."""

    @app.get("/")
    def view() -> Any:
        payload = {"score": math.nan}
        return payload if how == "dict" else jsonify(payload)

    response = client.get("/")
    assert response.status_code == 500
    assert b"NaN" not in response.data


def test_tojson_filter_refuses_nan(app: Tumbler) -> None:
    """The template filter uses the app's provider, so it refuses NaN too."""
    pytest.importorskip("jinja2")
    with app.app_context(), pytest.raises(ValueError, match="NaN"):
        render_template_string("{{ x|tojson }}", x=math.nan)
