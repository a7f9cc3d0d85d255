"""Every export, made from a real journey's answers and read back as its reader would."""

import csv
import io
import json
import re
import threading
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest
from jsonschema import Draft202012Validator

from pupilvoice import exports, voice
from pupilvoice.db import get_db
from pupilvoice.paths import STATIC

SCHEMA = json.loads(
    (Path(__file__).parent.parent / "docs" / "pep-voice.schema.json").read_text()
)
SCRIBED = "(written down by an adult in the pupil's words)"
LEFT_OUT = "2 answers were kept just for the designated teacher and social worker."
PRIVATE_STEPS = ["better_at", "private_note"]
HOSTILE = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x")'

# Ava (early years) answers every question, a grown-up writing down her words.
JOURNEY = {
    "feel": {"choice": "good"},
    "going_well": {
        "choice": ["friends", "clubs"],
        "text": "I like painting with Mia",
        "scribed": "yes",
    },
    "proud": {"choice": "brave"},
    "hard": {"action": "skip", "text": "words she took back"},
    "helps": {"text": FORMULA},
    "target-1": {"choice": "went_well", "text": "I read every night", "scribed": "yes"},
    "target-2": {"choice": "some", "text": "Ça va, mostly"},
    "better_at": {
        "choice": "reading",
        "text": "I want to read to my little brother",
        "private": "yes",
        "scribed": "yes",
    },
    "grow_up": {"choice": "artist", "text": HOSTILE},
    "meeting_who": {"action": "not_sure"},
    "meeting_come": {"choice": "part"},
    "meeting_share": {"choice": "read_out"},
    "speak_for_me": {"action": "skip"},
    "meeting_time": {"choice": "morning"},
    "anything_else": {"action": "not_sure"},
    "private_note": {"text": "I miss my old school", "scribed": "yes"},
}
PRIVATE_WORDS = ["I want to read to my little brother", "I miss my old school"]
PRIVATE_QUESTIONS = [
    "What would you like to get better at?",
    "Is there anything you want only your teacher and social worker to know?",
]
PUBLIC_WORDS = ["I like painting with Mia", "I read every night", "Ça va, mostly"]


def start_pupil_mode(web, pupil_id, band, scribe=False):
    web.get(f"/staff/pupils/{pupil_id}")
    form = {"band": band, "language": "en", **({"scribe": "y"} if scribe else {})}
    response = web.post(f"/staff/pupils/{pupil_id}/pupil-mode", data=form)
    assert response.headers["Location"] == "/pupil/"


def answer(web, step, form):
    response = web.post(f"/pupil/q/{step}", form)
    assert response.status_code == 302, (step, response.text)


@pytest.fixture
def section_id(web, school, db):
    web.sign_in("teacher@ours.test")
    start_pupil_mode(web, school["pupils"]["Ava"], "early", scribe=True)
    for step, form in JOURNEY.items():
        answer(web, step, form)
    assert web.post("/pupil/finish").headers["Location"] == "/pupil/done"
    return next(db.query("SELECT id FROM voice_sections"))["id"]


def build(app, section_id):
    with app.app_context():
        return voice.build(get_db(), section_id)


@pytest.fixture
def doc(app, section_id):
    return build(app, section_id)


@pytest.fixture
def private_doc(app, section_id):
    with app.app_context():
        return voice.build(get_db(), section_id, private="only")


def flat(text: str) -> str:
    """Text with every run of whitespace as one space: layout wraps lines anywhere."""
    return " ".join(text.split())


def pdf_of(app, doc) -> bytes:
    with app.test_request_context():
        return exports.to_pdf(doc, STATIC)


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return flat(" ".join(page.extract_text() for page in reader.pages))


def docx_of(app, doc) -> docx.document.Document:
    with app.app_context():
        return docx.Document(io.BytesIO(exports.to_docx(doc)))


def paragraphs(word) -> list[str]:
    return [p.text for p in word.paragraphs]


def item(doc, step) -> dict:
    return next(i for i in doc["answers"] if i["step"] == step)


