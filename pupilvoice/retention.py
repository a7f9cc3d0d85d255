"""Keeping nothing longer than the Virtual School has set, and deleting on request.

Once a voice section has been imported into the PEP, the PEP is the record: the
pupil's answers, flags and adults' notes here are deleted after the Virtual
School's retention period (90 days unless set otherwise). The clock starts at
the first import and nothing stops it: a voice reopened, answered again or
noted on after import is still deleted on time (its import date is never
cleared, and anything written after a purge is purged again). The section row stays,
marked purged, so the history of what was exported remains, with no words in it.
"""

import sqlite3
import threading
import time
from datetime import UTC, date, datetime, timedelta

from sqlite_utils import Database

from . import audit, backups, config
from .db import connect, utcnow
from .errors import storage_unavailable

# Signed-out leftovers are cleared too: sessions long past any limit, sign-in
# counts nobody has added to for a day, and half-finished sign-ins.
STALE_SESSIONS = timedelta(hours=13)
STALE_ATTEMPTS = timedelta(days=1)
STALE_PENDING = timedelta(minutes=10)

_last_checked: date | None = None
_retry_after = 0.0


def days_for(db: Database, virtual_school_id: int, default: int | None = None) -> int:
    """The Virtual School's own period, or the installation's (RETENTION_DAYS)."""
    row = next(
        db.query(
            "SELECT retention_days FROM settings WHERE virtual_school_id = ?",
            [virtual_school_id],
        ),
        None,
    )
    if row:
        return row["retention_days"]
    return config.default("RETENTION_DAYS") if default is None else default


def set_days(db: Database, virtual_school_id: int, days: int) -> None:
    db["settings"].upsert(
        {"virtual_school_id": virtual_school_id, "retention_days": days},
        pk="virtual_school_id",
    )


def past_retention(db: Database, section: dict, now: datetime | None = None) -> bool:
    """Whether this voice's answers are due for deletion (the daily purge has
    yet to reach them). Nobody may reopen such a voice for more answers."""
    if not section["imported_at"]:
        return False
    row = next(
        db.query(
            "SELECT s.virtual_school_id FROM pupils p "
            "JOIN schools s ON s.id = p.school_id WHERE p.id = ?",
            [section["pupil_id"]],
        )
    )
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=days_for(db, row["virtual_school_id"]))
    return section["imported_at"] < cutoff.isoformat(timespec="seconds")


BATCH = 200


def purge(
    db: Database, now: datetime | None = None, default_days: int | None = None
) -> int:
    """Apply every Virtual School's retention period; return sections purged.

    Done a batch at a time, each its own short transaction, so pupils saving
    answers never wait long behind it however much is due.
    """
    now = now or datetime.now(UTC)
    purged = 0
    for vs in list(db.query("SELECT id FROM virtual_schools")):
        cutoff = (now - timedelta(days=days_for(db, vs["id"], default_days))).isoformat(
            timespec="seconds"
        )
        while True:
            due = list(
                db.query(
                    """
                    SELECT v.id, v.pupil_id FROM voice_sections v
                    JOIN pupils p ON p.id = v.pupil_id
                    JOIN schools s ON s.id = p.school_id
                    WHERE s.virtual_school_id = ? AND v.imported_at < ?
                      AND (v.purged_at IS NULL
                        OR EXISTS (SELECT 1 FROM answers a WHERE a.section_id = v.id)
                        OR EXISTS (SELECT 1 FROM talk_flags f WHERE f.section_id = v.id)
                        OR EXISTS (
                            SELECT 1 FROM adult_notes n WHERE n.section_id = v.id))
                    LIMIT ?
                    """,
                    [vs["id"], cutoff, BATCH],
                )
            )
            if not due:
                break
            ids = [row["id"] for row in due]
            marks = ", ".join("?" * len(ids))
            with db.atomic():
                for table in ("answers", "talk_flags", "adult_notes"):
                    db.execute(
                        f"DELETE FROM {table} WHERE section_id IN ({marks})",  # noqa: S608
                        ids,
                    )
                db.execute(
                    f"UPDATE voice_sections SET purged_at = ? WHERE id IN ({marks})",  # noqa: S608
                    [utcnow(), *ids],
                )
                for row in due:
                    audit.record(
                        db, None, "answers_deleted_by_retention", row["pupil_id"]
                    )
            purged += len(due)
    with db.atomic():
        db.execute(
            "DELETE FROM device_sessions WHERE last_seen_at < ?",
            [(now - STALE_SESSIONS).isoformat(timespec="seconds")],
        )
        db.execute(
            "DELETE FROM sign_in_attempts WHERE last_failure_at < ?",
            [(now - STALE_ATTEMPTS).isoformat(timespec="seconds")],
        )
        db.execute(
            "DELETE FROM pending_sign_ins WHERE created_at < ?",
            [(now - STALE_PENDING).isoformat(timespec="seconds")],
        )
    return purged


def checked_today() -> bool:
    return _last_checked == date.today() or time.monotonic() < _retry_after


def run_daily(database_path: str, default_days: int | None = None) -> None:
    """Purge once a day, whichever worker process gets there first, in a thread
    of its own so no request waits for it. If another writer holds the lock,
    the request goes on and a later one tries again in a minute."""
    global _last_checked, _retry_after
    today = date.today()
    db = connect(database_path)
    try:
        with audit.short_wait(db):
            db.conn.execute("BEGIN IMMEDIATE")
        row = db.conn.execute(
            "SELECT last_run_at FROM maintenance WHERE task = 'purge'"
        ).fetchone()
        due = row is None or row[0][:10] < today.isoformat()
        if due:
            db.conn.execute(
                "INSERT OR REPLACE INTO maintenance VALUES ('purge', ?)", [utcnow()]
            )
        db.conn.execute("COMMIT")
    except sqlite3.OperationalError as error:
        db.close()
        if not storage_unavailable(error):
            raise
        _retry_after = time.monotonic() + 60
        return
    except BaseException:
        db.close()
        raise
    _last_checked = today
    if not due:
        db.close()
        return

    def work():
        try:
            purge(db, default_days=default_days)
            # The copies restore keeps aside hold children's words too.
            backups.drop_old_copies(database_path)
        except sqlite3.OperationalError as error:
            # Tomorrow's run picks up whatever was left.
            if not storage_unavailable(error):
                raise
        finally:
            db.close()

    threading.Thread(target=work, name="daily-purge", daemon=True).start()


def delete_pupil(db: Database, staff: dict, pupil_id: int) -> None:
    """Everything about a pupil goes; the audit log keeps that it happened."""
    with db.atomic():
        db.execute("DELETE FROM pupils WHERE id = ?", [pupil_id])
        audit.record(db, staff["id"], "pupil_deleted", pupil_id)
