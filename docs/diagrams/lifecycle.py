"""Draw the request lifecycle diagram: docs/img/lifecycle.svg.

    .venv/bin/python docs/diagrams/lifecycle.py     # needs matplotlib (the docs extra)

The SVG is committed, so building the docs does not run this. Run it again after changing
the lifecycle (and docs/lifecycle.md); the output is deterministic for a given matplotlib.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

OUT = Path(__file__).resolve().parent.parent / "img" / "lifecycle.svg"

# Colours by kind of step.
CORE = "#e8eef7"  # done by tumbler
HOOK = "#fff4d6"  # your hooks and callbacks
ERROR = "#fbe3e3"  # the error path
STREAM = "#e3f4e8"  # the streamed-response path
EDGE = "#44546a"
RED = "#b23a3a"  # arrows of the error path
GREEN = "#2e7d4f"  # arrows of the streamed path

W, H = 3.7, 0.62  # box size, in data units


def box(ax: Axes, x: float, y: float, text: str, color: str, width: float = W) -> None:
    """A rounded box centred on (x, y)."""
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - H / 2),
            width,
            H,
            boxstyle="round,pad=0.02,rounding_size=0.12",
            linewidth=1.1,
            edgecolor=EDGE,
            facecolor=color,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=8.6, linespacing=1.25)


def arrow(
    ax: Axes,
    start: tuple[float, float],
    end: tuple[float, float],
    label: str = "",
    color: str = EDGE,
    dashed: bool = False,
    bend: float = 0.0,
) -> None:
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=11,
            linewidth=1.1,
            color=color,
            linestyle=(0, (4, 3)) if dashed else "-",
            connectionstyle=f"arc3,rad={bend}",
            shrinkA=0,
            shrinkB=0,
        )
    )
    if label:
        mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
        ax.text(mx + 0.08, my, label, fontsize=7.6, color=color, ha="left", va="center")


def down(ax: Axes, x: float, y1: float, y2: float, label: str = "", color: str = EDGE) -> None:
    arrow(ax, (x, y1 - H / 2), (x, y2 + H / 2), label, color)


def draw() -> plt.Figure:
    fig, ax = plt.subplots(figsize=(10.5, 12.6))
    ax.set_xlim(0, 12)
    ax.set_ylim(-0.4, 14.6)
    ax.axis("off")

    main, err, left, right = 3.4, 9.0, 2.0, 6.8
    ys = {
        "push": 14.0,
        "before": 12.95,
        "view": 11.9,
        "response": 10.85,
        "deferred": 9.8,
        "after": 8.75,
        "session": 7.7,
    }
    box(ax, main, ys["push"], "route the request, push the context\n(request_started)", CORE)
    box(
        ax, main, ys["before"], "url_value_preprocessor, before_request\n(registration order)", HOOK
    )
    box(ax, main, ys["view"], "the view (URL variables as arguments)\nor the routing error", HOOK)
    box(ax, main, ys["response"], "the return value becomes a Response", CORE)
    box(ax, main, ys["deferred"], "after_this_request callbacks\n(registration order)", HOOK)
    box(ax, main, ys["after"], "after_request hooks\n(reverse order)", HOOK)
    box(ax, main, ys["session"], "save the session (if opened)\n(request_finished)", CORE)
    down(ax, main, ys["push"], ys["before"])
    down(ax, main, ys["before"], ys["view"], "no hook answered")
    down(ax, main, ys["view"], ys["response"])
    down(ax, main, ys["response"], ys["deferred"])
    down(ax, main, ys["deferred"], ys["after"])
    down(ax, main, ys["after"], ys["session"])
    # A before_request hook that returns a value skips the view.
    arrow(
        ax,
        (main - W / 2, ys["before"]),
        (main - W / 2, ys["response"]),
        "",
        bend=0.45,
    )
    ax.text(0.25, ys["view"], "a hook\nreturned\na value", fontsize=7.6, color=EDGE, va="center")

    # The error path.
    box(
        ax,
        err,
        ys["view"],
        "errorhandler for the code or the\nexception class (blueprint first)",
        ERROR,
    )
    box(
        ax,
        err,
        ys["deferred"],
        "no handler: log it\n(got_request_exception), 500 page",
        ERROR,
    )
    box(
        ax,
        err,
        ys["after"] - 0.05,
        "a callback raised: the response\nbecomes a 500, the callbacks\nnot run yet still run",
        ERROR,
    )
    arrow(ax, (main + W / 2, ys["before"] - 0.1), (err - W / 2, ys["view"] + 0.12), "raised", RED)
    arrow(ax, (main + W / 2, ys["view"]), (err - W / 2, ys["view"]), "raised", RED)
    arrow(ax, (err - W / 2, ys["view"] - 0.15), (main + W / 2, ys["response"]), "handled", RED)
    down(ax, err, ys["view"], ys["deferred"], "unhandled", RED)
    arrow(ax, (err - W / 2, ys["deferred"] + 0.1), (main + W / 2, ys["response"] - 0.1), "", RED)
    arrow(ax, (main + W / 2, ys["after"] + 0.2), (err - W / 2, ys["after"] + 0.2), "raised", RED)
    arrow(ax, (err - W / 2, ys["after"] - 0.3), (main + W / 2, ys["after"] - 0.2), "", RED)

    # Buffered or streamed.
    buffered = {"teardown": 6.1, "send": 5.05}
    streamed = {"headers": 6.1, "chunks": 5.05, "end": 4.0, "teardown": 2.95}
    arrow(ax, (main, ys["session"] - H / 2), (left, buffered["teardown"] + H / 2), "buffered")
    arrow(
        ax, (main, ys["session"] - H / 2), (right, streamed["headers"] + H / 2), "streamed", GREEN
    )
    box(
        ax,
        left,
        buffered["teardown"],
        "teardown_request, then\nteardown_appcontext (reverse order)",
        HOOK,
    )
    box(ax, left, buffered["send"], "send status, headers and body", CORE)
    down(ax, left, buffered["teardown"], buffered["send"])

    box(ax, right, streamed["headers"], "send status and headers", STREAM)
    box(
        ax,
        right,
        streamed["chunks"],
        "produce and send each chunk\n(request context current)",
        STREAM,
    )
    box(
        ax,
        right,
        streamed["end"],
        "last chunk sent, or the client left:\nthe generator is closed",
        STREAM,
    )
    box(
        ax,
        right,
        streamed["teardown"],
        "teardown_request, then\nteardown_appcontext (reverse order)",
        HOOK,
    )
    down(ax, right, streamed["headers"], streamed["chunks"], color=GREEN)
    down(ax, right, streamed["chunks"], streamed["end"], color=GREEN)
    down(ax, right, streamed["end"], streamed["teardown"], color=GREEN)

    # Both paths end the same way.
    close, pop = 1.75, 0.55
    box(ax, main + 0.9, close, "response.call_on_close callbacks,\nthen after_response hooks", HOOK)
    box(ax, main + 0.9, pop, "pop the context", CORE)
    arrow(ax, (left, buffered["send"] - H / 2), (main + 0.9 - 0.8, close + H / 2))
    arrow(ax, (right, streamed["teardown"] - H / 2), (main + 0.9 + 0.8, close + H / 2), "", GREEN)
    down(ax, main + 0.9, close, pop)

    # The legend.
    for i, (color, name) in enumerate(
        [
            (CORE, "done by tumbler"),
            (HOOK, "your hooks and callbacks"),
            (ERROR, "the error path"),
            (STREAM, "a streamed response"),
        ]
    ):
        y = 14.1 - i * 0.45
        ax.add_patch(
            FancyBboxPatch(
                (9.6, y - 0.14),
                0.4,
                0.28,
                boxstyle="round,pad=0.01",
                facecolor=color,
                edgecolor=EDGE,
            )
        )
        ax.text(10.1, y, name, fontsize=8, va="center")
    ax.text(
        10.9,
        1.2,
        "Every teardown callback\nruns, whatever happened.\n"
        "Exceptions in teardown and\non-close callbacks are\nlogged, never sent.",
        fontsize=7.6,
        ha="center",
        va="center",
        color=EDGE,
    )
    return fig


def main() -> None:
    plt.rcParams["svg.fonttype"] = "none"  # keep text as text: smaller, searchable
    plt.rcParams["svg.hashsalt"] = "tumbler-lifecycle"  # stable ids between runs
    plt.rcParams["font.family"] = "sans-serif"
    fig = draw()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT, format="svg", bbox_inches="tight", metadata={"Date": None})
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
