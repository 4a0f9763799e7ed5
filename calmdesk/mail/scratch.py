"""A throwaway database for processes that must share one: the crash tests and the
outbox benchmark start real ``calmdesk worker`` processes against it. SQLite lives in
a temporary data directory; on PostgreSQL a database is created beside the given one
and dropped afterwards."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


@contextlib.contextmanager
def scratch_env(data_dir: Path, database_url: str | None) -> Iterator[dict[str, str]]:
    """Environment variables for child processes that all use one fresh database."""
    env = dict(os.environ)
    env["CALMDESK_DATA_DIR"] = str(data_dir)
    env.pop("CALMDESK_TEST_DB_NAME", None)
    if not database_url:
        env.pop("DATABASE_URL", None)
        yield env
        return
    import psycopg

    name = f"calmdesk_scratch_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    parts = urlsplit(database_url)
    env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield env
    finally:
        with psycopg.connect(database_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
