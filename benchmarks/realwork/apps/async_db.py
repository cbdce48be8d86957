"""The database work of the async apps: asyncpg and its pool.

asyncpg prepares every statement on the server at its first use and caches it per connection.
The pool is made inside the server's event loop (each app's startup hook calls ``open``).
"""

from __future__ import annotations

import random
from typing import Any

from ..spec import ADDED_FORTUNE
from . import settings

__all__ = ["Database"]

SELECT_WORLD = "SELECT id, randomNumber FROM World WHERE id = $1"
UPDATE_WORLD = "UPDATE World SET randomNumber = $1 WHERE id = $2"
SELECT_FORTUNES = "SELECT id, message FROM Fortune"


class Database:
    """One pool per app process, opened at startup; each method takes one connection."""

    def __init__(self) -> None:
        self.pool: Any = None

    async def open(self) -> None:
        import asyncpg

        if self.pool is None:
            config = settings()
            self.pool = await asyncpg.create_pool(
                config.url, min_size=config.pool, max_size=config.pool
            )

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()
            self.pool = None

    async def world(self) -> dict[str, int]:
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(SELECT_WORLD, random.randint(1, 10_000))
        return {"id": row[0], "randomNumber": row[1]}

    async def worlds(self, count: int) -> list[dict[str, int]]:
        ids = random.sample(range(1, 10_001), count)
        async with self.pool.acquire() as conn:
            statement = await conn.prepare(SELECT_WORLD)
            rows = [await statement.fetchrow(i) for i in ids]
        return [{"id": row[0], "randomNumber": row[1]} for row in rows]

    async def update(self, count: int) -> list[dict[str, int]]:
        """Read ``count`` rows one by one, then write the new numbers in one batch (id order,
        so concurrent requests never deadlock)."""
        ids = sorted(random.sample(range(1, 10_001), count))
        async with self.pool.acquire() as conn:
            statement = await conn.prepare(SELECT_WORLD)
            worlds = []
            for i in ids:
                row = await statement.fetchrow(i)
                worlds.append({"id": row[0], "randomNumber": random.randint(1, 10_000)})
            await conn.executemany(UPDATE_WORLD, [(w["randomNumber"], w["id"]) for w in worlds])
        return worlds

    async def fortunes(self) -> list[tuple[int, str]]:
        """Every fortune plus the one made now, sorted by message (in code, not in SQL)."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(SELECT_FORTUNES)
        fortunes = [(row[0], row[1]) for row in rows]
        fortunes.append(ADDED_FORTUNE)
        fortunes.sort(key=lambda fortune: fortune[1])
        return fortunes
