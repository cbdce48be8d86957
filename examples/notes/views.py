"""The ``notes`` blueprint: login, the notes pages and the JSON API."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from tumbler import (
    Blueprint,
    Response,
    abort,
    after_this_request,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from .db import get_db

bp = Blueprint("notes", __name__)

F = TypeVar("F", bound=Callable[..., Any])

USERNAME = re.compile(r"[A-Za-z0-9_.-]{2,30}")
MAX_TITLE = 100
MAX_BODY = 5000


# Helpers ----------------------------------------------------------------------------------------


def cache_control(value: str) -> Callable[[F], F]:
    """Ask for ``Cache-Control: value`` on this view's responses.

    The response does not exist when the view starts, so the header is set by an
    ``after_this_request`` callback; pages without this decorator get no such header.
    """

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            @after_this_request
            def set_cache_control(response: Response) -> None:
                response.headers["Cache-Control"] = value

            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorator


def login_required(view: F) -> F:
    """Send visitors who are not logged in to the login page."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if g.user is None:
            flash("Please log in first.", "error")
            return redirect(url_for("notes.login", next=request.path))
        return view(*args, **kwargs)

    return cast(F, wrapper)


def validate_note(title: Any, body: Any) -> dict[str, str]:
    """Return the form's errors by field name (empty when the note is fine)."""
    errors: dict[str, str] = {}
    if not isinstance(title, str) or not title.strip():
        errors["title"] = "A note needs a title."
    elif len(title) > MAX_TITLE:
        errors["title"] = f"Keep the title under {MAX_TITLE} characters."
    if not isinstance(body, str):
        errors["body"] = "The body must be text."
    elif len(body) > MAX_BODY:
        errors["body"] = f"Keep the note under {MAX_BODY} characters."
    return errors


def add_note(author: str, title: str, body: str) -> int:
    db = get_db()
    cursor = db.execute(
        "INSERT INTO note (author, title, body) VALUES (?, ?, ?)", (author, title.strip(), body)
    )
    db.commit()
    return int(cursor.lastrowid or 0)


def notes_of(author: str) -> list[dict[str, Any]]:
    rows = get_db().execute(
        "SELECT id, title, body, created FROM note WHERE author = ? ORDER BY id DESC", (author,)
    )
    return [dict(row) for row in rows]


def note_or_404(note_id: int) -> dict[str, Any]:
    row = (
        get_db()
        .execute(
            "SELECT id, title, body, created FROM note WHERE id = ? AND author = ?",
            (note_id, g.user),
        )
        .fetchone()
    )
    if row is None:
        abort(404)
    return dict(row)


@bp.before_app_request
def load_user() -> None:
    g.user = session.get("user")


# Pages ------------------------------------------------------------------------------------------


@bp.route("/")
@cache_control("private, no-store")
def index() -> Any:
    if g.user is None:
        return redirect(url_for("notes.login"))
    return render_template("index.html", notes=notes_of(g.user), errors={}, form={})


@bp.route("/about")
@cache_control("public, max-age=600")
def about() -> str:
    return render_template("about.html")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    error = None
    username = ""
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        if USERNAME.fullmatch(username):
            session.clear()
            session["user"] = username
            flash(f"Welcome, {username}!")
            target = request.args.get("next", "")
            # Only follow a local path, never another site (an open redirect).
            if not target.startswith("/") or target.startswith("//"):
                target = url_for("notes.index")
            return redirect(target)
        error = "Use 2 to 30 letters, digits, dots, dashes or underscores."
    status = 400 if error else 200
    return render_template("login.html", error=error, username=username), status


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    session.clear()
    flash("You are logged out.")
    return redirect(url_for("notes.login"))


@bp.route("/notes", methods=["POST"])
@login_required
def create() -> Any:
    title = request.form.get("title", "")
    body = request.form.get("body", "")
    errors = validate_note(title, body)
    if errors:
        form = {"title": title, "body": body}
        page = render_template("index.html", notes=notes_of(g.user), errors=errors, form=form)
        return page, 400
    add_note(g.user, title, body)
    flash("Note saved.")
    return redirect(url_for("notes.index"))


@bp.route("/notes/<int:note_id>")
@login_required
@cache_control("private, no-store")
def show(note_id: int) -> str:
    return render_template("note.html", note=note_or_404(note_id))


@bp.route("/notes/<int:note_id>/delete", methods=["POST"])
@login_required
def delete(note_id: int) -> Response:
    note = note_or_404(note_id)
    db = get_db()
    db.execute("DELETE FROM note WHERE id = ?", (note_id,))
    db.commit()
    flash(f"Deleted “{note['title']}”.")
    return redirect(url_for("notes.index"))


# JSON API ---------------------------------------------------------------------------------------


@bp.route("/api/notes", methods=["GET", "POST"])
def api_notes() -> Any:
    if g.user is None:
        return {"error": "log in first (POST /login)"}, 401
    if request.method == "GET":
        return {"user": g.user, "notes": notes_of(g.user)}
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return {"errors": {"json": "Send a JSON object."}}, 400
    title, body = data.get("title"), data.get("body", "")
    errors = validate_note(title, body)
    if errors or not isinstance(title, str) or not isinstance(body, str):
        return {"errors": errors}, 400
    note_id = add_note(g.user, title, body)
    return (
        {"id": note_id, "title": title.strip(), "body": body},
        201,
        {"Location": url_for("notes.show", note_id=note_id)},
    )
