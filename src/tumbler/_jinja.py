"""The parts of templating that need Jinja2; ``templating.py`` imports this module lazily."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2 import BaseLoader, FileSystemLoader, TemplateNotFound

if TYPE_CHECKING:
    from .app import Tumbler

__all__ = ["AppLoader", "Environment", "create_environment", "folder_loader"]


class AppLoader(BaseLoader):
    """Find a template in the app's folder first, then in each blueprint's, in registration order.

    Blueprints registered after the environment was made are seen too: the list of folders
    is read on each lookup (Jinja caches the compiled templates, so lookups are rare).
    """

    def __init__(self, app: Tumbler) -> None:
        self.app = app
        self._loaders: dict[str, FileSystemLoader] = {}

    def _folder_loader(self, root: str | None, folder: str | None) -> FileSystemLoader | None:
        if folder is None or root is None:
            return None
        path = os.path.join(root, folder)
        loader = self._loaders.get(path)
        if loader is None:
            loader = self._loaders[path] = FileSystemLoader(path)
        return loader

    def iter_loaders(self) -> Iterator[FileSystemLoader]:
        """The folder loaders to search, the app's first."""
        from .app import _root_path

        app = self.app
        loader = self._folder_loader(app.root_path, app.template_folder)
        if loader is not None:
            yield loader
        seen: set[int] = set()
        for blueprint in list(app.blueprints.values()):
            if id(blueprint) in seen or blueprint.template_folder is None:
                continue
            seen.add(id(blueprint))
            root = blueprint.root_path or _root_path(blueprint.import_name)
            loader = self._folder_loader(root, blueprint.template_folder)
            if loader is not None:
                yield loader

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        """The first folder's source for ``template``."""
        for loader in self.iter_loaders():
            try:
                return loader.get_source(environment, template)
            except TemplateNotFound:
                continue
        raise TemplateNotFound(template)

    def list_templates(self) -> list[str]:
        """Every template name any folder holds."""
        names: set[str] = set()
        for loader in self.iter_loaders():
            names.update(loader.list_templates())
        return sorted(names)


def folder_loader(root: str, folder: str) -> FileSystemLoader:
    """A loader for one template folder (``app.jinja_loader``)."""
    return FileSystemLoader(os.path.join(root, folder))


class Environment(jinja2.Environment):
    """The class of ``app.jinja_env`` (Flask's ``templating.Environment``): made with the app.

    Subclass it and set ``Tumbler.jinja_environment`` to use your own.
    """

    def __init__(self, app: Tumbler, **options: Any) -> None:
        if "loader" not in options:
            options["loader"] = app.create_global_jinja_loader()
        super().__init__(**options)
        self.app = app


def create_environment(
    app: Tumbler,
    options: dict[str, Any],
    globals: dict[str, Any],
    items: dict[str, dict[str, Any]],
    env_class: Any = None,
) -> jinja2.Environment:
    """A Jinja environment for ``app`` (of ``env_class``) with its globals, filters and tests."""
    env: jinja2.Environment = (env_class or Environment)(app, **options)
    env.globals.update(globals)
    env.policies["json.dumps_function"] = app.json.dumps
    env.filters.update(items["filters"])
    env.globals.update(items["globals"])
    env.tests.update(items["tests"])
    return env
