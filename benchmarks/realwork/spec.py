"""TechEmpower's six test types: what each asks for, shared by the apps and the checker.

The rules, as TechEmpower's framework requirements state them (read from its wiki and its
toolset's verification; nothing copied):

* ``/plaintext``: ``Hello, World!``, ``text/plain``.
* ``/json``: ``{"message": "Hello, World!"}``, serialised for each request, ``application/json``.
* ``/db``: one row of ``World`` (ids 1..10,000, picked at random) as ``{"id", "randomNumber"}``.
* ``/queries?queries=N``: a JSON array of N such rows, one query each. N is clamped to 1..500;
  a missing, empty or non-integer value counts as 1.
* ``/fortunes``: every row of ``Fortune``, plus ``(0, "Additional fortune added at request
  time.")`` made during the request, sorted by message in code, rendered by a template engine
  that escapes (one message is a ``<script>`` tag, one is Japanese), ``text/html;
  charset=utf-8``.
* ``/updates?queries=N``: N rows read one query each, each given a new random number 1..10,000,
  written back (a batch of updates per request is allowed); the rows as JSON.

Every answer carries ``Server``, ``Date`` and ``Content-Length``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ADDED_FORTUNE",
    "HELLO",
    "MAX_QUERIES",
    "TEMPLATE",
    "TEMPLATES",
    "TYPES",
    "TestType",
    "queries_count",
]

HELLO = "Hello, World!"
ADDED_FORTUNE = (0, "Additional fortune added at request time.")
MAX_QUERIES = 500

#: The fortunes template (Jinja2; every app renders it with autoescaping on).
TEMPLATES = Path(__file__).resolve().parent / "apps" / "templates"
TEMPLATE = "fortunes.html"


def queries_count(raw: str | bytes | None) -> int:
    """The ``queries`` parameter as TechEmpower wants it: an int clamped to 1..500, else 1."""
    if isinstance(raw, bytes):
        raw = raw.decode("latin-1")
    try:
        value = int(raw) if raw is not None else 1
    except ValueError:
        return 1
    return min(max(value, 1), MAX_QUERIES)


@dataclass(frozen=True)
class TestType:
    """One test type: its path, the content type it must answer with, and its load target."""

    name: str
    path: str
    content_type: str
    #: The ``queries`` value used under load (TechEmpower's headline figure uses 20).
    queries: int | None = None
    database: bool = True

    @property
    def target(self) -> str:
        """The request target wrk loads."""
        return self.path if self.queries is None else f"{self.path}?queries={self.queries}"


TYPES: dict[str, TestType] = {
    t.name: t
    for t in (
        TestType("plaintext", "/plaintext", "text/plain", database=False),
        TestType("json", "/json", "application/json", database=False),
        TestType("db", "/db", "application/json"),
        TestType("queries", "/queries", "application/json", queries=20),
        TestType("fortunes", "/fortunes", "text/html; charset=utf-8"),
        TestType("updates", "/updates", "application/json", queries=20),
    )
}
