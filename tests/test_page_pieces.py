"""The speed-ups must not change what anyone sees: pieces of pages kept between
requests, steps made once a language, translations found once a request,
plain SELECTs without a savepoint, and signatures checked once."""

import re
from datetime import timedelta
from pathlib import Path

import flask
import pytest
from school import Browserless

from pupilvoice.db import connect
from pupilvoice.i18n import force_locale
from pupilvoice.journey import steps_for
from pupilvoice.kept import Kept

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def tablet(app, school, name: str, language: str) -> Browserless:
    """A tablet of its own, handed to a pupil in pupil mode (KS2)."""
    web = Browserless(app.test_client())
    web.sign_in("teacher@ours.test")
    pupil = school["pupils"][name]
    web.get(f"/staff/pupils/{pupil}")
    started = web.post(
        f"/staff/pupils/{pupil}/pupil-mode", {"band": "ks2", "language": language}
    )
    assert started.status_code == 302
    web.get("/pupil/welcome")
    return web


def checked_cards(html: str) -> set[str]:
    return set(re.findall(r'name="choice" value="([^"]+)" checked', html))


def test_each_pupil_sees_their_own_choices_on_the_same_question(app, school):
    leo = tablet(app, school, "Leo", "en")
    maya = tablet(app, school, "Maya", "en")
    assert checked_cards(maya.get("/pupil/q/feel").text) == set()

    saved = leo.post(
        "/pupil/q/feel", {"choice": "good"}, headers={"HX-Request": "true"}
    )
    assert "Saved" in saved.text

    assert checked_cards(leo.get("/pupil/q/feel").text) == {"good"}
    assert checked_cards(maya.get("/pupil/q/feel").text) == set()
    maya.post("/pupil/q/feel", {"choice": "bad"}, headers={"HX-Request": "true"})
    assert checked_cards(maya.get("/pupil/q/feel").text) == {"bad"}
    assert checked_cards(leo.get("/pupil/q/feel").text) == {"good"}


def test_each_pupil_sees_the_question_in_their_own_language(app, school):
    english = tablet(app, school, "Leo", "en")
    welsh = tablet(app, school, "Maya", "cy")
    for _ in range(2):  # the second time round, from what was kept
        page = english.get("/pupil/q/feel").text
        assert 'lang="en-GB"' in page
        assert "How do you feel about school?" in page
        assert "Really good" in page
        assert "I want to talk to someone" in page
        page = welsh.get("/pupil/q/feel").text
        assert 'lang="cy"' in page
        assert "How do you feel about school?" not in page
        assert "Really good" not in page
        assert "I want to talk to someone" not in page


def test_steps_keep_the_language_they_were_made_in(app):
    targets = [{"id": 7, "text": "Read every day"}]
    with app.test_request_context():
        with force_locale("cy"):
            welsh = steps_for("ks2", targets)
        with force_locale("en_GB"):
            english = steps_for("ks2", targets)
        with force_locale("cy"):
            assert steps_for("ks2", targets)[0].prompt == welsh[0].prompt
    assert english[0].prompt == "How do you feel about school?"
    assert welsh[0].prompt != english[0].prompt
    assert [s.id for s in welsh] == [s.id for s in english]
    target = next(s for s in english if s.id == "target-7")
    assert "Read every day" in target.prompt


def test_no_template_string_relies_on_percent_escapes():
    # Translations without values are not %-formatted (i18n.template_gettext),
    # so a "%%" would show doubled.
    for path in TEMPLATES.rglob("*.html"):
        assert "%%" not in path.read_text(), path


@pytest.fixture
def plain_db(tmp_path):
    database = connect(str(tmp_path / "plain.sqlite3"))
    database.execute("CREATE TABLE a (id INTEGER PRIMARY KEY, name TEXT)")
    database.execute("INSERT INTO a (name) VALUES ('one'), ('two')")
    database.conn.commit()
    yield database
    database.close()


def test_plain_selects_read_as_sqlite_utils_would(plain_db):
    rows = list(plain_db.query("SELECT * FROM a ORDER BY id"))
    assert rows == [{"id": 1, "name": "one"}, {"id": 2, "name": "two"}]
    joined = list(
        plain_db.query("SELECT x.id, y.id FROM a x JOIN a y ON y.id = x.id + 1")
    )
    assert joined == [{"id": 1, "id_2": 2}]
    assert not plain_db.conn.in_transaction


def test_statements_that_return_no_rows_are_still_refused_and_undone(plain_db):
    with pytest.raises(ValueError):
        plain_db.query("DELETE FROM a")
    assert plain_db.execute("SELECT count(*) FROM a").fetchone()[0] == 2


def _open(app, cookie: str | None):
    headers = {"Cookie": f"pupilvoice={cookie}"} if cookie else {}
    with app.test_request_context("/", headers=headers):
        return app.session_interface.open_session(app, flask.request)


def _signed(app, data: dict) -> str:
    return app.session_interface.get_signing_serializer(app).dumps(data)


def test_a_session_cookie_is_trusted_only_with_its_signature(app):
    good = _signed(app, {"sid": "abc"})
    assert dict(_open(app, good)) == {"sid": "abc"}
    assert dict(_open(app, good)) == {"sid": "abc"}  # the second time, as kept
    forged = _signed(app, {"sid": "abc"})[:-2] + "xx"
    assert dict(_open(app, forged)) == {}
    assert dict(_open(app, None)) == {}


def test_a_kept_session_still_expires(app):
    good = _signed(app, {"sid": "abc"})
    assert dict(_open(app, good)) == {"sid": "abc"}
    app.permanent_session_lifetime = timedelta(seconds=-1)
    assert dict(_open(app, good)) == {}


def test_changing_a_session_leaves_the_kept_one_alone(app):
    good = _signed(app, {"sid": "abc"})
    first = _open(app, good)
    first["sid"] = "changed"
    first.clear()
    assert dict(_open(app, good)) == {"sid": "abc"}


def test_chosen_pictures_on_check_answers_are_in_each_pupils_language(app, school):
    english = tablet(app, school, "Leo", "en")
    welsh = tablet(app, school, "Maya", "cy")
    for web in (english, welsh):
        web.post("/pupil/q/feel", {"choice": "good"}, headers={"HX-Request": "true"})
    for _ in range(2):
        assert "Good</li>" in english.get("/pupil/check").text
        assert "Good</li>" not in welsh.get("/pupil/check").text


def test_a_piece_keyed_by_a_name_the_template_cannot_see_is_refused(app):
    template = app.jinja_env.from_string('{% cache "x", nowhere %}hi{% endcache %}')
    with app.test_request_context(), pytest.raises(TypeError, match="undefined"):
        template.render()


def test_what_is_kept_between_requests_stays_within_its_bound():
    kept = Kept(2)
    for n in range(3):
        kept.add(n, str(n))
    assert [kept.get(n) for n in range(3)] == [None, "1", "2"]
