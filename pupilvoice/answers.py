"""Saving and reading a pupil's answers: the only code that writes them."""

import json
import re
from dataclasses import dataclass

from sqlite_utils import Database

from . import audit
from .db import utcnow
from .i18n import gettext as _
from .journey import Step
from .text import clean

STATUSES = ("answered", "skipped", "not_sure")


@dataclass
class Draft:
    """What the pupil has put on a question page, checked but not yet saved."""

    choices: list[str]
    text: str
    private: bool
    scribed: bool

    @property
    def empty(self) -> bool:
        return not self.choices and not self.text


def parse(step: Step, form, max_chars: int) -> tuple[Draft, dict[str, str]]:
    """Read a question page's form. Unknown cards are dropped, never stored."""
    known = {c.id for c in step.cards}
    choices = [c for c in dict.fromkeys(form.getlist("choice")) if c in known]
    if not step.question.multiple:
        choices = choices[:1]
    draft = Draft(
        choices=choices,
        text=clean(form.get("text", "")),
        private=step.question.always_private or form.get("private") == "yes",
        scribed=form.get("scribed") == "yes",
    )
    errors = {}
    if len(draft.text) > max_chars:
        errors["text"] = _(
            "Your answer is a bit too long. Please make it shorter: you can "
            "write up to %(max)s letters and you have written %(count)s.",
            max=max_chars,
            count=len(draft.text),
        )
    return draft, errors


def save(
    db: Database,
    section: dict,
    step: Step,
    draft: Draft,
    status: str | None = None,
    client: "ClientSave | None" = None,
) -> None:
    """Store the answer for one step and mark the section as in progress.

    Without a status, an empty page counts as skipped. A skip or "not sure"
    keeps whatever was chosen or typed, so nothing is lost if the pupil comes
    back to it.

    A save the tablet sent with its own id and time (`client`) is applied
    only if it is newer than the one stored: sent again after a dropped
    connection it changes nothing, and an older save arriving late never
    overwrites a newer one. Without them (no JavaScript), the save is applied.
    """
    if status is None:
        status = "skipped" if draft.empty else "answered"
    assert status in STATUSES
    with db.atomic():
        db.execute(
            """
            INSERT INTO answers
                (section_id, step, status, choices, text, scribed, private,
                 language, updated_at, client_save, client_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (section_id, step) DO UPDATE SET
                status = excluded.status, choices = excluded.choices,
                text = excluded.text, scribed = excluded.scribed,
                private = excluded.private, language = excluded.language,
                updated_at = excluded.updated_at,
                client_save = excluded.client_save, client_at = excluded.client_at
            WHERE excluded.client_at IS NULL OR answers.client_at IS NULL
                OR excluded.client_at > answers.client_at
            """,
            [
                section["id"],
                step.id,
                status,
                json.dumps(draft.choices),
                draft.text,
                int(draft.scribed and bool(draft.text)),
                int(draft.private),
                section["language"],
                utcnow(),
                client.id if client else None,
                client.at if client else None,
            ],
        )


@dataclass(frozen=True)
class ClientSave:
    """The id and time a tablet gave one save: "<milliseconds>-<random>"."""

    id: str
    at: int

    @classmethod
    def parse(cls, value: str | None) -> "ClientSave | None":
        """None for anything that is not such an id (then the save is plain)."""
        found = _CLIENT_ID.fullmatch(value or "")
        if not found:
            return None
        return cls(value, int(found.group(1)))


_CLIENT_ID = re.compile(r"([0-9]{10,16})-[A-Za-z0-9]{6,40}")


def for_section(db: Database, section_id: int) -> dict[str, dict]:
    rows = db.query("SELECT * FROM answers WHERE section_id = ?", [section_id])
    return {row["step"]: _decode(row) for row in rows}


def for_step(db: Database, section_id: int, step_id: str) -> dict | None:
    rows = db.query(
        "SELECT * FROM answers WHERE section_id = ? AND step = ?", [section_id, step_id]
    )
    return next((_decode(row) for row in rows), None)


def _decode(row: dict) -> dict:
    row = dict(row)
    row["choices"] = json.loads(row["choices"])
    row["private"] = bool(row["private"])
    row["scribed"] = bool(row["scribed"])
    return row


def draft_from(answer: dict | None, step: Step) -> Draft:
    """The saved answer as a draft, to fill the page in again."""
    if answer is None:
        return Draft([], "", step.question.always_private, False)
    return Draft(
        answer["choices"], answer["text"], answer["private"], answer["scribed"]
    )


def sources(answer: dict) -> list[str]:
    """How the answer was given: chosen cards, typed by the pupil, or scribed."""
    found = []
    if answer["choices"]:
        found.append("card")
    if answer["text"]:
        found.append("scribed" if answer["scribed"] else "typed")
    return found


def first_unanswered(steps: list[Step], answers: dict[str, dict]) -> Step | None:
    return next((s for s in steps if s.id not in answers), None)


def translate(
    db: Database, section: dict, step_id: str, english: str, staff: dict
) -> bool:
    """Keep an adult's English translation beside the pupil's own words (which
    are never changed); empty words take it away. False if there are no words
    of the pupil's in another language to translate."""
    answer = for_step(db, section["id"], step_id)
    if (
        answer is None
        or answer["status"] != "answered"
        or not answer["text"]
        or answer["language"] == "en"
    ):
        return False
    with db.atomic():
        if english:
            db.execute(
                """
                INSERT INTO answer_translations
                    (section_id, step, original, text, staff_id, by_name, at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (section_id, step) DO UPDATE SET
                    original = excluded.original, text = excluded.text,
                    staff_id = excluded.staff_id, by_name = excluded.by_name,
                    at = excluded.at
                """,
                [
                    section["id"],
                    step_id,
                    answer["text"],
                    english,
                    staff["id"],
                    staff["name"],
                    utcnow(),
                ],
            )
        else:
            db.execute(
                "DELETE FROM answer_translations WHERE section_id = ? AND step = ?",
                [section["id"], step_id],
            )
        audit.record(
            db,
            staff["id"],
            "translation_added" if english else "translation_removed",
            section["pupil_id"],
            step_id,
        )
    return True


def translations(db: Database, section_id: int, saved: dict[str, dict]) -> dict:
    """Each step's translation, where it still translates the words as saved."""
    return {
        row["step"]: row
        for row in db.query(
            "SELECT * FROM answer_translations WHERE section_id = ?", [section_id]
        )
        if row["step"] in saved and saved[row["step"]]["text"] == row["original"]
    }
