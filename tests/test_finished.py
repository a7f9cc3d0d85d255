"""Finished is finished: after "I've finished", every pupil route, taken from
the app's own URL map, as a typed URL, a no-JavaScript form and an htmx or
script request, shows no answer and changes none, until the teacher takes the
tablet back. Only a teacher's deliberate reopen, with their password and
logged, lets the pupil change a finished voice; starting pupil mode never
does. A voice whose answers retention deleted says so and takes no more."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from school import PASSWORD, add_section

from pupilvoice import pupil, retention, sections

SAID = "Marker-answer-4471"
KEPT_PRIVATE = "Marker-private-9902"


def hand_over(web, school, name="Leo", band="ks2"):
    pupil_id = school["pupils"][name]
    web.get(f"/staff/pupils/{pupil_id}")
    return web.post(
        f"/staff/pupils/{pupil_id}/pupil-mode", {"band": band, "language": "en"}
    )


def take_back(web):
    """The teacher unlocks the tablet; the session is a new one, so its pages
    (and their forms' tokens) are fetched afresh, as a browser does."""
    web.get("/pupil/teacher")
    web.post("/pupil/teacher", {"password": PASSWORD})
    web.get("/staff/pupils")


@pytest.fixture
def finished(web, school, db):
    """Leo has answered (one answer private) and pressed "I've finished"."""
    web.sign_in("teacher@ours.test")
    hand_over(web, school)
    web.post("/pupil/q/feel", {"choice": "good"})
    web.post("/pupil/q/going_well", {"text": SAID, "choice": "sport"})
    web.post("/pupil/q/private_note", {"text": KEPT_PRIVATE})
    web.get("/pupil/check")
    response = web.post("/pupil/finish")
    assert response.status_code == 302
    assert response.headers["Location"] == "/pupil/done"
    return web


def snapshot(db):
    return (
        [tuple(r.values()) for r in db.query("SELECT * FROM answers ORDER BY step")],
        [
            (r["status"], r["finished_at"], r["language"], r["band"])
            for r in db.query("SELECT * FROM voice_sections")
        ],
    )


# What each pupil route that still answers after finishing gives. A route
# added to pupil.OPEN_WHEN_FINISHED must be added here, with what it shows.
STILL_ANSWER = {
    ("pupil.done", "GET"): 200,
    ("pupil.talked", "GET"): 200,
    ("pupil.talk", "POST"): 302,
    ("pupil.settings", "GET"): 200,
    ("pupil.change_settings", "POST"): 302,
    ("pupil.change_language", "POST"): 302,
    ("pupil.still_here", "POST"): 204,
    ("pupil.end_pupil_mode", "GET"): 200,
    ("pupil.end_pupil_mode", "POST"): 200,  # a wrong password, asked again
    ("pupil.waiting", "GET"): 200,
    ("pupil.tablet_pages", "GET"): 200,
    ("pupil.service_worker", "GET"): 200,
}
# Fields a form of each route sends, so each POST is a real attempt.
SENT = {
    "text": "changed after finishing",
    "choice": "bad",
    "step": "going_well",
    "language": "cy",
    "text_size": "large",
    "password": "not the password",
}


def test_nothing_can_show_or_change_an_answer_after_finishing(app, finished, db):
    before = snapshot(db)
    checked = set()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("pupil."):
            continue
        url = rule.build({"step_id": "going_well"}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for how in ("typed or posted", "htmx"):
                headers = {"HX-Request": "true"} if how == "htmx" else {}
                if method == "GET":
                    response = finished.get(url, headers=headers)
                else:
                    response = finished.post(url, SENT, headers=headers)
                where = (rule.endpoint, method, how)
                checked.add((rule.endpoint, method))
                body = response.get_data(as_text=True)
                assert SAID not in body and KEPT_PRIVATE not in body, where
                assert "sport" not in body.lower() or rule.endpoint.endswith(
                    "service_worker"
                ), where
                assert response.headers["Cache-Control"] == "no-store", where
                expected = STILL_ANSWER.get((rule.endpoint, method))
                if expected is None:
                    # Closed: to the finished page, or told so (htmx, scripts).
                    if how == "htmx":
                        assert response.status_code == 409, where
                        assert response.headers["HX-Redirect"] == "/pupil/done"
                    else:
                        assert response.status_code == 303, where
                        assert response.headers["Location"] == "/pupil/done"
                elif how == "typed or posted":
                    assert response.status_code == expected, where
                # Changing the language or the look is not changing an answer;
                # put them back so the next route is asked in English.
                finished.post("/pupil/language", {"language": "en"})
                assert snapshot(db)[0] == before[0], where
    assert set(STILL_ANSWER) <= checked
    assert len(checked) >= 15, checked
    # Still finished, at the time it was first finished.
    assert snapshot(db) == before


def test_the_pupil_routes_still_open_after_finishing_are_the_listed_ones():
    assert {e for e, _m in STILL_ANSWER} == pupil.OPEN_WHEN_FINISHED


def test_after_finishing_the_tablet_keeps_no_question_page(finished):
    kept = finished.get("/pupil/tablet.json").get_json()
    assert kept["pages"] == ["/pupil/done", "/pupil/talk", "/pupil/settings"]
    assert kept["fallback"] == "/pupil/done"


def test_finishing_twice_keeps_the_first_finish_time(finished, db):
    db.execute("UPDATE voice_sections SET finished_at = '2026-01-01T00:00:00+00:00'")
    assert finished.post("/pupil/finish").status_code == 303
    section = next(db.query("SELECT * FROM voice_sections"))
    assert section["finished_at"] == "2026-01-01T00:00:00+00:00"
    assert db["audit_log"].count_where("action = 'voice_finished_by_pupil'") == 1


def test_the_finished_page_clears_the_browsers_caches(web, school):
    web.sign_in("teacher@ours.test")
    hand_over(web, school)
    response = web.post("/pupil/finish")
    assert response.headers["Clear-Site-Data"] == '"cache"'


def test_starting_pupil_mode_again_never_reopens_a_finished_voice(finished, school, db):
    take_back(finished)
    before = snapshot(db)
    leo = school["pupils"]["Leo"]
    for band in ["ks2", "early", "post16"]:
        response = finished.post(
            f"/staff/pupils/{leo}/pupil-mode", {"band": band, "language": "pl"}
        )
        # Refused as the rule says (access: hand_over), on a page saying why.
        assert response.status_code == 409
        assert "cannot be handed over for them" in response.text
    assert snapshot(db) == before
    # Still the teacher's own pages: no pupil mode started.
    assert finished.get("/staff/pupils").status_code == 200
    # Still in every export of finished voices.
    section = next(db.query("SELECT id FROM voice_sections"))["id"]
    assert sections.all_finished(db) == [section]


def test_the_pupil_page_offers_reopen_not_hand_over_for_a_finished_voice(
    finished, school
):
    take_back(finished)
    page = finished.get(f"/staff/pupils/{school['pupils']['Leo']}").text
    assert "Reopen the answers" in page
    assert "Hand the tablet to Leo" not in page


def test_reopening_needs_the_password_and_is_logged(finished, school, db):
    take_back(finished)
    leo = school["pupils"]["Leo"]
    before = snapshot(db)
    wrong = finished.post(f"/staff/pupils/{leo}/reopen", {"password": "guess"})
    assert wrong.status_code == 400
    assert "That password is not right" in wrong.text
    assert "<title>Error:" in wrong.text
    empty = finished.post(f"/staff/pupils/{leo}/reopen", {"password": ""})
    assert empty.status_code == 400
    assert "Enter your password to reopen the answers" in empty.text
    assert snapshot(db) == before
    assert db["audit_log"].count_where("action = 'voice_reopened'") == 0

    right = finished.post(f"/staff/pupils/{leo}/reopen", {"password": PASSWORD})
    assert right.status_code == 302
    section = next(db.query("SELECT * FROM voice_sections"))
    assert section["status"] == "in_progress"
    logged = list(db.query("SELECT * FROM audit_log WHERE action = 'voice_reopened'"))
    assert [(r["staff_id"], r["pupil_id"], r["detail"]) for r in logged] == [
        (school["staff"]["teacher"], leo, "finished")
    ]
    # Now the pupil may change it, with every answer still there.
    assert hand_over(finished, school).headers["Location"] == "/pupil/"
    page = finished.get("/pupil/q/going_well").text
    assert SAID in page


def test_only_those_who_hand_over_the_tablet_can_reopen(app, finished, school, db):
    from school import Browserless

    admin = Browserless(app.test_client())
    admin.sign_in("admin@council.test")
    leo = school["pupils"]["Leo"]
    admin.get(f"/staff/pupils/{leo}")
    response = admin.post(f"/staff/pupils/{leo}/reopen", {"password": PASSWORD})
    assert response.status_code == 404
    assert next(db.query("SELECT status FROM voice_sections"))["status"] == "finished"


def test_a_reopened_voice_keeps_its_retention_clock(app, web, school, db):
    leo = school["pupils"]["Leo"]
    imported = (datetime.now(UTC) - timedelta(days=10)).isoformat(timespec="seconds")
    section, _ = add_section(
        db,
        leo,
        status="imported",
        started_at=imported,
        finished_at=imported,
        imported_at=imported,
    )
    web.sign_in("teacher@ours.test")
    web.get(f"/staff/pupils/{leo}")
    assert (
        web.post(f"/staff/pupils/{leo}/reopen", {"password": PASSWORD}).status_code
        == 302
    )
    record = sections.get(db, section)
    assert record["status"] == "in_progress"
    assert record["imported_at"] == imported
    hand_over(web, school)
    web.post("/pupil/q/going_well", {"text": "words after reopening"})
    # Ninety days after the first import, the words go, reopened or not.
    assert retention.purge(db, now=datetime.now(UTC) + timedelta(days=81)) == 1
    assert db["answers"].count_where("section_id = ?", [section]) == 0


def purged_voice(db, school):
    section, _ = add_section(
        db,
        school["pupils"]["Leo"],
        status="imported",
        started_at="2020-01-01T00:00:00+00:00",
        finished_at="2020-01-01T00:00:00+00:00",
        imported_at="2020-01-02T00:00:00+00:00",
    )
    db["answers"].insert(
        {
            "section_id": section,
            "step": "feel",
            "status": "answered",
            "choices": "[]",
            "text": "old words",
            "language": "en",
            "updated_at": "2020-01-01T00:00:00+00:00",
        }
    )
    assert retention.purge(db) == 1
    return section


def test_a_purged_voice_says_so_and_takes_no_more_answers(web, school, db):
    section = purged_voice(db, school)
    leo = school["pupils"]["Leo"]
    web.sign_in("teacher@ours.test")
    label = "Answers deleted at the end of the retention period"
    assert label in web.get("/staff/pupils").text
    page = web.get(f"/staff/pupils/{leo}").text
    assert label in page
    assert "set up their next meeting" in page
    assert "Hand the tablet to Leo" not in page and "Reopen the answers" not in page
    response = hand_over(web, school)
    assert response.status_code == 409
    assert "deleted at the end of the" in response.text
    response = web.post(f"/staff/pupils/{leo}/reopen", {"password": PASSWORD})
    assert response.status_code == 409
    assert "still kept, can be reopened" in response.text
    assert sections.get(db, section)["status"] == "imported"
    assert web.get("/staff/pupils").status_code == 200  # not in pupil mode
    assert db["answers"].count == 0


def test_pupil_pages_never_enter_a_browsers_cache(finished):
    for url in ["/pupil/done", "/pupil/talk", "/pupil/settings", "/pupil/q/feel"]:
        assert finished.get(url).headers["Cache-Control"] == "no-store"


# --- What the child sees after handing the tablet back ---------------------------


def test_the_first_staff_page_after_pupil_mode_names_no_other_pupil(web, school, db):
    others = ["Ava", "Maya", "Jordan"]
    for name in others:
        section, _ = add_section(
            db, school["pupils"][name], started_at="2026-01-01T00:00:00+00:00"
        )
        db["talk_flags"].insert(
            {"section_id": section, "raised_at": "2026-01-01T09:00:00+00:00"}
        )
    web.sign_in("teacher@ours.test")
    hand_over(web, school)
    web.post("/pupil/talk", {"step": "feel"})
    web.get("/pupil/teacher")
    response = web.post("/pupil/teacher", {"password": PASSWORD})
    first = web.get(response.headers["Location"]).text
    assert "4 pupils want to talk to someone" in first
    assert 'href="/staff/flags"' in first
    for name in [*others, "Zed"]:
        assert name not in first, name
    # The list is one deliberate tap away.
    listed = web.get("/staff/flags").text
    assert all(name in listed for name in [*others, "Leo"])


def test_no_staff_pages_flag_banner_names_a_pupil(app, web, school, db):
    section, meeting = add_section(
        db, school["pupils"]["Maya"], started_at="2026-01-01T00:00:00+00:00"
    )
    db["talk_flags"].insert(
        {"section_id": section, "raised_at": "2026-01-01T09:00:00+00:00"}
    )
    values = {"pupil_id": school["pupils"]["Maya"], "meeting_id": meeting}
    web.sign_in("teacher@ours.test")
    banners = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.startswith(("pupil.", "static")):
            continue
        if not set(rule.arguments) <= set(values):
            continue
        page = web.get(rule.build(values, append_unknown=False)[1])
        found = re.search(r'<section class="flags".*?</section>', page.text, re.S)
        if found:
            banners += 1
            assert "Maya" not in found.group(0), rule.endpoint
            assert "A pupil wants to talk to someone" in found.group(0)
    assert banners >= 3


def test_start_itself_refuses_a_finished_or_purged_voice(db, school):
    """The rule lives in sections.start, not only in the page that calls it."""
    leo = school["pupils"]["Leo"]
    section, meeting_id = add_section(
        db, leo, status="finished", started_at="2026-01-01T00:00:00+00:00"
    )
    meeting = next(db.query("SELECT * FROM meetings WHERE id = ?", [meeting_id]))
    staff = {"id": school["staff"]["teacher"]}
    arguments = {"band": "early", "language": "en", "scribe": False, "staff": staff}
    with pytest.raises(sections.NotOpen) as refused:
        sections.start(db, pupil={"id": leo}, meeting=meeting, **arguments)
    assert refused.value.reason == "finished"
    db["voice_sections"].update(
        section, {"status": "in_progress", "purged_at": "2026-02-01T00:00:00+00:00"}
    )
    with pytest.raises(sections.NotOpen) as refused:
        sections.start(db, pupil={"id": leo}, meeting=meeting, **arguments)
    assert refused.value.reason == "purged"
    assert sections.get(db, section)["band"] == "ks2"


def test_help_is_still_there_after_finishing_and_leads_back_to_the_finished_page(
    finished, db
):
    response = finished.post("/pupil/talk", {"step": "going_well"})
    assert response.status_code == 302
    assert db["talk_flags"].count == 1
    page = finished.get(response.headers["Location"]).text
    assert "Your teacher will talk with you soon." in page
    assert "Please give the tablet back to your teacher." in page
    assert 'href="/pupil/done"' in page
    assert "carry on with your questions" not in page


def test_the_pupil_list_does_not_say_who_wants_to_talk(web, school, db):
    """One Back press after the hand-back shows the pupil list: it must not mark
    which children asked to talk (found by an outside tester)."""
    section, _ = add_section(
        db, school["pupils"]["Maya"], started_at="2026-01-01T00:00:00+00:00"
    )
    db["talk_flags"].insert(
        {"section_id": section, "raised_at": "2026-01-01T09:00:00+00:00"}
    )
    web.sign_in("teacher@ours.test")
    page = web.get("/staff/pupils").text
    assert "A pupil wants to talk to someone" in page
    assert "Wants to talk" not in page
    table = re.search(r"<table.*?</table>", page, re.S).group(0)
    assert "Maya" in table and "talk" not in table.lower()


def test_reopening_ends_a_tablet_still_on_the_finished_page(app, finished, school, db):
    """The tablet that finished is still in pupil mode; the teacher reopens from
    another device. The tablet must not then show the answers by itself."""
    from school import Browserless

    teacher = Browserless(app.test_client())
    teacher.sign_in("teacher@ours.test")
    leo = school["pupils"]["Leo"]
    teacher.get(f"/staff/pupils/{leo}")
    response = teacher.post(f"/staff/pupils/{leo}/reopen", {"password": PASSWORD})
    assert response.status_code == 302
    assert (
        sections.get(db, next(db.query("SELECT id FROM voice_sections"))["id"])[
            "status"
        ]
        == "in_progress"
    )
    check = finished.get("/pupil/check")
    assert check.status_code == 403
    assert "Please ask your teacher" in check.text
    assert KEPT_PRIVATE not in check.text and SAID not in check.text


def test_every_way_back_on_the_tablets_own_pages_has_a_picture_and_a_speaker(
    web, school
):
    web.sign_in("teacher@ours.test")
    hand_over(web, school)
    for url, words in [
        ("/pupil/teacher", "Back to the questions"),
        ("/pupil/waiting", "Back"),
    ]:
        page = web.get(url).text
        link = re.search(rf"<a [^>]*>[^<]*<img[^>]*>\s*<span>{words}</span></a>", page)
        assert link, url
        assert f'data-speak="{words}"' in page, url
