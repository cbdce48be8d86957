"""realwork.json in; the tables, the target checks and the chart out.

Everything reads the stored results, so the report can be rebuilt from the file
(``python -m benchmarks.realwork --report``).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .spec import TYPES

__all__ = ["Figures", "Target", "chart", "markdown", "targets"]

FLOOR_TYPES = ("plaintext", "json")


class Figures:
    """The combined rows of a run, looked up by (server, app, type, connections)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.rows = {
            (r["server"], r["app"], r["type"], r["connections"]): r for r in data.get("rows", [])
        }
        self.connections = int(data.get("options", {}).get("connections", 64))
        found = list(dict.fromkeys((s, a) for s, a, _, _ in self.rows))
        listed = [tuple(key.split(":", 1)) for key in data.get("pairs", [])]
        #: In the run's order (the issue's list), not the shuffled order of the rounds.
        self.pairs = [p for p in listed if p in found] + [p for p in found if p not in listed]
        self.failed: dict[str, list[str]] = data.get("failed", {})
        #: Each round's requests/s: (server, app, type, connections, round) -> figure.
        self.runs = {
            (r["server"], r["app"], r["type"], r["connections"], r["round"]): float(
                r["requests_per_second"]
            )
            for r in data.get("samples", [])
            if r["status"] == "ok"
        }

    def row(self, server: str, app: str, kind: str, connections: int | None = None) -> Any:
        return self.rows.get((server, app, kind, connections or self.connections))

    def rps(self, server: str, app: str, kind: str, connections: int | None = None) -> float:
        """Requests/s, or 0.0 when there is no figure (failed or not run)."""
        row = self.row(server, app, kind, connections)
        if not row or row["status"] != "ok":
            return 0.0
        return float(row["requests_per_second"])

    def cell(self, server: str, app: str, kind: str, connections: int | None = None) -> str:
        row = self.row(server, app, kind, connections)
        if row is None:
            return ""
        if row["status"] != "ok":
            return "FAILED"
        return f"{row['requests_per_second']:,.0f} · {row['p99_ms']:.1f} ms"


@dataclass(frozen=True)
class Target:
    """One target of the issue: ``ours`` ÷ ``theirs`` on a type must reach ``at_least``."""

    label: str
    server: str
    ours: str
    theirs: str
    kind: str
    at_least: float

    def ratio(self, figures: Figures) -> float | None:
        ours = figures.rps(self.server, self.ours, self.kind)
        theirs = figures.rps(self.server, self.theirs, self.kind)
        return ours / theirs if ours and theirs else None

    def paired(self, figures: Figures) -> float | None:
        """The median over rounds of the ratio within each round (runs seconds apart)."""
        c = figures.connections
        ratios = []
        for server, app, kind, connections, number in figures.runs:
            if (server, app, kind, connections) != (self.server, self.ours, self.kind, c):
                continue
            theirs = figures.runs.get((server, self.theirs, kind, connections, number))
            if theirs:
                ratios.append(figures.runs[(server, app, kind, connections, number)] / theirs)
        return statistics.median(ratios) if ratios else None


def targets() -> list[Target]:
    """The targets of issue 17, one line per (comparison, type)."""
    found = []
    for server, ours, floor in (
        ("gunicorn", "tumbler", "bare-wsgi"),
        ("granian-wsgi", "tumbler", "bare-wsgi"),
        ("uvicorn", "tumbler-async", "bare-asgi"),
        ("granian-asgi", "tumbler-async", "bare-asgi"),
    ):
        for kind in FLOOR_TYPES:
            found.append(Target("within 10% of the floor", server, ours, floor, kind, 0.9))
    uvicorn = "uvicorn"
    for kind in TYPES:
        found.append(
            Target("at or above Starlette", uvicorn, "tumbler-async", "starlette", kind, 1)
        )
        found.append(
            Target("at least 0.8x BlackSheep", uvicorn, "tumbler-async", "blacksheep", kind, 0.8)
        )
    for kind in ("db", "queries", "fortunes"):
        found.append(
            Target(
                "at or above Starlette (def)", uvicorn, "tumbler-sync", "starlette-sync", kind, 1
            )
        )
    for kind in TYPES:
        found.append(Target("at or above Falcon", "gunicorn", "tumbler", "falcon", kind, 1.0))
    found.append(Target("at least 2x Flask", "gunicorn", "tumbler", "flask", "fortunes", 2.0))
    return found


def target_lines(figures: Figures) -> list[str]:
    lines = []
    for target in targets():
        ratio = target.ratio(figures)
        if ratio is None:
            verdict, shown = "NO FIGURE", "n/a"
        else:
            verdict = "MET" if ratio >= target.at_least else "SHORT"
            shown = f"{ratio:.2f}"
            if verdict == "SHORT":
                shown += f", short by {(target.at_least - ratio) / target.at_least:.0%}"
            paired = target.paired(figures)
            if paired is not None:
                shown += f"; per round: {paired:.2f}"
        lines.append(
            f"- {verdict}: {target.server} {target.kind}: {target.ours} {target.label} "
            f"({target.ours} ÷ {target.theirs} = {shown})"
        )
    return lines


