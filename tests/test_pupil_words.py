"""Nothing on a pupil's page says the child is in care, in any language.

Two checks, both from the code rather than a list of strings kept by hand:
every message extracted from the files a pupil's pages are made of, in every
catalogue; and the text of every pupil page, rendered in every language for
every age band, which also catches words that reach a pupil's page from
anywhere else. The words are docs/pupil-words.toml.
"""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask import render_template
from pupil_words import MATCHES, flagged, terms, visible_text
from school import Browserless
from test_language import PUPIL_SOURCES

from pupilvoice.i18n import REGIONAL, available, force_locale, gettext
from pupilvoice.journey import steps_for
from pupilvoice.questions import BANDS, ROLES

ROOT = Path(__file__).parent.parent
TEMPLATES = ROOT / "templates"
LANGUAGES = ("en", "cy", "ar", "pl", "uk", "ps")
TERMS = terms()


def test_each_language_has_its_words_and_each_word_says_why():
    assert set(TERMS) == set(LANGUAGES) == set(available())
    for language, found in TERMS.items():
        assert len(found) >= 5, language
        assert len({t.term for t in found}) == len(found), language
        for term in found:
            assert term.match in MATCHES, term
            assert len(term.why) > 10, term


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # What was seen on pupils' pages.
        ("ar", "المعلّم المسؤول عن الأطفال تحت الرعاية"),
        ("cy", "Athro dynodedig (athro plant mewn gofal)"),
        ("cy", "%(name)s, o'r Ysgol Rithwir"),
        ("pl", "Nauczyciel odpowiedzialny za dzieci w pieczy zastępczej"),
        ("uk", "Вчитель, відповідальний за дітей під опікою"),
        ("ps", "د پالنې لاندې ماشومانو مسؤل ښوونکی"),
        ("en", "Independent reviewing officer"),
        ("en", "Virtual School"),
        ("en", "It is in my care plan"),
        ("en", "My carer"),
        # Inflected, mutated, joined to a prefix, written with vowel marks.
        ("pl", "Opiekun"),
        ("pl", "w opiece"),
        ("uk", "Незалежний фахівець, який переглядає план опіки"),
        ("uk", "в опіці"),
        ("cy", "Fy ngofalwr"),
        ("ar", "والرِّعايَة"),
        ("ar", "مقدّم الرعاية"),
        ("ps", "هغه څوک چې زما پالنه کوي"),
        ("en", "looked-after children"),
        ("en", "the PEP meeting"),
        # English kept in brackets in a translation.
        ("pl", "Zespół wspierający naukę (Virtual School)"),
    ],
)
def test_the_words_are_found_however_they_are_written(language, text):
    assert flagged(text, language, TERMS), text


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Be careful: are you scared?"),
        ("en", "Pepper and a pep talk"),
        ("pl", "Dla bezpieczeństwa wróć i spróbuj jeszcze raz."),
        ("pl", "Wychowanie fizyczne"),
        ("uk", "Вчитель, який допомагає тобі в школі"),
        ("cy", "Athro sy'n dy helpu di yn yr ysgol"),
        ("ar", "معلّم يساعدك في المدرسة"),
        ("ps", "یو ښوونکی چې په ښوونځي کې ستا مرسته کوي"),
    ],
)
def test_plain_words_are_not_flagged(language, text):
    assert not flagged(text, language, TERMS), text


def pupil_messages() -> dict:
    """Every message in the files a pupil's pages are made of: id -> where."""
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map=PUPIL_SOURCES,
        options_map={
            pattern: {"extensions": "pupilvoice.fragments.FragmentCache"}
            for pattern, method in PUPIL_SOURCES
            if method == "jinja2"
        },
        keywords={"_": None, "_l": None, "gettext": None, "ngettext": (1, 2)},
    ):
        found.setdefault(message, f"{filename}:{lineno}")
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_pupil_message_names_care_in_any_catalogue(language):
    messages = pupil_messages()
    assert len(messages) > 150
    catalogue = None
    if language != "en":
        path = ROOT / "translations" / language / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as f:
            catalogue = read_po(f)
    found = []
    for msgid, where in messages.items():
        if catalogue is None:
            texts = msgid if isinstance(msgid, tuple) else (msgid,)
        else:
            entry = catalogue.get(msgid[0] if isinstance(msgid, tuple) else msgid)
            string = entry.string if entry else ""
            texts = string if isinstance(string, tuple) else (string,)
        for text in texts:
            if words := flagged(text, language, TERMS):
                found.append((where, text, words))
    assert not found, f"{language}: {len(found)} flagged: {found}"


# Every pupil page, in every language and band.

PEOPLE = ["Ann", "Ben", "Cal", "Dee", "Eve", "Fay", "Gus"]


