"""The questions councils ask: in every band, with pictures, and in every export.

Councils' PEP forms ask what the child would like a grown-up to say for them
(and who), when a good time for the meeting is (children ask not to be taken
out of a lesson they love), what they are proud of, and whether there is
anything else; post-16 forms ask about college, training, work, money, travel,
housing, their personal adviser and living on their own.
"""

import csv
import io
import json
from pathlib import Path

import docx
import pypdf
import pytest
from jsonschema import Draft202012Validator

from pupilvoice import demo, exports, voice
from pupilvoice.db import get_db
from pupilvoice.journey import steps_for
from pupilvoice.paths import STATIC
from pupilvoice.questions import BANDS, BANK, PEP_SECTIONS, QUESTIONS, ROLES

ROOT = Path(__file__).parent.parent
SCHEMA = json.loads((ROOT / "docs" / "pep-voice.schema.json").read_text())
COUNCIL_QUESTIONS = {
    "proud": "going_well",
    "speak_for_me": "meeting",
    "meeting_time": "meeting",
    "anything_else": "meeting",
}
POST16_CARDS = {
    "going_well": {"course"},
    "hard": {"money", "travel", "housing"},
    "helps": {"adviser"},
    "better_at": {
        "course",
        "work_ready",
        "cooking",
        "managing_money",
        "travel_alone",
        "living_alone",
    },
}
# Pictures already shown as a control on every pupil page, or on its own page.
CONTROL_PICTURES = {"1f50a", "1f64b", "1f512", "1f310", "1f44b", "1f389", "1f9ed"}
# Pictures this work added to the bank: each new, each with one meaning.
NEW_PICTURES = set(
    [
        "1f4aa",
        "1faf6",
        "1f4a1",
        "1f981",
        "1f3c6",
        "1f4dc",
        "1f305",
        "1f31e",
        "1f306",
        "1f46a",
        "1f6cb",
        "1fa81",
        "1fa79",
        "1f4b7",
        "1f686",
        "1f3d8",
        "1f4d8",
        "1f373",
        "1fa99",
        "1f3ab",
        "1f454",
        "1f511",
        "1f5fa",
    ]
)


@pytest.mark.parametrize("band", BANDS)
def test_every_band_asks_what_councils_ask_with_pictures(app, band):
    with app.test_request_context():
        steps = {s.id: s for s in steps_for(band, [])}
    for question_id, section in COUNCIL_QUESTIONS.items():
        step = steps[question_id]
        assert step.question.pep_section == section
        assert len(step.cards) >= 3, (band, question_id)
        # The young answer by tapping: the pictures come first, not tucked away.
        assert step.text_first == (band in ("ks34", "post16")), (band, question_id)


def test_the_meeting_questions_come_before_the_private_one(app):
    with app.test_request_context():
        ids = [s.id for s in steps_for("early", [])]
    assert ids.index("proud") == ids.index("going_well") + 1
    assert ids[-5:] == [
        "meeting_share",
        "speak_for_me",
        "meeting_time",
        "anything_else",
        "private_note",
    ]


def test_post16_has_cards_for_its_own_life(app):
    with app.test_request_context():
        older = {s.id: {c.id for c in s.cards} for s in steps_for("post16", [])}
        younger = {s.id: {c.id for c in s.cards} for s in steps_for("ks34", [])}
    for step, cards in POST16_CARDS.items():
        assert cards <= older[step], step
        assert not (cards - {"course"}) & younger[step], step
    assert not {"reading", "art", "music", "friends"} & older["better_at"]
    assert "getting_there" not in older["hard"]


def test_every_question_maps_to_a_pep_section_and_the_schema_names_it():
    for question in BANK:
        assert question.pep_section in PEP_SECTIONS, question.id
    answer = SCHEMA["$defs"]["answer"]["properties"]
    assert answer["question_id"]["enum"] == list(QUESTIONS)


def test_new_pictures_are_vendored_and_mean_one_thing(app):
    meanings = {}
    with app.test_request_context():
        for question in BANK:
            for card in question.cards:
                image = card.image.removesuffix(".svg")
                meanings.setdefault(image, set()).add((card.id, str(card.label)))
    roles = {image.removesuffix(".svg") for _words, image in ROLES.values()}
    templates = " ".join(p.read_text() for p in (ROOT / "templates").rglob("*.html"))
    for image in NEW_PICTURES:
        assert (STATIC / "img" / "twemoji" / f"{image}.svg").is_file(), image
        assert (STATIC / "img" / "pdf" / f"{image}.png").is_file(), image
        assert len(meanings[image]) == 1, (image, meanings[image])
        assert image not in CONTROL_PICTURES | roles, image
        assert f"{image}.svg" not in templates, image


