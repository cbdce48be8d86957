#!/usr/bin/env python3
"""Project tasks with nothing but Python 3.11+: each one creates ./.venv and installs what it needs.

python3 dev.py serve    # serve the example app on http://127.0.0.1:8000 (uvicorn, ASGI)
python3 dev.py serve --wsgi   # the same app under gunicorn (WSGI)
python3 dev.py serve --app notes   # another example: languages (default), notes, streaming
python3 dev.py test     # ruff, mypy --strict and the whole pytest suite
python3 dev.py docs     # build the documentation into ./site (mkdocs build --strict)
python3 dev.py bench    # the benchmark suite (see docs/performance.md)
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def run(*args: str | os.PathLike[str]) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    result = subprocess.run([str(a) for a in args], cwd=ROOT)
    if result.returncode:
        sys.exit(result.returncode)


def ensure_venv(extra: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may run on an older python3
        sys.exit("tumbler needs Python 3.11 or newer")
    if not PYTHON.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed-{extra}"
    pyproject = ROOT / "pyproject.toml"
    if not stamp.exists() or stamp.stat().st_mtime < pyproject.stat().st_mtime:
        run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        run(PYTHON, "-m", "pip", "install", "--quiet", "-e", f".[{extra}]")
        stamp.touch()


#: The apps ``serve --app NAME`` knows, by name: their import path (see examples/).
EXAMPLES = {
    "languages": "examples.languages:app",
    "notes": "examples.notes:app",
    "streaming": "examples.streaming:app",
    "chat": "examples.chat:app",
}


def serve(argv: list[str]) -> None:
    name = "languages"
    if "--app" in argv:
        index = argv.index("--app")
        name = argv[index + 1] if index + 1 < len(argv) else ""
    if name not in EXAMPLES:
        sys.exit(f"--app takes one of: {', '.join(EXAMPLES)}")
    ensure_venv("serve")
    host, port = "127.0.0.1", os.environ.get("PORT", "8000")
    target = EXAMPLES[name]
    print(f"Serving {target} on http://{host}:{port}/ (Ctrl+C stops it)", flush=True)
    if "--wsgi" in argv:
        # A stream holds a sync worker for its whole length: give the streaming example threads.
        threads = ["--threads", "8"] if name == "streaming" else []
        run(BIN / "gunicorn", "--bind", f"{host}:{port}", "--workers", "1", *threads, target)
    else:
        run(BIN / "uvicorn", f"{target}.asgi", "--host", host, "--port", port)


def test(argv: list[str]) -> None:
    ensure_venv("test")
    candidates = ("src", "tests", "examples", "benchmarks", "docs", "scripts", "dev.py")
    paths = [p for p in candidates if (ROOT / p).exists()]
    run(BIN / "ruff", "check", *paths)
    run(BIN / "ruff", "format", "--check", *paths)
    run(BIN / "mypy")
    run(PYTHON, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", "site")
    run(PYTHON, "-m", "pytest", *argv)


def docs(argv: list[str]) -> None:
    ensure_venv("docs")
    run(PYTHON, "-m", "mkdocs", "build", "--strict", "--site-dir", "site", *argv)


def bench(argv: list[str]) -> None:
    ensure_venv("bench")
    run(PYTHON, "-m", "benchmarks", *argv)


TASKS = {"serve": serve, "test": test, "docs": docs, "bench": bench}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        sys.exit(__doc__)
    TASKS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
