"""A pupil's words in another language, with an adult's English beside them.

The pupil's own words are never changed; the teacher or social worker adds
what they mean, marked with their name and the date, and every export shows it
beside the original. The language is named in English and in its own script.
"""

import io
import json

import docx
import pypdf
import pytest
from school import Browserless, add_section

NOW = "2026-01-01T00:00:00+00:00"
PASHTO = "زه خپل ورور ته سترګې په لار یم"
ENGLISH = "I am waiting to see my brother"


@pytest.fixture
def section(db, school):
    section, _ = add_section(
        db,
        school["pupils"]["Leo"],
        status="finished",
        language="ps",
        started_at=NOW,
        finished_at=NOW,
    )
    for step, text, private in [("going_well", PASHTO, 0), ("private_note", "پټ", 1)]:
        db["answers"].insert(
            {
                "section_id": section,
                "step": step,
                "status": "answered",
                "text": text,
                "private": private,
                "language": "ps",
                "updated_at": NOW,
            }
        )
    return section


def signed_in(app, email):
    web = Browserless(app.test_client())
    web.sign_in(email)
    return web


def translate(web, section, step, text):
    web.get(f"/staff/voice/{section}/")
    return web.post(f"/staff/voice/{section}/translations/{step}", {"text": text})


def test_the_social_worker_adds_what_the_words_mean(app, db, school, section):
    web = signed_in(app, "sw@council.test")
    page = web.get(f"/staff/voice/{section}/").text
    assert "Written in Pashto (پښتو)." in page
    assert "Add an English translation" in page

    response = translate(web, section, "going_well", ENGLISH)
    assert response.status_code == 302
    page = web.get(f"/staff/voice/{section}/").text
    assert PASHTO in page and ENGLISH in page
    assert "Translated by Sol Worker" in page
    # The pupil's own words are untouched.
    saved = db["answers"].get((section, "going_well"))
    assert saved["text"] == PASHTO
    assert db["audit_log"].count_where("action = 'translation_added'") == 1


def test_every_export_shows_it_beside_the_original(app, db, school, section):
    web = signed_in(app, "teacher@ours.test")
    translate(web, section, "going_well", ENGLISH)
    beside = "In English (translated by Tess Teacher, "

    data = json.loads(web.get(f"/staff/voice/{section}/export/json").data)
    going_well = next(a for a in data["answers"] if a["step"] == "going_well")
    assert going_well["text"] == PASHTO
    assert going_well["text_en"]["text"] == ENGLISH
    assert going_well["text_en"]["by"] == "Tess Teacher"
    assert data["voice"]["language_name"] == "Pashto (پښتو)"

    csv_text = web.get(f"/staff/voice/{section}/export/csv").data.decode()
    assert ENGLISH in csv_text and PASHTO in csv_text

    word = docx.Document(
        io.BytesIO(web.get(f"/staff/voice/{section}/export/docx").data)
    )
    lines = [p.text for p in word.paragraphs]
    at = lines.index(f"“{PASHTO}”")
    assert lines[at + 1].startswith(beside) and lines[at + 1].endswith(f"“{ENGLISH}”")

    pdf = pypdf.PdfReader(
        io.BytesIO(web.get(f"/staff/voice/{section}/export/pdf").data)
    )
    text = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
    # (Extracted text turns the brackets round the right-to-left name.)
    assert f"“{ENGLISH}”" in text and "Answered in Pashto (" in text

    paste = web.get(f"/staff/voice/{section}/text").text
    assert ENGLISH in paste


def test_a_changed_answer_does_not_keep_an_old_translation(app, db, school, section):
    web = signed_in(app, "teacher@ours.test")
    translate(web, section, "going_well", ENGLISH)
    db.execute(
        "UPDATE answers SET text = 'something else' WHERE section_id = ? "
        "AND step = 'going_well'",
        [section],
    )
    db.conn.commit()
    data = json.loads(web.get(f"/staff/voice/{section}/export/json").data)
    going_well = next(a for a in data["answers"] if a["step"] == "going_well")
    assert going_well["text_en"] is None


def test_empty_words_take_a_translation_away(app, db, school, section):
    web = signed_in(app, "teacher@ours.test")
    translate(web, section, "going_well", ENGLISH)
    assert translate(web, section, "going_well", "   ").status_code == 302
    assert db["answer_translations"].count == 0


def test_a_translation_of_a_private_answer_stays_private(app, db, school, section):
    web = signed_in(app, "teacher@ours.test")
    translate(web, section, "private_note", "A secret of mine")
    data = web.get(f"/staff/voice/{section}/export/json").data.decode()
    assert "A secret of mine" not in data
    admin = signed_in(app, "admin@council.test")
    assert "A secret of mine" not in admin.get(f"/staff/voice/{section}/").text


def test_only_words_can_be_translated_and_only_by_those_close(app, db, school, section):
    web = signed_in(app, "teacher@ours.test")
    assert translate(web, section, "feel", ENGLISH).status_code == 404  # no words
    assert translate(web, section, "no_such_step", ENGLISH).status_code == 404
    admin = signed_in(app, "admin@council.test")
    assert translate(admin, section, "going_well", ENGLISH).status_code == 404
    assert db["answer_translations"].count == 0


def test_too_long_a_translation_is_refused_kindly(app, db, school, section):
    web = signed_in(app, "teacher@ours.test")
    response = translate(web, section, "going_well", "x" * 4001)
    assert response.status_code == 400
    assert "Translation must be 4,000 characters or fewer" in response.text
    assert db["answer_translations"].count == 0


def test_it_goes_when_the_answer_goes(app, db, school, section):
    web = signed_in(app, "teacher@ours.test")
    translate(web, section, "going_well", ENGLISH)
    db.execute("DELETE FROM answers WHERE section_id = ?", [section])
    db.conn.commit()
    assert db["answer_translations"].count == 0


def test_words_in_english_are_not_translated(app, db, school, section):
    db["answers"].insert(
        {
            "section_id": section,
            "step": "helps",
            "status": "answered",
            "text": "My teacher",
            "language": "en",
            "updated_at": NOW,
        }
    )
    web = signed_in(app, "teacher@ours.test")
    assert translate(web, section, "helps", "My teacher").status_code == 404
    assert db["answer_translations"].count == 0
