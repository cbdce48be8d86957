"""``TumblerGroup`` (``FlaskGroup``): the ``tumbler`` command line as a click group.

For a project that builds its own click command line (Flask's ``FlaskGroup`` pattern,
``@click.group(cls=FlaskGroup, create_app=create_app)``) or an extension that nests the
app's commands in its own group. The commands are the same as ``tumbler``'s: the built-ins
(``run``, ``routes``, ``shell``) and ``app.cli``'s, each run as ``tumbler`` runs it. This
module imports click, so ``tumbler.cli`` imports it only when one of its names is asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from . import cli
from .app import Tumbler
from .envfiles import load_dotenv, should_load_dotenv

__all__ = ["FlaskGroup", "TumblerGroup"]

_PASS_THROUGH = {"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}


def _as_click(name: str, help: str, run: Callable[[list[str]], int]) -> click.Command:
    """A click command that hands its raw arguments to ``run`` and exits with its status."""

    @click.pass_context
    def callback(ctx: click.Context, args: tuple[str, ...]) -> None:
        status = run(list(args))
        if status:
            ctx.exit(status)

    return click.Command(
        name,
        callback=callback,
        params=[click.Argument(["args"], nargs=-1, type=click.UNPROCESSED)],
        help=help,
        context_settings=_PASS_THROUGH,
    )


def _set_app(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(cli.ScriptInfo).app_import_path = value


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool | None) -> None:
    if value is not None:
        ctx.ensure_object(cli.ScriptInfo).data["debug"] = value


class TumblerGroup(click.Group):
    """A click group with ``tumbler``'s commands and the app's (Flask's ``FlaskGroup``)."""

    def __init__(
        self,
        add_default_commands: bool = True,
        create_app: Callable[..., Tumbler] | None = None,
        add_version_option: bool = True,
        load_dotenv: bool = True,
        set_debug_flag: bool = True,
        **extra: Any,
    ) -> None:
        params = list(extra.pop("params", None) or ())
        params.append(
            click.Option(["-A", "--app"], expose_value=False, is_eager=True, callback=_set_app)
        )
        params.append(
            click.Option(
                ["--debug/--no-debug"], default=None, expose_value=False, callback=_set_debug
            )
        )
        super().__init__(params=params, **extra)
        self.add_default_commands = add_default_commands
        self.create_app = create_app
        self.load_dotenv = load_dotenv
        self.set_debug_flag = set_debug_flag

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        """Load ``.env`` files, and give the context a ``ScriptInfo`` that can find the app."""
        if self.load_dotenv and should_load_dotenv():
            load_dotenv()
        if "obj" not in extra and "obj" not in self.context_settings:
            extra["obj"] = cli.ScriptInfo(
                create_app=self.create_app, set_debug_flag=self.set_debug_flag
            )
        return super().make_context(info_name, args, parent=parent, **extra)

    def _app(self, ctx: click.Context) -> Tumbler:
        info = ctx.ensure_object(cli.ScriptInfo)
        fresh = info._loaded_app is None
        app = info.load_app()
        if fresh and "debug" in info.data:
            app.debug = info.data["debug"]
        return app

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The group's own commands, the built-ins and the app's."""
        names = set(super().list_commands(ctx))
        if self.add_default_commands:
            names.update(cli._BUILTINS)
            names.update(cli.plugin_commands())
        try:
            names.update(self._app(ctx).cli.list_commands())
        except cli.NoAppException:
            pass  # the help text still lists the rest
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The group's own command, else a built-in, else the app's, run as ``tumbler`` would."""
        own = super().get_command(ctx, cmd_name)
        if own is not None:
            return own
        info = ctx.ensure_object(cli.ScriptInfo)
        builtin = cli._BUILTINS.get(cmd_name) if self.add_default_commands else None
        if builtin is not None:
            run_builtin, summary = builtin

            def run(args: list[str]) -> int:
                get_app: Callable[[], Tumbler] = lambda: self._app(ctx)  # noqa: E731
                debug = info.data.get("debug")
                return run_builtin(cli._Invocation(args, get_app, info.app_import_path, debug))

            return _as_click(cmd_name, summary, run)
        plugin = cli.plugin_commands().get(cmd_name) if self.add_default_commands else None
        if plugin is not None:
            loaded = plugin.load()
            if isinstance(loaded, click.Command):
                return loaded  # a click command: run it as it is, as Flask does
        try:
            app = self._app(ctx)
        except cli.NoAppException as error:
            click.echo(f"Error: {error}\n", err=True)  # then click's "No such command"
            return None
        command = app.cli.get_command(cmd_name)
        if command is None:
            return None

        def run_app_command(args: list[str]) -> int:
            with app.app_context():
                return command.invoke(args, f"{ctx.info_name} {cmd_name}", info)

        return _as_click(cmd_name, command.help, run_app_command)


#: Flask's name for ``TumblerGroup``.
FlaskGroup = TumblerGroup
