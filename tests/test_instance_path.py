"""The instance folder is where Flask puts it: beside the package, or under the prefix."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tumbler import Tumbler
from tumbler.instance import default_instance_path


@pytest.fixture
def on_path(tmp_path: Path) -> Iterator[Path]:
    """``tmp_path`` on sys.path for the test, and what was imported from it forgotten."""
    sys.path.insert(0, str(tmp_path))
    importlib.invalidate_caches()
    before = set(sys.modules)
    yield tmp_path
    sys.path.remove(str(tmp_path))
    for name in set(sys.modules) - before:
        del sys.modules[name]


APP_SOURCE = "from tumbler import Tumbler\napp = Tumbler(__name__)\n"


def _package(root: Path, name: str) -> None:
    (root / name).mkdir(parents=True)
    (root / name / "__init__.py").write_text(APP_SOURCE)


def test_package_app_instance_folder_is_beside_the_package(on_path: Path) -> None:
    _package(on_path, "flaskr_like")
    module = importlib.import_module("flaskr_like")
    assert module.app.instance_path == str(on_path / "instance")
    assert not module.app.instance_path.startswith(str(on_path / "flaskr_like"))


def test_submodule_app_uses_its_top_level_package(on_path: Path) -> None:
    _package(on_path, "shop")
    (on_path / "shop" / "web.py").write_text(APP_SOURCE)
    module = importlib.import_module("shop.web")
    assert module.app.instance_path == str(on_path / "instance")


def test_module_app_instance_folder_is_beside_the_module(on_path: Path) -> None:
    (on_path / "hello_mod.py").write_text(APP_SOURCE)
    module = importlib.import_module("hello_mod")
    assert module.app.instance_path == str(on_path / "instance")


@pytest.mark.parametrize(
    ("site", "prefix"),
    [
        ("env/lib/python3.11/site-packages", "env"),  # a Unix virtual environment
        ("env/Lib/site-packages", "env"),  # Windows
        ("env/site-packages", "env/site-packages/.."),  # something else
    ],
)
def test_installed_app_instance_folder_is_under_the_prefix(
    tmp_path: Path, site: str, prefix: str
) -> None:
    site_dir = tmp_path / site
    _package(site_dir, "installed_app")
    sys.path.insert(0, str(site_dir))
    importlib.invalidate_caches()
    try:
        expected = os.path.normpath(tmp_path / prefix / "var" / "installed_app-instance")
        assert default_instance_path("installed_app") == expected
    finally:
        sys.path.remove(str(site_dir))
        sys.modules.pop("installed_app", None)


def test_app_under_sys_prefix_is_installed(on_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _package(on_path, "system_app")
    monkeypatch.setattr(sys, "prefix", str(on_path))
    expected = os.path.join(str(on_path), "var", "system_app-instance")
    assert default_instance_path("system_app") == expected


def test_unknown_import_name_falls_back_to_the_working_directory() -> None:
    assert Tumbler("no_such_module_here").instance_path == os.path.join(os.getcwd(), "instance")


def test_explicit_instance_path_wins(tmp_path: Path) -> None:
    assert Tumbler("x", instance_path=str(tmp_path)).instance_path == str(tmp_path)