def test_the_journey_gave_every_kind_of_answer(doc):
    """The exports below are only as good as this: check the journey first."""
    assert item(doc, "feel")["sources"] == ["card"]
    assert item(doc, "going_well")["sources"] == ["card", "scribed"]
    assert item(doc, "helps")["sources"] == ["typed"]
    assert item(doc, "hard")["status"] == "skipped"
    assert item(doc, "meeting_who")["status"] == "not_sure"
    # What Ava kept private is not in the meeting pack's document at all.
    assert [i["step"] for i in doc["answers"]] == [
        s for s in JOURNEY if s not in PRIVATE_STEPS
    ]
    assert doc["private_answers_left_out"] == 2
    assert "private" not in doc["answers"][0]
    assert doc["meeting_preferences"]["attend"] == "part"
    assert doc["meeting_preferences"]["views_shared_by"] == "read_out"
    assert [t["text"] for t in doc["targets"]] == ["Ava target one", "Ava target two"]
    assert doc["voice"]["completed_at"]


# JSON


def test_json_follows_the_published_schema(app, doc):
    Draft202012Validator.check_schema(SCHEMA)
    with app.app_context():
        out = exports.to_json(doc)
    assert "Ça va, mostly" in out  # not \u-escaped
    assert out.startswith('{\n  "schema_version": "2.0.0"')
    parsed = json.loads(out)
    Draft202012Validator(SCHEMA).validate(parsed)
    assert parsed == doc
    assert "words she took back" not in out
    for words in PRIVATE_WORDS + PRIVATE_QUESTIONS:
        assert words not in out
    assert parsed["private_answers_left_out"] == 2


def test_the_schema_refuses_what_to_json_never_emits(doc):
    validator = Draft202012Validator(SCHEMA)
    missing_version = {k: v for k, v in doc.items() if k != "schema_version"}
    assert not validator.is_valid(missing_version)

    later_version = {**doc, "schema_version": "3.0.0"}
    assert not validator.is_valid(later_version)

    unknown_status = json.loads(json.dumps(doc))
    item(unknown_status, "feel")["status"] = "maybe"
    assert not validator.is_valid(unknown_status)

    skipped_with_words = json.loads(json.dumps(doc))
    item(skipped_with_words, "hard")["text"] = "words she took back"
    assert not validator.is_valid(skipped_with_words)

    marked_private = json.loads(json.dumps(doc))
    item(marked_private, "feel")["private"] = True
    assert not validator.is_valid(marked_private)

    extra_field = json.loads(json.dumps(doc))
    extra_field["pupil"]["date_of_birth"] = "2019-01-01"
    assert not validator.is_valid(extra_field)


# CSV


def csv_rows(app, doc) -> list[dict]:
    with app.app_context():
        out = exports.to_csv(doc)
    return list(csv.DictReader(io.StringIO(out, newline="")))


def test_csv_is_one_row_per_step(app, doc):
    rows = csv_rows(app, doc)
    assert list(rows[0]) == list(exports.CSV_COLUMNS)
    assert [r["step"] for r in rows] == [s for s in JOURNEY if s not in PRIVATE_STEPS]
    assert {r["preferred_name"] for r in rows} == {"Ava"}
    assert {r["pep_reference"] for r in rows} == {"PEP-Ava"}
    assert {r["meeting_date"] for r in rows} == {"2099-01-15"}
    assert {r["supported_by"] for r in rows} == {"Tess Teacher (Designated teacher)"}

    by_step = {r["step"]: r for r in rows}
    going_well = by_step["going_well"]
    assert going_well["pep_section"] == "What is going well"
    assert going_well["question"] == "What do you like at school?"
    assert going_well["choices"] == "My friends; Clubs"
    assert going_well["text"] == "I like painting with Mia"
    assert going_well["sources"] == (
        "Chose a picture card; Written down by an adult, in the pupil's words"
    )
    assert by_step["hard"]["status"] == "Skipped"
    assert by_step["hard"]["text"] == ""
    assert by_step["meeting_who"]["status"] == "Not sure"
    assert "private" not in rows[0]
    for words in PRIVATE_WORDS + PRIVATE_QUESTIONS:
        assert not any(words in value for r in rows for value in r.values())


