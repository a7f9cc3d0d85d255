"""Pupils, their meetings, and who may see them.

Every read of a pupil goes through `access.scope()`: a Virtual School admin
sees their Virtual School's pupils, a designated teacher their own school's, a
social worker their own caseload. Anything outside it does not exist for them.
"""

from sqlite_utils import Database

from .access import scope
from .i18n import lazy_gettext as _l
from .questions import band_for_year

_PUPIL_SELECT = """
    SELECT p.*, s.name AS school_name, sw.name AS social_worker_name
    FROM pupils p
    JOIN schools s ON s.id = p.school_id
    LEFT JOIN staff sw ON sw.id = p.social_worker_id
"""


def visible(db: Database, staff: dict) -> list[dict]:
    where, params = scope(staff)
    return list(
        db.query(
            f"""
            SELECT p.id, p.preferred_name, p.year_group, s.name AS school_name,
                m.date AS meeting_date,
                CASE WHEN v.purged_at IS NOT NULL THEN 'purged'
                     ELSE v.status END AS voice_status
            FROM pupils p
            JOIN schools s ON s.id = p.school_id
            LEFT JOIN meetings m ON m.id = (
                SELECT id FROM meetings WHERE pupil_id = p.id
                ORDER BY date DESC LIMIT 1)
            LEFT JOIN voice_sections v ON v.meeting_id = m.id
            WHERE {where}
            ORDER BY p.preferred_name COLLATE NOCASE, p.id
            """,  # noqa: S608 - `where` is one of scope()'s fixed clauses
            params,
        )
    )


def get(db: Database, staff: dict, pupil_id: int) -> dict | None:
    where, params = scope(staff)
    rows = list(
        db.query(
            f"{_PUPIL_SELECT} WHERE p.id = ? AND {where}",  # noqa: S608
            [pupil_id, *params],
        )
    )
    if not rows:
        return None
    pupil = rows[0]
    pupil["band"] = pupil["band_override"] or band_for_year(pupil["year_group"])
    return pupil


def get_unscoped(db: Database, pupil_id: int) -> dict:
    """For pupil mode, where the device session has already been checked."""
    pupil = next(db.query(f"{_PUPIL_SELECT} WHERE p.id = ?", [pupil_id]))  # noqa: S608
    pupil["band"] = pupil["band_override"] or band_for_year(pupil["year_group"])
    return pupil


def schools_for(db: Database, staff: dict) -> list[dict]:
    """Schools a person may add pupils to: their own, or their Virtual School's."""
    if staff["role"] == "teacher":
        return list(
            db.query("SELECT * FROM schools WHERE id = ?", [staff["school_id"]])
        )
    return list(
        db.query(
            "SELECT * FROM schools WHERE virtual_school_id = ? ORDER BY name",
            [staff["virtual_school_id"]],
        )
    )


def social_workers(db: Database, staff: dict) -> list[dict]:
    return list(
        db.query(
            "SELECT id, name FROM staff WHERE role = 'social_worker' "
            "AND virtual_school_id = ? ORDER BY name",
            [staff["virtual_school_id"]],
        )
    )


def add(db: Database, staff: dict, **values) -> int | None:
    """Add a pupil, if the school and social worker are this person's to use."""
    if values["school_id"] not in {s["id"] for s in schools_for(db, staff)}:
        return None
    if values["social_worker_id"] not in {s["id"] for s in social_workers(db, staff)}:
        return None
    return db["pupils"].insert(values).last_pk


# How a pupil likes their pages to look; kept for next time.
DISPLAY = {
    "text_size": {
        "standard": _l("Normal"),
        "large": _l("Big"),
        "larger": _l("Bigger"),
    },
    "theme": {
        "standard": _l("Bright colours"),
        "calm": _l("Calm colours with strong contrast"),
    },
    "font": {
        "standard": _l("Normal letters"),
        "dyslexic": _l("Letters some people find easier to read"),
    },
}


def set_display(db: Database, pupil_id: int, form) -> None:
    values = {
        name: form.get(name)
        for name, options in DISPLAY.items()
        if form.get(name) in options
    }
    if values:
        db["pupils"].update(pupil_id, values)
