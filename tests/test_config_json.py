"""app.config loaders and the JSON provider."""

from __future__ import annotations

import dataclasses
import decimal
import io
import json
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from tumbler import Response, Tumbler, jsonify, request
from tumbler import json as tumbler_json
from tumbler.config import Config
from tumbler.json import DefaultJSONProvider
from tumbler.testing import TestClient


class Settings:
    DEBUG_LEVEL = 3
    lower_is_ignored = True


def test_from_object_and_mapping(tmp_path: Path) -> None:
    config = Config(tmp_path)
    config.from_object(Settings)
    config.from_mapping({"A": 1, "b": 2}, C=3)
    assert config["DEBUG_LEVEL"] == 3 and config["A"] == 1 and config["C"] == 3
    assert "lower_is_ignored" not in config and "b" not in config
    config.from_object("json:JSONDecodeError")  # import path form
    assert "JSONDecodeError" not in config  # no upper-case attributes, nothing loaded


def test_from_pyfile_and_from_file(tmp_path: Path) -> None:
    (tmp_path / "settings.py").write_text("SECRET = 's'\nlower = 1\n")
    (tmp_path / "settings.json").write_text(json.dumps({"PORT": 80, "low": 1}))
    (tmp_path / "settings.toml").write_text('NAME = "app"\n')
    config = Config(tmp_path)
    assert config.from_pyfile("settings.py")
    assert config.from_file("settings.json", load=json.load)
    import tomllib

    assert config.from_file("settings.toml", load=tomllib.load, text=False)
    assert (config["SECRET"], config["PORT"], config["NAME"]) == ("s", 80, "app")
    assert "lower" not in config and "low" not in config
    assert config.from_pyfile("missing.py", silent=True) is False
    with pytest.raises(OSError, match="Unable to load configuration file"):
        config.from_file("missing.json", load=json.load)


def test_from_prefixed_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUMBLER_PORT", "8080")
    monkeypatch.setenv("TUMBLER_NAME", "plain text")
    monkeypatch.setenv("TUMBLER_DB__HOST", '"db.local"')
    monkeypatch.setenv("OTHER_X", "1")
    config = Config()
    config.from_prefixed_env()
    assert config["PORT"] == 8080
    assert config["NAME"] == "plain text"
    assert config["DB"] == {"HOST": "db.local"}
    assert "X" not in config


def test_get_namespace() -> None:
    config = Config()
    config.from_mapping(IMAGE_STORE_TYPE="fs", IMAGE_STORE_PATH="/x", OTHER=1)
    assert config.get_namespace("IMAGE_STORE_") == {"type": "fs", "path": "/x"}
    assert config.get_namespace("IMAGE_STORE_", lowercase=False, trim_namespace=False) == {
        "IMAGE_STORE_TYPE": "fs",
        "IMAGE_STORE_PATH": "/x",
    }


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Markup:
    def __html__(self) -> str:
        return "<b>safe</b>"


def test_jsonify_handles_the_extra_types(app: Tumbler, client: TestClient) -> None:
    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")

    @app.route("/")
    def view() -> Any:
        return jsonify(
            point=Point(1, 2),
            when=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
            day=date(2026, 1, 2),
            ident=ident,
            amount=decimal.Decimal("1.10"),
            html=Markup(),
        )

    assert client.get("/").json == {
        "point": {"x": 1, "y": 2},
        "when": "Fri, 02 Jan 2026 03:04:05 GMT",
        "day": "Fri, 02 Jan 2026 00:00:00 GMT",
        "ident": str(ident),
        "amount": "1.10",
        "html": "<b>safe</b>",
    }


def test_json_provider_is_swappable(app: Tumbler, client: TestClient) -> None:
    class Loud(DefaultJSONProvider):
        def dumps(self, obj: Any, **kwargs: Any) -> str:
            return super().dumps({"wrapped": obj}, **kwargs)

    app.json = Loud(app)
    app.route("/")(lambda: {"a": 1})
    assert client.get("/").json == {"wrapped": {"a": 1}}


def test_debug_json_is_indented(app: Tumbler, client: TestClient) -> None:
    app.debug = True
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.route("/")(lambda: {"a": 1})
    assert client.get("/").text == '{\n  "a": 1\n}\n'


