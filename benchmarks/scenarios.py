"""The scenarios every framework serves, and how a correct answer looks.

A scenario is one request (method, path, query, headers, body) sent to one of the benchmark
apps (``Scenario.app``), plus what a correct answer is. Several scenarios share an app:
``notfound`` asks the ``hello`` app for a path it does not have, and the two ``seed``
scenarios differ only by the cookie they send.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

__all__ = [
    "APPS",
    "FORM_BODY",
    "SCENARIOS",
    "Answer",
    "Scenario",
    "by_name",
    "check",
]

#: How many routes of each kind (static, dynamic) the routing apps have.
ROUTES_1000 = 500
ROUTES_10 = 5

#: The ten urlencoded fields of the ``form`` scenario.
FORM_BODY = "&".join(f"field{i}=value{i}" for i in range(10)).encode("ascii")

#: The header each ``hooks`` after-hook sets, and the value the view computes from ``g``.
HOOK_COUNT = 5
HOOK_HEADER = "X-Hook-{}"
HOOKS_BODY = f"hooks={sum(range(HOOK_COUNT))}"


@dataclass(frozen=True)
class Answer:
    """A response as seen by the checker: status, headers (name, value) and the whole body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header_values(self, name: str) -> list[str]:
        lowered = name.lower()
        return [value for key, value in self.headers if key.lower() == lowered]


@dataclass(frozen=True)
class Scenario:
    """One measured request and the answer it must get."""

    name: str
    app: str
    path: str
    method: str = "GET"
    query: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    status: int = 200
    #: The exact body, or None when only ``json_body`` or the status is checked.
    text: str | None = None
    json_body: object = None
    #: The value a Set-Cookie for ``user_lang`` must carry; "" means there must be none.
    cookie: str | None = None
    #: Headers that must be present with this exact value.
    required_headers: tuple[tuple[str, str], ...] = field(default=())

    @property
    def target(self) -> str:
        """The request target: path plus query string."""
        return f"{self.path}?{self.query}" if self.query else self.path


_FORM_HEADERS = (
    ("Content-Type", "application/x-www-form-urlencoded"),
    ("Content-Length", str(len(FORM_BODY))),
)

SCENARIOS: tuple[Scenario, ...] = (
    Scenario("hello", "hello", "/hello", text="Hello"),
    Scenario("seed_nocookie", "seed", "/seed", text="lang=en", cookie="en"),
    Scenario(
        "seed_cookie",
        "seed",
        "/seed",
        headers=(("Cookie", "user_lang=fr"),),
        text="lang=fr",
        cookie="",
    ),
    Scenario(
        "params_json",
        "params_json",
        "/users/42",
        query="fields=a,b",
        json_body={"id": 42, "fields": ["a", "b"]},
    ),
    Scenario(
        "form", "form", "/form", method="POST", headers=_FORM_HEADERS, body=FORM_BODY, text="10"
    ),
    Scenario(
        "hooks",
        "hooks",
        "/hooks",
        text=HOOKS_BODY,
        required_headers=tuple((HOOK_HEADER.format(i), str(i)) for i in range(HOOK_COUNT)),
    ),
    Scenario("notfound", "hello", "/does-not-exist", status=404),
    Scenario(
        "routes_1000_static",
        "routes_1000",
        f"/static{ROUTES_1000 - 1}",
        text=f"static{ROUTES_1000 - 1}",
    ),
    Scenario(
        "routes_1000_dynamic",
        "routes_1000",
        f"/dyn{ROUTES_1000 - 1}/7",
        text=f"dyn{ROUTES_1000 - 1}:7",
    ),
    Scenario(
        "routes_10_static", "routes_10", f"/static{ROUTES_10 - 1}", text=f"static{ROUTES_10 - 1}"
    ),
    Scenario(
        "routes_10_dynamic",
        "routes_10",
        f"/dyn{ROUTES_10 - 1}/7",
        text=f"dyn{ROUTES_10 - 1}:7",
    ),
)

#: The apps the scenarios need, with the number of (static, dynamic) routes for the routing ones.
APPS: dict[str, int] = {
    "hello": 0,
    "seed": 0,
    "params_json": 0,
    "form": 0,
    "hooks": 0,
    "routes_1000": ROUTES_1000,
    "routes_10": ROUTES_10,
}


def by_name(names: list[str] | None) -> list[Scenario]:
    """The scenarios called ``names`` (all of them for None), in the suite's order."""
    if not names:
        return list(SCENARIOS)
    known = {s.name: s for s in SCENARIOS}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"unknown scenario(s): {', '.join(unknown)}; known: {', '.join(known)}")
    return [s for s in SCENARIOS if s.name in names]


def _user_lang_cookies(answer: Answer) -> list[str]:
    values = []
    for header in answer.header_values("Set-Cookie"):
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        if "user_lang" in jar:
            values.append(jar["user_lang"].value)
    return values


def check(scenario: Scenario, answer: Answer) -> str | None:
    """None when ``answer`` is right for ``scenario``, else what is wrong with it."""
    if answer.status != scenario.status:
        return f"status {answer.status}, expected {scenario.status}"
    if scenario.text is not None and answer.body != scenario.text.encode():
        return f"body {answer.body[:80]!r}, expected {scenario.text!r}"
    if scenario.json_body is not None:
        try:
            decoded = json.loads(answer.body)
        except ValueError:
            return f"body {answer.body[:80]!r} is not JSON"
        if decoded != scenario.json_body:
            return f"JSON {decoded!r}, expected {scenario.json_body!r}"
        content_types = answer.header_values("Content-Type")
        if not content_types or not content_types[0].startswith("application/json"):
            return f"Content-Type {content_types!r}, expected application/json"
    if scenario.cookie is not None:
        cookies = _user_lang_cookies(answer)
        expected = [scenario.cookie] if scenario.cookie else []
        if cookies != expected:
            return f"Set-Cookie user_lang={cookies!r}, expected {expected!r}"
    for name, value in scenario.required_headers:
        if answer.header_values(name) != [value]:
            return f"header {name}={answer.header_values(name)!r}, expected {value!r}"
    return None
