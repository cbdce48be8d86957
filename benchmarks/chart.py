"""latest.png: grouped bars per scenario (matplotlib, Agg backend).

Panels: WSGI in-process and ASGI in-process (µs/request, log scale, lower is better), then
HTTP under wrk (requests/s, higher is better) when that step ran. The machine and date are
in the footer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from .machine import one_line
from .report import ASGI_ORDER, WSGI_ORDER, Times

__all__ = ["draw"]


def _grouped(
    ax: Axes, groups: list[str], series: dict[str, list[float | None]], ylabel: str
) -> None:
    count = max(1, len(series))
    width = 0.8 / count
    for index, (name, values) in enumerate(series.items()):
        positions = [g + (index - (count - 1) / 2) * width for g in range(len(groups))]
        heights = [v if v is not None else 0.0 for v in values]
        ax.bar(positions, heights, width, label=name)
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels(groups, rotation=25, ha="right", fontsize=8)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.005, 1.0), borderaxespad=0)


def draw(data: dict[str, Any], path: Path) -> None:
    """Write the chart for the stored results ``data`` to ``path``."""
    times = Times(data)
    http = data.get("http") or {}
    http_results = [r for r in http.get("results", []) if r["status"] == "ok"]
    panels = [
        (label, [f for f in order if f in times.frameworks])
        for label, order in (("WSGI", WSGI_ORDER), ("ASGI", ASGI_ORDER))
    ]
    panels = [(label, present) for label, present in panels if present]
    rows = len(panels) + (1 if http_results else 0)
    if rows == 0:
        return
    figure, axes = plt.subplots(rows, 1, figsize=(14, 4.2 * rows), squeeze=False)
    for ax, (label, present) in zip(axes[:, 0], panels, strict=False):
        series = {f: [times.us(f, s) for s in times.scenarios] for f in present}
        _grouped(ax, times.scenarios, series, "µs / request (log)")
        ax.set_yscale("log")
        ax.set_title(f"In-process {label}: median µs per request, lower is better", fontsize=10)
    if http_results:
        ax = axes[len(panels), 0]
        scenarios = list(dict.fromkeys(r["scenario"] for r in http_results))
        columns = list(dict.fromkeys((r["server"], r["framework"]) for r in http_results))
        by_key = {(r["server"], r["framework"], r["scenario"]): r for r in http_results}
        series = {
            f"{server}: {framework}": [
                (by_key.get((server, framework, s)) or {}).get("requests_per_second")
                for s in scenarios
            ]
            for server, framework in columns
        }
        _grouped(ax, scenarios, series, "requests / s")
        ax.set_title(
            f"HTTP on loopback under wrk (median of {http.get('rounds', 1)} runs of "
            f"{http['seconds']:g} s, 32 connections, server and wrk on separate CPUs): "
            "requests/s, higher is better",
            fontsize=10,
        )
    figure.suptitle("tumbler benchmarks", fontsize=13)
    figure.text(0.01, 0.005, one_line(data["machine"]), fontsize=8, color="#555555")
    figure.tight_layout(rect=(0, 0.02, 1, 0.98))
    figure.savefig(path, dpi=110)
    plt.close(figure)