def test_csv_neutralises_a_formula_the_pupil_typed(app, doc):
    helps = next(r for r in csv_rows(app, doc) if r["step"] == "helps")
    assert helps["text"] == "'" + FORMULA
    assert helps["sources"] == "Typed by the pupil"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_neutralises_every_formula_start(app, doc, start):
    item(doc, "grow_up")["text"] = f"{start}1+1"
    doc["pupil"]["preferred_name"] = f"{start}cmd"
    row = next(r for r in csv_rows(app, doc) if r["step"] == "grow_up")
    assert row["text"] == f"'{start}1+1"
    assert row["preferred_name"] == f"'{start}cmd"


# Plain text


def test_text_is_one_block_per_pep_section(app, doc):
    with app.app_context():
        texts = exports.to_text(doc)
    assert list(texts) == [s["key"] for s in doc["sections"]]

    assert texts["feelings"] == (
        "Question: How do you feel about school?\n"
        "Picture cards chosen: Good\n"
        "How it was given: Chose a picture card"
    )
    assert f"“I like painting with Mia” {SCRIBED}" in texts["going_well"]
    assert texts["hard"] == "Question: What is hard at school?\nSkipped"
    assert "words she took back" not in "".join(texts.values())
    assert f"“{FORMULA}”\nHow it was given: Typed by the pupil" in texts["helps"]
    assert "Your target was: Ava target two. How did it go?" in texts["targets"]
    assert "Picture cards chosen: Some of it went well" in texts["targets"]
    assert "Question: These people are coming" in texts["meeting"]
    assert "Not sure" in texts["meeting"]
    for words in PRIVATE_WORDS + PRIVATE_QUESTIONS:
        assert words not in "".join(texts.values())
    assert "Question in English" not in "".join(texts.values())


def test_plain_text_has_a_header_and_every_section(app, doc):
    with app.app_context():
        text = exports.to_plain_text(doc)
    header = text.split("\n\n\n")[0]
    assert header.startswith("Pupil's voice: Ava\nPupil: Ava\nPEP reference: PEP-Ava\n")
    assert "Meeting date: Thursday, 15 January 2099 at 10:00" in header
    assert "Supported by: Tess Teacher (Designated teacher)" in header
    assert re.search(r"Completed: \d{1,2} \w+ \d{4} at \d\d:\d\d", header)
    for section in doc["sections"]:
        assert f"\n{section['title']}\n{'=' * len(section['title'])}\n" in text
    for words in PUBLIC_WORDS:
        assert words in text
    for words in PRIVATE_WORDS + PRIVATE_QUESTIONS:
        assert words not in text
    assert text.rstrip().endswith(LEFT_OUT)


def test_an_unfinished_journey_says_what_was_not_reached(app, web, school, db):
    web.sign_in("teacher@ours.test")
    start_pupil_mode(web, school["pupils"]["Leo"], "ks2")
    answer(web, "feel", {"choice": "great", "text": "Really good today"})
    section_id = next(db.query("SELECT id FROM voice_sections"))["id"]
    doc = build(app, section_id)
    with app.app_context():
        text = exports.to_plain_text(doc)
        texts = exports.to_text(doc)
        Draft202012Validator(SCHEMA).validate(json.loads(exports.to_json(doc)))
    assert "Completed: Not finished yet" in text
    assert "“Really good today”\nHow it was given: Chose a picture card; Typed" in text
    assert texts["hard"] == "Question: What is hard at school?\nNot reached"


# Word


