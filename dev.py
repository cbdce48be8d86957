#!/usr/bin/env python3
"""Project tasks with nothing but Python 3.11+: each one creates ./.venv and installs what it needs.

python3 dev.py serve                 serve the example app on http://127.0.0.1:8000 (uvicorn, ASGI)
python3 dev.py serve --wsgi          the same app under gunicorn (WSGI)
python3 dev.py serve --app notes     another example (see --help); --host and --port change where
python3 dev.py test                  ruff, ruff format --check, mypy --strict, the strict docs
                                     build and the whole pytest suite (other arguments go to pytest)
python3 dev.py docs                  build the documentation into ./site (mkdocs build --strict)
python3 dev.py docs --serve          build and serve it on http://127.0.0.1:8001, reloading on edits
python3 dev.py bench                 the benchmark suite (other arguments go to it; see --help)

`python3 dev.py TASK --help` explains each task.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# The docs theme's end-of-life notice: our decision and its reasons are in mkdocs.yml.
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")

#: Extras that contain every requirement of another one: a venv set up for the key extra
#: needs no install for the others (the test extra has the servers, for the live tests).
COVERS = {"test": ("serve",)}

#: The apps ``serve --app NAME`` knows, by name: their import path (see examples/).
EXAMPLES = {
    "languages": "examples.languages:app",
    "notes": "examples.notes:app",
    "streaming": "examples.streaming:app",
    "chat": "examples.chat:app",
}


def run(*args: str | os.PathLike[str]) -> None:
    """Run a command in the project's root; stop with its exit status when it fails."""
    print("+", " ".join(str(a) for a in args), flush=True)
    result = subprocess.run([str(a) for a in args], cwd=ROOT)
    if result.returncode:
        sys.exit(result.returncode)


def hand_over(*args: str | os.PathLike[str]) -> None:
    """Replace this process with the command, so a signal sent to dev.py reaches it."""
    print("+", " ".join(str(a) for a in args), flush=True)
    os.chdir(ROOT)
    os.execv(str(args[0]), [str(a) for a in args])


def ensure_venv(extra: str) -> None:
    """Create ./.venv and install the project with ``extra``, unless that was already done."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may run on an older python3
        sys.exit("tumbler needs Python 3.11 or newer")
    if not PYTHON.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    pyproject = ROOT / "pyproject.toml"
    stamps = [VENV / f".installed-{name}" for name, covered in COVERS.items() if extra in covered]
    stamps.append(VENV / f".installed-{extra}")
    mtime = pyproject.stat().st_mtime
    if any(stamp.exists() and stamp.stat().st_mtime >= mtime for stamp in stamps):
        return
    run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(PYTHON, "-m", "pip", "install", "--quiet", "-e", f".[{extra}]")
    stamps[-1].touch()


def serve(args: argparse.Namespace, extra: list[str]) -> None:
    """Serve an example app; this process becomes the server, so stopping it stops the server."""
    ensure_venv("serve")
    target = EXAMPLES[args.app]
    print(f"Serving {target} on http://{args.host}:{args.port}/ (Ctrl+C stops it)", flush=True)
    if args.wsgi:
        # A stream holds a sync worker for its whole length: give the streaming example threads.
        threads = ["--threads", "8"] if args.app == "streaming" else []
        bind = f"{args.host}:{args.port}"
        hand_over(BIN / "gunicorn", "--bind", bind, "--workers", "1", *threads, target)
    else:
        hand_over(BIN / "uvicorn", f"{target}.asgi", "--host", args.host, "--port", str(args.port))


def test(args: argparse.Namespace, extra: list[str]) -> None:
    """Every check CI runs: lint, format, types, the docs build and pytest."""
    ensure_venv("test")
    candidates = ("src", "tests", "examples", "benchmarks", "docs", "scripts", "dev.py")
    paths = [p for p in candidates if (ROOT / p).exists()]
    run(BIN / "ruff", "check", *paths)
    run(BIN / "ruff", "format", "--check", *paths)
    run(BIN / "mypy")
    run(PYTHON, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", "site")
    run(PYTHON, "-m", "pytest", *extra)


def docs(args: argparse.Namespace, extra: list[str]) -> None:
    """Build the docs into ./site, or serve them with live reload (``--serve``)."""
    ensure_venv("docs")
    if args.serve:
        address = f"{args.host}:{args.port}"
        hand_over(PYTHON, "-m", "mkdocs", "serve", "--strict", "--dev-addr", address)
    run(PYTHON, "-m", "mkdocs", "build", "--strict", "--site-dir", "site")
    print(f"Built into {ROOT / 'site'}; open site/index.html, or: python3 dev.py docs --serve")


def bench(args: argparse.Namespace, extra: list[str]) -> None:
    """The benchmark suite: ``python -m benchmarks`` with the arguments given."""
    ensure_venv("bench")
    run(PYTHON, "-m", "benchmarks", *extra)


def _port(text: str) -> int:
    if not text.isdecimal() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port (1 to 65535)")
    return int(text)


def parser() -> argparse.ArgumentParser:
    """The command line: one sub-command per task, each with its own --help."""
    main = argparse.ArgumentParser(
        prog="python3 dev.py",
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    tasks = main.add_subparsers(dest="task", required=True, metavar="TASK")
    p = tasks.add_parser("serve", help="serve an example app (uvicorn; --wsgi for gunicorn)")
    p.add_argument("--app", choices=sorted(EXAMPLES), default="languages", help="which example")
    p.add_argument("--wsgi", action="store_true", help="serve over WSGI with gunicorn")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    p.add_argument(
        "--port", type=_port, default=os.environ.get("PORT", "8000"), help="$PORT or 8000"
    )
    p.set_defaults(run=serve, forwards=False)
    p = tasks.add_parser(
        "test",
        help="ruff, mypy, the docs build and pytest",
        description="Every check CI runs. Other arguments go to pytest (after -- for pytest's "
        "own --help): python3 dev.py test -x tests/test_seed.py",
    )
    p.set_defaults(run=test, forwards=True)
    p = tasks.add_parser("docs", help="build the docs into ./site, or --serve them")
    p.add_argument("--serve", action="store_true", help="serve with live reload instead")
    p.add_argument("--host", default="127.0.0.1", help="with --serve: address (127.0.0.1)")
    p.add_argument("--port", type=_port, default=8001, help="with --serve: port (8001)")
    p.set_defaults(run=docs, forwards=False)
    p = tasks.add_parser(
        "bench",
        help="the benchmark suite",
        description="Runs python -m benchmarks; other arguments go to it. Its options: "
        "python3 dev.py bench -- --help",
    )
    p.set_defaults(run=bench, forwards=True)
    return main


def main(argv: list[str] | None = None) -> None:
    """Parse the task and its options; unknown options are an error (exit status 2)."""
    args, extra = parser().parse_known_args(argv)
    if extra and not args.forwards:
        parser().error(f"unrecognized arguments: {' '.join(extra)}")
    if extra[:1] == ["--"]:
        extra = extra[1:]
    args.run(args, extra)


if __name__ == "__main__":
    main()
