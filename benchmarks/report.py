"""latest.json in, Markdown and the issue's target checks out.

Everything here reads the stored results (the dict saved as latest.json), so the report can
be rebuilt from a file, and a partial run (``--http`` only, say) re-renders with the other
sections of the previous run.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .machine import one_line

__all__ = ["Target", "Times", "markdown", "targets"]

WSGI_ORDER = ("tumbler", "flask", "falcon", "bottle", "bare-wsgi")
ASGI_ORDER = (
    "tumbler-asgi",
    "tumbler-asgi-loop",
    "tumbler-asgi-async",
    "quart",
    "starlette",
    "starlette-sync",
    "falcon-asgi",
    "bare-asgi",
)
FLOOR = {"wsgi": "bare-wsgi", "asgi": "bare-asgi"}
MEMORY_LIMIT_BYTES = 5_000_000


class Times:
    """Median µs/request and status per (framework, scenario) from the in-process section."""

    def __init__(self, data: dict[str, Any]) -> None:
        section = data.get("inprocess") or {}
        self.rows: dict[tuple[str, str], dict[str, Any]] = {
            (r["framework"], r["scenario"]): r for r in section.get("results", [])
        }
        self.scenarios: list[str] = list(dict.fromkeys(s for _, s in self.rows))
        self.frameworks: list[str] = list(dict.fromkeys(f for f, _ in self.rows))

    def us(self, framework: str, scenario: str) -> float | None:
        row = self.rows.get((framework, scenario))
        if not row or row["status"] != "ok" or row["median_ns_per_request"] is None:
            return None
        return float(row["median_ns_per_request"]) / 1000

    def ratio(self, numerator: str, denominator: str, scenario: str) -> float | None:
        a, b = self.us(numerator, scenario), self.us(denominator, scenario)
        return a / b if a is not None and b else None

    def paired(self, numerator: str, denominator: str, scenario: str) -> float | None:
        """The median over rounds of the two pairs' ratio in that round.

        Every round times every pair once, so sample ``i`` of each comes from round ``i``,
        minutes apart at most: a slow spell of a shared machine that covers some rounds
        moves both sides of these ratios, while it can move one median more than the other.
        """
        if self.us(numerator, scenario) is None or self.us(denominator, scenario) is None:
            return None
        a, keep_a = _samples(self.rows[(numerator, scenario)])
        b, keep_b = _samples(self.rows[(denominator, scenario)])
        if len(a) != len(b):
            return None
        ratios = [x / y for x, y, i, j in zip(a, b, keep_a, keep_b, strict=True) if y and i and j]
        return statistics.median(ratios) if len(ratios) >= 3 else None

    def cell(self, framework: str, scenario: str) -> str:
        row = self.rows.get((framework, scenario))
        if row is None:
            return "-"
        if row["status"] == "skipped":
            return "skipped"
        if row["status"] != "ok":
            return "**FAILED**"
        value = self.us(framework, scenario)
        return _us(value) if value is not None else "-"

    def counted_share(self) -> float | None:
        """The share of all timed batches that count (taken at normal speed)."""
        total = counted = 0
        for row in self.rows.values():
            _, kept = _samples(row)
            total += len(kept)
            counted += sum(kept)
        return counted / total if total else None

    def spread(self) -> float | None:
        """The median over pairs of IQR / median of the rounds: how noisy the run was."""
        spreads = []
        for row in self.rows.values():
            all_samples, kept = _samples(row)
            samples = [x for x, keep in zip(all_samples, kept, strict=True) if keep]
            if row["status"] == "ok" and len(samples) >= 4 and row["median_ns_per_request"]:
                low, _, high = statistics.quantiles(samples, n=4)
                spreads.append((high - low) / row["median_ns_per_request"])
        return statistics.median(spreads) if spreads else None


def _samples(row: dict[str, Any]) -> tuple[list[float], list[bool]]:
    """A pair's samples and which of them count (all, in results from before the filter)."""
    samples = row.get("samples_ns_per_request") or []
    counted = row.get("counted") or []
    return samples, counted if len(counted) == len(samples) else [True] * len(samples)


def _us(value: float) -> str:
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _x(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}x" if value >= 10 else f"{value:.2f}x"


@dataclass(frozen=True)
class Target:
    """One of the issue's performance targets and whether the latest figures meet it."""

    name: str
    status: str  # "PASS", "FAIL" or "N/A"
    detail: str

    def line(self) -> str:
        return f"{self.status}: {self.name} ({self.detail})"


