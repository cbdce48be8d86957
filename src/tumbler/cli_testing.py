"""``app.test_cli_runner()``: run the ``tumbler`` command line in-process and capture its output."""

from __future__ import annotations

import contextlib
import io
import os
import shlex
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .cli import Command, main

if TYPE_CHECKING:
    from .app import Tumbler

__all__ = ["CliRunner", "Result"]


class _TeeIO(io.StringIO):
    """A captured stream that also copies what is written into a shared buffer."""

    def __init__(self, shared: io.StringIO) -> None:
        super().__init__()
        self._shared = shared

    def write(self, s: str) -> int:
        self._shared.write(s)
        return super().write(s)


@dataclass
class Result:
    """The outcome of ``CliRunner.invoke``."""

    exit_code: int
    #: stdout and stderr, interleaved as written (click's ``Result.output`` since 8.2).
    output: str
    stdout: str
    stderr: str
    #: The uncaught exception, or ``SystemExit`` for a non-zero exit status.
    exception: BaseException | None
    exc_info: tuple[type[BaseException], BaseException, TracebackType | None] | None = None

    def __repr__(self) -> str:
        what = repr(self.exception) if self.exception else "okay"
        return f"<Result {what}>"


@contextlib.contextmanager
def _environment(env: Mapping[str, str | None] | None) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in env or {}}
    try:
        for key, value in (env or {}).items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


class CliRunner:
    """Invoke the ``tumbler`` command line against one app, capturing its output."""

    def __init__(self, app: Tumbler) -> None:
        self.app = app

    def invoke(
        self,
        cli: Any = None,
        args: str | Sequence[str] | None = None,
        input: str | None = None,
        env: Mapping[str, str | None] | None = None,
        catch_exceptions: bool = True,
        **kwargs: Any,
    ) -> Result:
        """Run ``tumbler ARGS`` (or the command ``cli``) with this app; return a ``Result``."""
        argv = shlex.split(args) if isinstance(args, str) else list(args or ())
        commands = self.app.cli.commands
        temporary: str | None = None
        if cli is not None and cli is not self.app.cli:
            command = self.app.cli.find(cli)
            if command is None:  # not registered: run it as a command for this call only
                temporary = f"__invoke_{id(cli)}"
                command = commands[temporary] = Command(cli, temporary, None, {})
            argv = [command.name, *argv]
        shared = io.StringIO()
        out, err = _TeeIO(shared), _TeeIO(shared)
        exception: BaseException | None = None
        exc_info: Any = None
        old_stdin = sys.stdin
        sys.stdin = io.StringIO(input or "")
        try:
            with (
                _environment(env),
                contextlib.redirect_stdout(out),
                contextlib.redirect_stderr(err),
            ):
                try:
                    exit_code = main(argv, app=self.app)
                except Exception as error:
                    if not catch_exceptions:
                        raise
                    exception, exc_info, exit_code = error, sys.exc_info(), 1
        finally:
            sys.stdin = old_stdin
            if temporary is not None:
                del commands[temporary]
        if exception is None and exit_code != 0:
            exception = SystemExit(exit_code)
        return Result(
            exit_code, shared.getvalue(), out.getvalue(), err.getvalue(), exception, exc_info
        )
