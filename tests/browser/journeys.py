"""What a teacher and a pupil do, step by step, in the browser."""

from school import PASSWORD, add_section


def sign_in(page, live, email="teacher@ours.test"):
    page.goto(live.url + "/")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main form button.button")
    page.wait_for_url("**/staff/pupils")


def start_pupil_mode(page, live, name, band=None):
    page.goto(live.url + "/staff/pupils")
    page.click(f"a:has-text('{name}')")
    if band:
        page.check(f"input[name=band][value={band}]")
    page.click("button:has-text('pupil mode')")
    page.wait_for_url("**/pupil/welcome")


def end_pupil_mode(page):
    page.click("text=Teacher: end pupil mode")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('End pupil mode')")
    page.wait_for_url("**/staff/pupils/*")


def step_id(page) -> str:
    return page.url.split("/pupil/q/")[1].split("?")[0]


ACTIONS = {
    "Continue": "answer",
    "Skip this question": "skip",
    "I'm not sure": "not_sure",
}


def press(page, label):
    """One of the three answer buttons, found the same way in any language.
    The page saves first (offline.js), then moves on: wait for the next page."""
    with page.expect_navigation():
        page.click(f".actions button[value={ACTIONS[label]}]")
    page.wait_for_load_state()


def talk(page):
    """ "I want to talk to someone": sent first, then the thank-you page."""
    with page.expect_navigation():
        page.click(".button--talk")
    page.wait_for_load_state()


def tap_card(page, card_id):
    page.click(f"label[for=choice-{card_id}]")


def answer_generically(page, words):
    """Tap the first picture if pictures are shown first, otherwise type."""
    cards = page.locator(".question > fieldset > .cards label")
    if cards.count():
        cards.first.click()
    else:
        page.fill("#text", words)
    press(page, "Continue")


def finished_section(live, name) -> int:
    """A voice section the pupil has finished, put straight into the database."""
    db = live.db()
    section, _meeting = add_section(
        db,
        live.school["pupils"][name],
        band="ks34",
        status="finished",
        supported_by_id=live.school["staff"]["teacher"],
        started_at="2026-11-01T10:00:00+00:00",
        finished_at="2026-11-01T10:20:00+00:00",
    )
    db["answers"].insert_all(
        [
            {
                "section_id": section,
                "step": "feel",
                "status": "answered",
                "choices": '["good"]',
                "text": "",
                "private": 0,
                "language": "en",
                "updated_at": "2026-11-01T10:01:00+00:00",
            },
            {
                "section_id": section,
                "step": "going_well",
                "status": "answered",
                "choices": "[]",
                "text": "Art",
                "private": 0,
                "language": "en",
                "updated_at": "2026-11-01T10:02:00+00:00",
            },
            {
                "section_id": section,
                "step": "hard",
                "status": "skipped",
                "choices": "[]",
                "text": "",
                "private": 0,
                "language": "en",
                "updated_at": "2026-11-01T10:03:00+00:00",
            },
        ]
    )
    db.close()
    return section
