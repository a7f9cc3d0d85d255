"""Voice sections (one pupil's answers for one meeting) and "talk to someone" flags."""

from flask_babel import lazy_gettext as _l
from sqlite_utils import Database

from . import audit
from .db import utcnow
from .pupils import scope

STATUS_LABELS = {
    None: _l("Not started"),
    "in_progress": _l("In progress"),
    "finished": _l("Finished by the pupil"),
}


def get(db: Database, section_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM voice_sections WHERE id = ?", [section_id]))
    return rows[0] if rows else None


def for_meeting(db: Database, meeting_id: int) -> dict | None:
    rows = list(
        db.query("SELECT * FROM voice_sections WHERE meeting_id = ?", [meeting_id])
    )
    return rows[0] if rows else None


def start(
    db: Database,
    *,
    pupil: dict,
    meeting: dict,
    band: str,
    language: str,
    scribe: bool,
    staff: dict,
) -> dict:
    """Open (or reopen) the pupil's voice section for this meeting.

    Reopening keeps every answer already given: a pupil who stopped halfway, or
    who wants to change something after finishing, carries on where they were.
    """
    with db.atomic():
        existing = for_meeting(db, meeting["id"])
        values = {
            "band": band,
            "language": language,
            "scribe": int(scribe),
            "supported_by_id": staff["id"],
            "status": "in_progress",
        }
        if existing:
            db["voice_sections"].update(existing["id"], values)
            section_id = existing["id"]
        else:
            section_id = (
                db["voice_sections"]
                .insert(
                    {
                        **values,
                        "pupil_id": pupil["id"],
                        "meeting_id": meeting["id"],
                        "started_at": utcnow(),
                    }
                )
                .last_pk
            )
        audit.record(db, staff["id"], "pupil_mode_started", pupil["id"])
    return get(db, section_id)


def finish(db: Database, section: dict) -> None:
    with db.atomic():
        db["voice_sections"].update(
            section["id"], {"status": "finished", "finished_at": utcnow()}
        )
        audit.record(db, None, "voice_finished_by_pupil", section["pupil_id"])


def raise_flag(db: Database, section: dict, step: str | None) -> None:
    with db.atomic():
        db["talk_flags"].insert(
            {"section_id": section["id"], "step": step, "raised_at": utcnow()}
        )
        audit.record(db, None, "talk_flag_raised", section["pupil_id"])


def open_flags(db: Database, staff: dict) -> list[dict]:
    """Unseen flags for the pupils this person is responsible for."""
    where, params = scope(staff)
    return list(
        db.query(
            f"""
            SELECT f.id, f.raised_at, p.id AS pupil_id, p.preferred_name
            FROM talk_flags f
            JOIN voice_sections v ON v.id = f.section_id
            JOIN pupils p ON p.id = v.pupil_id
            JOIN schools s ON s.id = p.school_id
            WHERE f.seen_at IS NULL AND {where}
            ORDER BY f.raised_at
            """,  # noqa: S608 - `where` is one of scope()'s fixed clauses
            params,
        )
    )


def mark_flag_seen(db: Database, staff: dict, flag_id: int) -> bool:
    flag = next((f for f in open_flags(db, staff) if f["id"] == flag_id), None)
    if flag is None:
        return False
    with db.atomic():
        db["talk_flags"].update(
            flag_id, {"seen_by_id": staff["id"], "seen_at": utcnow()}
        )
        audit.record(db, staff["id"], "talk_flag_seen", flag["pupil_id"])
    return True
