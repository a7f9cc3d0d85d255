"""What the tablet keeps to carry on offline, seen from the server: saves sent
again are recorded once and in order, nothing kept for one pupil's turn goes
into another's, the pages the tablet keeps, and the wipe when pupil mode ends."""

import pytest
from school import PASSWORD

HX = {"HX-Request": "true"}


@pytest.fixture
def tablet(web, school):
    web.sign_in("teacher@ours.test")
    leo = school["pupils"]["Leo"]
    web.get(f"/staff/pupils/{leo}")
    web.post(f"/staff/pupils/{leo}/pupil-mode", {"band": "ks2", "language": "en"})
    web.get("/pupil/q/feel")
    return web


def saved(db, step):
    return next(db.query("SELECT * FROM answers WHERE step = ?", [step]))


def test_a_save_sent_again_is_recorded_once_and_never_undoes_a_newer_one(tablet, db):
    first = {"text": "first", "client_id": "1767225600000-aaaaaaaa"}
    second = {"text": "second", "client_id": "1767225600001-bbbbbbbb"}
    for save in (first, second, first):
        response = tablet.post("/pupil/q/going_well", save, headers=HX)
        assert response.status_code == 200
        # The tablet is told its save is in, each time it asks.
        assert response.headers["X-Recorded"] == save["client_id"]
    row = saved(db, "going_well")
    assert row["text"] == "second"
    assert row["client_save"] == second["client_id"]
    assert db["answers"].count == 1


def test_a_save_without_an_id_is_applied_as_before(tablet, db):
    tablet.post(
        "/pupil/q/going_well",
        {"text": "from the tablet", "client_id": "1767225600000-aaaaaaaa"},
        headers=HX,
    )
    response = tablet.post("/pupil/q/going_well", {"text": "no JavaScript"})
    assert response.status_code == 302
    assert saved(db, "going_well")["text"] == "no JavaScript"
    assert "X-Recorded" not in response.headers


@pytest.mark.parametrize(
    "client_id", ["", "x", "12-ab", "1767225600000-a b c d", "9" * 40]
)
def test_an_odd_client_id_is_ignored_not_trusted(tablet, db, client_id):
    response = tablet.post(
        "/pupil/q/going_well", {"text": "words", "client_id": client_id}, headers=HX
    )
    assert response.status_code == 200
    assert "X-Recorded" not in response.headers
    row = saved(db, "going_well")
    assert row["text"] == "words" and row["client_save"] is None


def test_nothing_kept_for_another_pupils_turn_is_saved_into_this_one(tablet, db):
    section = next(db.query("SELECT id FROM voice_sections"))["id"]
    for url, fields in [
        ("/pupil/q/going_well", {"text": "someone else's words"}),
        ("/pupil/talk", {"step": "feel"}),
    ]:
        for headers in (HX, {}):
            response = tablet.post(
                url, {**fields, "section": str(section + 1)}, headers=headers
            )
            assert response.status_code == 409
    assert db["answers"].count == 0
    assert db["talk_flags"].count == 0
    ok = tablet.post("/pupil/q/going_well", {"text": "mine", "section": str(section)})
    assert ok.status_code == 302
    assert saved(db, "going_well")["text"] == "mine"


def test_the_tablet_keeps_the_question_pages_and_a_page_for_the_rest(tablet):
    kept = tablet.get("/pupil/tablet.json").get_json()
    assert kept["pages"][0] == "/pupil/waiting"
    assert "/pupil/q/feel" in kept["pages"] and "/pupil/q/private_note" in kept["pages"]
    assert "/pupil/check" not in kept["pages"]  # its list would be out of date offline
    assert kept["fallback"] == "/pupil/waiting"
    page = tablet.get("/pupil/q/feel").text
    assert f'data-version="{kept["version"]}"' in page


def test_the_kept_pages_are_fetched_again_when_they_would_look_different(tablet):
    before = tablet.get("/pupil/tablet.json").get_json()["version"]
    tablet.post("/pupil/language", {"language": "cy"})
    after_language = tablet.get("/pupil/tablet.json").get_json()["version"]
    tablet.post("/pupil/settings", {"text_size": "large"})
    after_size = tablet.get("/pupil/tablet.json").get_json()["version"]
    assert len({before, after_language, after_size}) == 3
    # An answer is not a reason: the tablet lays its own answers over a page.
    tablet.post("/pupil/q/feel", {"choice": "good"})
    assert tablet.get("/pupil/tablet.json").get_json()["version"] == after_size


def test_the_tablets_worker_is_served_only_in_pupil_mode(tablet, app):
    worker = tablet.get("/pupil/sw.js")
    assert worker.status_code == 200
    assert worker.mimetype == "text/javascript"
    assert worker.headers["Cache-Control"] == "no-store"
    assert "caches" in worker.get_data(as_text=True)
    signed_out = app.test_client().get("/pupil/sw.js")
    assert signed_out.status_code == 403


def test_ending_pupil_mode_wipes_what_the_tablet_kept(tablet, app, db):
    tablet.get("/pupil/teacher")
    ended = tablet.post("/pupil/teacher", {"password": PASSWORD})
    assert ended.status_code == 302
    assert ended.headers["Clear-Site-Data"] == '"cache", "storage"'
    # And when pupil mode ends by itself, on the "please ask your teacher" page.
    other = app.test_client()
    timed_out = other.get("/pupil/q/feel")
    assert timed_out.status_code == 403
    assert timed_out.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert "data-tablet-wipe" in timed_out.get_data(as_text=True)