def _compare(
    name: str,
    value: float | None,
    limit: float,
    ok: Callable[[float, float], bool],
    what: str,
    paired: float | None = None,
) -> Target:
    """Judged on ``value``, the ratio of the medians; ``paired`` is shown beside it."""
    if value is None:
        return Target(name, "N/A", f"{what}: no figure (skipped or FAILED)")
    detail = f"{what} = {value:.2f}"
    if paired is not None:
        detail += f"; per round: {paired:.2f}"
    return Target(name, "PASS" if ok(value, limit) else "FAIL", detail)


def _ratio_target(
    t: Times,
    name: str,
    pair: tuple[str, str, str],
    limit: float,
    ok: Callable[[float, float], bool],
) -> Target:
    numerator, denominator, scenario = pair
    return _compare(
        name,
        t.ratio(numerator, denominator, scenario),
        limit,
        ok,
        f"{numerator} ÷ {denominator}",
        t.paired(numerator, denominator, scenario),
    )


def _at_most(a: float, b: float) -> bool:
    return a <= b


def _at_least(a: float, b: float) -> bool:
    return a >= b


def targets(data: dict[str, Any]) -> list[Target]:
    """The issue's target checks, computed from the stored medians and the memory figures."""
    t = Times(data)
    result = [
        _ratio_target(
            t, "WSGI hello: tumbler ≤ Falcon", ("tumbler", "falcon", "hello"), 1.0, _at_most
        ),
        _ratio_target(
            t,
            "WSGI seed_nocookie: tumbler ≥ 10x faster than Flask",
            ("flask", "tumbler", "seed_nocookie"),
            10.0,
            _at_least,
        ),
    ]
    for scenario in ("hello", "seed_nocookie", "seed_cookie"):
        result.append(
            _ratio_target(
                t,
                f"ASGI {scenario} (sync views on threads): tumbler ≤ Starlette def endpoints",
                ("tumbler-asgi", "starlette-sync", scenario),
                1.0,
                _at_most,
            )
        )
        result.append(
            _ratio_target(
                t,
                f"ASGI {scenario} (async views): tumbler ≤ Falcon ASGI",
                ("tumbler-asgi-async", "falcon-asgi", scenario),
                1.0,
                _at_most,
            )
        )
        result.append(
            _ratio_target(
                t,
                f"ASGI {scenario} (async views): tumbler ≥ 20x faster than Quart",
                ("quart", "tumbler-asgi-async", scenario),
                20.0,
                _at_least,
            )
        )
    result.append(_async_target(t))
    result.append(
        _compare(
            "routes_1000_static within 10% of routes_10_static (tumbler WSGI)",
            _between(t, "tumbler", "routes_1000_static", "routes_10_static"),
            1.10,
            _at_most,
            "1000 ÷ 10",
        )
    )
    result.append(
        _compare(
            "routes_1000_dynamic ≤ 2x routes_10_dynamic (tumbler WSGI)",
            _between(t, "tumbler", "routes_1000_dynamic", "routes_10_dynamic"),
            2.0,
            _at_most,
            "1000 ÷ 10",
        )
    )
    result.extend(_memory_targets(data))
    return result


def _between(t: Times, framework: str, a: str, b: str) -> float | None:
    x, y = t.us(framework, a), t.us(framework, b)
    return x / y if x is not None and y else None


def _async_target(t: Times) -> Target:
    name = "ASGI async views within 1.3x of ASGI sync views (each scenario)"
    ratios = {s: t.ratio("tumbler-asgi-async", "tumbler-asgi", s) for s in t.scenarios}
    known = {s: r for s, r in ratios.items() if r is not None}
    if not known:
        return Target(name, "N/A", "no figures")
    over = [f"{s} {r:.2f}" for s, r in known.items() if r > 1.3]
    worst = max(known, key=lambda s: known[s])
    missing = [s for s, r in ratios.items() if r is None]
    detail = f"async ÷ sync, worst {worst} = {known[worst]:.2f}"
    paired = {s: t.paired("tumbler-asgi-async", "tumbler-asgi", s) for s in known}
    shown = {s: r for s, r in paired.items() if r is not None}
    if shown:
        top = max(shown, key=lambda s: shown[s])
        detail += f"; per round, worst {top} = {shown[top]:.2f}"
    if over:
        detail += f"; over 1.3: {', '.join(over)}"
    if missing:
        detail += f"; no figure: {', '.join(missing)}"
    status = "FAIL" if over else ("N/A" if missing else "PASS")
    return Target(name, status, detail)