def test_word_has_every_answer_but_the_private_ones(app, doc):
    word = docx_of(app, doc)
    facts = {row.cells[0].text: row.cells[1].text for row in word.tables[0].rows}
    assert facts["Pupil"] == "Ava"
    assert facts["PEP reference"] == "PEP-Ava"
    assert facts["Meeting date"] == "Thursday, 15 January 2099 at 10:00"
    assert facts["Supported by"] == "Tess Teacher (Designated teacher)"
    assert facts["Completed"] != "Not finished yet"

    lines = paragraphs(word)
    assert lines[0] == "Pupil's voice: Ava"
    assert word.core_properties.title == "Pupil's voice: Ava"
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["Meeting preferences"] + [s["title"] for s in doc["sections"]]
    assert (
        "Coming to the meeting: Yes, part of it. "
        "How their views will be shared: Someone reads out my answers."
    ) in lines

    questions = {
        p.text: p for p in word.paragraphs if p.runs and p.runs[-1].bold and p.text
    }
    for step in JOURNEY:
        if step not in PRIVATE_STEPS:
            assert item(doc, step)["question"] in questions, step
    for words in PRIVATE_WORDS + PRIVATE_QUESTIONS:
        assert not any(words in line for line in lines), words
    assert lines[-1] == LEFT_OUT

    after_hard = lines[lines.index("What is hard at school?") + 1]
    assert after_hard == "Skipped"
    for words in PUBLIC_WORDS:
        assert any(line.startswith(f"“{words}”") for line in lines), words
    assert f"“I read every night” {SCRIBED}" in lines
    assert "Picture cards chosen: My friends; Clubs" in lines
    assert "How it was given: Typed by the pupil" in lines
    assert not any("words she took back" in line for line in lines)


def test_word_shows_the_english_question_beneath_another_language(app, section_id, db):
    db.execute("UPDATE voice_sections SET language = 'pl' WHERE id = ?", [section_id])
    doc = build(app, section_id)
    feel = item(doc, "feel")
    feel["question"] = "Jak się czujesz w szkole?"
    feel["choices"][0]["label"] = "Dobrze"

    word = docx_of(app, doc)
    lines = paragraphs(word)
    beneath = word.paragraphs[lines.index("Jak się czujesz w szkole?") + 1]
    assert beneath.text == "How do you feel about school?"
    assert all(run.italic for run in beneath.runs)
    assert "Picture cards chosen: Dobrze (Good)" in lines
    facts = {row.cells[0].text: row.cells[1].text for row in word.tables[0].rows}
    assert facts["Answered in"] == "Polish (Polski)"


# PDF


def test_pdf_leaves_private_answers_out(app, doc):
    data = pdf_of(app, doc)
    reader = pypdf.PdfReader(io.BytesIO(data))
    first = reader.pages[0].mediabox
    assert (round(float(first.width)), round(float(first.height))) == (595, 842)  # A4
    text = pdf_text(data)

    assert text.startswith(
        "Pupil's voice for the Personal Education Plan meeting".upper()
    )
    assert "Ava Thursday, 15 January 2099 at 10:00" in text
    assert "PEP reference PEP-Ava" in text
    assert "Supported by Tess Teacher (Designated teacher)" in text
    assert "Completed Not finished yet" not in text
    for section in doc["sections"]:
        assert section["title"] in text

    for answer in doc["answers"]:
        assert flat(answer["question"]) in text, answer["step"]
    for words in PUBLIC_WORDS:
        assert f"“{words}”" in text
    for words in PRIVATE_WORDS + PRIVATE_QUESTIONS:
        assert words not in text
    assert "What is hard at school? Skipped" in text
    assert "Would you like anyone else there? Not sure" in text
    assert "My friends Clubs" in text
    assert "Someone reads out my answers" in text
    assert "words she took back" not in text
    assert text.index(LEFT_OUT) > text.index("Someone reads out my answers")


def test_pdf_without_private_answers_says_nothing_of_them(app, doc):
    doc["private_answers_left_out"] = 0
    assert "kept just for" not in pdf_text(pdf_of(app, doc))


def test_one_private_answer_is_said_in_the_singular(app, doc):
    doc["private_answers_left_out"] = 1
    said = "1 answer was kept just for the designated teacher and social worker."
    assert said in pdf_text(pdf_of(app, doc))


