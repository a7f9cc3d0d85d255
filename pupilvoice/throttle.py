"""Slowing down password guessing, without ever locking anyone out for good.

Failures are counted in the database, so every worker process sees the same
counts. After a few free tries each further failure doubles the wait, up to a
limit; a success clears the account's counts.

What is counted follows OWASP's "device cookie" advice, so that guessing from
one place cannot keep everyone else out:

- a browser that has signed in to this account before (it holds a signed
  device cookie) is counted on its own, and nothing anyone else does slows it;
- any other attempt is counted for this account from this address, for this
  account from anywhere (slower to build up), and for this address whatever
  the account (slower still, against trying one password on many accounts).
  A school behind one shared address therefore only waits after many failures
  there, and a teacher whose browser knows them does not wait at all;
- the teacher's password that ends pupil mode is counted for that tablet's
  session alone, and never holds the teacher out for more than a minute.

Keys are hashed: a row is a few dozen bytes whatever was typed, and rows
nobody has added to for a day are deleted by the daily purge.
"""

import hashlib
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from .db import utcnow

# kind: (free tries, longest wait)
LIMITS = {
    "device": (5, timedelta(minutes=15)),
    "pair": (5, timedelta(minutes=15)),
    "account": (20, timedelta(minutes=15)),
    "address": (50, timedelta(minutes=15)),
    "unlock": (3, timedelta(minutes=1)),
}


def _key(kind: str, *values: str) -> str:
    digest = hashlib.sha256("\x00".join(values).encode()).hexdigest()[:32]
    return f"{kind}:{digest}"


def _account(email: str) -> str:
    return email.strip().lower()


def keys(email: str, address: str | None, device: str | None = None) -> list[str]:
    """What a sign-in attempt counts against. `device` is the nonce of a valid
    device cookie issued to this very account, if the browser sent one."""
    if device:
        return [_key("device", device)]
    account, address = _account(email), address or "unknown"
    return [
        _key("pair", account, address),
        _key("account", account),
        _key("address", address),
    ]


def unlock_keys(device_session_id: str) -> list[str]:
    return [_key("unlock", device_session_id)]


def _wait(kind: str, failures: int) -> timedelta:
    free, longest = LIMITS[kind]
    extra = failures - free
    if extra <= 0:
        return timedelta(0)
    return min(timedelta(seconds=2 ** min(extra, 20)), longest)


def seconds_to_wait(db: Database, names: list[str]) -> int:
    now = datetime.now(UTC)
    longest = timedelta(0)
    for row in db.query(
        f"SELECT * FROM sign_in_attempts WHERE key IN ({', '.join('?' * len(names))})",  # noqa: S608
        names,
    ):
        kind = row["key"].split(":", 1)[0]
        if kind not in LIMITS:
            continue
        until = datetime.fromisoformat(row["last_failure_at"]) + _wait(
            kind, row["failures"]
        )
        longest = max(longest, until - now)
    return int(longest.total_seconds() + 0.999)


def failed(db: Database, names: list[str]) -> None:
    with db.atomic():
        for name in names:
            db.execute(
                """
                INSERT INTO sign_in_attempts (key, failures, last_failure_at)
                VALUES (?, 1, ?)
                ON CONFLICT (key) DO UPDATE SET
                    failures = failures + 1,
                    last_failure_at = excluded.last_failure_at
                """,
                [name, utcnow()],
            )


def succeeded(db: Database, names: list[str]) -> None:
    """The person is who they said: their own counts start again. A shared
    address's count does not, or one right password would reset a spray."""
    mine = [n for n in names if not n.startswith("address:")]
    if mine:
        db.execute(
            f"DELETE FROM sign_in_attempts WHERE key IN ({', '.join('?' * len(mine))})",  # noqa: S608
            mine,
        )
