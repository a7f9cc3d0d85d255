"""A demo Virtual School, so a newcomer can try every journey at once."""

import json
from datetime import date, timedelta

from sqlite_utils import Database

from .db import utcnow
from .passwords import hash_password

PASSWORD = "oakfield-demo"  # noqa: S105 - printed for the demo, by design
# Admins must use two-step sign-in: the demo admin's authenticator key, to
# type into any authenticator app (or see the codes with `pupilvoice demo`).
ADMIN_TOTP = "PUPILVOICEDEMOADMINPUPILVOICEDEM"

SIGN_INS = [
    ("priya.khan@oakfield.example", "designated teacher"),
    ("sam.okafor@council.example", "social worker"),
    ("alex.morgan@council.example", "Virtual School admin"),
]

# (preferred name, year group, language, the two targets from their last PEP)
PUPILS = [
    (
        "Ava",
        1,
        "en",
        ["Read a book with an adult every day", "Put my hand up to ask for help"],
    ),
    ("Leo", 4, "en", ["Learn my 6 and 7 times tables", "Join a lunchtime club"]),
    (
        "Maya",
        9,
        "en",
        ["Hand in science homework on time", "Talk to my tutor when I feel stressed"],
    ),
    ("Jordan", 12, "en", ["Finish my college application", "Open a bank account"]),
    (
        "Amir",
        8,
        "ps",
        ["Go to the English club twice a week", "Make a friend in my form"],
    ),
]

# What demo pupils have already said, so every staff page and export can be
# tried at once: (step, status, cards, words, private). Ava's words were
# written down by her teacher; Amir answered in Pashto; Maya is part way.
ANSWERS = {
    "Ava": [
        ("feel", "answered", ["good"], "", False),
        (
            "going_well",
            "answered",
            ["friends", "playtime"],
            "I like the sandpit",
            False,
        ),
        ("proud", "answered", ["kind", "brave"], "I went down the big slide", False),
        ("hard", "skipped", [], "", False),
        ("helps", "answered", ["teacher"], "Miss Khan helps me with reading", False),
        ("target-0", "answered", ["went_well"], "", False),
        ("target-1", "not_sure", [], "", False),
        ("better_at", "answered", ["reading"], "", False),
        ("grow_up", "answered", ["animals"], "A vet", False),
        ("meeting_who", "skipped", [], "", False),
        ("meeting_come", "answered", ["part"], "", False),
        ("meeting_share", "answered", ["trusted_adult"], "Miss Khan", False),
        ("speak_for_me", "answered", ["teacher"], "That I like my class", False),
        ("meeting_time", "answered", ["morning"], "Not at playtime", False),
        ("anything_else", "skipped", [], "", False),
        ("private_note", "skipped", [], "", True),
    ],
    "Leo": [
        ("feel", "answered", ["okay"], "", False),
        (
            "going_well",
            "answered",
            ["sport", "clubs"],
            "Football club on Tuesdays",
            False,
        ),
        ("proud", "answered", ["trying_hard", "prize"], "Star of the week", False),
        (
            "hard",
            "answered",
            ["noise", "worried"],
            "The hall at lunch is too loud",
            False,
        ),
        ("helps", "answered", ["quiet_place", "trusted_adult"], "", False),
        ("target-0", "answered", ["some"], "I know my 6s now", False),
        ("target-1", "answered", ["went_well"], "", False),
        ("better_at", "answered", ["maths"], "", False),
        ("grow_up", "answered", ["scientist"], "", False),
        ("meeting_who", "answered", [], "My nan", False),
        ("meeting_come", "answered", ["all"], "", False),
        ("meeting_share", "answered", ["myself"], "", False),
        (
            "speak_for_me",
            "answered",
            ["trusted_adult"],
            "Mr Patel can say I want to stay in football club",
            False,
        ),
        ("meeting_time", "answered", ["afternoon"], "Not in PE on Thursday", False),
        ("anything_else", "answered", ["fun"], "I got a new bike", False),
        (
            "private_note",
            "answered",
            [],
            "I miss my brother and want to see him more",
            True,
        ),
    ],
    "Maya": [
        ("feel", "answered", ["not_good"], "Year 9 is a lot", False),
        ("going_well", "answered", [], "Art, and my tutor listens to me", False),
    ],
    "Amir": [
        ("feel", "answered", ["good"], "", False),
        ("going_well", "answered", ["friends"], "زه فوټبال خوښوم", False),
        ("proud", "answered", ["learning"], "اوس انګلیسي ښه وایم", False),
        ("hard", "answered", ["lesson"], "انګلیسي ژبه ګرانه ده", False),
        ("helps", "answered", ["teacher", "extra_help"], "", False),
        ("target-0", "answered", ["went_well"], "", False),
        ("target-1", "answered", ["some"], "", False),
        ("better_at", "answered", [], "English", False),
        ("grow_up", "answered", ["college"], "", False),
        ("options", "not_sure", [], "", False),
        ("meeting_who", "skipped", [], "", False),
        ("meeting_come", "answered", ["all"], "", False),
        ("meeting_share", "answered", ["read_out"], "", False),
        ("speak_for_me", "not_sure", [], "", False),
        ("meeting_time", "answered", ["morning"], "", False),
        ("anything_else", "skipped", [], "", False),
        ("private_note", "skipped", [], "", True),
    ],
}
FINISHED = {"Ava", "Leo", "Amir"}
BANDS = {"Ava": "early", "Leo": "ks2", "Maya": "ks34", "Amir": "ks34"}


