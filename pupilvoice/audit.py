"""The audit log: who did what to which pupil's record, and when (UTC).

It never holds what a pupil said, only that something happened.
"""

from sqlite_utils import Database

from .db import utcnow


def record(
    db: Database,
    staff_id: int | None,
    action: str,
    pupil_id: int | None = None,
    detail: str = "",
) -> None:
    db["audit_log"].insert(
        {
            "at": utcnow(),
            "staff_id": staff_id,
            "action": action,
            "pupil_id": pupil_id,
            "detail": detail,
        }
    )
