"""Every band's journey, as a teacher and a pupil would take it, in Chromium."""

import json

import pytest
from journeys import (
    answer_generically,
    end_pupil_mode,
    press,
    sign_in,
    start_pupil_mode,
    step_id,
    talk,
    tap_card,
)

BANDS = {
    "early": ("Ava", "cards"),
    "ks2": ("Leo", "cards"),
    "ks34": ("Maya", "text"),
    "post16": ("Jordan", "text"),
}


def saved(live):
    database = live.db()
    rows = {r["step"]: r for r in database.query("SELECT * FROM answers")}
    section = next(database.query("SELECT * FROM voice_sections"))
    database.close()
    return rows, section


@pytest.mark.parametrize("band", BANDS)
def test_a_pupil_answers_their_whole_voice_section(page, live, band):
    name, mode = BANDS[band]
    sign_in(page, live)
    start_pupil_mode(page, live, name)
    assert page.inner_text("h1") == f"Hello {name}!"
    page.click("text=Start")

    # How I feel: a face, in every band.
    assert step_id(page) == "feel"
    tap_card(page, "good")
    press(page, "Continue")

    # What is going well: pictures for the young, words for the older.
    assert step_id(page) == "going_well"
    if mode == "cards":
        tap_card(page, "friends")
        tap_card(page, "reading")
        page.fill("#text", "Drawing with Sam")
    else:
        page.fill("#text", "Science, and my tutor listens")
    press(page, "Continue")

    # What I'm proud of: a picture for the young, words for the older.
    assert step_id(page) == "proud"
    if mode == "cards":
        tap_card(page, "brave")
    else:
        page.fill("#text", "Finishing my project")
    press(page, "Continue")

    # What is hard: skipped.
    assert step_id(page) == "hard"
    press(page, "Skip this question")

    # What helps: words kept just for the teacher and social worker.
    assert step_id(page) == "helps"
    page.fill("#text", "Talking to my nan")
    page.check("#private")
    press(page, "Continue")

    # A reload, and going back, find every answer where it was left.
    page.reload()
    assert step_id(page).startswith("target-")
    page.click("a.back-link")
    assert page.input_value("#text") == "Talking to my nan"
    assert page.is_checked("#private")
    page.click("a.back-link")
    page.click("a.back-link")
    page.click("a.back-link")
    assert step_id(page) == "going_well"
    if mode == "cards":
        assert page.is_checked("#choice-friends")
        assert page.is_checked("#choice-reading")
        assert page.input_value("#text") == "Drawing with Sam"
    else:
        assert page.input_value("#text") == "Science, and my tutor listens"
    press(page, "Continue")
    press(page, "Continue")
    press(page, "Continue")
    press(page, "Continue")

    # The last targets, the hopes and the meeting.
    while "/pupil/q/" in page.url:
        current = step_id(page)
        if current == "meeting_who":
            people = page.inner_text(".people")
            # Each role in words a five-year-old knows, never a job title.
            assert "Tess Teacher" in people
            assert "A teacher who helps you at school" in people
            assert "Designated teacher" not in people
        if current == "meeting_come":
            tap_card(page, "part")
            press(page, "Continue")
        else:
            answer_generically(page, f"My words for {current}")

    # Check answers: a skip says so; change one answer and come back.
    assert page.url.endswith("/pupil/check")
    assert "Not answered" in page.inner_text(".summary")
    assert "Tess Teacher, your teacher" in page.inner_text(".readers")
    page.click("a[href='/pupil/q/feel?return=check']")
    tap_card(page, "okay")
    press(page, "Continue")
    assert page.url.endswith("/pupil/check")
    feel_row = page.locator(".summary__row").first.inner_text()
    assert "OK" in feel_row

    page.click('button:has-text("I\'ve finished")')
    assert "Please give the tablet back to your teacher." in page.inner_text("main")

    answers, section = saved(live)
    assert section["status"] == "finished"
    assert section["band"] == band
    assert json.loads(answers["feel"]["choices"]) == ["okay"]
    if mode == "cards":
        assert json.loads(answers["going_well"]["choices"]) == ["friends", "reading"]
        assert answers["going_well"]["text"] == "Drawing with Sam"
    else:
        assert answers["going_well"]["text"] == "Science, and my tutor listens"
    if mode == "cards":
        assert json.loads(answers["proud"]["choices"]) == ["brave"]
    else:
        assert answers["proud"]["text"] == "Finishing my project"
    assert answers["hard"]["status"] == "skipped"
    assert answers["helps"]["private"] == 1
    assert json.loads(answers["meeting_come"]["choices"]) == ["part"]
    # The youngest pupils' words are written down by the adult.
    assert answers["helps"]["scribed"] == (1 if band == "early" else 0)
    assert len([s for s in answers if s.startswith("target-")]) == 2

    end_pupil_mode(page)
    assert "Finished by the pupil" in page.inner_text("main")