def _memory_targets(data: dict[str, Any]) -> list[Target]:
    rows = (data.get("memory") or {}).get("results", [])
    if not rows:
        return [Target("Memory growth < 5 MB", "N/A", "memory step not run")]
    found = []
    for row in rows:
        name = f"Memory growth < 5 MB ({row['framework']} {row['scenario']})"
        if row.get("error") or "growth_kib" not in row:
            found.append(Target(name, "N/A", f"not measured: {row.get('error')}"))
            continue
        growth = row["growth_kib"] * 1024
        found.append(
            Target(
                name,
                "PASS" if growth < MEMORY_LIMIT_BYTES else "FAIL",
                f"{growth / 1e6:.2f} MB after {row['requests']:,} requests",
            )
        )
    return found


# Markdown --------------------------------------------------------------------------------------


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|---|" + "|".join("---:" for _ in header[1:]) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _present(t: Times, order: tuple[str, ...]) -> list[str]:
    return [f for f in order if f in t.frameworks]


def inprocess_markdown(data: dict[str, Any]) -> list[str]:
    section = data.get("inprocess")
    if not section:
        return ["_In-process step not run._"]
    t = Times(data)
    config = section["config"]
    lines = [
        f"Median µs per request over {config['rounds']} interleaved rounds "
        f"(~{config['batch_seconds']} s per batch); lower is better. Measured {section['date']}.",
        "",
    ]
    reference = config.get("speed_reference")
    share = t.counted_share()
    if reference and share is not None:
        lines += [
            f"Only batches run at the machine's normal speed count: a reference loop "
            f"(fastest {reference['fastest_ns'] / 1e6:.2f} ms) was timed before and after each "
            f"batch, and {share:.0%} of the batches had both readings within "
            f"{reference['tolerance']:.0%} of its fastest. Every sample is in the JSON.",
            "",
        ]
    for label, order in (("WSGI", WSGI_ORDER), ("ASGI", ASGI_ORDER)):
        present = _present(t, order)
        if not present:
            continue
        lines += [f"### {label}", ""]
        rows = [[s] + [t.cell(f, s) for f in present] for s in t.scenarios]
        lines += [*_table(["scenario", *present], rows), ""]
    lines += _ratio_markdown(t)
    spread = t.spread()
    if spread is not None:
        lines += [
            f"Noise: the median over pairs of the rounds' interquartile range ÷ median "
            f"was {spread:.0%}.",
            "",
        ]
    notes = [f"`{f['name']}`: {f['note']}" for f in section["frameworks"] if f.get("note")]
    if notes:
        lines += ["How each is written: " + "; ".join(notes) + ".", ""]
    for name, error in section.get("skipped", {}).items():
        lines += [f"- skipped **{name}**: {error}"]
    failed = [r for r in section["results"] if r["status"] == "FAILED"]
    for row in failed:
        lines += [f"- **FAILED** {row['framework']}/{row['scenario']}: {row['error']}"]
    warned = [r for r in section["results"] if r.get("warning")]
    for row in warned:
        lines += [f"- **Note** {row['framework']}/{row['scenario']}: {row['warning']}"]
    if failed or warned or section.get("skipped"):
        lines.append("")
    return lines


def _ratio_markdown(t: Times) -> list[str]:
    lines = [
        "### Ratios",
        "",
        "`peer ÷ tumbler` > 1 means tumbler is faster; `tumbler ÷ floor` is how many times "
        "the bare callable's time tumbler takes.",
        "",
    ]
    wsgi_peers = [f for f in ("flask", "falcon", "bottle") if f in t.frameworks]
    if "tumbler" in t.frameworks:
        header = ["scenario", *[f"{p} ÷ tumbler" for p in wsgi_peers], "tumbler ÷ floor"]
        rows = [
            [s]
            + [_x(t.ratio(p, "tumbler", s)) for p in wsgi_peers]
            + [_x(t.ratio("tumbler", "bare-wsgi", s))]
            for s in t.scenarios
        ]
        lines += ["WSGI:", "", *_table(header, rows), ""]
    asgi_peers = [f for f in ("quart", "starlette", "falcon-asgi") if f in t.frameworks]
    if "tumbler-asgi" in t.frameworks:
        header = [
            "scenario",
            *[f"{p} ÷ tumbler-asgi" for p in asgi_peers],
            "tumbler-asgi ÷ floor",
            "async ÷ sync",
            *[f"{p} ÷ async" for p in asgi_peers],
        ]
        rows = [
            [s]
            + [_x(t.ratio(p, "tumbler-asgi", s)) for p in asgi_peers]
            + [_x(t.ratio("tumbler-asgi", "bare-asgi", s))]
            + [_x(t.ratio("tumbler-asgi-async", "tumbler-asgi", s))]
            + [_x(t.ratio(p, "tumbler-asgi-async", s)) for p in asgi_peers]
            for s in t.scenarios
        ]
        lines += ["ASGI (tumbler-asgi: sync views; async: `async def` views):", ""]
        lines += [*_table(header, rows), ""]
    return lines