def _tablet(app, db, school, band) -> tuple[Browserless, int, int]:
    """Leo's meeting with one person of every role, handed over in `band`."""
    pupil = school["pupils"]["Leo"]
    meeting = next(db.query("SELECT id FROM meetings WHERE pupil_id = ?", [pupil]))
    db.execute("DELETE FROM attendees WHERE meeting_id = ?", [meeting["id"]])
    db["attendees"].insert_all(
        {"meeting_id": meeting["id"], "name": name, "role": role}
        for name, role in zip(PEOPLE, ROLES, strict=True)
    )
    db["outcomes"].insert(
        {
            "meeting_id": meeting["id"],
            "position": 0,
            "what": "Reading club on Tuesdays",
            "who": "Ann",
            "by_when": "2099-03-01",
        }
    )
    web = Browserless(app.test_client())
    web.sign_in("teacher@ours.test")
    web.get(f"/staff/pupils/{pupil}")
    started = web.post(
        f"/staff/pupils/{pupil}/pupil-mode", {"band": band, "language": "en"}
    )
    assert started.headers["Location"] == "/pupil/"
    section = next(db.query("SELECT id FROM voice_sections"))["id"]
    return web, section, meeting["id"]


def _pupil_urls(app, steps) -> list[str]:
    """Every page the pupil blueprint serves: found in the app's URL map, a
    question page for each step of the band."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("pupil.") or "GET" not in rule.methods:
            continue
        if rule.arguments == {"step_id"}:
            urls += [rule.rule.replace("<step_id>", s.id) for s in steps]
        else:
            assert not rule.arguments, rule
            urls.append(rule.rule)
    return urls


def _check(page: str, language: str, where: str, found: list) -> None:
    for text in visible_text(page):
        if words := flagged(text, language, TERMS):
            found.append((where, text, words))


@pytest.mark.parametrize("band", BANDS)
def test_no_pupil_page_names_care_in_any_language(app, db, school, band):
    web, section, meeting = _tablet(app, db, school, band)
    targets = list(
        db.query("SELECT * FROM targets WHERE meeting_id = ? ORDER BY id", [meeting])
    )
    with app.test_request_context():
        steps = steps_for(band, targets)
    # Every card chosen, so check answers shows every card's words too.
    for step in steps:
        response = web.post(
            f"/pupil/q/{step.id}", {"choice": [c.id for c in step.cards]}
        )
        assert response.status_code == 302, step.id
    # A catalogue not compiled would show English, and prove nothing.
    for language in LANGUAGES[1:]:
        with app.test_request_context(), force_locale(language):
            assert gettext("Check your answers") != "Check your answers", language
    urls = _pupil_urls(app, steps)
    assert "/pupil/check" in urls and "/pupil/q/meeting_who" in urls

    found = []
    teacher = Browserless(app.test_client())  # the teacher's laptop
    teacher.sign_in("teacher@ours.test")
    pupil = school["pupils"]["Leo"]
    for language in LANGUAGES:
        db["voice_sections"].update(section, {"language": language})
        for url in urls:
            response = web.get(url, follow_redirects=True)
            assert response.status_code == 200, url
            if response.mimetype != "text/html":
                # The tablet's own files (its list of pages, its worker): words
                # a pupil could see are in the pages they list.
                continue
            assert f'lang="{REGIONAL.get(language, language).replace("_", "-")}"' in (
                response.text
            )
            _check(response.text, language, url, found)
        missing = web.get("/pupil/q/no-such-question")
        assert missing.status_code == 404
        _check(missing.text, language, "not found", found)
        expired = web.client.post("/pupil/talk", data={"step": steps[0].id})
        assert expired.status_code == 400
        _check(expired.text, language, "expired form", found)
        too_large = web.post("/pupil/q/feel", {"text": "x" * 300_000})
        assert too_large.status_code == 413
        _check(too_large.text, language, "too large", found)

        sheet = teacher.get(f"/staff/pupils/{pupil}/meetings/{meeting}/outcome-sheet")
        assert sheet.status_code == 200
        _check(sheet.text, language, "outcome sheet", found)

        ended = Browserless(app.test_client()).get(
            "/pupil/", headers={"Accept-Language": language}
        )
        assert ended.status_code == 403
        _check(ended.text, language, "ended", found)

        # The error pages no request here can reach (a full disk, a bug).
        with app.test_request_context(), force_locale(REGIONAL.get(language, language)):
            for template in sorted((TEMPLATES / "errors").glob("*.html")):
                if template.name != "layout.html":
                    page = render_template(
                        f"errors/{template.name}", in_pupil_mode=True
                    )
                    _check(page, language, template.name, found)

    # Last, as the pupil finishes: the thank-you page in every language.
    assert web.post("/pupil/finish").status_code == 302
    for language in LANGUAGES:
        db["voice_sections"].update(section, {"language": language})
        done = web.get("/pupil/done")
        assert done.status_code == 200
        _check(done.text, language, "/pupil/done", found)
    assert not found, f"{len(found)} flagged: {found}"
