"""A private PostgreSQL cluster for the benchmark: started here, filled, stopped at the end.

``Cluster`` runs Debian's PostgreSQL binaries (``/usr/lib/postgresql/<version>/bin``):
``initdb`` into a temporary folder, ``pg_ctl start`` on a free port of 127.0.0.1 (its Unix
socket in the same folder), the ``World`` (10,000 rows) and ``Fortune`` (12 rows) tables of
TechEmpower created and filled, and ``pg_ctl stop`` plus the folder removed on exit, also
after an error or Ctrl-C (it is a context manager; the runner turns SIGTERM into an exception
so the ``finally`` runs).

``initdb`` and the server refuse to run as root, so under root (CI) they run as the
``postgres`` user that Debian's package creates (``nobody`` if there is none), with the
folder handed over to that user. Durability is switched off (``fsync``, ``synchronous_commit``,
``full_page_writes``), as in TechEmpower's own database images: the benchmark measures the
web stack, not the disk.

Queries are counted by the server itself with ``pg_stat_statements`` (``QueryCounter``), so
an app cannot claim work it did not do.
"""

from __future__ import annotations

import glob
import os
import pwd
import random
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = [
    "FORTUNES",
    "WORLD_ROWS",
    "Cluster",
    "QueryCounter",
    "QueryCounts",
    "count_statements",
    "find_bin",
]

WORLD_ROWS = 10_000
DATABASE = "hello_world"
USER = "benchmarkdbuser"

#: TechEmpower's Fortune table (id, message), word for word.
FORTUNES: tuple[tuple[int, str], ...] = (
    (1, "fortune: No such file or directory"),
    (2, "A computer scientist is someone who fixes things that aren't broken."),
    (3, "After enough decimal places, nobody gives a damn."),
    (4, "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1"),
    (5, "A computer program does what you tell it to do, not what you want it to do."),
    (6, "Emacs is a nice operating system, but I prefer UNIX. \u2014 Tom Christaensen"),
    (7, "Any program that runs right is obsolete."),
    (8, "A list is only as strong as its weakest link. \u2014 Donald Knuth"),
    (9, "Feature: A bug with seniority."),
    (10, "Computers make very fast, very accurate mistakes."),
    (11, '<script>alert("This should not be displayed in a browser alert box.");</script>'),
    (12, "\u30d5\u30ec\u30fc\u30e0\u30ef\u30fc\u30af\u306e\u30d9\u30f3\u30c1\u30de\u30fc\u30af"),
)

#: Server settings: durability off (as TechEmpower's images), statements counted, room for
#: the pools of every app (all servers of a round are up at once) plus the checker.
SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "max_connections": "400",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_preload_libraries": "pg_stat_statements",
    "pg_stat_statements.track": "all",
    "pg_stat_statements.save": "off",
    "logging_collector": "off",
    "log_min_messages": "warning",
}


