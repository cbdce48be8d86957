"""What the figures were measured on: CPU, core count, Python, package versions, date."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["describe", "one_line"]

PACKAGES = (
    "tumbler",
    "flask",
    "werkzeug",
    "quart",
    "falcon",
    "bottle",
    "starlette",
    "gunicorn",
    "uvicorn",
    "h11",
    "httptools",
    "matplotlib",
)
ROOT = Path(__file__).resolve().parent.parent


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _git_revision() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT, capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"],
            cwd=ROOT, capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}{' + uncommitted src changes' if dirty else ''}"


def describe() -> dict[str, Any]:
    """The machine and software description stored in latest.json."""
    return {
        "cpu": _cpu_model(),
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "tumbler_revision": _git_revision(),
        "packages": {name: _version(name) for name in PACKAGES if _version(name)},
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def one_line(machine: dict[str, Any]) -> str:
    """``AMD EPYC x 2 CPUs, CPython 3.11.7, 2025-01-01 12:00 UTC``."""
    return (
        f"{machine['cpu']} x {machine['nproc']} CPUs, {machine['implementation']} "
        f"{machine['python']}, {machine['date']}"
    )
