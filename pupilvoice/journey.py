"""A pupil's journey: the bank's questions for their band, in order, as steps.

A step is one page. Most steps are one question; the "last targets" question is
asked once for each target from the previous PEP, as steps `target-<id>`.
"""

from dataclasses import dataclass
from functools import lru_cache

from .i18n import catalogue
from .questions import BANK, TEXT_FIRST_BANDS, Question


@dataclass(frozen=True)
class ShownCard:
    """A card as one page shows it: its label already in the page's language."""

    id: str
    label: str
    image: str


@dataclass(frozen=True)
class Step:
    """One page of the journey, with its words in the language it is shown in."""

    id: str
    question: Question
    band: str
    prompt: str
    hint: str
    cards: tuple[ShownCard, ...]
    target: dict | None = None

    @property
    def text_first(self) -> bool:
        # Faces and single choices are always tapped; only the picture grids
        # give way to typing for older pupils.
        if not self.cards:
            return True
        return self.question.kind == "cards" and self.band in TEXT_FIRST_BANDS

    def card(self, card_id: str) -> ShownCard | None:
        return next((c for c in self.cards if c.id == card_id), None)


def _step(step_id: str, question: Question, band: str, target=None) -> Step:
    prompt = question.prompts[band]
    hint = question.hints.get(band)
    return Step(
        id=step_id,
        question=question,
        band=band,
        prompt=prompt % {"target": target["text"]} if target else str(prompt),
        hint=str(hint) if hint else "",
        cards=tuple(
            ShownCard(c.id, str(c.label), c.image)
            for c in question.cards
            if band in c.bands
        ),
        target=target,
    )


def steps_for(band: str, targets: list[dict]) -> list[Step]:
    """The band's steps in the language in force, made once for each band,
    language and set of targets (every request of a pupil's asks for them)."""
    key = tuple((t["id"], t["text"]) for t in targets)
    return list(_steps(band, catalogue(), key))


@lru_cache(maxsize=2048)
def _steps(band: str, _catalogue, targets: tuple) -> tuple[Step, ...]:
    steps = []
    for question in BANK:
        if band not in question.prompts:
            continue
        if question.kind == "target":
            steps.extend(
                _step(f"target-{i}", question, band, {"id": i, "text": text})
                for i, text in targets
            )
        else:
            steps.append(_step(question.id, question, band))
    return tuple(steps)


def find(steps: list[Step], step_id: str) -> tuple[int, Step] | None:
    for index, step in enumerate(steps):
        if step.id == step_id:
            return index, step
    return None