def memory_markdown(data: dict[str, Any]) -> list[str]:
    section = data.get("memory")
    if not section:
        return ["_Memory step not run._"]
    header = ["app", "requests", "RSS after warm-up", "RSS after", "growth", "peak growth", "time"]
    rows = []
    for r in section["results"]:
        if r.get("error") and "growth_kib" not in r:
            rows.append(
                [f"{r['framework']} {r['scenario']}", "**FAILED**", r["error"], "", "", "", ""]
            )
            continue
        rows.append(
            [
                f"{r['framework']} {r['scenario']}",
                f"{r['requests']:,}",
                f"{r['baseline_rss_kib'] / 1024:.1f} MiB",
                f"{r['final_rss_kib'] / 1024:.1f} MiB",
                f"{r['growth_kib'] * 1024 / 1e6:.2f} MB",
                f"{r['peak_growth_kib'] * 1024 / 1e6:.2f} MB",
                f"{r['seconds']:.0f} s",
            ]
        )
    return [
        f"VmRSS of a fresh process after a {section['warmup']:,}-request warm-up, then after "
        f"the requests and a `gc.collect()`. Measured {section['date']}.",
        "",
        *_table(header, rows),
        "",
    ]


def http_markdown(data: dict[str, Any]) -> list[str]:
    section = data.get("http")
    if not section:
        return ["_HTTP step not run._"]
    env = section["environment"]
    if env.get("problem"):
        return [f"_HTTP step skipped: {env['problem']}._"]
    results = section["results"]
    columns = list(dict.fromkeys((r["server"], r["framework"]) for r in results))
    scenarios = list(dict.fromkeys(r["scenario"] for r in results))
    by_key = {(r["server"], r["framework"], r["scenario"]): r for r in results}
    rows = []
    for scenario in scenarios:
        row = [scenario]
        for server, framework in columns:
            r = by_key.get((server, framework, scenario))
            if r is None:
                row.append("-")
            elif r["status"] != "ok":
                row.append("**FAILED**")
            else:
                row.append(f"{r['requests_per_second']:,.0f} · {r['p99_ms']:.1f} ms")
        rows.append(row)
    header = ["scenario", *[f"{s}: {f}" for s, f in columns]]
    lines = [
        f"Requests/s · p99 latency: medians over {section.get('rounds', 1)} run(s) of each, "
        f"in shuffled rounds. {env['wrk']}, `wrk {env['wrk_args']}`, "
        f"{section['seconds']:g} s per run; {env['pinning']}. gunicorn: {env['gunicorn']} "
        f"(no keep-alive: a new connection per request). uvicorn: {env['uvicorn']}. "
        f"Measured {section['date']}.",
        "",
        *_table(header, rows),
        "",
    ]
    for r in results:
        if r["status"] != "ok":
            lines.append(
                f"- **FAILED** {r['server']} {r['framework']} {r['scenario']}: {r['error']}"
            )
    return lines


def markdown(data: dict[str, Any], chart_name: str | None) -> str:
    """latest.md: machine, targets, in-process tables and ratios, memory, HTTP, chart."""
    machine = data["machine"]
    packages = ", ".join(f"{k} {v}" for k, v in machine["packages"].items())
    lines = [
        "# tumbler benchmarks: latest run",
        "",
        f"Machine: {one_line(machine)}; load average at start {machine['load_average']}. "
        f"tumbler revision {machine['tumbler_revision']}.",
        "",
        f"Packages: {packages}.",
        "",
        "## Targets",
        "",
        *[f"- {target.line()}" for target in targets(data)],
        "",
        "## In-process",
        "",
        *inprocess_markdown(data),
        "## Memory",
        "",
        *memory_markdown(data),
        "## HTTP on loopback (wrk)",
        "",
        *http_markdown(data),
    ]
    if chart_name:
        lines += ["", f"![chart]({chart_name})", ""]
    return "\n".join(lines).rstrip() + "\n"
