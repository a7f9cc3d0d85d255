"""The words no pupil page may say (docs/pupil-words.toml), and finding them."""

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

LIST = Path(__file__).parent.parent / "docs" / "pupil-words.toml"
MATCHES = ("word", "start", "within")

# Arabic-script short vowels, shadda, sukun, the superscript alef, and tatweel:
# written or not, the word is the same.
_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")
_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "أ": "ا", "إ": "ا", "آ": "ا"})


def normal(text: str, keep_case: bool = False) -> str:
    text = unicodedata.normalize("NFC", text).replace("’", "'")
    text = _MARKS.sub("", text).translate(_LETTERS)
    return text if keep_case else text.casefold()


@dataclass(frozen=True)
class Term:
    language: str
    term: str
    match: str
    why: str
    case: bool = False

    @property
    def pattern(self) -> re.Pattern:
        words = r"[\s\-‐]+".join(
            re.escape(w) for w in normal(self.term, self.case).split()
        )
        before, after = {
            "word": (r"(?<!\w)", r"(?!\w)"),
            "start": (r"(?<!\w)", ""),
            "within": ("", ""),
        }[self.match]
        return re.compile(before + words + after)

    def found_in(self, text: str) -> bool:
        return bool(self.pattern.search(normal(text, self.case)))


def terms() -> dict[str, list[Term]]:
    with LIST.open("rb") as f:
        data = tomllib.load(f)
    return {
        language: [Term(language, **entry) for entry in entries]
        for language, entries in data.items()
    }


def flagged(text: str, language: str, every: dict[str, list[Term]]) -> list[str]:
    """The terms in the text: its own language's, and English's, whose names
    translations sometimes keep in brackets."""
    checked = every.get(language, []) + (every["en"] if language != "en" else [])
    return [t.term for t in checked if t.found_in(text)]


class VisibleText(HTMLParser):
    """What a page shows or says: its text, and the attributes a person sees
    or hears (alternative text, titles, labels, words spoken aloud)."""

    SHOWN = {"alt", "title", "aria-label", "placeholder"}

    def __init__(self):
        super().__init__()
        self.parts = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        submit = dict(attrs).get("type") == "submit"
        for name, value in attrs:
            shown = name in self.SHOWN or name.startswith("data-")
            if value and (shown or (name == "value" and submit)):
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.parts
