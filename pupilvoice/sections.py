"""Voice sections (one pupil's answers for one meeting) and "talk to someone" flags."""

from sqlite_utils import Database

from . import access, audit, pupils
from .db import utcnow
from .i18n import lazy_gettext as _l

# A voice section only ever moves forward through these, except that a
# teacher may deliberately reopen a finished one (reopen()).
STAGES = ("in_progress", "finished", "reviewed", "exported", "imported")
STATUS_LABELS = {
    None: _l("Not started"),
    "in_progress": _l("In progress"),
    "finished": _l("Finished by the pupil"),
    "reviewed": _l("Reviewed by the teacher"),
    "exported": _l("Exported"),
    "imported": _l("Imported into the PEP"),
    # Not a stage: what staff pages show once retention has deleted the words.
    "purged": _l("Answers deleted at the end of the retention period"),
}


class NotOpen(Exception):
    """Pupil mode cannot start on this voice section: it is finished, or its
    answers were deleted by retention. `reason` is "finished" or "purged"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


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
    """Open the pupil's voice section for this meeting, or carry on with it.

    Carrying on keeps every answer already given: a pupil who stopped halfway
    starts where they were. A finished voice is never changed here: only a
    teacher's deliberate reopen() lets the pupil change it (NotOpen), and one
    whose answers retention deleted takes no more (a new voice needs a new
    meeting).
    """
    with db.atomic():
        existing = for_meeting(db, meeting["id"])
        values = {
            "band": band,
            "language": language,
            "scribe": int(scribe),
            "supported_by_id": staff["id"],
        }
        if existing:
            if is_purged(existing):
                raise NotOpen("purged")
            if is_finished(existing):
                raise NotOpen("finished")
            db["voice_sections"].update(existing["id"], values)
            section_id = existing["id"]
        else:
            section_id = (
                db["voice_sections"]
                .insert(
                    {
                        **values,
                        "status": "in_progress",
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
    """The pupil's "I've finished". Only an open section finishes: pressed
    twice (or from an old page), the first finish time stands."""
    with db.atomic():
        cursor = db.execute(
            "UPDATE voice_sections SET status = 'finished', finished_at = ? "
            "WHERE id = ? AND status = 'in_progress' AND purged_at IS NULL",
            [utcnow(), section["id"]],
        )
        if cursor.rowcount:
            audit.record(db, None, "voice_finished_by_pupil", section["pupil_id"])


def reopen(db: Database, section: dict, staff: dict) -> None:
    """A teacher lets the pupil change a finished voice (a deliberate act, with
    their password, logged). Retention is untouched: the clock still runs
    from the first import (imported_at is never cleared), so a reopened voice
    is deleted on time like any other."""
    if not is_finished(section) or is_purged(section):
        raise NotOpen("purged" if is_purged(section) else "open")
    with db.atomic():
        db["voice_sections"].update(section["id"], {"status": "in_progress"})
        # A tablet still showing the finished page must not open the answers
        # again by itself: its session ends, and the teacher hands it over anew.
        db.execute("DELETE FROM device_sessions WHERE section_id = ?", [section["id"]])
        audit.record(
            db, staff["id"], "voice_reopened", section["pupil_id"], section["status"]
        )


def raise_flag(
    db: Database, section: dict, step: str | None, client_id: str | None = None
) -> None:
    """Record "I want to talk to someone". A tablet sending it again (its
    connection dropped before it heard back) gives the same client_id, and
    the flag is still recorded once."""
    with db.atomic():
        cursor = db.execute(
            "INSERT OR IGNORE INTO talk_flags (section_id, step, raised_at, client_id)"
            " VALUES (?, ?, ?, ?)",
            [section["id"], step, utcnow(), client_id],
        )
        if cursor.rowcount:
            audit.record(db, None, "talk_flag_raised", section["pupil_id"])


def has_open_flag(db: Database, section_id: int) -> bool:
    """Whether this pupil's "talk to someone" is waiting for an adult."""
    return bool(
        list(
            db.query(
                "SELECT 1 FROM talk_flags WHERE section_id = ? AND seen_at IS NULL",
                [section_id],
            )
        )
    )


