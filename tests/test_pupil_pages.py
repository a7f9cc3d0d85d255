"""The pupil's pages through the Flask test client: locks, errors, saving."""

import re

import pytest
from school import PASSWORD


@pytest.fixture
def pupil_mode(web, school):
    """The teacher has handed the tablet to Leo (KS2)."""
    web.sign_in("teacher@ours.test")
    leo = school["pupils"]["Leo"]
    web.get(f"/staff/pupils/{leo}")
    response = web.post(
        f"/staff/pupils/{leo}/pupil-mode", {"band": "ks2", "language": "en"}
    )
    assert response.headers["Location"] == "/pupil/"
    return web


def saved_answers(db):
    return {row["step"]: row for row in db.query("SELECT * FROM answers")}


def test_pupil_pages_need_a_teacher_to_start_them(web, school):
    response = web.get("/pupil/q/feel")
    assert response.status_code == 403
    assert "Please ask your teacher" in response.text


def test_a_new_pupil_starts_at_the_welcome(pupil_mode):
    response = pupil_mode.get("/pupil/", follow_redirects=True)
    assert "Hello Leo!" in response.text
    assert "There are no wrong answers." in response.text
    assert "You can skip any question." in response.text


def test_staff_pages_are_out_of_reach_in_pupil_mode(pupil_mode, school):
    for path in ["/staff/pupils", f"/staff/pupils/{school['pupils']['Maya']}", "/"]:
        response = pupil_mode.get(path)
        assert response.status_code == 302
        assert response.headers["Location"] == "/pupil/"
    response = pupil_mode.post("/sign-out")
    assert response.headers["Location"] == "/pupil/"


def test_only_the_teachers_password_ends_pupil_mode(pupil_mode, school):
    pupil_mode.get("/pupil/teacher")
    wrong = pupil_mode.post("/pupil/teacher", {"password": "guess"})
    assert wrong.status_code == 200
    assert "That password is not right" in wrong.text
    assert "<title>Error:" in wrong.text
    assert pupil_mode.get("/staff/pupils").status_code == 302

    right = pupil_mode.post("/pupil/teacher", {"password": PASSWORD})
    assert right.headers["Location"] == f"/staff/pupils/{school['pupils']['Leo']}"
    assert pupil_mode.get("/staff/pupils").status_code == 200


def test_continue_saves_and_moves_on(pupil_mode, db):
    response = pupil_mode.post(
        "/pupil/q/feel", {"choice": "good", "text": "I like my class"}
    )
    assert response.headers["Location"] == "/pupil/q/going_well"
    saved = saved_answers(db)["feel"]
    assert saved["status"] == "answered"
    assert saved["text"] == "I like my class"


