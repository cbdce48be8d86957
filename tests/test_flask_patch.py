"""``import tumbler.flask_patch``: Flask's modules resolve to tumbler's objects.

The patch changes ``sys.modules`` for a whole process, so every check here runs in a fresh
interpreter; ``tests/extensions/`` (unmodified apps using real extensions) runs in one.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_flask_modules_resolve_to_tumbler_objects() -> None:
    result = python(
        """
        import tumbler.flask_patch
        import tumbler, tumbler.globals, tumbler.signals, tumbler.sessions, tumbler.views
        import flask, flask.globals, flask.signals, flask.sessions, flask.views, flask.json
        import flask.json.provider, flask.wrappers, flask.ctx, flask.testing, flask.helpers
        import flask.templating, flask.blueprints, flask.typing, flask.config, flask.cli
        import flask.logging, flask.debughelpers
        from flask import Flask, request, g, session, current_app, Blueprint, Response
        from flask.signals import Namespace, request_started
        from flask.json.provider import DefaultJSONProvider
        from flask.sessions import SecureCookieSessionInterface
        from flask.views import MethodView
        from flask.wrappers import Request
        from flask.typing import ResponseReturnValue
        from flask.testing import FlaskClient, FlaskCliRunner
        from flask.ctx import AppContext, RequestContext
        from flask.globals import app_ctx, request_ctx
        from flask.cli import FlaskGroup, ScriptInfo, with_appcontext
        import tumbler.testing, tumbler.cli_testing, tumbler.context, tumbler.cli
        assert FlaskClient is tumbler.testing.TestClient
        assert FlaskCliRunner is tumbler.cli_testing.CliRunner
        assert AppContext is RequestContext is tumbler.context.Context
        assert app_ctx is tumbler.globals.app_ctx and request_ctx is tumbler.globals.request_ctx
        assert ScriptInfo is tumbler.cli.ScriptInfo
        assert with_appcontext is tumbler.cli.with_appcontext
        assert Flask is tumbler.Tumbler
        assert request is tumbler.request and g is tumbler.g and session is tumbler.session
        assert current_app is tumbler.current_app and Blueprint is tumbler.Blueprint
        assert Response is tumbler.Response and Request is tumbler.Request
        assert Namespace is tumbler.signals.Namespace
        assert request_started is tumbler.request_started
        assert SecureCookieSessionInterface is tumbler.sessions.SecureCookieSessionInterface
        assert MethodView is tumbler.views.MethodView
        assert flask.json.jsonify is tumbler.jsonify
        assert flask.globals.request is tumbler.request
        import sys
        assert not [m for m in sys.modules.values()
                    if "site-packages/flask/" in (getattr(m, "__file__", None) or "")]
        print("ok")
        """
    )
    assert result.stdout.strip() == "ok", result.stderr


def test_an_app_without_the_patch_is_unaffected() -> None:
    result = python(
        """
        import sys
        import tumbler
        app = tumbler.Tumbler("plain")
        assert "flask" not in sys.modules
        assert not any(type(f).__module__ == "tumbler.flask_patch" for f in sys.meta_path)
        print("ok")
        """
    )
    assert result.stdout.strip() == "ok", result.stderr


def test_importing_the_patch_after_flask_is_an_error() -> None:
    pytest.importorskip("flask")  # the real Flask, which the extensions' extra brings
    result = python(
        """
        import flask
        try:
            import tumbler.flask_patch
        except ImportError as error:
            print(type(error).__name__, error)
        """
    )
    assert result.stdout.startswith("PatchError import tumbler.flask_patch before"), result.stderr


def test_a_flask_module_the_table_lacks_is_a_clear_import_error() -> None:
    result = python(
        """
        import tumbler.flask_patch
        try:
            import flask.sansio.app
        except ImportError as error:
            print(error)
        """
    )
    assert "flask.sansio is not provided by tumbler.flask_patch" in result.stdout, result.stderr


def test_a_name_tumbler_lacks_says_where_it_looked() -> None:
    result = python(
        """
        import tumbler.flask_patch
        import flask
        try:
            flask.no_such_name
        except AttributeError as error:
            print(error)
        """
    )
    assert "flask.no_such_name has no tumbler equivalent" in result.stdout, result.stderr


def test_the_extension_suites_pass() -> None:
    """tests/extensions/: each extension's everyday use, over WSGI and ASGI."""
    pytest.importorskip("flask_login")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/extensions"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
