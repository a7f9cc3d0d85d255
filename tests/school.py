"""Test data and a CSRF-aware client: shared by the page and browser tests."""

import re
import time

import pyotp

from pupilvoice.passwords import hash_password

PASSWORD = "correct horse battery staple"
# Admins must use two-step sign-in; the test admin's authenticator key.
ADMIN_TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def make_school(db) -> dict:
    password_hash = hash_password(PASSWORD)
    vs = db["virtual_schools"].insert({"name": "Test VS"}).last_pk
    ours = db["schools"].insert({"virtual_school_id": vs, "name": "Ours"}).last_pk
    theirs = db["schools"].insert({"virtual_school_id": vs, "name": "Theirs"}).last_pk

    def person(email, name, role, school_id=None):
        return (
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
                    "totp_enabled_at": "2026-01-01T00:00:00+00:00"
                    if role == "admin"
                    else None,
                }
            )
            .last_pk
        )

    ids = {
        "teacher": person("teacher@ours.test", "Tess Teacher", "teacher", ours),
        "other_teacher": person(
            "teacher@theirs.test", "Other Teacher", "teacher", theirs
        ),
        "social_worker": person("sw@council.test", "Sol Worker", "social_worker"),
        "other_social_worker": person(
            "sw2@council.test", "Other Worker", "social_worker"
        ),
        "admin": person("admin@council.test", "Ada Admin", "admin"),
    }
    pupils = {}
    for name, year, school_id, sw in [
        ("Ava", 1, ours, ids["social_worker"]),
        ("Leo", 4, ours, ids["social_worker"]),
        ("Maya", 9, ours, ids["social_worker"]),
        ("Jordan", 12, ours, ids["social_worker"]),
        ("Zed", 5, theirs, ids["other_social_worker"]),
    ]:
        pupil = (
            db["pupils"]
            .insert(
                {
                    "school_id": school_id,
                    "social_worker_id": sw,
                    "preferred_name": name,
                    "year_group": year,
                    "language": "en",
                    "pep_reference": f"PEP-{name}",
                }
            )
            .last_pk
        )
        meeting = (
            db["meetings"]
            .insert({"pupil_id": pupil, "date": "2099-01-15", "time": "10:00"})
            .last_pk
        )
        db["attendees"].insert_all(
            [
                {
                    "meeting_id": meeting,
                    "name": "Tess Teacher",
                    "role": "designated_teacher",
                },
                {"meeting_id": meeting, "name": "Jo Carer", "role": "carer"},
            ]
        )
        db["targets"].insert_all(
            [
                {"meeting_id": meeting, "position": 0, "text": f"{name} target one"},
                {"meeting_id": meeting, "position": 1, "text": f"{name} target two"},
            ]
        )
        pupils[name] = pupil
    return {"staff": ids, "pupils": pupils, "vs": vs}


def add_section(db, pupil_id: int, **columns) -> tuple[int, int]:
    """A voice section for the pupil's meeting, put straight into the database
    (KS2, in English, unless `columns` say otherwise): (section id, meeting id)."""
    meeting = next(db.query("SELECT id FROM meetings WHERE pupil_id = ?", [pupil_id]))
    section = (
        db["voice_sections"]
        .insert(
            {
                "pupil_id": pupil_id,
                "meeting_id": meeting["id"],
                "band": "ks2",
                "language": "en",
                **columns,
            }
        )
        .last_pk
    )
    return section, meeting["id"]


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


class Browserless:
    """A test client that signs in and posts forms with their CSRF token."""

    def __init__(self, client):
        self.client = client
        self.token = None

    def get(self, url, **kwargs):
        response = self.client.get(url, **kwargs)
        if response.mimetype != "text/html":
            return response
        found = re.search(r'name="csrf-token" content="([^"]+)"', response.text)
        if found:
            self.token = found.group(1)
        return response

    def post(self, url, data=None, **kwargs):
        if self.token is None:
            self.get("/sign-in")
        data = {"csrf_token": self.token, **(data or {})}
        return self.client.post(url, data=data, **kwargs)

    def sign_in(self, email, password=PASSWORD):
        self.get("/sign-in")
        response = self.post("/sign-in", {"email": email, "password": password})
        assert response.status_code == 302, response.text
        if response.headers["Location"] == "/sign-in/code":
            self.get("/sign-in/code")
            # A code works once: a second sign-in within the same 30 seconds
            # gives the next one (accepted, as a clock a little ahead would be).
            totp = pyotp.TOTP(ADMIN_TOTP)
            for code in (totp.now(), totp.at(time.time() + totp.interval)):
                response = self.post("/sign-in/code", {"code": code})
                if response.status_code == 302:
                    break
            assert response.status_code == 302, response.text
        self.get("/staff/pupils")
        return response
