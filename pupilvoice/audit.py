"""The audit log: who did what to which pupil's record, and when (UTC).

It never holds what a pupil said, only that something happened.

A change and its log row are written in one transaction (`record`). Reading a
record is logged too (`record_read`), but a reading must not fail because
another writer holds SQLite's lock for longer than a page should wait: then the
row is written at once to a spool file of this process beside the database
(flushed to disk), and moved into the database as soon as it takes writes
again, by this process or, if it died, by the next one to start. If even the
spool cannot be written (a full disk), the read fails kindly and nothing is
shown unlogged.
"""

import contextlib
import fcntl
import json
import os
import secrets
import sqlite3
import threading
import time
from pathlib import Path

from flask import current_app
from sqlite_utils import Database

from .db import utcnow
from .errors import storage_unavailable

# How long a read waits for the write lock before its row is spooled.
READ_WAIT_MS = 250
SPOOL_SUFFIX = "-audit-spool"
RETRY_SECONDS = 1.0


def _row(staff_id, action, pupil_id, detail) -> dict:
    return {
        "at": utcnow(),
        "staff_id": staff_id,
        "action": action,
        "pupil_id": pupil_id,
        "detail": detail,
    }


def record(
    db: Database,
    staff_id: int | None,
    action: str,
    pupil_id: int | None = None,
    detail: str = "",
) -> None:
    db["audit_log"].insert(_row(staff_id, action, pupil_id, detail))


@contextlib.contextmanager
def short_wait(db: Database, milliseconds: int = READ_WAIT_MS):
    """Wait only briefly for the write lock, then the usual timeout again."""
    (previous,) = db.conn.execute("PRAGMA busy_timeout").fetchone()
    db.conn.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
    try:
        yield
    finally:
        db.conn.execute(f"PRAGMA busy_timeout = {int(previous)}")


def record_read(
    db: Database,
    staff_id: int | None,
    action: str,
    pupil_id: int | None = None,
    detail: str = "",
) -> None:
    """`record`, unless the lock is not free within READ_WAIT_MS, or rows are
    already waiting in the spool (the log keeps their order): then spooled."""
    spool = Spool.for_database(current_app.config["DATABASE"])
    if not spool.pending:
        try:
            with short_wait(db):
                record(db, staff_id, action, pupil_id, detail)
            return
        except sqlite3.OperationalError as error:
            if not storage_unavailable(error) or db.conn.in_transaction:
                raise
    spool.add(_row(staff_id, action, pupil_id, detail))
    spool.flush(db)


class Spool:
    """This process's log rows that the database could not take at once."""

    _by_folder: dict[str, "Spool"] = {}
    _guard = threading.Lock()

    def __init__(self, folder: Path):
        self.folder = folder
        self.lock = threading.Lock()
        self.file = None
        self.pending = 0
        self.tried_at = 0.0
        self.pid = os.getpid()

    @classmethod
    def for_database(cls, database: str) -> "Spool":
        folder = str(spool_folder(database))
        with cls._guard:
            spool = cls._by_folder.get(folder)
            if spool is None or spool.pid != os.getpid():
                # A forked worker starts its own spool, never its parent's.
                spool = cls._by_folder[folder] = cls(Path(folder))
            return spool

    def _open(self):
        if self.file is None:
            self.folder.mkdir(mode=0o700, exist_ok=True)
            name = f"{os.getpid()}-{secrets.token_hex(4)}.jsonl"
            self.file = open(self.folder / name, "a+", encoding="utf-8")  # noqa: SIM115 - held for the process's life
            # Held while this process lives: whoever can take it knows the
            # writer is gone and the rows are theirs to move.
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return self.file

    def add(self, row: dict) -> None:
        with self.lock:
            spool = self._open()
            spool.write(json.dumps(row) + "\n")
            spool.flush()
            os.fsync(spool.fileno())
            self.pending += 1

    def flush(self, db: Database, force: bool = False) -> None:
        """Move spooled rows into the database if it takes them now."""
        if not self.pending or db.conn.in_transaction:
            return
        now = time.monotonic()
        if not force and now - self.tried_at < RETRY_SECONDS:
            return
        with self.lock:
            self.tried_at = now
            if not self.pending:
                return
            self.file.seek(0)
            rows = _rows(self.file)
            try:
                with short_wait(db), db.atomic():
                    db["audit_log"].insert_all(rows)
            except sqlite3.OperationalError as error:
                if not storage_unavailable(error):
                    raise
                return
            self.file.seek(0)
            self.file.truncate()
            os.fsync(self.file.fileno())
            self.pending = 0


def spool_folder(database: str) -> Path:
    """Beside the database it belongs to, whatever the instance folder."""
    return Path(f"{database}{SPOOL_SUFFIX}")


def recover(db: Database, database: str) -> int:
    """Move rows left by processes that died before they could; return how many."""
    folder = spool_folder(database)
    moved = 0
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        with open(path, "r+", encoding="utf-8") as spool:
            try:
                fcntl.flock(spool, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # its process is alive and will move them itself
            rows = _rows(spool)
            if rows:
                with db.atomic():
                    db["audit_log"].insert_all(rows)
                moved += len(rows)
            path.unlink()
    return moved


def _rows(spool) -> list[dict]:
    """Every whole row; a line torn by a crash mid-write is left out."""
    rows = []
    for line in spool:
        with contextlib.suppress(ValueError):
            rows.append(json.loads(line))
    return rows


def init_app(app) -> None:
    from .db import get_db

    with app.app_context():
        recover(get_db(), app.config["DATABASE"])

    @app.before_request
    def flush_spool():
        spool = Spool.for_database(app.config["DATABASE"])
        if spool.pending:
            spool.flush(get_db())
