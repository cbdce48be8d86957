"""The real-work benchmark's logic (benchmarks/realwork/): no PostgreSQL, no timings.

The parameter clamping, the statement counting, every verification check (against good
answers and against wrong ones), the combining of rounds and the target lines. One live test
serves the bare WSGI floor with the standard library's server on 127.0.0.1 and verifies it
over HTTP, and checks that a wrong app is caught the same way.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from benchmarks.realwork.apps.bare import bare_wsgi
from benchmarks.realwork.apps.registry import APPS
from benchmarks.realwork.database import FORTUNES, QueryCounts, count_statements
from benchmarks.realwork.report import Figures, target_lines, targets
from benchmarks.realwork.run import Options, Pair, cells, combine, pairs
from benchmarks.realwork.spec import ADDED_FORTUNE, TYPES, queries_count
from benchmarks.realwork.verify import (
    Answer,
    check_answer,
    check_counts,
    expected_fortune_tokens,
    fortune_tokens,
    verify_app,
)

DATE = "Wed, 02 Dec 2026 13:00:00 GMT"


# queries=N -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, 1),
        ("", 1),
        ("foo", 1),
        ("1.5", 1),
        ("0", 1),
        ("-3", 1),
        ("1", 1),
        ("20", 20),
        ("500", 500),
        ("501", 500),
        ("100000", 500),
        (b"7", 7),
    ],
)
def test_queries_count_clamps_to_1_500_and_bad_values_count_as_1(raw: Any, expected: int) -> None:
    assert queries_count(raw) == expected


def test_load_targets_use_twenty_queries() -> None:
    assert TYPES["queries"].target == "/queries?queries=20"
    assert TYPES["updates"].target == "/updates?queries=20"
    assert TYPES["db"].target == "/db"


# Statement counting --------------------------------------------------------------------------


def test_count_statements_sums_by_table_and_kind() -> None:
    rows = [
        ("SELECT id, randomNumber FROM World WHERE id = $1", 40, 40),
        ("select id, randomnumber from world where id = %s", 10, 10),
        ("UPDATE World SET randomNumber = $1 WHERE id = $2", 20, 20),
        ("SELECT id, message FROM Fortune", 3, 36),
        ("SELECT pg_stat_statements_reset()", 1, 1),
        ("BEGIN", 5, 0),
        ("RESET ALL", 7, 0),
    ]
    assert count_statements(rows) == QueryCounts(
        world_selects=50,
        world_select_rows=50,
        world_updates=20,
        world_updated_rows=20,
        fortune_selects=3,
        other=7,
    )


def test_count_statements_of_nothing_is_zero() -> None:
    assert count_statements([]) == QueryCounts()


@pytest.mark.parametrize(
    ("kind", "counts", "ok"),
    [
        ("db", QueryCounts(world_selects=5, world_select_rows=5), True),
        ("db", QueryCounts(world_selects=4, world_select_rows=4), False),
        ("db", QueryCounts(world_selects=5, world_select_rows=5, world_updates=1), False),
        ("queries", QueryCounts(world_selects=100, world_select_rows=100), True),
        # one query for all the rows (WHERE id IN ...) is not what the rules ask
        ("queries", QueryCounts(world_selects=5, world_select_rows=100), False),
        ("fortunes", QueryCounts(fortune_selects=5, other=9), True),
        ("fortunes", QueryCounts(fortune_selects=10), False),
        ("json", QueryCounts(), True),
        ("plaintext", QueryCounts(world_selects=1, world_select_rows=1), False),
        # updates: reads one by one, writes batched (one statement per request) or not
        ("updates", QueryCounts(100, 100, 5, 100), True),
        ("updates", QueryCounts(100, 100, 100, 100), True),
        ("updates", QueryCounts(100, 100, 0, 0), False),
        ("updates", QueryCounts(100, 100, 5, 60), False),
        ("updates", QueryCounts(5, 100, 5, 100), False),
    ],
)
def test_check_counts(kind: str, counts: QueryCounts, ok: bool) -> None:
    queries = 20 if kind in ("queries", "updates") else 1
    assert (check_counts(kind, counts, 5, queries) == []) is ok


# Answers -------------------------------------------------------------------------------------


def answer(body: bytes, content_type: str, **extra: str | None) -> Answer:
    headers = {
        "Server": "test",
        "Date": DATE,
        "Content-Type": content_type,
        "Content-Length": str(len(body)),
        **extra,
    }
    return Answer(200, [(k, v) for k, v in headers.items() if v is not None], body)


def fortunes_page(rows: list[tuple[int, str]], escape: Callable[[str], str]) -> bytes:
    cells = "".join(f"<tr><td>{i}</td><td>{escape(m)}</td></tr>" for i, m in rows)
    page = (
        "<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table>"
        f"<tr><th>id</th><th>message</th></tr>{cells}</table></body></html>"
    )
    return page.encode()


def html_escape(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )


SORTED = sorted([*FORTUNES, ADDED_FORTUNE], key=lambda row: row[1])


def test_good_answers_pass() -> None:
    world = json.dumps({"id": 12, "randomNumber": 9000}).encode()
    worlds = json.dumps([{"id": i, "randomNumber": i} for i in range(1, 8)]).encode()
    assert check_answer("plaintext", answer(b"Hello, World!", "text/plain")) == []
    assert check_answer("json", answer(b'{"message": "Hello, World!"}', "application/json")) == []
    assert check_answer("db", answer(world, "application/json; charset=utf-8")) == []
    assert check_answer("queries", answer(worlds, "application/json"), 7) == []
    assert check_answer("updates", answer(worlds, "application/json"), 7) == []
    page = fortunes_page(SORTED, html_escape)
    assert check_answer("fortunes", answer(page, "text/html; charset=utf-8")) == []


@pytest.mark.parametrize(
    ("kind", "bad", "found"),
    [
        ("plaintext", answer(b"Hello, World!", "text/plain", Server=None), "no Server"),
        ("plaintext", answer(b"Hello, World!", "text/plain", Date=None), "no Date"),
        ("plaintext", answer(b"Hello, World!", "text/plain", Date="yesterday"), "HTTP date"),
        ("plaintext", answer(b"Hello, World!", "text/plain", **{"Content-Length": None}), "no C"),
        ("plaintext", answer(b"Hello, World!", "text/plain", **{"Content-Length": "3"}), "13"),
        ("plaintext", answer(b"Hello, World!", "text/html"), "Content-Type"),
        ("plaintext", answer(b"Hello World", "text/plain"), "body"),
        ("json", answer(b'{"message": "Hello, World!", "x": 1}', "application/json"), "body"),
        ("json", answer(b"{message}", "application/json"), "not JSON"),
        ("db", answer(b'{"id": 1, "randomnumber": 2}', "application/json"), "keys"),
        ("db", answer(b'{"id": 0, "randomNumber": 2}', "application/json"), "id = 0"),
        ("db", answer(b'[{"id": 1, "randomNumber": 2}]', "application/json"), "object"),
        ("queries", answer(b'{"id": 1, "randomNumber": 2}', "application/json"), "array"),
        ("queries", answer(b'[{"id": 1, "randomNumber": 2}]', "application/json"), "1 rows"),
    ],
)
def test_wrong_answers_are_caught(kind: str, bad: Answer, found: str) -> None:
    problems = check_answer(kind, bad, 7 if kind == "queries" else 1)
    assert any(found in problem for problem in problems), problems


def test_an_unescaped_script_tag_fails_the_fortunes_check() -> None:
    page = fortunes_page(SORTED, lambda text: text)
    problems = check_answer("fortunes", answer(page, "text/html; charset=utf-8"))
    assert problems and "fortunes page differs" in problems[0]


def test_fortunes_must_be_sorted_and_include_the_added_one() -> None:
    unsorted = fortunes_page([*FORTUNES, ADDED_FORTUNE], html_escape)
    missing = fortunes_page(sorted(FORTUNES, key=lambda row: row[1]), html_escape)
    for page in (unsorted, missing):
        assert check_answer("fortunes", answer(page, "text/html; charset=utf-8"))
    page = fortunes_page(SORTED, html_escape)
    assert check_answer("fortunes", answer(page, "text/html")) != []  # charset is required


def test_fortune_tokens_accept_any_correct_escaping_and_layout() -> None:
    spaced = fortunes_page(SORTED, html_escape).decode().replace("<tr>", "\n  <tr>")
    named = spaced.replace("&#34;", "&quot;").replace("<table>", "<table><tbody>")
    assert fortune_tokens(named.replace("</table>", "</tbody></table>")) == (
        expected_fortune_tokens()
    )
    script_row = expected_fortune_tokens().index(SORTED[0][1])
    assert SORTED[0][1].startswith("<script>") and script_row > 0


# Rounds, cells, report -----------------------------------------------------------------------


def sample(
    app: str, rps: float, status: str = "ok", kind: str = "db", round: int = 0
) -> dict[str, Any]:
    return {
        "round": round,
        "server": "uvicorn",
        "app": app,
        "type": kind,
        "connections": 64,
        "status": status,
        "error": "" if status == "ok" else "boom",
        "requests_per_second": rps,
        "p50_ms": rps / 1000,
        "p99_ms": rps / 100,
    }


def test_combine_takes_medians_and_a_failed_run_or_pair_posts_no_figure() -> None:
    samples = [sample("a", 100), sample("a", 300), sample("a", 200)]
    samples += [sample("b", 100), sample("b", 100, "FAILED")]
    samples += [sample("c", 100)]
    rows = {row["app"]: row for row in combine(samples, {"uvicorn:c": ["wrong body"]})}
    assert rows["a"]["status"] == "ok" and rows["a"]["rounds"] == 3
    assert (rows["a"]["requests_per_second"], rows["a"]["p99_ms"]) == (200, 2.0)
    assert rows["b"]["status"] == "FAILED" and "requests_per_second" not in rows["b"]
    assert rows["c"]["status"] == "FAILED"


def test_cells_add_the_sweep_for_db_and_fortunes_only() -> None:
    options = Options(pairs=[], types=list(TYPES), connections=64, sweep=(16, 64, 256))
    found = {(cell.type, cell.connections) for cell in cells(APPS["tumbler"], options)}
    assert found == {(t, 64) for t in TYPES} | {
        ("db", 16),
        ("db", 256),
        ("fortunes", 16),
        ("fortunes", 256),
    }
    floor = cells(APPS["bare-asgi"], options)
    assert {(c.type, c.connections) for c in floor} == {("plaintext", 64), ("json", 64)}


def test_pairs_follow_the_issue_list() -> None:
    chosen = pairs(None, ["flask", "tumbler"])
    assert [p.key for p in chosen] == ["gunicorn:tumbler", "gunicorn:flask", "granian-wsgi:tumbler"]
    assert all(isinstance(p, Pair) for p in chosen)


def test_target_lines_say_met_short_or_no_figure() -> None:
    rows = combine(
        [
            sample("tumbler-async", 90, kind="json"),
            sample("bare-asgi", 100, kind="json"),
            sample("tumbler-async", 80, kind="plaintext"),
            sample("bare-asgi", 100, kind="plaintext"),
        ],
        {},
    )
    lines = target_lines(Figures({"rows": rows, "options": {"connections": 64}}))
    assert len(lines) == len(targets())
    assert "- MET: uvicorn json: tumbler-async within 10% of the floor" in "\n".join(lines)
    short = [line for line in lines if line.startswith("- SHORT: uvicorn plaintext")]
    assert short and "0.80, short by 11%" in short[0]
    assert any(line.startswith("- NO FIGURE: gunicorn fortunes") for line in lines)


# Live: the verification over HTTP ------------------------------------------------------------


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def serve() -> Iterator[Callable[[Any], int]]:
    servers: list[tuple[WSGIServer, threading.Thread]] = []

    def start(app: Any) -> int:
        server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return int(server.server_port)

    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.mark.live
def test_the_bare_floor_passes_verification_over_http(serve: Callable[[Any], int]) -> None:
    assert verify_app(serve(bare_wsgi()), ("plaintext", "json"), None) == []


@pytest.mark.live
def test_a_wrong_app_is_caught_over_http(serve: Callable[[Any], int]) -> None:
    floor = bare_wsgi()

    def wrong(environ: dict[str, Any], start_response: Any) -> Any:
        if environ["PATH_INFO"] == "/json":
            start_response("200 OK", [("Content-Type", "application/json")])
            # two chunks: wsgiref adds no Content-Length; the text is wrong too
            return [b'{"message": ', b'"Hello, World"}']
        return floor(environ, start_response)

    problems = verify_app(serve(wrong), ("plaintext", "json"), None)
    assert any("/json" in p and "Content-Length" in p for p in problems), problems
    assert any("/json" in p and "body" in p for p in problems), problems
    assert not any(p.startswith("/plaintext") for p in problems)


def test_profile_summary_counts_own_and_framework_time() -> None:
    from benchmarks.realwork.profiling import summarise

    collapsed = "\n".join(
        [
            "run (asyncio/events.py:80);dispatch (tumbler/asgi.py:10);dumps (json/__init__.py:2) 6",
            "run (asyncio/events.py:80);dispatch (tumbler/asgi.py:10) 2",
            "run (asyncio/events.py:80);_read (uvicorn/httptools_impl.py:5) 2",
            "garbage line",
        ]
    )
    text = summarise(collapsed)
    assert text.startswith("10 samples")
    assert " 60.0%  dumps (json/__init__.py)" in text
    assert " 80.0%  dispatch (tumbler/asgi.py)" in text.split("inclusive")[1]
    assert summarise("") == "no samples"


def test_per_round_ratio_pairs_runs_of_the_same_round() -> None:
    samples = [
        sample("tumbler-async", 100, round=0),
        sample("starlette", 50, round=0),
        sample("tumbler-async", 300, round=1),
        sample("starlette", 200, round=1),
        sample("tumbler-async", 120, round=2),
        sample("starlette", 100, round=2),
        sample("tumbler-async", 900, round=3),  # its partner's run failed: not paired
        sample("starlette", 10, "FAILED", round=3),
    ]
    data = {"rows": [], "samples": samples, "options": {"connections": 64}}
    target = next(t for t in targets() if t.theirs == "starlette" and t.kind == "db")
    assert target.paired(Figures(data)) == 1.5  # median of 2.0, 1.5, 1.2


def test_the_docs_block_is_replaced_between_its_markers_only() -> None:
    from benchmarks.realwork.cli import BEGIN, END, refresh

    page = f"intro\n{BEGIN}\nold figures\n{END}\nafter: keep $1 \\1\n"
    assert refresh(page, "new \\1 figures") == (
        f"intro\n{BEGIN}\nnew \\1 figures\n{END}\nafter: keep $1 \\1\n"
    )
    with pytest.raises(SystemExit):
        refresh("no markers here", "x")


def test_the_performance_page_has_the_real_work_block() -> None:
    from pathlib import Path

    from benchmarks.realwork.cli import BEGIN, END

    page = (Path(__file__).resolve().parent.parent / "docs" / "performance.md").read_text(
        encoding="utf-8"
    )
    assert page.count(BEGIN) == 1 and page.count(END) == 1
