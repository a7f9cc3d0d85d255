"""Every word a pupil sees is in every catalogue, and the English is plain."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from pupilvoice.i18n import RIGHT_TO_LEFT
from pupilvoice.journey import steps_for
from pupilvoice.questions import BANDS

ROOT = Path(__file__).parent.parent
CATALOGUES = sorted(ROOT.glob("translations/*/LC_MESSAGES/messages.po"))

# The files whose words a pupil reads: the question bank, the pupil's pages,
# the pieces every page shares, and the error pages.
PUPIL_SOURCES = [
    ("pupilvoice/questions.py", "python"),
    ("pupilvoice/answers.py", "python"),
    ("pupilvoice/pupils.py", "python"),
    ("templates/pupil/**.html", "jinja2"),
    ("templates/errors/**.html", "jinja2"),
    ("templates/_macros.html", "jinja2"),
    ("templates/base.html", "jinja2"),
    ("templates/staff/outcome_sheet.html", "jinja2"),
]


def pupil_messages() -> set[str]:
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map=PUPIL_SOURCES,
        # Without the {% cache %} tag the extractor silently skips templates
        # that use it, and their words would go unchecked.
        options_map={
            pattern: {"extensions": "pupilvoice.fragments.FragmentCache"}
            for pattern, method in PUPIL_SOURCES
            if method == "jinja2"
        },
        keywords={"_": None, "_l": None, "gettext": None, "ngettext": (1, 2)},
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_there_are_catalogues_for_the_languages_children_in_care_speak():
    codes = {po.parts[-3] for po in CATALOGUES}
    assert {"cy", "ar", "uk", "pl", "ps"} <= codes
    assert {"ar", "ps"} <= RIGHT_TO_LEFT


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_every_pupil_journey_string_is_translated(po_path):
    wanted = pupil_messages()
    assert len(wanted) > 150
    with po_path.open("rb") as f:
        catalogue = read_po(f)
    missing = []
    for msgid in sorted(wanted):
        message = catalogue.get(msgid)
        translated = message is not None and (
            all(message.string) if isinstance(message.string, tuple) else message.string
        )
        if not translated or (message and message.fuzzy):
            missing.append(msgid)
    assert not missing, f"{po_path.parts[-3]} lacks {len(missing)}: {missing[:5]}"


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_translations_keep_every_placeholder(po_path):
    with po_path.open("rb") as f:
        catalogue = read_po(f)
    for message in catalogue:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(re.findall(r"%\(\w+\)[sd]", ids[-1]))
        strings = (
            message.string if isinstance(message.string, tuple) else (message.string,)
        )
        for string in strings:
            missing = wanted - set(re.findall(r"%\(\w+\)[sd]", string))
            # A plural form for exactly one thing may leave out the number.
            missing -= {"%(num)d", "%(seconds)d", "%(n)d"}
            assert not missing, (po_path.parts[-3], message.id, string)


# Reading level, measured with the Flesch-Kincaid grade (US school grade; add
# five for a UK age). The syllable count is the usual vowel-group estimate.
# Thresholds per band: the hardest single question, and the band's average.
READING_LEVEL = {
    "early": (5, 2.5),
    "ks2": (6, 3.5),
    "ks34": (8, 5),
    "post16": (9, 6),
}


def syllables(word: str) -> int:
    word = word.lower().strip("'")
    if len(word) <= 3:
        return 1
    word = re.sub(r"(?:[^laeiouy]es|ed|[^laeiouy]e)$", "", word)
    word = re.sub(r"^y", "", word)
    return max(1, len(re.findall(r"[aeiouy]{1,2}", word)))


def grade(text: str) -> float:
    sentences = max(1, len(re.findall(r"[.!?]+", text)))
    words = re.findall(r"[A-Za-z']+", text)
    syllable_count = sum(syllables(w) for w in words)
    return 0.39 * len(words) / sentences + 11.8 * syllable_count / len(words) - 15.59


def test_the_grade_formula_tells_easy_from_hard():
    assert grade("Do you like school?") < 2
    assert (
        grade(
            "Considering institutional accountability, stakeholders collaboratively "
            "determine individualised educational interventions."
        )
        > 15
    )


@pytest.mark.parametrize("band", BANDS)
def test_each_bands_questions_read_at_its_level(app, band):
    hardest, average = READING_LEVEL[band]
    with app.test_request_context():
        steps = steps_for(band, [{"id": 1, "text": "Read with an adult every day"}])
        grades = {s.id: grade(f"{s.prompt} {s.hint}") for s in steps}
    assert max(grades.values()) <= hardest, grades
    assert sum(grades.values()) / len(grades) <= average, grades
