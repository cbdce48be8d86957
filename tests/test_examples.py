"""The example apps, over both protocols."""

from __future__ import annotations

from examples.languages import app as languages_app


def test_languages_first_visit_uses_accept_language(protocol: str) -> None:
    client = languages_app.test_client(protocol=protocol)
    response = client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert "Bonjour!" in response.text
    assert response.headers["Set-Cookie"].startswith("user_lang=fr;")


def test_languages_remembers_and_changes(protocol: str) -> None:
    client = languages_app.test_client(protocol=protocol)
    client.get("/", headers={"Accept-Language": "de"})
    remembered = client.get("/", headers={"Accept-Language": "en"})
    assert "Hallo!" in remembered.text
    assert "Set-Cookie" not in remembered.headers
    changed = client.get("/language/en", follow_redirects=True)
    assert "Hello!" in changed.text
    cookies = changed.history[0].headers.getlist("Set-Cookie")
    assert len(cookies) == 1 and cookies[0].startswith("user_lang=en;")


def test_languages_unknown_cookie_is_replaced(protocol: str) -> None:
    client = languages_app.test_client(protocol=protocol)
    response = client.get("/", headers={"Cookie": "user_lang=xx", "Accept-Language": "de"})
    assert "Hallo!" in response.text
    assert response.headers["Set-Cookie"].startswith("user_lang=de;")
