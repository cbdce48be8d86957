"""The app's smaller Flask attributes: resources, shell context, aborter, classes it makes.

A mixin of ``Tumbler``, kept apart from ``app.py`` so that the app module stays about
configuration, routes and the server entry points. Names and signatures are Flask's.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from functools import cached_property
from typing import IO, TYPE_CHECKING, Any, NoReturn, TypeVar, cast

from .config import Config
from .context import AppGlobals
from .http.exceptions import HTTPException, default_exceptions
from .http.response import Response
from .http.response import redirect as _redirect
from .routing import BuildError

if TYPE_CHECKING:
    from .app import Tumbler
    from .blueprints import Blueprint
    from .cli_testing import CliRunner
    from .testing import TestClient

__all__ = ["Aborter", "AppResources"]

F = TypeVar("F", bound=Callable[..., Any])

_READ_MODES = frozenset({"r", "rt", "rb"})


class Aborter:
    """``app.aborter``: raise the HTTP exception for a status code (Werkzeug's ``Aborter``).

    ``abort()`` goes through the current app's aborter, so an app may add or replace codes
    in ``app.aborter.mapping``.
    """

    def __init__(
        self,
        mapping: dict[int, type[HTTPException]] | None = None,
        extra: dict[int, type[HTTPException]] | None = None,
    ) -> None:
        self.mapping = dict(default_exceptions if mapping is None else mapping)
        if extra:
            self.mapping.update(extra)

    def __call__(self, code: int | Response, *args: Any, **kwargs: Any) -> NoReturn:
        """Raise the exception for ``code``, or one that answers with the Response given."""
        if not isinstance(code, int):
            raise HTTPException(response=code)
        cls = self.mapping.get(code)
        if cls is None:
            raise LookupError(f"no exception for {code!r}")
        raise cls(*args, **kwargs)


class AppResources:
    """Flask's app attributes that are not about routing or the request lifecycle."""

    #: The class of ``app.config`` (``make_config`` makes it).
    config_class: type[Config] = Config
    #: The class of ``g``: one instance per context, made on first use.
    app_ctx_globals_class: type[AppGlobals] = AppGlobals
    #: The class ``make_aborter`` instantiates for ``app.aborter``.
    aborter_class: type[Aborter] = Aborter
    #: The class ``test_client()`` makes; None means ``tumbler.testing.TestClient``.
    test_client_class: type[TestClient] | None = None
    #: The class ``test_cli_runner()`` makes; None means ``tumbler.cli_testing.CliRunner``.
    test_cli_runner_class: type[CliRunner] | None = None

    if TYPE_CHECKING:
        root_path: str
        instance_path: str
        default_config: dict[str, Any]
        config: Config
        blueprints: dict[str, Blueprint]
        response_class: type[Response]

        def _check_setup(self, what: str) -> None: ...

    # Configuration ------------------------------------------------------------------------

    def make_config(self, instance_relative: bool = False) -> Config:
        """Make ``app.config`` from ``config_class`` and ``default_config``."""
        root = self.instance_path if instance_relative else self.root_path
        return self.config_class(root, dict(self.default_config))

    @property
    def permanent_session_lifetime(self) -> timedelta:
        """``config["PERMANENT_SESSION_LIFETIME"]`` as a ``timedelta`` (seconds are accepted)."""
        value = self.config["PERMANENT_SESSION_LIFETIME"]
        return value if isinstance(value, timedelta) else timedelta(seconds=int(value))

    @permanent_session_lifetime.setter
    def permanent_session_lifetime(self, value: timedelta | int) -> None:
        self.config["PERMANENT_SESSION_LIFETIME"] = value

    # Files next to the code and in the instance folder ------------------------------------

    def auto_find_instance_path(self) -> str:
        """Where the instance folder is when none is given: beside the package, or
        ``sys.prefix/var/<name>-instance`` when the package is installed (Flask's rule)."""
        from .instance import default_instance_path

        return default_instance_path(cast("Tumbler", self).import_name)

    def open_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = None
    ) -> IO[Any]:
        """Open a file relative to ``root_path`` for reading (a schema, a data file)."""
        if mode not in _READ_MODES:
            raise ValueError("Resources can only be opened for reading.")
        path = os.path.join(self.root_path, resource)
        if mode == "rb":
            return open(path, mode)
        return open(path, mode, encoding=encoding)

    def open_instance_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = "utf-8"
    ) -> IO[Any]:
        """Open a file relative to ``instance_path``, in any mode (it is the app's own folder)."""
        path = os.path.join(self.instance_path, resource)
        if "b" in mode:
            return open(path, mode)
        return open(path, mode, encoding=encoding)

    # The shell ----------------------------------------------------------------------------

    @cached_property
    def shell_context_processors(self) -> list[Callable[[], dict[str, Any]]]:
        """The functions whose dicts ``make_shell_context`` adds, in registration order."""
        return []

    def shell_context_processor(self, f: F) -> F:
        """Add ``f()``'s dict to the names ``tumbler shell`` starts with."""
        self._check_setup("shell_context_processor")
        self.shell_context_processors.append(f)
        return f

    def make_shell_context(self) -> dict[str, Any]:
        """The names of the ``tumbler shell``: ``app``, ``g``, then each processor's dict."""
        from .globals import g

        namespace: dict[str, Any] = {"app": self, "g": g}
        for processor in self.shell_context_processors:
            namespace.update(processor())
        return namespace

    # Aborting, redirecting, URL build errors ----------------------------------------------

    def make_aborter(self) -> Aborter:
        """Make ``app.aborter`` from ``aborter_class``."""
        return self.aborter_class()

    @cached_property
    def aborter(self) -> Aborter:
        """What ``abort()`` calls while this app is current."""
        return self.make_aborter()

    def redirect(self, location: str, code: int = 302) -> Response:
        """A redirect response of ``response_class``; ``tumbler.redirect`` calls this."""
        return _redirect(location, code, Response=self.response_class)

    @cached_property
    def url_build_error_handlers(self) -> list[Callable[[BuildError, str, dict[str, Any]], Any]]:
        """Called in turn by ``handle_url_build_error``; the first non-None result is the URL."""
        return []

    def handle_url_build_error(
        self, error: BuildError, endpoint: str, values: dict[str, Any]
    ) -> str:
        """Ask ``url_build_error_handlers`` for a URL ``url_for`` could not build, or raise."""
        for handler in self.url_build_error_handlers:
            try:
                rv = handler(error, endpoint, values)
            except BuildError as other:
                error = other  # the next handler sees the newer error
            else:
                if rv is not None:
                    return cast(str, rv)
        if error is sys.exc_info()[1]:
            raise  # keep the original traceback
        raise error

    # Blueprints -----------------------------------------------------------------------------

    def iter_blueprints(self) -> Iterator[Blueprint]:
        """The registered blueprints, in registration order."""
        return iter(self.blueprints.values())

    # Testing ------------------------------------------------------------------------------

    def test_client(self, use_cookies: bool = True, **kwargs: Any) -> TestClient:
        """A client that calls the app in-process over WSGI (default) or ASGI (``protocol=``).

        It is an instance of ``test_client_class`` when that is set.
        """
        from .testing import TestClient

        cls = self.test_client_class or TestClient
        return cls(cast("Tumbler", self), use_cookies=use_cookies, **kwargs)

    def test_cli_runner(self, **kwargs: Any) -> CliRunner:
        """A runner that invokes the ``tumbler`` command line against this app."""
        from .cli_testing import CliRunner

        cls = self.test_cli_runner_class or CliRunner
        return cls(cast("Tumbler", self), **kwargs)
