"""The question bank is data: these check it is whole and consistent."""

from pathlib import Path

import pytest
from flask_babel.speaklater import LazyString

from pupilvoice.journey import steps_for
from pupilvoice.questions import BANDS, BANK, ROLES, band_for_year

STATIC = Path(__file__).parent.parent / "static" / "img" / "twemoji"
TARGETS = [{"id": 7, "text": "Read every day"}, {"id": 9, "text": "Join a club"}]


@pytest.mark.parametrize(
    ("year", "band"),
    [
        (0, "early"),
        (2, "early"),
        (3, "ks2"),
        (6, "ks2"),
        (7, "ks34"),
        (11, "ks34"),
        (12, "post16"),
        (13, "post16"),
    ],
)
def test_band_comes_from_year_group(year, band):
    assert band_for_year(year) == band


@pytest.mark.parametrize("band", BANDS)
def test_every_band_covers_the_whole_voice_section(band, app):
    with app.test_request_context():
        steps = steps_for(band, TARGETS)
        sections = {s.question.pep_section for s in steps}
        assert sections == {
            "feelings",
            "going_well",
            "hard",
            "helps",
            "targets",
            "hopes",
            "meeting",
        }
        assert [s.id for s in steps if s.question.kind == "target"] == [
            "target-7",
            "target-9",
        ]
        first_target = next(s for s in steps if s.id == "target-7")
        assert "Read every day" in first_target.prompt
        assert len({s.id for s in steps}) == len(steps)


def test_older_pupils_are_asked_more_than_the_youngest(app):
    with app.test_request_context():
        assert len(steps_for("early", [])) < len(steps_for("ks34", []))
        assert "options" not in {s.id for s in steps_for("ks2", [])}
        assert "options" in {s.id for s in steps_for("post16", [])}


@pytest.mark.parametrize("band", BANDS)
def test_picture_questions_have_cards_in_every_band_they_are_asked(band, app):
    with app.test_request_context():
        for step in steps_for(band, TARGETS):
            if step.question.kind != "text":
                assert step.cards, (band, step.id)
                assert len({c.id for c in step.cards}) == len(step.cards)


def test_every_picture_is_served_from_static():
    images = {c.image for q in BANK for c in q.cards} | {i for _, i in ROLES.values()}
    missing = [i for i in images if not (STATIC / i).is_file()]
    assert not missing
    assert (STATIC / "LICENSE.md").is_file()


def test_all_wording_goes_through_babel():
    for question in BANK:
        for text in [*question.prompts.values(), *question.hints.values()]:
            assert isinstance(text, LazyString), question.id
        for card in question.cards:
            assert isinstance(card.label, LazyString), (question.id, card.id)
