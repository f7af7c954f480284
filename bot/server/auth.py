"""Staff logins: scrypt password hashes in a users file (or ASKGOV_STAFF_USERS), checked over HTTP Basic.

A users file has one `name:hash` line per person (`#` starts a comment). The hash is
`scrypt$<n>$<r>$<p>$<salt, base64>$<key, base64>`; `askgov staff add-user NAME` writes such lines.
No password or hash is ever kept in the repository: the default file lives under the git-ignored index/.
With ASKGOV_DATABASE_URL set, `askgov staff add-user` writes to the database instead, which every app process reads.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

STAFF_PATH = "/staff"  # the console, and everything the login protects
LOGOUT_PATH = STAFF_PATH + "/logout"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
NAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
MIN_PASSWORD = 10


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A hash of a random password, checked when a login names no known user."""
    return hash_password(secrets.token_urlsafe(16))


def basic_user_name(header: str | None) -> str | None:
    """The user name an HTTP Basic `Authorization` header claims (unverified), or None when it is malformed."""
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        return base64.b64decode(header[6:].strip(), validate=True).decode().partition(":")[0]
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


class UsersFileError(ValueError):
    """A users file or entry that cannot be read; the message names the file and line."""


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    encode = lambda raw: base64.b64encode(raw).decode()  # noqa: E731
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${encode(salt)}${encode(key)}"


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches `stored`. Costs one scrypt (tens of ms): call it off the event loop."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(key, validate=True)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt, validate=True),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
            maxmem=2**26,
        )
    except (ValueError, binascii.Error):
        return False
    return hmac.compare_digest(actual, expected)


def parse_entries(text: str, origin: str) -> dict[str, str]:
    """`name:hash` entries, one per line (or separated by spaces); `origin` names the source in errors."""
    users: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        for entry in line.split("#", 1)[0].split():
            name, _, stored = entry.partition(":")
            if not NAME.match(name) or not stored.startswith("scrypt$") or stored.count("$") != 5:
                raise UsersFileError(
                    f"{origin}, line {number}: expected `name:scrypt$n$r$p$salt$key`, got '{entry[:20]}...'"
                )
            users[name] = stored
    return users


def validate_new_user(name: str, password: str) -> None:
    if not NAME.match(name):
        raise UsersFileError(f"user name '{name}' may only use letters, digits and . _ @ - (at most 64)")
    if len(password) < MIN_PASSWORD:
        raise UsersFileError(f"the password must have at least {MIN_PASSWORD} characters")


def add_user(path: Path, name: str, password: str) -> bool:
    """Add or replace `name` in the users file (mode 600). True when the user already existed."""
    validate_new_user(name, password)
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    parse_entries("\n".join(lines), str(path))  # refuse to rewrite a file we cannot read
    existed = any(line.split(":", 1)[0].strip() == name for line in lines)
    kept = [line for line in lines if line.split(":", 1)[0].strip() != name]
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(kept + [f"{name}:{hash_password(password)}"]) + "\n")
    return existed


@dataclass
class StaffDirectory:
    """Who may use the staff console. Re-reads the users file when it changes, so new users need no restart."""

    users_file: Path
    inline_entries: str = ""
    # Users kept in the database (bot/db/users.py), the same for every app process; None without a database.
    database_users: Callable[[], dict[str, str]] | None = None
    _users: dict[str, str] = field(default_factory=dict)
    _stamp: tuple[float, int] | None = None
    _database: dict[str, str] = field(default_factory=dict)
    # Basic auth sends the password with every request (dozens per page); scrypt each time would cost
    # seconds, so a verified header is remembered, keyed by its HMAC under a per-process random key.
    _verified: dict[bytes, str] = field(default_factory=dict)
    _cache_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def users(self) -> dict[str, str]:
        stamp = None
        if self.users_file.is_file():
            info = self.users_file.stat()
            stamp = (info.st_mtime, info.st_size)
        database = self.database_users() if self.database_users else {}
        with self._lock:
            if stamp != self._stamp or database != self._database or not self._users:
                users = parse_entries(self.inline_entries, "ASKGOV_STAFF_USERS")
                if stamp:
                    users |= parse_entries(self.users_file.read_text(encoding="utf-8"), str(self.users_file))
                users |= parse_entries("\n".join(f"{n}:{h}" for n, h in database.items()), "the staff_users table")
                self._users, self._stamp, self._database = users, stamp, database
                self._verified.clear()
            return dict(self._users)

    def check(self, name: str, password: str) -> bool:
        """An unknown name costs a scrypt too, against a dummy hash, so timing does not tell which names exist."""
        stored = self.users().get(name)
        matches = verify_password(password, stored or dummy_hash())
        return stored is not None and matches

    def remembered_user(self, header: str | None) -> str | None:
        """The user of a header verified before (and still in the users file), without a scrypt; else None."""
        if not header:
            return None
        users = self.users()
        with self._lock:
            known = self._verified.get(self._digest(header))
        return known if known in users else None

    def forget(self, header: str | None) -> None:
        """Drop a remembered header (at log-out): its next use is verified again."""
        if header:
            with self._lock:
                self._verified.pop(self._digest(header), None)

    def _digest(self, header: str) -> bytes:
        return hmac.new(self._cache_key, header.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()

    def user_for_basic_header(self, header: str | None) -> str | None:
        """The user name when `header` is a valid `Basic ...` Authorization header, else None."""
        if not header or not header.lower().startswith("basic "):
            return None
        users = self.users()  # refreshes (and clears the cache) when the file changed
        digest = self._digest(header)
        with self._lock:
            known = self._verified.get(digest)
        if known is not None:
            return known if known in users else None
        try:
            name, _, password = base64.b64decode(header[6:].strip(), validate=True).decode().partition(":")
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None
        if not self.check(name, password):
            return None
        with self._lock:
            if len(self._verified) > 1000:
                self._verified.clear()
            self._verified[digest] = name
        return name
