"""A pupil's voice section as one plain structure: what every export is made from.

`build()` gathers the pupil, the meeting, who helped, and every step of the
journey with its answer: the question as the pupil saw it (in their language)
and in English, the cards chosen, the words, how it was given, and whether it
was skipped. Exports only lay this out; none of them goes back to the database
or the question bank.

What the pupil kept private is decided here, once, for every export: a
meeting-pack document ("left_out") holds no private answer at all, only how
many there were; the document for the designated teacher and social worker
alone ("only") holds nothing else. Who may have which is `access.shows_private`.
"""

from sqlite_utils import Database

from . import answers, meetings, pupils, sections
from .i18n import REGIONAL, force_locale, language_label
from .i18n import lazy_gettext as _l
from .journey import Step, steps_for
from .questions import BAND_NAMES, PEP_SECTIONS, QUESTIONS

SCHEMA_VERSION = "2.0.0"
# What a document holds of the answers the pupil kept private.
PRIVATE_CHOICES = ("left_out", "only")

SOURCE_LABELS = {
    "card": _l("Chose a picture card"),
    "typed": _l("Typed by the pupil"),
    "scribed": _l("Written down by an adult, in the pupil's words"),
}

STATUS_LABELS = {
    "answered": _l("Answered"),
    "skipped": _l("Skipped"),
    "not_sure": _l("Not sure"),
    "not_reached": _l("Not reached"),
}


def _locale(code: str) -> str:
    return REGIONAL.get(code, code)


def _step_text(step: Step, answer: dict | None) -> dict:
    """The parts of a step that depend on the language it is shown in."""
    chosen = [step.card(c) for c in (answer["choices"] if answer else [])]
    return {
        "question": step.prompt,
        "choices": [
            {"id": c.id, "label": str(c.label), "image": c.image} for c in chosen if c
        ],
    }


def build(db: Database, section_id: int, private: str = "left_out") -> dict:
    if private not in PRIVATE_CHOICES:
        raise ValueError(f"private must be one of {PRIVATE_CHOICES}")
    section = sections.get(db, section_id)
    pupil = pupils.get_unscoped(db, section["pupil_id"])
    meeting = next(
        db.query("SELECT * FROM meetings WHERE id = ?", [section["meeting_id"]])
    )
    targets = meetings.targets(db, meeting["id"])
    saved = answers.for_section(db, section_id)
    translated = answers.translations(db, section_id, saved)
    supporter = next(
        db.query(
            "SELECT name, role FROM staff WHERE id = ?", [section["supported_by_id"]]
        ),
        None,
    )
    language = section["language"]

    with force_locale(_locale(language)):
        steps = steps_for(section["band"], targets)
        as_seen = [_step_text(s, saved.get(s.id)) for s in steps]
    with force_locale("en_GB"):
        steps_en = steps_for(section["band"], targets)
        in_english = [_step_text(s, saved.get(s.id)) for s in steps_en]
        section_titles = {key: str(title) for key, title in PEP_SECTIONS.items()}
        band_label = str(BAND_NAMES[section["band"]])
        people = [
            {
                "name": a["name"],
                "role": a["role"],
                "role_label": a["role_label"],
            }
            for a in meetings.attendees(db, meeting["id"])
        ]

    items, kept = [], []
    for step, seen, english in zip(steps, as_seen, in_english, strict=True):
        answer = saved.get(step.id)
        status = answer["status"] if answer else "not_reached"
        answered = status == "answered"
        choices = [
            {**c, "label_en": e["label"]}
            for c, e in zip(seen["choices"], english["choices"], strict=True)
        ]
        if (answer and answer["private"]) or step.question.always_private:
            # Absent, not marked: only an answer with something in it counts.
            if answered:
                kept.append(step.id)
            if private == "left_out" or not answered:
                continue
        elif private == "only":
            continue
        items.append(
            {
                "step": step.id,
                "question_id": step.question.id,
                "pep_section": step.question.pep_section,
                "pep_section_title": section_titles[step.question.pep_section],
                "question": seen["question"],
                "question_en": english["question"],
                "status": status,
                "status_label": str(STATUS_LABELS[status]),
                # A skipped answer's content stays in the database, so the pupil
                # loses nothing, but it does not leave the app.
                "choices": choices if answered else [],
                "text": answer["text"] if answered else "",
                "text_language": answer["language"]
                if answered and answer["text"]
                else None,
                "text_en": _translation(translated.get(step.id)) if answered else None,
                "sources": answers.sources(answer) if answered else [],
                "target": {"id": step.target["id"], "text": step.target["text"]}
                if step.target
                else None,
            }
        )

    return {
        "schema_version": SCHEMA_VERSION,
        "pupil": {
            "preferred_name": pupil["preferred_name"],
            "pep_reference": pupil["pep_reference"],
            "year_group": pupil["year_group"],
            "school": pupil["school_name"],
        },
        "meeting": {
            "date": meeting["date"],
            "time": meeting["time"],
            "place": meeting["place"],
            "attendees": people,
        },
        "voice": {
            "id": section["id"],
            "status": section["status"],
            "band": section["band"],
            "band_label": band_label,
            "language": language,
            "language_name": language_label(language),
            "started_at": section["started_at"],
            "completed_at": section["finished_at"],
            "supported_by": supporter,
            "scribe": bool(section["scribe"]),
        },
        "sections": [
            {"key": key, "title": title}
            for key, title in section_titles.items()
            if any(i["pep_section"] == key for i in items)
        ],
        "answers": items,
        # How many answers the pupil kept just for their designated teacher and
        # social worker, which this document leaves out; 0 in theirs.
        "private_answers_left_out": len(kept) if private == "left_out" else 0,
        "meeting_preferences": _preferences(items),
        "targets": [
            {
                "text": i["target"]["text"],
                "status": i["status"],
                "how_it_went": i["choices"][0]["label_en"] if i["choices"] else None,
                "words": i["text"],
            }
            for i in items
            if i["target"]
        ],
    }


def _translation(found: dict | None) -> dict | None:
    """An adult's English beside the pupil's words: what, by whom, when."""
    if found is None:
        return None
    return {"text": found["text"], "by": found["by_name"], "at": found["at"]}


def _preferences(items: list[dict]) -> dict:
    by_id = {i["question_id"]: i for i in items if not i["target"]}

    def choice(question_id):
        item = by_id.get(question_id)
        if item and item["choices"]:
            return item["choices"][0]["id"]
        return None

    return {
        "attend": choice("meeting_come"),
        "attend_label": _label_en("meeting_come", choice("meeting_come")),
        "views_shared_by": choice("meeting_share"),
        "views_shared_by_label": _label_en("meeting_share", choice("meeting_share")),
    }


def _label_en(question_id: str, card_id: str | None) -> str | None:
    if card_id is None:
        return None
    with force_locale("en_GB"):
        card = next(c for c in QUESTIONS[question_id].cards if c.id == card_id)
        return str(card.label)