def open_flags(db: Database, staff: dict) -> list[dict]:
    """Unseen flags for the pupils this person is responsible for."""
    where, params = access.scope(staff)
    return list(
        db.query(
            f"""
            SELECT f.id, f.raised_at, p.id AS pupil_id, p.preferred_name
            FROM pupils p
            JOIN schools s ON s.id = p.school_id
            CROSS JOIN voice_sections v ON v.pupil_id = p.id
            CROSS JOIN talk_flags f ON f.section_id = v.id AND f.seen_at IS NULL
            WHERE {where}
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


def for_staff(db: Database, staff: dict, section_id: int) -> tuple[dict, dict] | None:
    """The section and its pupil, if the pupil is in this person's scope."""
    section = get(db, section_id)
    if section is None:
        return None
    pupil = pupils.get(db, staff, section["pupil_id"])
    if pupil is None:
        return None
    return section, pupil


def is_finished(section: dict) -> bool:
    return section["status"] in STAGES[1:]


def is_purged(section: dict) -> bool:
    return bool(section.get("purged_at"))


def is_closed(section: dict) -> bool:
    """Closed to the pupil: finished (until a teacher reopens it), or its
    answers deleted by retention."""
    return is_finished(section) or is_purged(section)


def shown_status(section: dict | None) -> str | None:
    """The key of STATUS_LABELS a staff page shows for this section."""
    if section is None:
        return None
    return "purged" if is_purged(section) else section["status"]


def has_answers(db: Database, section_id: int) -> bool:
    return bool(
        list(
            db.query("SELECT 1 FROM answers WHERE section_id = ? LIMIT 1", [section_id])
        )
    )


def _advance(db: Database, section: dict, stage: str, **values) -> None:
    if STAGES.index(stage) > STAGES.index(section["status"]):
        values["status"] = stage
    if values:
        db["voice_sections"].update(section["id"], values)


def mark_reviewed(db: Database, section: dict, staff: dict) -> None:
    with db.atomic():
        _advance(
            db, section, "reviewed", reviewed_at=utcnow(), reviewed_by_id=staff["id"]
        )
        audit.record(db, staff["id"], "voice_reviewed", section["pupil_id"])


def record_export(
    db: Database,
    section: dict,
    staff: dict | None,
    fmt: str,
    *,
    for_the_pep: bool = True,
) -> None:
    """Everything that leaves is written down: who, when, which format. Only
    what is for the meeting or the PEP moves the voice on to "exported"; the
    private answers' download is logged as what it is."""
    with db.atomic():
        db["exports"].insert(
            {
                "section_id": section["id"],
                "staff_id": staff["id"] if staff else None,
                "format": fmt,
                "at": utcnow(),
            }
        )
        if for_the_pep:
            _advance(db, section, "exported")
        audit.record(
            db,
            staff["id"] if staff else None,
            "voice_exported" if for_the_pep else "private_answers_downloaded",
            section["pupil_id"],
            fmt,
        )


def mark_imported(db: Database, section: dict, staff: dict) -> None:
    # The first import starts the retention clock; marking it again never
    # winds the clock back.
    first = {} if section["imported_at"] else {"imported_at": utcnow()}
    with db.atomic():
        _advance(db, section, "imported", imported_by_id=staff["id"], **first)
        audit.record(db, staff["id"], "voice_marked_imported", section["pupil_id"])


def export_history(db: Database, section_id: int) -> list[dict]:
    return list(
        db.query(
            """
            SELECT e.format, e.at, coalesce(s.name, 'command line') AS who
            FROM exports e LEFT JOIN staff s ON s.id = e.staff_id
            WHERE e.section_id = ? ORDER BY e.at DESC, e.id DESC
            """,
            [section_id],
        )
    )


def add_note(db: Database, section: dict, staff: dict, text: str) -> None:
    with db.atomic():
        db["adult_notes"].insert(
            {
                "section_id": section["id"],
                "staff_id": staff["id"],
                "text": text,
                "at": utcnow(),
            }
        )
        audit.record(db, staff["id"], "adult_note_added", section["pupil_id"])


def notes(db: Database, section_id: int) -> list[dict]:
    return list(
        db.query(
            """
            SELECT n.text, n.at, s.name, s.role FROM adult_notes n
            JOIN staff s ON s.id = n.staff_id
            WHERE n.section_id = ? ORDER BY n.at, n.id
            """,
            [section_id],
        )
    )


def flags_for(db: Database, section_id: int) -> list[dict]:
    return list(
        db.query(
            "SELECT * FROM talk_flags WHERE section_id = ? ORDER BY raised_at",
            [section_id],
        )
    )


def finished_between(db: Database, staff: dict, start: str, end: str) -> list[int]:
    """Finished voice sections in this person's scope completed in [start, end]."""
    where, params = access.scope(staff)
    return [
        row["id"]
        for row in db.query(
            f"""
            SELECT v.id FROM voice_sections v
            JOIN pupils p ON p.id = v.pupil_id
            JOIN schools s ON s.id = p.school_id
            WHERE v.status != 'in_progress'
              AND substr(v.finished_at, 1, 10) BETWEEN ? AND ?
              AND {where}
            ORDER BY v.finished_at
            """,  # noqa: S608 - `where` is one of scope()'s fixed clauses
            [start, end, *params],
        )
    ]


def all_finished(db: Database) -> list[int]:
    return [
        row["id"]
        for row in db.query(
            "SELECT id FROM voice_sections WHERE status != 'in_progress' ORDER BY id"
        )
    ]


def set_language(db: Database, section: dict, language: str) -> None:
    """The pupil changes language part way: every answer stays, keyed by step."""
    db["voice_sections"].update(section["id"], {"language": language})
