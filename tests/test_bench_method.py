"""The benchmark's method: batches timed while the machine ran slow do not count; HTTP rounds."""

from __future__ import annotations

from typing import Any

from benchmarks.apps import by_name
from benchmarks.inprocess import MIN_KEPT, SPEED_TOLERANCE, Pair, reference_ns
from benchmarks.report import Times
from benchmarks.scenarios import by_name as scenarios_by_name


def _pair(samples: list[float], readings: list[float]) -> Pair:
    pair = Pair(by_name(["tumbler"])[0], scenarios_by_name(["hello"])[0])
    pair.samples_ns, pair.reference_ns = list(samples), list(readings)
    return pair


def test_batches_timed_in_a_slow_spell_do_not_count() -> None:
    # Five fast batches of 1000 ns and three of 1600 ns, timed while the reference ran 1.6x slow.
    pair = _pair(
        [1000, 1600, 1010, 1600, 990, 1600, 1000, 1005], [100, 160, 101, 160, 99, 158, 100, 102]
    )
    pair.select(99)
    assert pair.kept == [True, False, True, False, True, False, True, True]
    assert pair.median_ns == 1000
    assert pair.as_json()["counted"] == pair.kept
    assert not pair.warning


def test_readings_within_the_tolerance_count() -> None:
    edge = 100 * (1 + SPEED_TOLERANCE)
    pair = _pair([1.0, 2.0, 3.0, 4.0], [100, edge, edge + 1, 100])
    pair.select(100)
    assert pair.kept == [True, True, False, True]


def test_too_few_normal_batches_keep_all_with_a_warning() -> None:
    samples = [1000.0, 1600.0, 1600.0, 1600.0]
    pair = _pair(samples, [100, 160, 160, 160])
    pair.select(100)
    assert MIN_KEPT > 1
    assert pair.kept == [True] * 4
    assert pair.median_ns == 1600
    assert "ran slow" in pair.warning


def _row(framework: str, samples: list[float], counted: list[bool] | None) -> dict[str, Any]:
    kept = counted or [True] * len(samples)
    median = sorted(x for x, k in zip(samples, kept, strict=True) if k)
    return {
        "framework": framework,
        "scenario": "hello",
        "status": "ok",
        "samples_ns_per_request": samples,
        "counted": counted,
        "median_ns_per_request": median[len(median) // 2],
    }


def test_per_round_ratios_use_rounds_where_both_sides_count() -> None:
    a = [2000.0, 9000.0, 2000.0, 2000.0, 2000.0]
    b = [1000.0, 1000.0, 1000.0, 9000.0, 1000.0]
    data = {
        "inprocess": {
            "results": [
                _row("a", a, [True, False, True, True, True]),
                _row("b", b, [True, True, True, False, True]),
            ]
        }
    }
    times = Times(data)
    assert times.paired("a", "b", "hello") == 2.0  # rounds 2 and 4 left out
    assert times.counted_share() == 0.8
    # Results written before the filter existed: every sample counts.
    old = {"inprocess": {"results": [_row("a", a, None), _row("b", b, None)]}}
    assert Times(old).counted_share() == 1.0


def test_the_reference_loop_takes_a_measurable_time() -> None:
    readings = [reference_ns() for _ in range(3)]
    assert all(r > 0 for r in readings)


def test_http_rounds_are_combined_into_medians_and_a_failed_round_fails() -> None:
    from benchmarks.httpbench import HTTPResult, combine

    def run(rps: float, p99: float) -> HTTPResult:
        figures = {
            "requests_per_second": rps,
            "p50_ms": p99 / 2,
            "p99_ms": p99,
            "requests": 100,
            "non_2xx_3xx": 0,
            "socket_errors": "",
        }
        return HTTPResult("uvicorn", "tumbler-asgi", "hello", figures=figures)

    combined = combine([run(9000, 5.0), run(5000, 20.0), run(8000, 6.0)])
    assert combined.status == "ok"
    assert combined.figures is not None
    assert combined.figures["requests_per_second"] == 8000
    assert combined.figures["p99_ms"] == 6.0
    assert combined.figures["requests"] == 300
    assert [r["requests_per_second"] for r in combined.as_json()["runs"]] == [9000, 5000, 8000]
    broken = HTTPResult("uvicorn", "tumbler-asgi", "hello", status="FAILED", error="wrong body")
    failed = combine([run(9000, 5.0), broken])
    assert (failed.status, failed.error, failed.figures) == ("FAILED", "wrong body", None)