def load(db: Database) -> bool:
    """Load the demo once; return False if it is already there."""
    if list(db.query("SELECT 1 FROM staff WHERE email = ?", [SIGN_INS[0][0]])):
        return False
    password_hash = hash_password(PASSWORD)
    today = date.today()
    with db.atomic():
        vs = db["virtual_schools"].insert({"name": "Demo Virtual School"}).last_pk
        school = (
            db["schools"]
            .insert({"virtual_school_id": vs, "name": "Oakfield All-Through Academy"})
            .last_pk
        )
        staff = {}
        for (email, _role), name, role, school_id in zip(
            SIGN_INS,
            ["Priya Khan", "Sam Okafor", "Alex Morgan"],
            ["teacher", "social_worker", "admin"],
            [school, None, None],
            strict=True,
        ):
            staff[role] = (
                db["staff"]
                .insert(
                    {
                        "virtual_school_id": vs,
                        "school_id": school_id,
                        "email": email,
                        "name": name,
                        "role": role,
                        "password_hash": password_hash,
                        "totp_secret": ADMIN_TOTP if role == "admin" else None,
                        "totp_enabled_at": utcnow() if role == "admin" else None,
                    }
                )
                .last_pk
            )
        for number, (name, year, language, targets) in enumerate(PUPILS):
            pupil = (
                db["pupils"]
                .insert(
                    {
                        "school_id": school,
                        "social_worker_id": staff["social_worker"],
                        "preferred_name": name,
                        "year_group": year,
                        "language": language,
                        "pep_reference": f"PEP-DEMO-{number + 1:04d}",
                    }
                )
                .last_pk
            )
            # Last term's meeting, where Leo said how school felt then.
            if name == "Leo":
                last_term = _meeting(db, pupil, today - timedelta(days=100), [])
                _answer(
                    db,
                    pupil,
                    last_term,
                    staff["teacher"],
                    "ks2",
                    "en",
                    [("feel", "answered", ["not_good"], "", False)],
                    True,
                )
            meeting = _meeting(db, pupil, today + timedelta(days=14 + number), targets)
            if name in ANSWERS:
                _answer(
                    db,
                    pupil,
                    meeting,
                    staff["teacher"],
                    BANDS[name],
                    language,
                    ANSWERS[name],
                    name in FINISHED,
                )
    return True


PEOPLE = [
    ("Priya Khan", "designated_teacher"),
    ("Sam Okafor", "social_worker"),
    ("Jo Williams", "carer"),
    ("Dan Reid", "virtual_school"),
]


def _meeting(db: Database, pupil: int, day: date, targets: list[str]) -> int:
    meeting = (
        db["meetings"]
        .insert(
            {
                "pupil_id": pupil,
                "date": day.isoformat(),
                "time": "10:00",
                "place": "Oakfield, meeting room 2",
            }
        )
        .last_pk
    )
    db["attendees"].insert_all(
        {"meeting_id": meeting, "name": person, "role": role} for person, role in PEOPLE
    )
    db["targets"].insert_all(
        {"meeting_id": meeting, "position": i, "text": text}
        for i, text in enumerate(targets)
    )
    return meeting


def _answer(db, pupil, meeting, teacher, band, language, given, finished) -> None:
    """Store answers as the pupil's pages would (steps target-0, target-1 stand
    for the meeting's targets in order)."""
    target_ids = [
        row["id"]
        for row in db.query(
            "SELECT id FROM targets WHERE meeting_id = ? ORDER BY position", [meeting]
        )
    ]
    stamp = utcnow()
    section = (
        db["voice_sections"]
        .insert(
            {
                "pupil_id": pupil,
                "meeting_id": meeting,
                "band": band,
                "language": language,
                "scribe": int(band == "early"),
                "status": "finished" if finished else "in_progress",
                "supported_by_id": teacher,
                "started_at": stamp,
                "finished_at": stamp if finished else None,
            }
        )
        .last_pk
    )
    for step, status, cards, words, private in given:
        if step.startswith("target-"):
            step = f"target-{target_ids[int(step.split('-')[1])]}"
        db["answers"].insert(
            {
                "section_id": section,
                "step": step,
                "status": status,
                "choices": json.dumps(cards),
                "text": words,
                "scribed": int(band == "early" and bool(words)),
                "private": int(private),
                "language": language,
                "updated_at": stamp,
            }
        )
