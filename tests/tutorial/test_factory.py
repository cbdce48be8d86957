from pathlib import Path

from blogr import create_app

from tumbler.testing import TestClient


def test_config(tmp_path: Path) -> None:
    assert not create_app(instance_path=str(tmp_path)).testing
    assert create_app({"TESTING": True}, instance_path=str(tmp_path)).testing


def test_instance_folder(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    app = create_app(instance_path=str(instance))
    assert instance.is_dir()  # the factory makes it
    assert app.config["DATABASE"] == str(instance / "blogr.sqlite")
    (instance / "config.py").write_text("SECRET_KEY = 'from the instance folder'\n")
    assert (
        create_app(instance_path=str(instance)).config["SECRET_KEY"] == "from the instance folder"
    )


def test_ping(client: TestClient) -> None:
    response = client.get("/ping")
    assert response.data == b"pong"
