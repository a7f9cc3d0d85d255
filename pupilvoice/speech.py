"""What read-aloud says, where it is more than the words beside the speaker.

A tap on a speaker says the words it carries (static/js/speech.js); these
put together the longer ones, from words already translated for the page.
"""

from .i18n import gettext as _

_ENDS = (".", "?", "!", "…", "؟", "。")


def say(*parts) -> str:
    """Parts as one thing to say, a pause between each: "Who? Tess. Sam."."""
    said = ""
    for part in parts:
        part = str(part).strip()
        if not part:
            continue
        if said:
            said += " " if said.endswith(_ENDS) else ". "
        said += part
    return said


def answer(step, saved: dict | None) -> str:
    """An answer on check answers: the question, then the answer as given."""
    if saved is None or saved["status"] == "skipped":
        given = [_("Not answered")]
    elif saved["status"] == "not_sure":
        given = [_("I'm not sure")]
    else:
        chosen = (step.card(card_id) for card_id in saved["choices"])
        given = [card.label for card in chosen if card] + [saved["text"]]
    if saved and saved["private"]:
        given.append(_("Just for my teacher and social worker"))
    return say(step.prompt, *given)
