"""Slowing down password guessing, without ever locking anyone out for good.

Failures are counted per account and per address in the database, so every
worker process sees the same counts. After a few free tries each further
failure doubles the wait, up to a quarter of an hour; a success clears the
account's count.
"""

from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from .db import utcnow

FREE_TRIES = {"account": 3, "address": 20}
LONGEST_WAIT = timedelta(minutes=15)


def keys(email: str, address: str | None) -> list[str]:
    return [f"account:{email.strip().lower()}", f"address:{address or 'unknown'}"]


def _wait(kind: str, failures: int) -> timedelta:
    extra = failures - FREE_TRIES[kind]
    if extra <= 0:
        return timedelta(0)
    return min(timedelta(seconds=2 ** min(extra, 20)), LONGEST_WAIT)


def seconds_to_wait(db: Database, names: list[str]) -> int:
    now = datetime.now(UTC)
    longest = timedelta(0)
    for row in db.query(
        f"SELECT * FROM sign_in_attempts WHERE key IN ({', '.join('?' * len(names))})",  # noqa: S608
        names,
    ):
        kind = row["key"].split(":", 1)[0]
        until = datetime.fromisoformat(row["last_failure_at"]) + _wait(
            kind, row["failures"]
        )
        longest = max(longest, until - now)
    return int(longest.total_seconds() + 0.999)


def failed(db: Database, names: list[str]) -> None:
    for name in names:
        db.execute(
            """
            INSERT INTO sign_in_attempts (key, failures, last_failure_at)
            VALUES (?, 1, ?)
            ON CONFLICT (key) DO UPDATE SET
                failures = failures + 1, last_failure_at = excluded.last_failure_at
            """,
            [name, utcnow()],
        )


def succeeded(db: Database, names: list[str]) -> None:
    account = [n for n in names if n.startswith("account:")]
    db.execute(
        f"DELETE FROM sign_in_attempts WHERE key IN ({', '.join('?' * len(account))})",  # noqa: S608
        account,
    )
