"""A child who cannot read can finish.

Every band is walked from the welcome to the finished page by pictures and
sound alone: the walk taps only pictures (found by the picture's file, from
pupilvoice/pictures.py and the question bank), and on every page it taps the
speaker of every visible control and checks, through a stub of
speechSynthesis, that it says that control's own words. Controls that must
have a picture are checked for one; in the youngest band every picture of an
answer or a person is at least 120 px, and every question page has an answer
to tap.
"""

import json

import pytest
from journeys import sign_in, start_pupil_mode

from pupilvoice import pictures

SPEECH_STUB = """
window.__spoken = [];
window.speechSynthesis.speak = (u) => window.__spoken.push({text: u.text, lang: u.lang});
"""

# Every control under `root` a pupil can see, with its words, whether it has a
# picture, and its speaker (the speak button in the control's .hear box),
# each marked so the test can tap it as a finger would.
CONTROLS = """(root) => {
  const shown = (el) => el.checkVisibility({visibilityProperty: true});
  const words = (el) => {
    const copy = el.cloneNode(true);
    copy.querySelectorAll('.visually-hidden').forEach((hidden) => hidden.remove());
    return copy.textContent.replace(/\\s+/g, ' ').trim();
  };
  const found = [];
  const selector = 'a[href], button, summary, textarea, select, input:not([type=hidden])';
  document.querySelector(root).querySelectorAll(selector).forEach((el) => {
    // Speakers are how controls are heard; the footer is the teacher's.
    if (el.matches('button.speak') || el.closest('[data-for-teacher], .skip-link')) {
      return;
    }
    // A picture card or a tick is tapped on its label; a text box has one.
    const labelled = el.matches('input, textarea, select') && el.labels.length;
    const target = el.matches('input') && labelled ? el.labels[0] : el;
    if (!shown(target)) {
      return;
    }
    const box = el.closest('.hear');
    const speaker = box && box.querySelector(':scope > button.speak');
    const index = document.querySelectorAll('[data-control]').length;
    target.dataset.control = index;
    if (speaker) {
      speaker.dataset.speakerFor = index;
    }
    found.push({
      index,
      what: `${el.tagName.toLowerCase()}#${el.id || ''}.${el.className}`,
      words: words(labelled ? el.labels[0] : el),
      picture: target.querySelector('img') !== null,
      speaker: speaker !== null && shown(speaker),
      lang: speaker ? (speaker.dataset.speakLang || document.documentElement.lang) : null,
      // Not the pupil's to use, or words that are their own picture: the
      // grown-up's text box and tick, each language written in itself, and
      // the display settings.
      needsPicture: !el.matches('textarea, #scribed, .languages button, .radios input'),
    });
  });
  return found;
}"""

PUPILS = {"early": "Ava", "ks2": "Leo", "ks34": "Maya", "post16": "Jordan"}


def last_said(page) -> dict:
    return page.evaluate("window.__spoken.at(-1) || null")


def hear_every_control(page, where, root="body") -> int:
    """Tap each visible control's speaker; it must say the control's words."""
    page.evaluate(
        "document.querySelectorAll('[data-control], [data-speaker-for]').forEach("
        "(el) => { delete el.dataset.control; delete el.dataset.speakerFor; })"
    )
    controls = page.evaluate(CONTROLS, root)
    assert controls, where
    for control in controls:
        assert control["speaker"], f"{where}: no speaker for {control}"
        if control["needsPicture"]:
            assert control["picture"], f"{where}: no picture on {control}"
        before = page.evaluate("window.__spoken.length")
        page.click(f"[data-speaker-for='{control['index']}']")
        said = last_said(page)
        assert page.evaluate("window.__spoken.length") == before + 1, where
        assert control["words"], f"{where}: {control} has no words"
        assert control["words"] in said["text"], f"{where}: {control} said {said}"
        assert said["lang"] == control["lang"], f"{where}: {control} said {said}"
    return len(controls)


def hear_the_page(page, where):
    """The page's own "Read it to me" says what the page is about."""
    heading = page.inner_text("h1").strip()
    page.click("main button.speak:not(.speak--small) >> nth=0")
    assert last_said(page)["text"].startswith(heading), where


def tap_picture(page, name, scope="body"):
    """Tap a control by its picture, as a child who cannot read the words."""
    picture = page.locator(f"{scope} img[src*='/{pictures.file(name)}']").first
    with page.expect_navigation():
        picture.click()


def big_enough(page, where):
    sizes = page.evaluate(
        """() => [...document.querySelectorAll(
              '.card label > img, .person > img, .chosen img')]
            .filter((img) => img.checkVisibility())
            .map((img) => [img.getAttribute('src'), img.getBoundingClientRect()])
            .filter(([src, box]) => box.width < 120 || box.height < 120)
            .map(([src, box]) => `${src} ${box.width}x${box.height}`)"""
    )
    assert sizes == [], where


