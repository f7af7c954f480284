"""Staff logins kept in the database: what `askgov staff add-user` writes when ASKGOV_DATABASE_URL is set.

Every app process reads the same table, so a user added on one machine can sign in through any replica. The
login gate asks for the users on every request under /staff; the table is read at most every `max_age` seconds.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.db.tables import staff_users

TABLE_ORIGIN = "the database table staff_users"  # how errors about a stored entry name where it came from


class StaffUserTable:
    def __init__(self, engine: Engine, max_age: float = 2.0) -> None:
        self.engine, self.max_age = engine, max_age
        self._cached: dict[str, str] = {}
        self._read_at = float("-inf")
        self._lock = threading.Lock()

    def users(self) -> dict[str, str]:
        """name -> password hash, at most `max_age` seconds old."""
        with self._lock:
            if time.monotonic() - self._read_at >= self.max_age:
                with self.engine.connect() as connection:
                    rows = connection.execute(sa.select(staff_users.c.name, staff_users.c.password_hash))
                    self._cached = {name: stored for name, stored in rows}
                self._read_at = time.monotonic()
            return dict(self._cached)

    def put(self, name: str, password_hash: str) -> bool:
        """Add or replace `name`. True when the user already existed."""
        values = {"password_hash": password_hash, "updated": datetime.now(timezone.utc).isoformat()}
        with self.engine.begin() as connection:
            existed = connection.execute(
                sa.update(staff_users).where(staff_users.c.name == name).values(**values)
            ).rowcount
            if not existed:
                connection.execute(sa.insert(staff_users).values(name=name, **values))
        self._read_at = float("-inf")
        return bool(existed)

    def remove(self, name: str) -> bool:
        """Remove `name`; False when there was no such user."""
        with self.engine.begin() as connection:
            removed = connection.execute(sa.delete(staff_users).where(staff_users.c.name == name)).rowcount
        self._read_at = float("-inf")
        return bool(removed)
