"""One picture, one meaning: a child who cannot read goes by the pictures.

Checked together: every card of every question in every band it is asked in,
the pictures of the people at a meeting, and the controls' and pages' own
pictures (pupilvoice/pictures.py). A card's meaning is its id: the same id
may appear in several questions ("friends" is what goes well and what to get
better at), but two ids never share a picture.
"""

import re
from collections import defaultdict
from pathlib import Path

from pupilvoice import pictures
from pupilvoice.questions import BANK, ROLES
from pupilvoice.roles import ATTENDEE_ROLES

ROOT = Path(__file__).parent.parent
TWEMOJI = ROOT / "static" / "img" / "twemoji"
TEMPLATES = ROOT / "templates"

# A person at the meeting shown with a card's picture is what that card
# means: the designated teacher is a teacher, the carer is "my carer",
# "someone else" is someone else. Any other role has a picture of its own.
ROLE_IS_CARD = {
    "designated_teacher": "teacher",
    "carer": "carer",
    "other": "someone_else",
}

# A picture's file name, as Twemoji names them: its code points.
PICTURE_FILE = re.compile(r"\b[0-9a-f]{4,5}(?:-[0-9a-f]{2,5})*\.(?:svg|png)\b")


def uses():
    """(picture file, meaning, where) for every picture a pupil can see."""
    for question in BANK:
        for card in question.cards:
            for band in sorted(card.bands & question.prompts.keys()):
                yield card.image, f"card {card.id}", f"{question.id}/{band}"
    for role, (_label, image) in ROLES.items():
        meaning = f"card {ROLE_IS_CARD[role]}" if role in ROLE_IS_CARD else role
        yield image, meaning, f"role {role}"
    for name in pictures.CONTROLS:
        yield pictures.file(name), f"control {name}", "pupilvoice/pictures.py"
    for name in pictures.PAGES:
        yield pictures.file(name), f"page {name}", "pupilvoice/pictures.py"


def meanings_of_each_picture() -> dict[str, dict[str, list[str]]]:
    found = defaultdict(lambda: defaultdict(list))
    for image, meaning, where in uses():
        found[image][meaning].append(where)
    return found


def test_no_picture_stands_for_two_things():
    twice = {
        image: {meaning: places for meaning, places in meanings.items()}
        for image, meanings in meanings_of_each_picture().items()
        if len(meanings) > 1
    }
    assert twice == {}, "one picture, one meaning:\n" + "\n".join(
        f"{image}: {dict(meanings)}" for image, meanings in twice.items()
    )


def test_no_card_looks_like_a_control():
    controls = {pictures.file(name): name for name in pictures.CONTROLS}
    on_cards = {
        (question.id, card.id, controls[card.image])
        for question in BANK
        for card in question.cards
        if card.image in controls
    }
    assert on_cards == set()


def test_the_three_answer_buttons_have_three_pictures():
    chosen = {pictures.file(n) for n in ("continue", "not_sure", "skip", "back")}
    assert len(chosen) == 4


def test_every_role_has_plain_words_for_the_pupil():
    # questions.ROLES is the pupil's words for each role; the job titles are
    # roles.ATTENDEE_ROLES, for staff.
    assert ATTENDEE_ROLES.keys() == ROLES.keys()
    assert ROLE_IS_CARD.keys() <= ROLES.keys()


def test_every_picture_is_here_and_only_those_used():
    used = {image for image, _meaning, _where in uses()}
    present = {p.name for p in TWEMOJI.glob("*.svg")}
    assert used - present == set(), "missing from static/img/twemoji/"
    assert present - used == set(), "not used: delete it"
    licence = (TWEMOJI / "LICENSE.md").read_text()
    assert "CC-BY 4.0" in licence


def test_templates_name_pictures_by_meaning_only():
    """A page shows a control's picture through pictures.py, never by its file,
    so a picture cannot quietly come to mean two things. The PDF's own
    template names its files (WeasyPrint reads them from disk): those must be
    pictures with a meaning here."""
    known = {image for image, _meaning, _where in uses()}
    known |= {image.replace(".svg", ".png") for image in known}
    by_file, unknown = [], []
    for template in TEMPLATES.rglob("*.html"):
        for name in PICTURE_FILE.findall(template.read_text()):
            where = f"{template.relative_to(ROOT)}: {name}"
            if template.parent.name != "exports":
                by_file.append(where)
            elif name not in known:
                unknown.append(where)
    assert by_file == [], "use m.picture(name) with a name from pictures.py"
    assert unknown == []
