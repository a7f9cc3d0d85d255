"""Faults: another writer holding SQLite's lock past the busy timeout, and a
full disk. Nothing 500s, nothing is shown as saved that was not, and every
reading of a child's record is still logged."""

import contextlib
import json
import os
import re
import sqlite3

import pytest
from school import Browserless

from pupilvoice import audit, create_app
from pupilvoice.db import get_db


@pytest.fixture
def app(tmp_path):
    # A short busy timeout, so a held lock shows itself in a fraction of a
    # second instead of the fifteen a real server waits.
    return create_app(
        {
            "TESTING": True,
            "DATABASE": str(tmp_path / "pupilvoice.sqlite3"),
            "SECRET_KEY": "test-only",
            "BUSY_SECONDS": 0.2,
        }
    )


@pytest.fixture
def lock(app):
    """Another process's write transaction: `with lock.held(): ...`."""
    holder = sqlite3.connect(app.config["DATABASE"], isolation_level=None)

    class Lock:
        def hold(self):
            holder.execute("BEGIN IMMEDIATE")

        def release(self):
            holder.execute("ROLLBACK")

        @contextlib.contextmanager
        def held(self):
            self.hold()
            try:
                yield
            finally:
                self.release()

    yield Lock()
    if holder.in_transaction:
        holder.execute("ROLLBACK")
    holder.close()


def hand_over(web, school, name="Leo"):
    web.sign_in("teacher@ours.test")
    pupil = school["pupils"][name]
    web.get(f"/staff/pupils/{pupil}")
    web.post(f"/staff/pupils/{pupil}/pupil-mode", {"band": "ks2", "language": "en"})
    web.get("/pupil/q/going_well")
    return web


def test_an_autosave_under_a_held_lock_says_not_saved_and_saves_later(
    app, web, school, db, lock
):
    hand_over(web, school)
    lock.hold()
    save = {"text": "my friends", "client_id": "1767225600000-abcdefgh"}
    response = web.post("/pupil/q/going_well", save, headers={"HX-Request": "true"})
    # 503: the tablet keeps the save and sends it again; it is not recorded.
    assert response.status_code == 503
    assert "X-Recorded" not in response.headers
    assert "Not saved yet" in response.text
    assert ">Saved<" not in response.text
    lock.release()
    assert db["answers"].count == 0
    response = web.post("/pupil/q/going_well", save, headers={"HX-Request": "true"})
    assert ">Saved<" in response.text
    assert response.headers["X-Recorded"] == save["client_id"]
    assert db["answers"].count == 1


def test_continue_without_javascript_under_a_held_lock_keeps_the_words(
    app, web, school, db, lock
):
    hand_over(web, school)
    with lock.held():
        response = web.post("/pupil/q/going_well", {"text": "my friends and art"})
    assert response.status_code == 503
    assert "my friends and art" in response.text
    assert "Not saved yet" in response.text
    assert db["answers"].count == 0


def test_talking_to_someone_under_a_held_lock_is_never_shown_as_sent(
    app, web, school, db, lock
):
    hand_over(web, school)
    lock.hold()
    response = web.post("/pupil/talk", {"step": "going_well"})
    # The child's own words, not an adult's error page, and a way to try again.
    assert response.status_code == 503
    assert "send that just now" in response.text
    assert "Your answers are safe. Try again." in response.text
    assert "very busy" not in response.text
    assert "Your teacher will talk with you soon" not in visible(response.text)
    assert 'action="/pupil/talk"' in response.text
    lock.release()
    assert db["talk_flags"].count == 0
    # The thank-you page says it is on its way only once it is.
    assert "Your teacher will talk with you soon" not in visible(
        web.get("/pupil/talk?step=going_well").text
    )
    response = web.post("/pupil/talk", {"step": "going_well"})
    assert response.status_code == 302
    assert db["talk_flags"].count == 1
    assert "Your teacher will talk with you soon" in visible(
        web.get("/pupil/talk?step=going_well").text
    )


