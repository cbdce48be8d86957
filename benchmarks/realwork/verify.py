"""The verification step: every app's answers checked before anything is timed.

For each test type an app serves: the status, the ``Server``, ``Date`` and ``Content-Length``
headers (the length equal to the body's), the content type, and the body: the JSON object or
array with the right keys and ranges, the array length for every ``queries`` value
(TechEmpower's cases: missing, empty, ``foo``, ``0``, ``501``...), and the fortunes page
compared with the expected page after parsing both (so any correct escaping passes, and a
``<script>`` left unescaped does not). Then the number of statements the database ran for a
few requests of each type, counted by PostgreSQL itself (``database.QueryCounter``), and, for
``updates``, that the rows really changed. A check returns a list of problems; empty means
the app is right. An app with any problem posts no figure.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from .database import FORTUNES, WORLD_ROWS, QueryCounter, QueryCounts
from .spec import ADDED_FORTUNE, HELLO, MAX_QUERIES, TYPES

__all__ = [
    "QUERY_CASES",
    "Answer",
    "check_answer",
    "check_counts",
    "expected_fortune_tokens",
    "fortune_tokens",
    "verify_app",
]

#: ``queries`` values to try and the number of rows each must give.
QUERY_CASES: tuple[tuple[str, int], ...] = (
    ("", 1),
    ("?queries=", 1),
    ("?queries=foo", 1),
    ("?queries=0", 1),
    ("?queries=-3", 1),
    ("?queries=1", 1),
    ("?queries=7", 7),
    ("?queries=20", 20),
    ("?queries=501", MAX_QUERIES),
)
#: Requests per type whose statements are counted, and the ``queries`` value they use.
COUNTED_REQUESTS = 5
COUNTED_QUERIES = 20

CONTENT_TYPES = {
    "text/plain": r"^text/plain(; ?charset=(utf|UTF)-8)?$",
    "application/json": r"^application/json(; ?charset=(utf|UTF)-8)?$",
    "text/html; charset=utf-8": r"^text/html; ?charset=(utf|UTF)-8$",
}


@dataclass(frozen=True)
class Answer:
    """An HTTP answer as received: status, headers (names as sent) and body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def check_headers(answer: Answer, content_type: str) -> list[str]:
    """Status 200, ``Server``, a valid ``Date``, ``Content-Length`` matching the body, type."""
    problems = [] if answer.status == 200 else [f"status {answer.status}"]
    if not answer.header("Server"):
        problems.append("no Server header")
    date = answer.header("Date")
    if not date:
        problems.append("no Date header")
    elif email.utils.parsedate_tz(date) is None:
        problems.append(f"Date header not an HTTP date: {date!r}")
    length = answer.header("Content-Length")
    if length is None:
        problems.append("no Content-Length header")
    elif length.strip() != str(len(answer.body)):
        problems.append(f"Content-Length {length} but the body has {len(answer.body)} bytes")
    kind = answer.header("Content-Type") or ""
    if not re.match(CONTENT_TYPES[content_type], kind):
        problems.append(f"Content-Type {kind!r}, expected {content_type}")
    return problems


def _json(body: bytes) -> tuple[Any, list[str]]:
    try:
        return json.loads(body), []
    except ValueError as exc:
        return None, [f"not JSON ({exc}): {body[:80]!r}"]


def check_world(item: Any) -> list[str]:
    """One ``{"id": 1..10000, "randomNumber": 1..10000}`` object, nothing else."""
    if not isinstance(item, dict):
        return [f"expected a JSON object, got {str(item)[:40]}"]
    if set(item) != {"id", "randomNumber"}:
        return [f"keys {sorted(item)}, expected ['id', 'randomNumber']"]
    problems = []
    for key in ("id", "randomNumber"):
        value = item[key]
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= WORLD_ROWS:
            problems.append(f"{key} = {value!r}, expected an integer 1..{WORLD_ROWS}")
    return problems