def _pair_label(server: str, app: str) -> str:
    return f"{server}: {app}"


def main_table(figures: Figures) -> list[str]:
    kinds = list(TYPES)
    lines = [
        "| server: app | " + " | ".join(kinds) + " |",
        "|---|" + "---:|" * len(kinds),
    ]
    for server, app in figures.pairs:
        cells = [figures.cell(server, app, kind) for kind in kinds]
        lines.append(f"| {_pair_label(server, app)} | " + " | ".join(cells) + " |")
    return lines


def sweep_table(figures: Figures, sweep: list[int], kinds: list[str]) -> list[str]:
    columns = [(kind, c) for kind in kinds for c in sweep]
    lines = [
        "| server: app | " + " | ".join(f"{k} c={c}" for k, c in columns) + " |",
        "|---|" + "---:|" * len(columns),
    ]
    for server, app in figures.pairs:
        cells = [figures.cell(server, app, k, c) for k, c in columns]
        if any(cells):
            lines.append(f"| {_pair_label(server, app)} | " + " | ".join(cells) + " |")
    return lines


def markdown(data: dict[str, Any], chart_path: str | None = None) -> str:
    """The report: machine, method line, targets, the tables, failures."""
    figures = Figures(data)
    machine, options = data["machine"], data["options"]
    packages = ", ".join(f"{k} {v}" for k, v in machine["packages"].items())
    sweep = [int(c) for c in options["sweep"]]
    lines = [
        f"Machine: {machine['cpu']} x {machine['nproc']} CPUs, {machine['implementation']} "
        f"{machine['python']}, PostgreSQL {data['postgres']}, {data['wrk']}; "
        f"{machine['date']}; load average at start {machine['load_average']}; "
        f"tumbler revision {machine['tumbler_revision']}.",
        "",
        f"Packages: {packages}.",
        "",
        f"Requests/s · p99 latency, medians of {options['rounds']} interleaved rounds of "
        f"{options['seconds']} s runs (each server warmed up for {options['warmup']} s), "
        f"`wrk --latency`, {options['connections']} connections unless stated; one worker "
        f"process per server pinned to CPU 0, wrk and PostgreSQL on CPU 1; database pools of "
        f"{options['pool']} connections; `queries` and `updates` with `queries=20`.",
        "",
        "#### Targets (issue 17)",
        "",
        *target_lines(figures),
        "",
        f"#### Every test type, {options['connections']} connections",
        "",
        *main_table(figures),
        "",
        f"#### Concurrency sweep ({', '.join(options['sweep_types'])})",
        "",
        *sweep_table(figures, sweep, list(options["sweep_types"])),
        "",
    ]
    if figures.failed:
        lines += ["#### Apps that failed their checks (no figures)", ""]
        for key, problems in figures.failed.items():
            lines.append(f"- {key}: {'; '.join(problems[:3])}")
        lines.append("")
    if chart_path:
        lines += [f"![real-work chart]({chart_path})", ""]
    return "\n".join(lines)


def chart(data: dict[str, Any], path: Path) -> None:
    """Requests/s per pair for each type (bars), and the sweep (lines)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figures = Figures(data)
    kinds = list(TYPES)
    sweep_types = list(data["options"]["sweep_types"])
    fig, axes = plt.subplots(2, 4, figsize=(18, 10))
    labels = [_pair_label(s, a) for s, a in figures.pairs]
    for ax, kind in zip(axes.flat, kinds, strict=False):
        values = [figures.rps(s, a, kind) for s, a in figures.pairs]
        shown = [(label, v) for label, v in zip(labels, values, strict=True) if v]
        colors = ["#cc6677" if "tumbler" in label else "#4477aa" for label, _ in shown]
        ax.barh([label for label, _ in shown], [v for _, v in shown], color=colors)
        ax.invert_yaxis()
        ax.set_title(f"{kind} (req/s, c={figures.connections})")
        ax.tick_params(axis="y", labelsize=7)
    sweep = [int(c) for c in data["options"]["sweep"]]
    for ax, kind in zip(list(axes.flat)[len(kinds) :], sweep_types, strict=False):
        palette = plt.get_cmap("tab20")
        for number, (server, app) in enumerate(figures.pairs):
            values = [figures.rps(server, app, kind, c) for c in sweep]
            if all(values):
                style = "-" if "tumbler" in app else "--"
                ax.plot(
                    sweep,
                    values,
                    style,
                    marker="o",
                    color=palette(number % 20),
                    label=_pair_label(server, app),
                )
        ax.set_xscale("log", base=2)
        ax.set_xticks(sweep, [str(c) for c in sweep])
        ax.set_title(f"{kind}: req/s by connections")
        if ax.get_lines():
            ax.legend(fontsize=6)
    fig.suptitle(
        "tumbler (red bars, solid lines) and peers on TechEmpower's test types "
        "(PostgreSQL, wrk; medians of the rounds)"
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=80)
    plt.close(fig)