def test_json_settings_changed_at_run_time_apply(app: Tumbler, client: TestClient) -> None:
    # response() keeps one encoder per setting; a later change must still be honoured.
    app.route("/")(lambda: jsonify(b=1, a="é"))
    assert client.get("/").text == '{"a":"\\u00e9","b":1}\n'
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    assert client.get("/").text == '{"b":1,"a":"é"}\n'
    app.json.compact = False  # type: ignore[attr-defined]
    assert client.get("/").text == '{\n  "b": 1,\n  "a": "é"\n}\n'


def test_jsonify_uses_the_app_response_class(app: Tumbler, client: TestClient) -> None:
    class Tagged(Response):
        pass

    app.response_class = Tagged
    made: list[Response] = []

    @app.route("/")
    def view() -> str:
        made.append(jsonify(a=1))
        return "ok"

    assert client.get("/").text == "ok"
    assert type(made[0]) is Tagged
    assert made[0].mimetype == "application/json"
    assert made[0].get_data() == b'{"a":1}\n'


class Money:
    def __init__(self, cents: int) -> None:
        self.cents = cents


def _money(obj: Any) -> Any:
    if isinstance(obj, Money):
        return f"{obj.cents / 100:.2f}"
    return DefaultJSONProvider.default(obj)


def test_the_provider_default_serializes_more_types(app: Tumbler, client: TestClient) -> None:
    # Flask: set app.json.default to serialize types json does not know.
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.route("/jsonify", endpoint="a")(lambda: jsonify(price=Money(150), day=date(2026, 1, 2)))
    app.route("/dict", endpoint="b")(lambda: {"price": Money(5)})
    assert client.get("/jsonify").status_code == 500  # not serializable yet
    app.json.default = _money  # type: ignore[attr-defined]
    assert client.get("/jsonify").json == {
        "day": "Fri, 02 Jan 2026 00:00:00 GMT",
        "price": "1.50",
    }
    assert client.get("/dict").json == {"price": "0.05"}
    with app.app_context():
        assert tumbler_json.dumps(Money(1)) == '"0.01"'


def test_a_provider_subclass_may_define_default(app: Tumbler, client: TestClient) -> None:
    class MoneyProvider(DefaultJSONProvider):
        default = staticmethod(_money)

    app.json = MoneyProvider(app)
    app.route("/")(lambda: jsonify([Money(2)]))
    assert client.get("/").json == ["0.02"]


def test_the_kept_encoders_stay_few(app: Tumbler, client: TestClient) -> None:
    # A new function for default on every request must not grow the kept encoders.
    app.route("/")(lambda: jsonify(a=1))
    for _ in range(50):
        app.json.default = lambda obj: str(obj)  # type: ignore[attr-defined]
        assert client.get("/").json == {"a": 1}
    assert len(app.json._encoders) <= 16  # type: ignore[attr-defined]


def test_json_dump_and_load_with_files(app: Tumbler) -> None:
    for inside in (False, True):
        text = io.StringIO()
        if inside:
            with app.app_context():
                tumbler_json.dump({"b": 1, "a": date(2026, 1, 2)}, text)
                assert tumbler_json.load(io.BytesIO(b'{"x": [1]}')) == {"x": [1]}
        else:
            tumbler_json.dump({"b": 1, "a": date(2026, 1, 2)}, text)
            assert tumbler_json.load(io.StringIO('{"x": [1]}')) == {"x": [1]}
        assert json.loads(text.getvalue()) == {"a": "Fri, 02 Jan 2026 00:00:00 GMT", "b": 1}
    with app.app_context():
        assert tumbler_json.loads(tumbler_json.dumps({"k": "v"})) == {"k": "v"}


def test_jsonify_outside_a_context_says_so() -> None:
    with pytest.raises(RuntimeError, match="application context"):
        jsonify(a=1)


def test_get_json_force_and_silent(app: Tumbler, client: TestClient) -> None:
    @app.post("/")
    def view() -> Any:
        return {
            "silent": request.get_json(silent=True),
            "forced": request.get_json(force=True, silent=True),
        }

    response = client.post("/", data=b"[1]", headers={"Content-Type": "text/plain"})
    assert response.json == {"silent": None, "forced": [1]}
    bad = client.post("/", data=b"{", headers={"Content-Type": "text/plain"})
    assert bad.json == {"silent": None, "forced": None}