def check_worlds(body: bytes, expected: int) -> list[str]:
    """A JSON array of ``expected`` world objects."""
    data, problems = _json(body)
    if problems:
        return problems
    if not isinstance(data, list):
        return ["expected a JSON array"]
    if len(data) != expected:
        problems.append(f"{len(data)} rows, expected {expected}")
    for item in data[:MAX_QUERIES]:
        found = check_world(item)
        if found:
            return problems + found
    return problems


class _Tokens(HTMLParser):
    """The page as a list of tags and non-blank texts (character references resolved)."""

    IGNORED = {"thead", "tbody"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.tokens.append(f"<!{decl.lower()}>")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.IGNORED:
            self.tokens.append(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.IGNORED:
            self.tokens.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.tokens.append(data.strip())


def fortune_tokens(html: str) -> list[str]:
    """The tokens of a fortunes page; an unescaped ``<script>`` shows up as a tag."""
    parser = _Tokens()
    parser.feed(html)
    parser.close()
    return parser.tokens


def expected_fortune_tokens() -> list[str]:
    """The tokens of the right page: the 12 rows and the added one, sorted by message."""
    rows = sorted([*FORTUNES, ADDED_FORTUNE], key=lambda row: row[1])
    tokens = ["<!doctype html>", "<html>", "<head>", "<title>", "Fortunes", "</title>"]
    tokens += ["</head>", "<body>", "<table>", "<tr>", "<th>", "id", "</th>", "<th>"]
    tokens += ["message", "</th>", "</tr>"]
    for number, message in rows:
        tokens += ["<tr>", "<td>", str(number), "</td>", "<td>", message, "</td>", "</tr>"]
    return [*tokens, "</table>", "</body>", "</html>"]


def check_fortunes(body: bytes) -> list[str]:
    try:
        page = body.decode("utf-8")
    except UnicodeDecodeError:
        return ["the fortunes page is not UTF-8"]
    found, expected = fortune_tokens(page), expected_fortune_tokens()
    if found == expected:
        return []
    first = next(
        (i for i, (a, b) in enumerate(zip(found, expected, strict=False)) if a != b),
        min(len(found), len(expected)),
    )
    got = found[first] if first < len(found) else "(end)"
    want = expected[first] if first < len(expected) else "(end)"
    return [f"fortunes page differs at token {first}: {got!r}, expected {want!r}"]


def check_answer(type_name: str, answer: Answer, rows: int = 1) -> list[str]:
    """Every check of one answer of ``type_name`` (``rows``: the array length for
    ``queries`` and ``updates``)."""
    test = TYPES[type_name]
    problems = check_headers(answer, test.content_type)
    if type_name == "plaintext" and answer.body != HELLO.encode():
        problems.append(f"body {answer.body[:40]!r}, expected {HELLO!r}")
    elif type_name == "json":
        data, found = _json(answer.body)
        if not found and data != {"message": HELLO}:
            found = [f"body {data!r}, expected {{'message': {HELLO!r}}}"]
        problems += found
    elif type_name == "db":
        data, found = _json(answer.body)
        problems += found or check_world(data)
    elif type_name in ("queries", "updates"):
        problems += check_worlds(answer.body, rows)
    elif type_name == "fortunes":
        problems += check_fortunes(answer.body)
    return problems


def check_counts(type_name: str, counts: QueryCounts, requests: int, queries: int) -> list[str]:
    """The statements PostgreSQL ran for ``requests`` answers of ``type_name`` (each with
    ``queries`` rows for ``queries``/``updates``). Reads must match exactly (one query per
    row); an update may be batched, but every row must be written."""
    expected = {
        "plaintext": QueryCounts(),
        "json": QueryCounts(),
        "db": QueryCounts(world_selects=requests, world_select_rows=requests),
        "queries": QueryCounts(
            world_selects=requests * queries, world_select_rows=requests * queries
        ),
        "fortunes": QueryCounts(fortune_selects=requests),
    }.get(type_name)
    got = (
        counts.world_selects,
        counts.world_select_rows,
        counts.fortune_selects,
        counts.world_updated_rows,
    )
    if expected is not None:
        want = (
            expected.world_selects,
            expected.world_select_rows,
            expected.fortune_selects,
            expected.world_updated_rows,
        )
        if got != want or counts.world_updates:
            return [f"database counted {_describe(counts)}; expected {_describe(expected)}"]
        return []
    rows = requests * queries
    problems = []
    if counts.world_selects != rows or counts.world_select_rows != rows:
        problems.append(f"{counts.world_selects} World reads for {rows} rows")
    if counts.world_updated_rows != rows:
        problems.append(f"{counts.world_updated_rows} World rows written, expected {rows}")
    if not requests <= counts.world_updates <= rows:
        problems.append(f"{counts.world_updates} UPDATE statements for {requests} requests")
    if counts.fortune_selects:
        problems.append(f"{counts.fortune_selects} Fortune reads")
    return problems


def _describe(counts: QueryCounts) -> str:
    return (
        f"{counts.world_selects} World reads ({counts.world_select_rows} rows), "
        f"{counts.world_updates} World updates ({counts.world_updated_rows} rows), "
        f"{counts.fortune_selects} Fortune reads"
    )


def fetch(port: int, target: str, timeout: float = 15.0) -> Answer:
    """One GET over HTTP/1.1 on 127.0.0.1."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", target)
        response = connection.getresponse()
        return Answer(response.status, response.getheaders(), response.read())
    finally:
        connection.close()


Fetch = Callable[[str], Answer]


def _answers(get: Fetch, types: tuple[str, ...]) -> list[str]:
    problems = []
    for name in types:
        path = TYPES[name].path
        cases = QUERY_CASES if name in ("queries", "updates") else (("", 1),)
        for suffix, rows in cases:
            found = check_answer(name, get(path + suffix), rows)
            problems += [f"{path + suffix}: {problem}" for problem in found]
    return problems


def _counted(get: Fetch, counter: QueryCounter, name: str) -> list[str]:
    test = TYPES[name]
    queries = COUNTED_QUERIES if test.queries is not None else 1
    target = test.path + (f"?queries={queries}" if test.queries is not None else "")
    before = counter.world() if name == "updates" else {}
    counter.reset()
    for _ in range(COUNTED_REQUESTS):
        get(target)
    problems = check_counts(name, counter.read(), COUNTED_REQUESTS, queries)
    if name == "updates":
        after = counter.world()
        changed = sum(1 for key, value in after.items() if before.get(key) != value)
        if changed < 0.9 * COUNTED_REQUESTS * queries:
            problems.append(f"only {changed} World rows changed in the database")
    return [f"{target} x{COUNTED_REQUESTS}: {problem}" for problem in problems]


def verify_app(port: int, types: tuple[str, ...], counter: QueryCounter | None) -> list[str]:
    """Every check for an app on ``port``: its answers, then (with a counter) the statements
    the database ran for them. Returns the problems found, none when the app is right."""

    def get(target: str) -> Answer:
        return fetch(port, target)

    try:
        problems = _answers(get, types)
        if counter is not None:
            for name in types:
                problems += _counted(get, counter, name)
    except (OSError, http.client.HTTPException) as exc:
        problems = [f"{type(exc).__name__}: {exc}"]
    return problems


def quick_check(port: int, types: tuple[str, ...]) -> list[str]:
    """One checked answer per type (before each later round's timings)."""
    problems = []
    try:
        for name in types:
            test = TYPES[name]
            found = check_answer(name, fetch(port, test.target), test.queries or 1)
            problems += [f"{test.target}: {problem}" for problem in found]
    except (OSError, http.client.HTTPException) as exc:
        problems = [f"{type(exc).__name__}: {exc}"]
    return problems
