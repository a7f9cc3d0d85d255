"""Languages: which ones we have, which one a page is in, and its direction."""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

import flask_babel
from babel import Locale
from flask import g, has_request_context, request
from flask_babel import Babel, LazyString, get_locale, get_translations
from markupsafe import Markup

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
# Each language's name in English, for staff pages and exports, which give both:
# "Pashto (پښتو)".
ENGLISH_NAMES = {
    "en": "English",
    "cy": "Welsh",
    "ar": "Arabic",
    "uk": "Ukrainian",
    "pl": "Polish",
    "ps": "Pashto",
}
RIGHT_TO_LEFT = frozenset({"ar", "ps", "fa", "ckb", "ur"})

babel = Babel()


@cache
def available() -> tuple[str, ...]:
    """English, and every language with a catalogue (installed with the app, so
    looked for once)."""
    found = {p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/*.po")}
    return ("en", *sorted(code for code in found if code in LANGUAGE_NAMES))


# English is written in British English, and its dates should read that way.
REGIONAL = {"en": "en_GB"}


def select_locale() -> Locale:
    if not has_request_context():
        # The command line and other work outside a request speak English.
        return _parsed(REGIONAL["en"])
    section = g.get("section")
    if section is not None:
        code = section["language"]
    else:
        code = request.accept_languages.best_match(available()) or "en"
    return _parsed(REGIONAL.get(code, code))


@cache
def _parsed(code: str) -> Locale:
    # Flask-Babel parses whatever it is given on every request (about 16 µs);
    # a Locale it is given is used as it is.
    return Locale.parse(code)


def page_language() -> dict:
    in_force = locale()
    code = in_force.language if in_force else "en"
    return {
        "lang": str(in_force).replace("_", "-") if in_force else "en",
        "dir": "rtl" if code in RIGHT_TO_LEFT else "ltr",
    }


# Flask-Babel finds the catalogue afresh for every string (three context
# look-ups and the locale's name, about 8 µs); a pupil's page has dozens and a
# staff list hundreds. So each request finds it once, and keeps it here until
# the request ends or force_locale() changes it.
_catalogues: dict = {}
_current: ContextVar = ContextVar("language", default=None)


def _language() -> tuple:
    found = _current.get()
    if found is None:
        in_force = get_locale()
        translations = _catalogues.get(in_force)
        if translations is None:
            translations = _catalogues[in_force] = get_translations()
        found = (in_force, translations)
        _current.set(found)
    return found


def catalogue():
    """The translations for the locale in force."""
    return _language()[1]


def locale():
    """The locale in force (Flask-Babel's get_locale(), without its look-ups)."""
    return _language()[0]


def gettext(string: str, **variables) -> str:
    found = catalogue().ugettext(string)
    return found % variables if variables else found


def ngettext(singular: str, plural: str, n: int, **variables) -> str:
    variables.setdefault("num", n)
    return catalogue().ungettext(singular, plural, n) % variables


def lazy_gettext(string: str, **variables) -> LazyString:
    """Translated when shown, in the language of the page showing it."""
    return LazyString(gettext, string, **variables)


@contextmanager
def force_locale(locale: str):
    """Flask-Babel's, and this module's catalogue with it."""
    with flask_babel.force_locale(locale):
        token = _current.set(None)
        try:
            yield
        finally:
            _current.reset(token)


def forget_catalogue(_exc=None) -> None:
    # A worker thread's next request may be in another language.
    _current.set(None)


# What Jinja's i18n extension installs, without what costs most. Its functions
# ask for the template's context, to see whether it escapes HTML, and Jinja
# copies the whole context for every such call made where a block has set a
# variable. Every template here is HTML, so a translation is always markup: a
# trusted string (our own catalogues, reviewed like templates) with the values
# put into it escaped.
def template_gettext(string: str, **variables) -> Markup:
    found = Markup(catalogue().ugettext(string))  # noqa: S704 - see above
    # Markup's % costs more than the rest put together; none of our strings
    # without values has a "%%" in it (tests/test_page_pieces.py checks).
    return found % variables if variables else found


def template_ngettext(singular: str, plural: str, n: int, **variables) -> Markup:
    variables.setdefault("num", n)
    found = Markup(catalogue().ungettext(singular, plural, n))  # noqa: S704
    return found % variables


def init_app(app) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(
        _=template_gettext, gettext=template_gettext, ngettext=template_ngettext
    )
    app.context_processor(page_language)
    app.teardown_request(forget_catalogue)
    app.teardown_appcontext(forget_catalogue)


def language_label(code: str) -> str:
    """A language named in English and in its own script, for adults."""
    english = ENGLISH_NAMES.get(code, code)
    own = LANGUAGE_NAMES.get(code)
    return f"{english} ({own})" if own and own != english else english