def test_a_skipped_private_question_is_not_counted(app, web, school, db):
    web.sign_in("teacher@ours.test")
    start_pupil_mode(web, school["pupils"]["Leo"], "ks2")
    answer(web, "feel", {"choice": "great"})
    answer(web, "private_note", {"action": "skip", "text": "taken back"})
    section_id = next(db.query("SELECT id FROM voice_sections"))["id"]
    doc = build(app, section_id)
    assert doc["private_answers_left_out"] == 0
    assert "kept just for" not in pdf_text(pdf_of(app, doc))


def test_the_private_pages_hold_only_what_was_kept_private(app, private_doc):
    assert [i["step"] for i in private_doc["answers"]] == PRIVATE_STEPS
    with app.test_request_context():
        text = pdf_text(exports.to_pdf(private_doc, STATIC, private_only=True))
    assert text.startswith("Kept just for the designated teacher and social worker")
    for words in PRIVATE_WORDS:
        assert f"“{words}”" in text
    for words in PUBLIC_WORDS:
        assert words not in text


def test_pdf_draws_the_chosen_pictures_from_static_files_only(app, doc, monkeypatch):
    fetched = []
    fetch = exports.StaticOnly.fetch

    def recording(self, url, headers=None):
        response = fetch(self, url, headers)
        fetched.append(url)
        return response

    monkeypatch.setattr(exports.StaticOnly, "fetch", recording)
    # As a new worker thread starts: nothing read yet.
    monkeypatch.setattr(exports, "_per_thread", threading.local())
    pdf_of(app, doc)
    static = STATIC.resolve().as_uri()
    assert f"{static}/css/print.css" in fetched
    for step in ["feel", "going_well", "grow_up", "meeting_come"]:
        for card in item(doc, step)["choices"]:
            png = card["image"].replace(".svg", ".png")
            assert f"{static}/img/pdf/{png}" in fetched
    assert all(url.startswith(static + "/") for url in fetched)

    fetched.clear()
    again = pdf_of(app, doc)
    assert "css/print.css" in " ".join(fetched)  # the stylesheet is read each time
    assert not any("/img/" in url for url in fetched)  # the pictures, once a thread
    assert again.startswith(b"%PDF")


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/img.svg",
        "https://example.com/css/print.css",
        "file:///etc/passwd",
        "file://otherhost{path}/css/print.css",
        "{uri}/../pupilvoice/exports.py",
        "{uri}/img/",
        "data:image/svg+xml,<svg/>",
    ],
)
def test_pdf_fetches_nothing_but_static_files(url):
    root = STATIC.resolve()
    fetcher = exports.StaticOnly(root)
    with pytest.raises(ValueError):
        fetcher.fetch(url.format(uri=root.as_uri(), path=root))
    assert fetcher.fetch(f"{root.as_uri()}/css/print.css").read().startswith(b"/*")


# Anything an answer holds is text, nothing more


def test_a_hostile_answer_stays_literal_text(app, doc):
    assert f"“{HOSTILE}”" in pdf_text(pdf_of(app, doc))

    with app.app_context():
        data = exports.to_docx(doc)
    assert f"“{HOSTILE}”" in paragraphs(docx.Document(io.BytesIO(data)))
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in xml
    assert "<script>" not in xml


def test_control_characters_cannot_break_word_or_pdf(app, doc):
    item(doc, "going_well")["text"] = "I like\x00 paint\x0bing\ufffe\nwith Mia\t!"
    doc["pupil"]["preferred_name"] = "A\x1fva"
    lines = paragraphs(docx_of(app, doc))
    assert "Pupil's voice: Ava" in lines
    assert f"“I like painting\nwith Mia\t!” {SCRIBED}" in lines
    assert "“I like painting with Mia !”" in pdf_text(pdf_of(app, doc))


def test_every_picture_has_its_png_twin_for_pdfs():
    from PIL import Image

    svgs = {p.stem for p in (STATIC / "img" / "twemoji").glob("*.svg")}
    pngs = {p.stem for p in (STATIC / "img" / "pdf").glob("*.png")}
    assert svgs == pngs, "run: .venv/bin/python -m scripts.pdf_pictures"
    for name in pngs:
        with Image.open(STATIC / "img" / "pdf" / f"{name}.png") as picture:
            assert picture.size == (96, 96) and picture.mode == "RGBA", name
