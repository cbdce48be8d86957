"""The TechEmpower apps: tumbler in three shapes, its peers each in its own idiom, the floor.

Every app reads its database settings from the environment (``settings()``): the runner sets
``REALWORK_DSN`` (libpq form, for psycopg), ``REALWORK_URL`` (for asyncpg) and
``REALWORK_POOL`` (connections per pool, the same for every app). The SQL and the pools live
in ``sync_db.py`` (psycopg 3 + psycopg_pool) and ``async_db.py`` (asyncpg), so every app asks
the database for the same work; routing, parameters, JSON, templates and responses are each
framework's own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["Settings", "settings"]


@dataclass(frozen=True)
class Settings:
    """Where the database is and how many connections each app's pool holds."""

    dsn: str
    url: str
    pool: int


def settings() -> Settings:
    """The settings the runner passes in the environment."""
    return Settings(
        dsn=os.environ.get("REALWORK_DSN", ""),
        url=os.environ.get("REALWORK_URL", ""),
        pool=int(os.environ.get("REALWORK_POOL", "16")),
    )
