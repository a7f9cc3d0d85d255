"""Languages: which ones we have, which one a page is in, and its direction."""

from flask import g, has_request_context, request
from flask_babel import Babel, get_locale

from .paths import TRANSLATIONS

# Names are written in their own script, so a pupil can find theirs.
LANGUAGE_NAMES = {
    "en": "English",
    "cy": "Cymraeg",
    "ar": "العربية",
    "uk": "Українська",
    "pl": "Polski",
    "ps": "پښتو",
}
RIGHT_TO_LEFT = frozenset({"ar", "ps", "fa", "ckb", "ur"})

babel = Babel()


def available() -> list[str]:
    """English, and every language with a catalogue."""
    found = {p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/*.po")}
    return ["en", *sorted(code for code in found if code in LANGUAGE_NAMES)]


# English is written in British English, and its dates should read that way.
REGIONAL = {"en": "en_GB"}


def select_locale() -> str:
    if not has_request_context():
        # The command line and other work outside a request speak English.
        return REGIONAL["en"]
    section = g.get("section")
    if section is not None:
        code = section["language"]
    else:
        code = request.accept_languages.best_match(available()) or "en"
    return REGIONAL.get(code, code)


def page_language() -> dict:
    locale = get_locale()
    code = locale.language if locale else "en"
    return {
        "lang": str(locale).replace("_", "-") if locale else "en",
        "dir": "rtl" if code in RIGHT_TO_LEFT else "ltr",
    }


def init_app(app) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.context_processor(page_language)
