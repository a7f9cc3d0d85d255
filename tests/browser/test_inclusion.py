"""Every pupil and staff page, in every language: axe finds nothing, pupil
targets are big enough, nothing scrolls sideways at 320 px, and right-to-left
pages are mirrored."""

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from journeys import finished_section, press, sign_in, talk
from school import ADMIN_TOTP, PASSWORD

from pupilvoice.i18n import available

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]}
}
LANGUAGES = available()
axe = Axe()


def no_violations(page, where):
    page.wait_for_load_state("load")
    results = axe.run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{where}:\n{results.generate_report()}"


def start_in(page, live, language):
    sign_in(page, live)
    page.goto(live.url + "/staff/pupils")
    page.click("a:has-text('Leo')")
    page.select_option("#language", language)
    page.click("button:has-text('pupil mode')")
    page.wait_for_url("**/pupil/welcome")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_pupil_page_passes_axe(browser, live, language):
    context = browser.new_context(viewport={"width": 820, "height": 1180})
    page = context.new_page()
    start_in(page, live, language)
    assert page.get_attribute("html", "lang").startswith(language)
    visited = 0
    for where in walk(page, live):
        no_violations(page, f"{language} {where}")
        visited += 1
    assert visited >= 15
    context.close()


def walk(page, live):
    """The pupil's pages from the welcome on, in whatever language is set."""
    yield "welcome"
    page.click(".button--start")
    while "/pupil/q/" in page.url:
        yield page.url.rsplit("/", 1)[1]
        press(page, "Continue")
    yield "check"
    page.click(".button--settings")
    yield "settings"
    page.click(".back-link")
    talk(page)
    yield "talk"
    page.goto(live.url + "/pupil/teacher")
    yield "teacher"
    page.goto(live.url + "/pupil/nowhere")
    yield "not found"
    page.goto(live.url + "/pupil/check")
    page.click("form[action$='/finish'] button")
    yield "done"


def small_targets(page) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll('a, button, label, summary, select, textarea')]
            .filter(el => el.offsetParent !== null && !el.closest('.skip-link'))
            // A label is a target only for a checkbox or radio; a text box is its own.
            .filter(el => el.tagName !== 'LABEL' || ['checkbox', 'radio'].includes(el.control && el.control.type))
            .map(el => [el, el.getBoundingClientRect()])
            .filter(([el, r]) => r.width < 44 || r.height < 44)
            .map(([el, r]) => `${el.tagName} "${el.textContent.trim().slice(0, 30)}" ${Math.round(r.width)}x${Math.round(r.height)}`)"""
    )


def test_pupil_pages_reflow_at_320px_with_big_enough_targets(browser, live):
    context = browser.new_context(
        viewport={"width": 320, "height": 640}, has_touch=True
    )
    page = context.new_page()
    start_in(page, live, "en")
    for where in walk(page, live):
        page.wait_for_load_state("load")
        width = page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert width[0] <= width[1], f"{where} scrolls sideways: {width}"
        assert small_targets(page) == [], where
        viewport = page.get_attribute("meta[name=viewport]", "content")
        assert "user-scalable" not in viewport and "maximum-scale" not in viewport
    context.close()


def test_the_bigger_text_setting_still_reflows(browser, live):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    start_in(page, live, "en")
    page.click(".button--settings")
    page.check("#text_size-larger")
    page.check("#theme-calm")
    page.check("#font-dyslexic")
    page.click("form[action$='/settings'] button:not(.speak)")
    assert "text-larger" in page.get_attribute("html", "class")
    page.click(".button--start")
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1]
    assert "OpenDyslexic" in page.evaluate("getComputedStyle(document.body).fontFamily")
    no_violations(page, "calm theme, bigger text")
    context.close()


def test_an_arabic_journey_is_mirrored_end_to_end(browser, live, tmp_path):
    context = browser.new_context(viewport={"width": 820, "height": 1180})
    page = context.new_page()
    start_in(page, live, "ar")
    assert page.get_attribute("html", "dir") == "rtl"
    page.click(".button--start")
    page.screenshot(path=str(tmp_path / "arabic-question.png"))
    # Right to left: the pupil's name sits on the right, the back link's
    # arrow picture is mirrored to point right, and the first card is the right-most.
    name = page.locator(".pupil-bar__name").bounding_box()
    talk = page.locator(".button--talk").bounding_box()
    assert name["x"] > talk["x"]
    back = page.locator(".back-link").bounding_box()
    assert back["x"] + back["width"] > 820 / 2
    arrow = page.evaluate(
        "getComputedStyle(document.querySelector('.back-link img')).transform"
    )
    assert arrow == "matrix(-1, 0, 0, 1, 0, 0)"
    cards = page.locator(".card").all()
    assert cards[0].bounding_box()["x"] > cards[1].bounding_box()["x"]
    # Answers in Arabic are kept, and the language can change without losing them.
    page.click("label[for=choice-good]")
    page.fill("#text", "أحب المدرسة")
    press(page, "Continue")
    page.click(".button--settings")
    page.click("button[lang=en]")
    assert page.get_attribute("html", "dir") == "ltr"
    page.goto(live.url + "/pupil/q/feel")
    assert page.is_checked("#choice-good")
    assert page.input_value("#text") == "أحب المدرسة"
    context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_staff_page_passes_axe(browser, live, language):
    context = browser.new_context(
        locale=language, extra_http_headers={"Accept-Language": language}
    )
    page = context.new_page()
    page.goto(live.url + "/sign-in")
    assert page.get_attribute("html", "lang").startswith(language)
    no_violations(page, f"{language} sign in")
    sign_in(page, live)
    for where, path in [
        ("pupils", "/staff/pupils"),
        ("add pupil", "/staff/pupils/new"),
        ("two-step", "/account/two-step"),
        ("not found", "/staff/nowhere"),
    ]:
        page.goto(live.url + path)
        no_violations(page, f"{language} {where}")
    page.goto(live.url + "/staff/pupils")
    page.click("a:has-text('Leo')")
    no_violations(page, f"{language} pupil")
    page.click("a[href*='/meetings/']")
    no_violations(page, f"{language} meeting")
    page.click("form[action$='/attendees'] button.button")
    no_violations(page, f"{language} meeting with errors")
    section = finished_section(live, "Maya")
    for where, path in [
        ("review", f"/staff/voice/{section}/"),
        ("text", f"/staff/voice/{section}/text"),
    ]:
        page.goto(live.url + path)
        no_violations(page, f"{language} {where}")
    context.close()

    # The admin's pages, after the two-step code.
    context = browser.new_context(
        locale=language, extra_http_headers={"Accept-Language": language}
    )
    page = context.new_page()
    page.goto(live.url + "/sign-in")
    page.fill("#email", "admin@council.test")
    page.fill("#password", PASSWORD)
    page.click("form button")
    no_violations(page, f"{language} two-step code")
    page.fill("#code", pyotp.TOTP(ADMIN_TOTP).now())
    page.click("form button")
    page.goto(live.url + "/admin/")
    no_violations(page, f"{language} admin")
    context.close()
