"""A demo Virtual School, so a newcomer can try every journey at once."""

from datetime import date, timedelta

from sqlite_utils import Database

from .auth import hash_password

PASSWORD = "oakfield-demo"  # noqa: S105 - printed for the demo, by design

SIGN_INS = [
    ("priya.khan@oakfield.example", "designated teacher"),
    ("sam.okafor@council.example", "social worker"),
    ("alex.morgan@council.example", "Virtual School admin"),
]

# (preferred name, year group, the two targets from their last PEP)
PUPILS = [
    (
        "Ava",
        1,
        ["Read a book with an adult every day", "Put my hand up to ask for help"],
    ),
    ("Leo", 4, ["Learn my 6 and 7 times tables", "Join a lunchtime club"]),
    (
        "Maya",
        9,
        ["Hand in science homework on time", "Talk to my tutor when I feel stressed"],
    ),
    ("Jordan", 12, ["Finish my college application", "Open a bank account"]),
]


def load(db: Database) -> bool:
    """Load the demo once; return False if it is already there."""
    if list(db.query("SELECT 1 FROM staff WHERE email = ?", [SIGN_INS[0][0]])):
        return False
    password_hash = hash_password(PASSWORD)
    meeting_day = date.today() + timedelta(days=14)
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
                    }
                )
                .last_pk
            )
        for number, (name, year, targets) in enumerate(PUPILS):
            pupil = (
                db["pupils"]
                .insert(
                    {
                        "school_id": school,
                        "social_worker_id": staff["social_worker"],
                        "preferred_name": name,
                        "year_group": year,
                        "language": "en",
                        "pep_reference": f"PEP-DEMO-{number + 1:04d}",
                    }
                )
                .last_pk
            )
            meeting = (
                db["meetings"]
                .insert(
                    {
                        "pupil_id": pupil,
                        "date": (meeting_day + timedelta(days=number)).isoformat(),
                        "time": "10:00",
                        "place": "Oakfield, meeting room 2",
                    }
                )
                .last_pk
            )
            db["attendees"].insert_all(
                {"meeting_id": meeting, "name": person, "role": role}
                for person, role in [
                    ("Priya Khan", "designated_teacher"),
                    ("Sam Okafor", "social_worker"),
                    ("Jo Williams", "carer"),
                    ("Dan Reid", "virtual_school"),
                ]
            )
            db["targets"].insert_all(
                {"meeting_id": meeting, "position": i, "text": text}
                for i, text in enumerate(targets)
            )
    return True