def test_a_talk_request_sent_again_is_recorded_once(app, web, school, db, lock):
    hand_over(web, school)
    sent = {"step": "hard", "client_id": "1767225600000-talktalk"}
    lock.hold()
    busy = web.post("/pupil/talk", sent, headers={"HX-Request": "true"})
    assert busy.status_code == 503
    assert "X-Recorded" not in busy.headers
    lock.release()
    for _ in range(3):
        response = web.post("/pupil/talk", sent, headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert response.headers["X-Recorded"] == sent["client_id"]
    assert db["talk_flags"].count == 1
    assert db["audit_log"].count_where("action = 'talk_flag_raised'") == 1


def visible(html: str) -> str:
    """The page without the parts it hides (the talk page keeps all three)."""
    return re.sub(
        r"<div data-talk-state=\"[a-z_]+\" hidden>.*?</div>", "", html, flags=re.S
    )


def viewed(db):
    return db["audit_log"].count_where("action = 'viewed_answers'")


def test_reading_a_voice_under_a_held_lock_works_and_is_logged_once_it_lifts(
    app, web, school, db, lock, monkeypatch, finished_section
):
    monkeypatch.setattr(audit, "RETRY_SECONDS", 0)
    section = finished_section
    web.sign_in("teacher@ours.test")
    with lock.held():
        page = web.get(f"/staff/voice/{section}/")
    assert page.status_code == 200
    assert viewed(db) == 0
    web.get("/staff/pupils")  # the next request moves the spooled row in
    assert viewed(db) == 1
    web.get("/staff/pupils")
    assert viewed(db) == 1


# Pages that must write before they show anything: a download is recorded
# before it leaves, and two-step set-up keeps its new secret on the server.
MUST_WRITE_FIRST = {
    "review.export",
    "review.export_private",
    "review.text",
    "account.two_step",
    "account.qr",
}


def test_every_staff_page_answers_under_a_held_lock(
    app, school, db, lock, finished_section
):
    section = finished_section
    leo = school["pupils"]["Leo"]
    meeting = next(db.query("SELECT id FROM meetings WHERE pupil_id = ?", [leo]))["id"]
    values = {
        "pupil_id": leo,
        "meeting_id": meeting,
        "section_id": section,
        "fmt": "json",
    }
    checked = 0
    for email in ["teacher@ours.test", "sw@council.test", "admin@council.test"]:
        web = Browserless(app.test_client())
        web.sign_in(email)
        with lock.held():
            answers = {}
            for rule in app.url_map.iter_rules():
                if "GET" not in rule.methods or rule.endpoint.startswith(
                    ("pupil.", "static")
                ):
                    continue
                if not set(rule.arguments) <= set(values):
                    continue
                url = rule.build(
                    {k: values[k] for k in rule.arguments}, append_unknown=False
                )[1]
                response = web.get(url)
                checked += 1
                # Pages answer; a download that must be logged before it leaves
                # says kindly that it could not be, and nothing leaves.
                assert response.status_code in (200, 302, 404, 503), (
                    email,
                    url,
                    response.status_code,
                )
                if response.status_code == 503:
                    assert rule.endpoint in MUST_WRITE_FIRST, url
                    assert "very busy" in response.text
                    # Only a page was opened: nothing the person did was lost.
                    assert "could not be opened just now" in response.text, url
                    assert "not saved" not in response.text, url
                answers[rule.endpoint] = response.status_code
        # Still signed in, the child's answers were read, and the download
        # that could not be logged did not leave.
        assert answers["review.read"] == 200, email
        assert answers["staff.pupil"] == 200, email
        assert answers["review.export"] == 503, email
    assert checked > 20
    assert db["exports"].count == 0


def test_a_page_that_cannot_be_opened_under_a_held_lock_says_nothing_was_lost(
    app, web, school, lock
):
    web.sign_in("teacher@ours.test")
    with lock.held():
        page = web.get("/account/two-step")
        picture = web.get("/account/two-step/qr.svg")
        head = web.client.head("/account/two-step")
    for response in (page, picture, head):
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "30"
    for response in (page, picture):
        assert "could not be opened just now. Nothing was lost." in response.text
        assert "not saved" not in response.text


def test_what_was_sent_under_a_held_lock_is_said_not_to_be_saved(
    app, web, school, db, lock
):
    leo = school["pupils"]["Leo"]
    web.sign_in("teacher@ours.test")
    web.get(f"/staff/pupils/{leo}/meetings/new")
    with lock.held():
        response = web.post(f"/staff/pupils/{leo}/meetings/new", {"date": "01/01/2099"})
    assert response.status_code == 503
    assert "What you just did was not saved" in response.text
    assert "could not be opened" not in response.text
    assert db["meetings"].count_where("pupil_id = ?", [leo]) == 1


def test_a_spool_left_by_a_process_that_died_is_moved_in_at_start(app, school, db):
    folder = str(audit.spool_folder(app.config["DATABASE"]))
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "12345-dead.jsonl"), "w") as spool:
        row = {
            "at": "2026-01-01T00:00:00+00:00",
            "staff_id": 1,
            "action": "viewed_answers",
            "pupil_id": 2,
            "detail": "",
        }
        spool.write(json.dumps(row) + "\n" + '{"torn": ')
    create_app({"DATABASE": app.config["DATABASE"], "SECRET_KEY": "x"})
    assert viewed(db) == 1
    assert os.listdir(folder) == []


def test_a_full_disk_says_not_saved_and_loses_nothing_already_saved(
    app, web, school, db
):
    hand_over(web, school)
    web.post("/pupil/q/feel", {"choice": "good"})
    with app.app_context():
        app_db = get_db()
        pages = app_db.execute("PRAGMA page_count").fetchone()[0]
        app_db.execute(f"PRAGMA max_page_count = {pages}")
    big = "words " * 300
    steps = ["going_well", "hard", "helps", "better_at", "grow_up", "private_note"]
    for n in range(60):
        response = web.post(
            f"/pupil/q/{steps[n % len(steps)]}",
            {"text": f"{big} {n}"},
            headers={"HX-Request": "true"},
        )
        if "Not saved yet" in response.text:
            break
    assert n > 0, "the first saves fitted"
    assert db["answers"].count == 1 + n  # every one before the disk filled
    assert "Not saved yet" in response.text
    assert response.status_code == 503
    saved = {r["step"]: r for r in db.query("SELECT * FROM answers")}
    assert json.loads(saved["feel"]["choices"]) == ["good"]