def saved(live):
    database = live.db()
    answers = {r["step"]: r for r in database.query("SELECT * FROM answers")}
    section = next(database.query("SELECT * FROM voice_sections"))
    database.close()
    return answers, section


@pytest.mark.parametrize("band", PUPILS)
def test_a_child_who_cannot_read_finishes_by_pictures_and_sound(context, live, band):
    context.add_init_script(SPEECH_STUB)
    page = context.new_page()
    sign_in(page, live)
    start_pupil_mode(page, live, PUPILS[band])
    heard = 0

    hear_the_page(page, "welcome")
    heard += hear_every_control(page, "welcome")
    tap_picture(page, "continue", "main")

    # Language and settings, and "I want to talk to someone", and back each time.
    first_question = page.url
    tap_picture(page, "settings", "header")
    heard += hear_every_control(page, "settings")
    tap_picture(page, "back", "main")
    assert page.url == first_question
    tap_picture(page, "talk", "header")
    hear_the_page(page, "talk")
    heard += hear_every_control(page, "talk")
    tap_picture(page, "back", "main")
    assert page.url == first_question

    # "Are you still there?" can be heard too.
    page.evaluate("document.getElementById('timeout').showModal()")
    heard += hear_every_control(page, "are you still there", "#timeout")
    page.evaluate("document.getElementById('timeout').close()")

    tapped = {}
    plain_pages = 0
    while "/pupil/q/" in page.url:
        step = page.url.rsplit("/", 1)[1].split("?")[0]
        hear_the_page(page, step)
        heard += hear_every_control(page, step)
        more = page.locator(".more-pictures summary")
        if more.count():
            # Older pupils' pictures are tucked away: open them by their picture.
            page.click(
                f".more-pictures summary img[src*='/{pictures.file('more_pictures')}']"
            )
        cards = page.locator(".question .cards label > img")
        if band == "early":
            big_enough(page, step)
            assert cards.count(), f"{step}: nothing for the youngest to tap"
        if cards.count():
            cards.first.click()
            tapped[step] = page.eval_on_selector(
                ".question .cards input:checked", "input => input.value"
            )
            tap_picture(page, "continue", ".actions")
        else:
            # Words only: a child who cannot write is not sure, or skips.
            plain_pages += 1
            tap_picture(page, "not_sure" if plain_pages % 2 else "skip", ".actions")

    # Check answers: every answer heard, with the question it answers.
    assert page.url.endswith("/pupil/check")
    hear_the_page(page, "check")
    heard += hear_every_control(page, "check")
    rows = page.locator(".summary__row")
    assert rows.count() == len(tapped) + plain_pages
    for row in rows.all():
        row.locator(".summary__answer > button.speak").click()
        said = last_said(page)["text"]
        assert said.startswith(row.locator("dt").inner_text().strip())
        for shown in row.locator(".chosen li, .muted").all():
            assert shown.inner_text().strip() in said
    # Who will read the answers, heard before finishing.
    page.click(".readers > button.speak")
    said = last_said(page)["text"]
    for reader in page.locator(".readers .person").all():
        assert reader.inner_text().strip() in said
    if band == "early":
        big_enough(page, "check")

    tap_picture(page, "finish", "main")
    assert page.url.endswith("/pupil/done")
    hear_the_page(page, "done")
    heard += hear_every_control(page, "done")
    assert heard > 60

    answers, section = saved(live)
    assert section["status"] == "finished"
    for step, card_id in tapped.items():
        assert answers[step]["status"] == "answered"
        assert json.loads(answers[step]["choices"]) == [card_id]


def test_a_language_is_heard_in_itself_and_in_the_pages_language(context, live):
    context.add_init_script(SPEECH_STUB)
    page = context.new_page()
    sign_in(page, live)
    start_pupil_mode(page, live, "Leo")
    page.click(".button--settings")
    page.click("li:has(button[value=cy]) > button.speak")
    assert last_said(page) == {"text": "Cymraeg", "lang": "cy"}
    page.click("button[value=cy]")
    page.wait_for_load_state()
    tap_picture(page, "continue", "main")
    page.click(".actions .control:has(button[value=skip]) > button.speak")
    assert last_said(page)["lang"] == "cy"
    assert last_said(page)["text"] != "Skip this question"


def test_without_javascript_every_control_is_a_plain_button_with_its_picture(
    browser, live
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live)
    start_pupil_mode(page, live, "Ava")
    tap_picture(page, "continue", "main")
    while "/pupil/q/" in page.url:
        assert not page.locator("button.speak").first.is_visible()
        for name in ("continue", "not_sure", "skip"):
            button = page.locator(
                f".actions button:has(img[src*='/{pictures.file(name)}'])"
            )
            assert button.count() == 1 and button.inner_text().strip()
        page.locator(".question .cards label > img").first.click()
        tap_picture(page, "continue", ".actions")
    tap_picture(page, "finish", "main")
    assert page.url.endswith("/pupil/done")
    _answers, section = saved(live)
    assert section["status"] == "finished"
    context.close()
