"""The seed's example as a complete app: a greeting in the visitor's language.

The first visit picks the language from Accept-Language; a ``before_request`` hook remembers
it in a cookie through ``after_this_request`` (the response does not exist yet when the hook
runs). The links let the visitor change it.

    uvicorn examples.languages:app.asgi      # ASGI
    gunicorn examples.languages:app          # WSGI
"""

from __future__ import annotations

from html import escape

from tumbler import Response, Tumbler, after_this_request, g, redirect, request, url_for

app = Tumbler(__name__)

GREETINGS = {"en": "Hello", "fr": "Bonjour", "de": "Hallo"}
NAMES = {"en": "English", "fr": "Français", "de": "Deutsch"}
ONE_YEAR = 365 * 24 * 3600


def remember_language(response: Response) -> None:
    """Store the current language in a cookie (an after_this_request callback)."""
    response.set_cookie("user_lang", g.language, max_age=ONE_YEAR, samesite="Lax")


@app.before_request
def detect_user_language() -> None:
    language = request.cookies.get("user_lang")
    if language not in GREETINGS:
        language = request.accept_languages.best_match(list(GREETINGS)) or "en"
        # The response does not exist yet: ask for the cookie to be set once it does.
        after_this_request(remember_language)
    g.language = language


@app.route("/")
def index() -> str:
    links = " · ".join(
        f'<a href="{escape(url_for("choose", language=code))}">{escape(name)}</a>'
        for code, name in NAMES.items()
        if code != g.language
    )
    return (
        f"<!doctype html><html lang={g.language}><title>tumbler</title>"
        f"<h1>{GREETINGS[g.language]}!</h1><p>Speak another language: {links}</p>"
    )


@app.route("/language/<any(en, fr, de):language>")
def choose(language: str) -> Response:
    already_scheduled = request.cookies.get("user_lang") not in GREETINGS
    g.language = language
    if not already_scheduled:
        after_this_request(remember_language)
    return redirect(url_for("index"))