def test_htmx_saves_as_the_pupil_goes_and_answers_with_the_status_line(pupil_mode, db):
    response = pupil_mode.post(
        "/pupil/q/going_well",
        {"choice": "friends"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.text.strip().startswith("<span")
    assert "Saved" in response.text
    assert saved_answers(db)["going_well"]["choices"] == '["friends"]'
    page = pupil_mode.get("/pupil/q/going_well")
    assert re.search(r'value="friends" checked', page.text)


def test_too_long_an_answer_keeps_every_word_and_says_what_to_do(pupil_mode, db):
    words = "I really like " + "very " * 500
    response = pupil_mode.post("/pupil/q/going_well", {"text": words})
    assert response.status_code == 400
    assert "<title>Error:" in response.text
    assert 'class="error-summary"' in response.text
    assert 'href="#text"' in response.text
    assert "a bit too long" in response.text
    assert words.strip() in response.text
    assert "going_well" not in saved_answers(db)


def test_skip_and_not_sure_are_recorded(pupil_mode, db):
    pupil_mode.post("/pupil/q/hard", {"action": "skip"})
    pupil_mode.post("/pupil/q/helps", {"action": "not_sure"})
    saved = saved_answers(db)
    assert saved["hard"]["status"] == "skipped"
    assert saved["helps"]["status"] == "not_sure"
    check = pupil_mode.get("/pupil/check").text
    assert "Not answered" in check
    assert "I'm not sure" in check


def test_change_from_check_answers_returns_to_check_answers(pupil_mode):
    page = pupil_mode.get("/pupil/check")
    assert 'href="/pupil/q/feel?return=check"' in page.text
    response = pupil_mode.post("/pupil/q/feel?return=check", {"choice": "okay"})
    assert response.headers["Location"] == "/pupil/check"


def test_check_answers_names_who_will_read_them(pupil_mode):
    page = pupil_mode.get("/pupil/check").text
    assert "Tess Teacher, your teacher" in page
    assert "Sol Worker, your social worker" in page


def test_finishing_marks_the_section_finished(pupil_mode, db):
    response = pupil_mode.post("/pupil/finish")
    assert response.headers["Location"] == "/pupil/done"
    done = pupil_mode.get("/pupil/done").text
    assert "Please give the tablet back to your teacher." in done
    section = next(db.query("SELECT * FROM voice_sections"))
    assert section["status"] == "finished"
    assert section["finished_at"]


def test_talk_to_someone_reaches_the_teacher(pupil_mode, db):
    response = pupil_mode.post("/pupil/talk", {"step": "hard"})
    assert response.headers["Location"] == "/pupil/talk?step=hard"
    thanks = pupil_mode.get("/pupil/talk?step=hard").text
    assert "Your teacher will talk with you soon." in thanks
    assert 'href="/pupil/q/hard"' in thanks

    pupil_mode.get("/pupil/teacher")
    pupil_mode.post("/pupil/teacher", {"password": PASSWORD})
    staff_page = pupil_mode.get("/staff/pupils").text
    assert "A pupil wants to talk to someone" in staff_page
    flag = next(db.query("SELECT id FROM talk_flags"))["id"]
    pupil_mode.post(f"/staff/flags/{flag}/seen")
    assert "wants to talk" not in pupil_mode.get("/staff/pupils").text


def test_an_idle_tablet_ends_the_whole_session_and_keeps_the_answers(pupil_mode, db):
    pupil_mode.post("/pupil/q/feel", {"choice": "good"})
    db.execute("UPDATE device_sessions SET last_seen_at = '2000-01-01T00:00:00+00:00'")
    response = pupil_mode.get("/pupil/q/going_well")
    assert response.status_code == 403
    assert "Everything you answered is saved" in response.text
    # The teacher's pages do not open up behind the child.
    assert pupil_mode.get("/staff/pupils").headers["Location"].startswith("/sign-in")
    assert saved_answers(db)["feel"]["choices"] == '["good"]'


def test_an_ended_session_tells_htmx_saves_plainly(pupil_mode, db):
    db.execute("DELETE FROM device_sessions")
    response = pupil_mode.post(
        "/pupil/q/feel", {"choice": "good"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "Please ask your teacher" in response.text


def test_a_page_that_does_not_exist_is_kind(pupil_mode):
    response = pupil_mode.get("/pupil/q/nonsense")
    assert response.status_code == 404
    assert "We cannot find that page" in response.text
    assert "Nothing you have done has been lost" in response.text


def test_every_step_of_every_band_renders(web, school, db):
    web.sign_in("teacher@ours.test")
    for band in ["early", "ks2", "ks34", "post16"]:
        pupil = school["pupils"]["Leo"]
        web.get(f"/staff/pupils/{pupil}")
        web.post(f"/staff/pupils/{pupil}/pupil-mode", {"band": band, "language": "en"})
        page = web.get("/pupil/welcome")
        step = re.search(r'href="/pupil/q/([^"]+)"', page.text).group(1)
        seen = 0
        while step:
            page = web.get(f"/pupil/q/{step}")
            assert page.status_code == 200, (band, step)
            assert "<h1" in page.text and "I want to talk to someone" in page.text
            response = web.post(f"/pupil/q/{step}", {"action": "skip"})
            location = response.headers["Location"]
            step = location.rsplit("/", 1)[1] if "/pupil/q/" in location else None
            seen += 1
        assert seen >= 9, band
        web.get("/pupil/teacher")
        web.post("/pupil/teacher", {"password": PASSWORD})
        # A band is changed only before any answer is given (none is hidden).
        db.execute("DELETE FROM answers")
