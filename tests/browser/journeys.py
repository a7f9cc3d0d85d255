"""What a teacher and a pupil do, step by step, in the browser."""

from school import PASSWORD


def sign_in(page, live, email="teacher@ours.test"):
    page.goto(live.url + "/")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
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


def press(page, label):
    page.click(f'.actions button:has-text("{label}")')
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
