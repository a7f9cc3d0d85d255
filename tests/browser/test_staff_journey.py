"""The designated teacher prepares and reviews; the social worker exports and
records the import. In Chromium, files downloaded and read back."""

import docx
from journeys import end_pupil_mode, press, sign_in, start_pupil_mode
from pypdf import PdfReader


def test_the_teacher_prepares_the_meeting_and_reviews_the_answers(page, live):
    sign_in(page, live)
    page.click("a:has-text('Maya')")
    page.click("text=Prepare the meeting")

    # A mistake first: the error summary takes focus and the name is kept.
    page.fill("#name", "Dr Rao")
    page.click("button:has-text('Add person')")
    assert page.title().startswith("Error:")
    page.wait_for_function("document.activeElement.classList.contains('error-summary')")
    assert page.input_value("#name") == "Dr Rao"
    page.check("input[name=role][value=educational_psychologist]")
    page.click("button:has-text('Add person')")
    assert "Dr Rao" in page.inner_text("#people")

    page.fill("#text", "Read for 20 minutes a day")
    page.click("button:has-text('Add target')")
    assert "Read for 20 minutes a day" in page.inner_text("#targets")
    page.click("#checklist .task:has-text('Key documents') button:has-text('Done')")
    assert (
        page.get_attribute(
            "#checklist .task:has-text('Key documents') button:has-text('Done')",
            "aria-pressed",
        )
        == "true"
    )

    # The pupil sees the new person and target.
    page.click("a.back-link")
    start_pupil_mode(page, live, "Maya")
    page.click("text=Start")
    while "/pupil/q/" in page.url:
        if "meeting_who" in page.url:
            assert "Dr Rao" in page.inner_text(".people")
        if "target-" in page.url and "20 minutes" in page.inner_text("h1"):
            page.click("label[for=choice-went_well]")
            press(page, "Continue")
            continue
        press(page, "Skip this question")
    page.click('button:has-text("I\'ve finished")')
    end_pupil_mode(page)

    page.click("text=Read, review and export")
    assert "It went well" in page.inner_text(".summary")
    page.fill("#text", "Maya chose to skip most questions today; we will talk again.")
    page.click("button:has-text('Save note')")
    assert "we will talk again" in page.inner_text("#notes")
    page.click("button:has-text('Mark as reviewed')")
    assert "Reviewed by the teacher" in page.inner_text("main")

    with page.expect_download() as download:
        page.click("text=Meeting pack (PDF)")
    pdf = PdfReader(download.value.path())
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "Maya" in text and "20 minutes" in text


def test_the_social_worker_exports_and_records_the_import(browser, live):
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    # The teacher runs a session first.
    sign_in(page, live)
    start_pupil_mode(page, live, "Leo")
    page.click("text=Start")
    page.click("label[for=choice-good]")
    press(page, "Continue")
    page.fill("#text", "Football with my friends")
    press(page, "Continue")
    while "/pupil/q/" in page.url:
        if "private_note" in page.url:
            page.fill("#text", "I worry about my nan")
            press(page, "Continue")
            continue
        press(page, "Skip this question")
    page.click('button:has-text("I\'ve finished")')
    end_pupil_mode(page)
    page.click("button:has-text('Sign out')")

    sign_in(page, live, "sw@council.test")
    page.click("a:has-text('Leo')")
    page.click("text=Read, review and export")
    with page.expect_download() as download:
        page.click("text=Word document")
    document = docx.Document(download.value.path())
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    assert "Football with my friends" in paragraphs
    # What Leo kept private is not in the meeting pack, only that it exists.
    assert "I worry about my nan" not in paragraphs
    assert "1 answer was kept just for the designated teacher" in paragraphs
    assert "I worry about my nan" in page.inner_text(".summary")

    with page.expect_download() as download:
        page.click("text=Private answers (PDF)")
    private = PdfReader(download.value.path())
    assert "I worry about my nan" in " ".join(p.extract_text() for p in private.pages)

    page.click("text=Text to copy and paste")
    page.click("button[data-copy=copy-going_well]")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "Football with my friends" in copied
    pasteable = " ".join(
        page.locator("textarea").evaluate_all("els => els.map(e => e.value)")
    )
    assert "I worry about my nan" not in pasteable
    page.click("a.back-link")
    page.click("button:has-text('Mark as imported into the PEP')")
    assert "Imported into the PEP" in page.inner_text("main")
    history = page.inner_text("main")
    assert "DOCX" in history and "TEXT" in history
    context.close()
