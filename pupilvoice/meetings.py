"""A pupil's PEP meetings: when and where, who is coming, the targets from the
last PEP, the preparation checklist, and the outcomes agreed ("you said, we did").

Callers check the pupil is in the person's scope first (pupils.get); these take
a meeting that belongs to that pupil.
"""

from datetime import date

from sqlite_utils import Database

from .db import utcnow
from .i18n import lazy_gettext as _l
from .questions import ROLES
from .roles import ATTENDEE_ROLES

# The preparation checklist from the Virtual School's PEP meeting guidance.
CHECKLIST = {
    "attendance_confirmed": _l("Everyone has confirmed they are coming"),
    "voice_collected": _l("The pupil's voice has been collected"),
    "meeting_discussed": _l(
        "The pupil and designated teacher have talked about the meeting: "
        "who will be there and what might come out of it"
    ),
    "data_ready": _l(
        "Attendance, progress and attainment data is ready and has been "
        "given to the Virtual School"
    ),
    "documents_ready": _l(
        "Key documents are ready (reports, SEN documents, support plans)"
    ),
}
CHECKLIST_STATUSES = {
    "to_do": _l("To do"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
}


# Every list is bounded, so no form can be used to fill the disk or make a
# page (or the pupil's journey, a page a target) endless. A PEP sets a few
# targets a term; the outcomes agreed become next term's targets, so they
# share a bound. Termly meetings from Reception to Year 13 are 42; 60 leaves
# room for meetings moved or added, and a meeting's date can be changed.
MAX_TARGETS = 10
MAX_OUTCOMES = MAX_TARGETS
MAX_ATTENDEES = 20
MAX_MEETINGS = 60


def _count(db: Database, table: str, column: str, value: int) -> int:
    return db.execute(
        f"SELECT count(*) FROM {table} WHERE {column} = ?",  # noqa: S608 - fixed names
        [value],
    ).fetchone()[0]


def current_meeting(db: Database, pupil_id: int) -> dict | None:
    """The next meeting, or failing that the most recent one."""
    upcoming = list(
        db.query(
            "SELECT * FROM meetings WHERE pupil_id = ? AND date >= ? "
            "ORDER BY date LIMIT 1",
            [pupil_id, date.today().isoformat()],
        )
    )
    if upcoming:
        return upcoming[0]
    latest = list(
        db.query(
            "SELECT * FROM meetings WHERE pupil_id = ? ORDER BY date DESC LIMIT 1",
            [pupil_id],
        )
    )
    return latest[0] if latest else None


def attendees(db: Database, meeting_id: int) -> list[dict]:
    """Each person with their role as the adults call it (`role_label`) and as
    the pupil is told it (`role_for_pupil`), in the language in force."""
    people = list(
        db.query(
            "SELECT * FROM attendees WHERE meeting_id = ? ORDER BY id", [meeting_id]
        )
    )
    for person in people:
        role = person["role"] if person["role"] in ROLES else "other"
        words, image = ROLES[role]
        person["role_label"] = str(ATTENDEE_ROLES[role])
        person["role_for_pupil"] = str(words)
        person["image"] = image
    return people


def targets(db: Database, meeting_id: int) -> list[dict]:
    return list(
        db.query(
            "SELECT * FROM targets WHERE meeting_id = ? ORDER BY position, id",
            [meeting_id],
        )
    )


def get(db: Database, pupil_id: int, meeting_id: int) -> dict | None:
    rows = list(
        db.query(
            "SELECT * FROM meetings WHERE id = ? AND pupil_id = ?",
            [meeting_id, pupil_id],
        )
    )
    return rows[0] if rows else None


def for_pupil(db: Database, pupil_id: int) -> list[dict]:
    return list(
        db.query(
            """
            SELECT m.*, v.id AS section_id,
                CASE WHEN v.purged_at IS NOT NULL THEN 'purged'
                     ELSE v.status END AS voice_status
            FROM meetings m LEFT JOIN voice_sections v ON v.meeting_id = m.id
            WHERE m.pupil_id = ? ORDER BY m.date DESC
            """,
            [pupil_id],
        )
    )


def save(db: Database, pupil_id: int, values: dict, meeting_id: int | None = None):
    """Create a meeting, or change the date, time and place of one. None if
    the pupil has as many meetings as they may (MAX_MEETINGS)."""
    if meeting_id is None:
        with db.atomic():
            if _count(db, "meetings", "pupil_id", pupil_id) >= MAX_MEETINGS:
                return None
            return db["meetings"].insert({"pupil_id": pupil_id, **values}).last_pk
    db["meetings"].update(meeting_id, values)
    return meeting_id


def add_attendee(db: Database, meeting_id: int, name: str, role: str) -> bool:
    """False if the meeting has as many people as it may (MAX_ATTENDEES)."""
    with db.atomic():
        if _count(db, "attendees", "meeting_id", meeting_id) >= MAX_ATTENDEES:
            return False
        db["attendees"].insert({"meeting_id": meeting_id, "name": name, "role": role})
    return True


def remove_attendee(db: Database, meeting_id: int, attendee_id: int) -> bool:
    """True if there was one to remove (on this meeting)."""
    cursor = db.execute(
        "DELETE FROM attendees WHERE id = ? AND meeting_id = ?",
        [attendee_id, meeting_id],
    )
    return cursor.rowcount == 1


def add_target(db: Database, meeting_id: int, text: str) -> bool:
    """False if the meeting has as many targets as it may (MAX_TARGETS)."""
    with db.atomic():
        if _count(db, "targets", "meeting_id", meeting_id) >= MAX_TARGETS:
            return False
        position = db.execute(
            "SELECT coalesce(max(position), -1) + 1 FROM targets WHERE meeting_id = ?",
            [meeting_id],
        ).fetchone()[0]
        db["targets"].insert(
            {"meeting_id": meeting_id, "position": position, "text": text}
        )
    return True


def remove_target(db: Database, meeting_id: int, target_id: int) -> bool:
    """True if there was one to remove (on this meeting)."""
    cursor = db.execute(
        "DELETE FROM targets WHERE id = ? AND meeting_id = ?", [target_id, meeting_id]
    )
    return cursor.rowcount == 1


def checklist(db: Database, meeting: dict, section: dict | None) -> list[dict]:
    """Each item with its status. The pupil's voice counts as collected once
    the pupil has finished, whatever was recorded by hand."""
    recorded = {
        row["item"]: row["status"]
        for row in db.query(
            "SELECT item, status FROM checklist WHERE meeting_id = ?", [meeting["id"]]
        )
    }
    if section and section["status"] not in (None, "in_progress"):
        recorded["voice_collected"] = "done"
    return [
        {"item": item, "label": label, "status": recorded.get(item, "to_do")}
        for item, label in CHECKLIST.items()
    ]


def set_checklist(
    db: Database, meeting_id: int, item: str, status: str, staff_id: int
) -> None:
    db["checklist"].upsert(
        {
            "meeting_id": meeting_id,
            "item": item,
            "status": status,
            "updated_at": utcnow(),
            "updated_by_id": staff_id,
        },
        pk=("meeting_id", "item"),
    )


def outcomes(db: Database, meeting_id: int) -> list[dict]:
    return list(
        db.query(
            "SELECT * FROM outcomes WHERE meeting_id = ? ORDER BY position, id",
            [meeting_id],
        )
    )


def add_outcome(
    db: Database, meeting_id: int, what: str, who: str, by_when: str
) -> bool:
    """False if the meeting has as many outcomes as it may (MAX_OUTCOMES)."""
    with db.atomic():
        if _count(db, "outcomes", "meeting_id", meeting_id) >= MAX_OUTCOMES:
            return False
        position = db.execute(
            "SELECT coalesce(max(position), -1) + 1 FROM outcomes WHERE meeting_id = ?",
            [meeting_id],
        ).fetchone()[0]
        db["outcomes"].insert(
            {
                "meeting_id": meeting_id,
                "position": position,
                "what": what,
                "who": who,
                "by_when": by_when,
            }
        )
    return True


def remove_outcome(db: Database, meeting_id: int, outcome_id: int) -> bool:
    """True if there was one to remove (on this meeting)."""
    cursor = db.execute(
        "DELETE FROM outcomes WHERE id = ? AND meeting_id = ?", [outcome_id, meeting_id]
    )
    return cursor.rowcount == 1


def plan_next(db: Database, pupil_id: int, meeting: dict, values: dict) -> int | None:
    """Next term's meeting, whose "last targets" are this meeting's outcomes
    (no more than a meeting may have: MAX_OUTCOMES is MAX_TARGETS). None if
    the pupil has as many meetings as they may."""
    with db.atomic():
        if _count(db, "meetings", "pupil_id", pupil_id) >= MAX_MEETINGS:
            return None
        next_id = db["meetings"].insert({"pupil_id": pupil_id, **values}).last_pk
        db["targets"].insert_all(
            {"meeting_id": next_id, "position": o["position"], "text": o["what"]}
            for o in outcomes(db, meeting["id"])
        )
        db["attendees"].insert_all(
            {"meeting_id": next_id, "name": a["name"], "role": a["role"]}
            for a in attendees(db, meeting["id"])
        )
    return next_id


def feelings_by_term(db: Database, pupil_id: int) -> list[dict]:
    """The pupil's "how school feels" answer at each meeting, oldest first."""
    return list(
        db.query(
            """
            SELECT m.date, a.status, a.choices, a.text, a.private
            FROM meetings m
            JOIN voice_sections v ON v.meeting_id = m.id
            LEFT JOIN answers a ON a.section_id = v.id AND a.step = 'feel'
            WHERE m.pupil_id = ?
            ORDER BY m.date
            """,
            [pupil_id],
        )
    )