# Every export carries the new answers.

JOURNEY = {
    "going_well": {"choice": "course", "text": "My plumbing course"},
    "proud": {"choice": ["passed", "trying_hard"], "text": "I passed my theory test"},
    "hard": {"choice": ["money", "housing", "travel"], "text": "Bus fares"},
    "helps": {"choice": "adviser"},
    "better_at": {"choice": ["cooking", "managing_money", "living_alone"]},
    "speak_for_me": {"choice": "trusted_adult", "text": "Say I want to stay here"},
    "meeting_time": {"choice": "afternoon", "text": "Not Wednesday: football"},
    "anything_else": {"choice": "health", "text": "I have a new bike"},
}
SAID = [
    "My plumbing course",
    "I passed my theory test",
    "Bus fares",
    "Say I want to stay here",
    "Not Wednesday: football",
    "I have a new bike",
]
CARDS = [
    "My course or training",
    "Passing an exam or a course",
    "Trying hard",
    "Money",
    "A place to live",
    "Getting to college or work",
    "My personal adviser",
    "Cooking",
    "Managing money",
    "Living on my own",
    "An adult I trust",
    "In the afternoon",
    "My health",
]


@pytest.fixture
def doc(app, web, school, db):
    jordan = school["pupils"]["Jordan"]
    web.sign_in("teacher@ours.test")
    web.get(f"/staff/pupils/{jordan}")
    started = web.post(
        f"/staff/pupils/{jordan}/pupil-mode", {"band": "post16", "language": "en"}
    )
    assert started.headers["Location"] == "/pupil/"
    for step, form in JOURNEY.items():
        response = web.post(f"/pupil/q/{step}", form)
        assert response.status_code == 302, (step, response.text)
    assert web.post("/pupil/finish").headers["Location"] == "/pupil/done"
    section = next(db.query("SELECT id FROM voice_sections"))["id"]
    with app.app_context():
        return voice.build(get_db(), section)


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_new_answers_are_in_every_export(app, doc):
    by_step = {i["step"]: i for i in doc["answers"]}
    for step in JOURNEY:
        assert by_step[step]["status"] == "answered", step
    with app.test_request_context():
        as_json = exports.to_json(doc)
        as_csv = exports.to_csv(doc)
        texts = exports.to_text(doc)
        plain = exports.to_plain_text(doc)
        word = docx.Document(io.BytesIO(exports.to_docx(doc)))
        pdf = pypdf.PdfReader(io.BytesIO(exports.to_pdf(doc, STATIC)))
    Draft202012Validator(SCHEMA).validate(json.loads(as_json))
    rows = {r["step"]: r for r in csv.DictReader(io.StringIO(as_csv, newline=""))}
    word_text = _flat(
        " ".join(p.text for p in word.paragraphs)
        + " ".join(c.text for t in word.tables for r in t.rows for c in r.cells)
    )
    pdf_text = _flat(" ".join(page.extract_text() for page in pdf.pages))
    layouts = {
        "json": as_json,
        "csv": as_csv,
        "text": "\n".join(texts.values()),
        "plain": plain,
        "word": word_text,
        "pdf": pdf_text,
    }
    for name, laid_out in layouts.items():
        for words in SAID + CARDS:
            assert words in laid_out, (name, words)
    assert rows["meeting_time"]["pep_section"] == "My meeting"
    assert rows["proud"]["choices"] == "Passing an exam or a course; Trying hard"
    assert "I passed my theory test" in texts["going_well"]
    for words in SAID[3:]:
        assert words in texts["meeting"], words


def test_the_demo_pupils_answer_the_new_questions_with_real_cards(app):
    with app.test_request_context():
        for name, given in demo.ANSWERS.items():
            steps = {s.id: s for s in steps_for(demo.BANDS[name], [])}
            for step, _status, cards, _words, _private in given:
                if step.startswith("target-"):
                    continue
                assert step in steps, (name, step)
                assert {c.id for c in steps[step].cards} >= set(cards), (name, step)
    finished = [dict.fromkeys(s for s, *_ in demo.ANSWERS[n]) for n in demo.FINISHED]
    for steps in finished:
        assert set(COUNCIL_QUESTIONS) <= set(steps)
