"""The database work of the sync apps: psycopg 3 with a psycopg_pool connection pool.

Connections are in autocommit mode (a read is one statement); psycopg prepares a statement on
the server after it has run a few times, as asyncpg does at once.
"""

from __future__ import annotations

import random
from typing import Any

from ..spec import ADDED_FORTUNE
from . import settings

__all__ = ["Database"]

SELECT_WORLD = "SELECT id, randomNumber FROM World WHERE id = %s"
UPDATE_WORLD = "UPDATE World SET randomNumber = %s WHERE id = %s"
SELECT_FORTUNES = "SELECT id, message FROM Fortune"


class Database:
    """One pool per app process; each method takes a connection for one request's work."""

    def __init__(self) -> None:
        from psycopg_pool import ConnectionPool

        config = settings()
        self.pool = ConnectionPool(
            config.dsn,
            min_size=config.pool,
            max_size=config.pool,
            kwargs={"autocommit": True},
            open=True,
        )

    def world(self) -> dict[str, int]:
        with self.pool.connection() as conn:
            row: Any = conn.execute(SELECT_WORLD, (random.randint(1, 10_000),)).fetchone()
        return {"id": row[0], "randomNumber": row[1]}

    def worlds(self, count: int) -> list[dict[str, int]]:
        ids = random.sample(range(1, 10_001), count)
        with self.pool.connection() as conn, conn.cursor() as cursor:
            rows: list[Any] = [cursor.execute(SELECT_WORLD, (i,)).fetchone() for i in ids]
        return [{"id": row[0], "randomNumber": row[1]} for row in rows]

    def update(self, count: int) -> list[dict[str, int]]:
        """Read ``count`` rows one by one, then write the new numbers in one batch.

        The batch is in id order, so concurrent requests lock rows in the same order and
        never deadlock.
        """
        ids = sorted(random.sample(range(1, 10_001), count))
        with self.pool.connection() as conn, conn.cursor() as cursor:
            worlds = []
            for i in ids:
                row: Any = cursor.execute(SELECT_WORLD, (i,)).fetchone()
                worlds.append({"id": row[0], "randomNumber": random.randint(1, 10_000)})
            with conn.transaction():
                cursor.executemany(UPDATE_WORLD, [(w["randomNumber"], w["id"]) for w in worlds])
        return worlds

    def fortunes(self) -> list[tuple[int, str]]:
        """Every fortune plus the one made now, sorted by message (in code, not in SQL)."""
        with self.pool.connection() as conn:
            rows: list[Any] = conn.execute(SELECT_FORTUNES).fetchall()
        fortunes = [(row[0], row[1]) for row in rows]
        fortunes.append(ADDED_FORTUNE)
        fortunes.sort(key=lambda fortune: fortune[1])
        return fortunes