def find_bin(name: str) -> Path:
    """Debian's PostgreSQL program ``name`` (newest version first), else one on the PATH."""
    for directory in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        candidate = Path(directory) / name
        if candidate.exists():
            return candidate
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(
            f"PostgreSQL's {name} not found: apt-get install postgresql (Debian's package)"
        )
    return Path(found)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _server_user() -> pwd.struct_passwd | None:
    """The unprivileged account the server runs as when we are root; None when we are not."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root and no 'postgres' or 'nobody' account to run PostgreSQL")


class Cluster:
    """A throw-away PostgreSQL cluster; ``with Cluster() as db: db.dsn``."""

    def __init__(self, port: int | None = None, cpu: str | None = None) -> None:
        self.port = port or _free_port()
        self.host = "127.0.0.1"
        #: The CPU the server's processes are pinned to (taskset), or None.
        self.cpu = cpu
        self.folder: Path | None = None
        self.started = False
        self.version = ""

    # The connection strings apps receive (libpq keyword form; asyncpg takes the URL).
    @property
    def dsn(self) -> str:
        return f"host={self.host} port={self.port} dbname={DATABASE} user={USER}"

    @property
    def url(self) -> str:
        return f"postgresql://{USER}@{self.host}:{self.port}/{DATABASE}"

    def _run(self, *args: str) -> str:
        user = _server_user()
        kwargs: dict[str, Any] = {}
        if user is not None:
            kwargs = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
        done = subprocess.run(
            list(args), capture_output=True, text=True, timeout=120, cwd="/", **kwargs
        )
        if done.returncode:
            raise RuntimeError(f"{Path(args[0]).name} failed: {done.stderr.strip()[-2000:]}")
        return str(done.stdout)

    def start(self) -> None:
        """initdb, start the server, create and fill the tables."""
        self.folder = Path(tempfile.mkdtemp(prefix="tumbler-pg-"))
        user = _server_user()
        if user is not None:
            os.chown(self.folder, user.pw_uid, user.pw_gid)
        data = self.folder / "data"
        self._run(
            str(find_bin("initdb")), "-D", str(data), "-U", USER, "--auth=trust",
            "--encoding=UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        options = " ".join(f"-c {key}={value}" for key, value in SETTINGS.items())
        options += f" -p {self.port} -c unix_socket_directories={self.folder}"
        pinned = ["taskset", "-c", self.cpu] if self.cpu is not None else []
        self._run(
            *pinned, str(find_bin("pg_ctl")), "-D", str(data),
            "-l", str(self.folder / "server.log"), "-o", options, "-w", "-t", "60", "start",
        )  # fmt: skip
        self.started = True
        self._fill()

    def _fill(self) -> None:
        import psycopg

        with psycopg.connect(self.dsn.replace(DATABASE, "postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            self.version = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
            conn.execute("CREATE EXTENSION pg_stat_statements")
            conn.execute("CREATE TABLE World (id integer PRIMARY KEY, randomNumber integer)")
            conn.execute(
                "CREATE TABLE Fortune (id integer PRIMARY KEY, message varchar(2048) NOT NULL)"
            )
            numbers = random.Random(17)
            with conn.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO World (id, randomNumber) VALUES (%s, %s)",
                    [(i, numbers.randint(1, 10_000)) for i in range(1, WORLD_ROWS + 1)],
                )
                cursor.executemany("INSERT INTO Fortune (id, message) VALUES (%s, %s)", FORTUNES)
            conn.execute("VACUUM ANALYZE")

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its folder; safe to call twice."""
        if self.folder is None:
            return
        try:
            if self.started:
                self._run(
                    str(find_bin("pg_ctl")), "-D", str(self.folder / "data"), "-m", "fast",
                    "-w", "-t", "60", "stop",
                )  # fmt: skip
        finally:
            self.started = False
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def __enter__(self) -> Cluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


@dataclass(frozen=True)
class QueryCounts:
    """Statements the server ran on each table since the last reset, and rows they touched."""

    world_selects: int = 0
    world_select_rows: int = 0
    world_updates: int = 0
    world_updated_rows: int = 0
    fortune_selects: int = 0
    other: int = 0


def count_statements(rows: list[tuple[str, int, int]]) -> QueryCounts:
    """Sum ``(query text, calls, rows)`` rows of ``pg_stat_statements`` by table and kind.

    A statement counts for a table when it names it (TechEmpower's toolset matches the same
    way); the counter's own statements (``pg_stat_statements`` itself, the reset) and
    transaction control are left out; anything else lands in ``other``.
    """
    totals = dict.fromkeys(QueryCounts.__dataclass_fields__, 0)
    for text, calls, touched in rows:
        query = " ".join(text.lower().split())
        if "pg_stat_statements" in query or query in {"begin", "commit", "rollback"}:
            continue
        if "world" in query and query.startswith("update"):
            totals["world_updates"] += calls
            totals["world_updated_rows"] += touched
        elif "world" in query and query.startswith("select"):
            totals["world_selects"] += calls
            totals["world_select_rows"] += touched
        elif "fortune" in query and query.startswith("select"):
            totals["fortune_selects"] += calls
        else:
            totals["other"] += calls
    return QueryCounts(**totals)


class QueryCounter:
    """Reads and resets the server's statement statistics for the verification step."""

    def __init__(self, dsn: str) -> None:
        import psycopg

        self.connection = psycopg.connect(dsn, autocommit=True)

    def reset(self) -> None:
        self.connection.execute("SELECT pg_stat_statements_reset()")

    def read(self) -> QueryCounts:
        cursor = self.connection.execute(
            "SELECT query, calls, rows FROM pg_stat_statements "
            "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        return count_statements([(str(q), int(c), int(r)) for q, c, r in cursor.fetchall()])

    def world(self) -> dict[int, int]:
        """The World table as ``{id: randomNumber}`` (checks that updates were written)."""
        cursor = self.connection.execute("SELECT id, randomNumber FROM World")
        return {int(i): int(n) for i, n in cursor.fetchall()}

    def close(self) -> None:
        self.connection.close()