def test_an_answer_is_saved_the_moment_it_is_given(page, live):
    sign_in(page, live)
    start_pupil_mode(page, live, "Leo")
    page.click("text=Start")
    tap_card(page, "great")
    page.wait_for_selector("#save-status .status--saved")
    page.goto(live.url + "/pupil/q/going_well")
    page.fill("#text", "Football at lunch")
    page.wait_for_selector("#save-status .status--saved")
    # Nobody pressed Continue, yet everything is there after a reload.
    page.goto(live.url + "/pupil/q/feel")
    assert page.is_checked("#choice-great")
    page.goto(live.url + "/pupil/q/going_well")
    assert page.input_value("#text") == "Football at lunch"
    answers, _ = saved(live)
    assert answers["going_well"]["text"] == "Football at lunch"


def test_the_journey_works_with_javascript_switched_off(browser, live):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live)
    start_pupil_mode(page, live, "Leo")
    assert not page.is_visible("button.speak")
    page.click("text=Start")
    tap_card(page, "okay")
    press(page, "Continue")
    tap_card(page, "sport")
    page.fill("#text", "PE with Mr Cole")
    press(page, "Continue")
    while "/pupil/q/" in page.url:
        press(page, "I'm not sure")
    page.click('button:has-text("I\'ve finished")')
    assert "Please give the tablet back" in page.inner_text("main")
    answers, section = saved(live)
    assert section["status"] == "finished"
    assert json.loads(answers["going_well"]["choices"]) == ["sport"]
    assert answers["going_well"]["text"] == "PE with Mr Cole"
    assert answers["helps"]["status"] == "not_sure"
    context.close()


def test_talk_to_someone_reaches_the_teacher(page, live):
    sign_in(page, live)
    start_pupil_mode(page, live, "Maya")
    page.click("text=Start")
    press(page, "Continue")
    here = page.url
    # The button is in the same place on every pupil page.
    box = page.locator(".button--talk").bounding_box()
    talk(page)
    assert "Your teacher will talk with you soon." in page.inner_text("main")
    assert page.locator(".button--talk").bounding_box() == box
    page.click("text=Go back to my questions")
    assert page.url == here
    end_pupil_mode(page)
    # A count and a link: no name where the child beside the teacher can see.
    banner = page.inner_text(".flags")
    assert "A pupil wants to talk to someone" in banner and "Maya" not in banner
    page.click("text=See who wants to talk")
    page.click("button:has-text('I have talked with Maya')")
    assert page.locator(".flags").count() == 0


def test_read_it_to_me_speaks_only_when_tapped_in_the_pages_language(context, live):
    context.add_init_script(
        """
        window.__spoken = [];
        window.speechSynthesis.speak = (u) => window.__spoken.push([u.text, u.lang]);
        """
    )
    page = context.new_page()
    sign_in(page, live)
    start_pupil_mode(page, live, "Leo")
    page.click("text=Start")
    assert page.evaluate("window.__spoken") == []
    page.click(".question button.speak:not(.speak--small)")
    spoken = page.evaluate("window.__spoken")
    assert spoken[0][0].startswith("How do you feel about school?")
    assert spoken[0][1] == "en-GB"
    page.click("label[for=choice-good] ~ button.speak")
    assert page.evaluate("window.__spoken")[-1][0] == "Good"


def test_read_it_to_me_is_hidden_where_the_browser_cannot_speak(context, live):
    context.add_init_script("delete window.speechSynthesis;")
    page = context.new_page()
    sign_in(page, live)
    start_pupil_mode(page, live, "Leo")
    page.click("text=Start")
    assert page.locator("button.speak").count() > 0
    assert not page.locator("button.speak").first.is_visible()


def test_the_pupil_is_warned_before_time_runs_out_and_can_ask_for_more(page, live_with):
    live = live_with(PUPIL_IDLE_SECONDS=8, PUPIL_WARNING_SECONDS=5)
    sign_in(page, live)
    start_pupil_mode(page, live, "Leo")
    page.click("text=Start")
    tap_card(page, "good")
    # The warning comes before the end, and "more time" works again and again.
    for _ in range(3):
        page.wait_for_selector("#timeout[open]", timeout=6000)
        assert "Are you still there?" in page.inner_text("#timeout")
        page.click("button:has-text('I need more time')")
        page.wait_for_selector("#timeout[open]", state="detached")
    assert step_id(page) == "feel"
    # Left alone, the tablet stops showing the questions; the answer is kept.
    page.wait_for_selector("text=Please ask your teacher", timeout=15000)
    answers, _section = saved(live)
    assert json.loads(answers["feel"]["choices"]) == ["good"]
