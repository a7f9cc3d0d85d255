"""A pupil's journey: the bank's questions for their band, in order, as steps.

A step is one page. Most steps are one question; the "last targets" question is
asked once for each target from the previous PEP, as steps `target-<id>`.
"""

from dataclasses import dataclass
from functools import cached_property

from .questions import BANK, TEXT_FIRST_BANDS, Question


@dataclass(frozen=True)
class ShownCard:
    """A card as one page shows it: its label already in the page's language."""

    id: str
    label: str
    image: str


@dataclass(frozen=True)
class Step:
    id: str
    question: Question
    band: str
    target: dict | None = None

    @cached_property
    def prompt(self) -> str:
        prompt = self.question.prompts[self.band]
        if self.target is not None:
            return prompt % {"target": self.target["text"]}
        return str(prompt)

    @cached_property
    def hint(self) -> str:
        hint = self.question.hints.get(self.band)
        return str(hint) if hint else ""

    @cached_property
    def cards(self) -> tuple[ShownCard, ...]:
        # Translated once per page, not each of the several times a card's
        # label is shown, spoken and announced.
        return tuple(
            ShownCard(c.id, str(c.label), c.image)
            for c in self.question.cards
            if self.band in c.bands
        )

    @property
    def text_first(self) -> bool:
        # Faces and single choices are always tapped; only the picture grids
        # give way to typing for older pupils.
        if not self.cards:
            return True
        return self.question.kind == "cards" and self.band in TEXT_FIRST_BANDS

    def card(self, card_id: str) -> ShownCard | None:
        return next((c for c in self.cards if c.id == card_id), None)


def steps_for(band: str, targets: list[dict]) -> list[Step]:
    steps = []
    for question in BANK:
        if band not in question.prompts:
            continue
        if question.kind == "target":
            steps.extend(
                Step(f"target-{t['id']}", question, band, target=t) for t in targets
            )
        else:
            steps.append(Step(question.id, question, band))
    return steps


def find(steps: list[Step], step_id: str) -> tuple[int, Step] | None:
    for index, step in enumerate(steps):
        if step.id == step_id:
            return index, step
    return None
