"""Saving and reading answers, on a real SQLite file."""

import sqlite3

import pytest
from school import add_section
from werkzeug.datastructures import MultiDict

from pupilvoice import answers
from pupilvoice.db import MIGRATIONS, connect, migrate
from pupilvoice.journey import steps_for
from pupilvoice.text import clean as clean_text


def test_migrations_make_a_wal_database_with_foreign_keys(app, db):
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    applied = [r["name"] for r in db.query("SELECT name FROM migrations")]
    assert applied == [name for name, _ in MIGRATIONS]
    assert migrate(db) == []


def test_a_failed_migration_leaves_nothing_behind(tmp_path, monkeypatch):
    database = connect(str(tmp_path / "broken.sqlite3"))
    monkeypatch.setattr(
        "pupilvoice.db.MIGRATIONS",
        [("0001_ok", "CREATE TABLE a (x)"), ("0002_bad", "CREATE TABLE b (x); NOPE")],
    )
    with pytest.raises(sqlite3.OperationalError):
        migrate(database)
    assert database["a"].exists()
    assert not database["b"].exists()
    assert [r["name"] for r in database.query("SELECT name FROM migrations")] == [
        "0001_ok"
    ]


def _section(db, school):
    section_id, _meeting = add_section(
        db, school["pupils"]["Leo"], started_at="2026-11-23T10:00:00+00:00"
    )
    return next(db.query("SELECT * FROM voice_sections WHERE id = ?", [section_id]))


def _step(app, step_id):
    with app.test_request_context():
        return next(s for s in steps_for("ks2", []) if s.id == step_id)


def test_an_answer_is_saved_and_read_back(app, db, school):
    section = _section(db, school)
    step = _step(app, "going_well")
    form = MultiDict(
        [("choice", "friends"), ("choice", "sport"), ("text", " Art club ")]
    )
    with app.test_request_context():
        draft, errors = answers.parse(step, form, 2000)
    assert errors == {}
    answers.save(db, section, step, draft)
    saved = answers.for_section(db, section["id"])["going_well"]
    assert saved["status"] == "answered"
    assert saved["choices"] == ["friends", "sport"]
    assert saved["text"] == "Art club"
    assert answers.sources(saved) == ["card", "typed"]


def test_saving_again_replaces_the_answer_without_duplicating_it(app, db, school):
    section = _section(db, school)
    step = _step(app, "feel")
    for choice in ["good", "okay"]:
        draft = answers.Draft([choice], "", False, False)
        answers.save(db, section, step, draft)
    rows = list(db.query("SELECT * FROM answers WHERE section_id = ?", [section["id"]]))
    assert len(rows) == 1
    assert rows[0]["choices"] == '["okay"]'


def test_a_skip_is_recorded_and_keeps_what_was_typed(app, db, school):
    section = _section(db, school)
    step = _step(app, "hard")
    answers.save(db, section, step, answers.Draft([], "noise", False, False), "skipped")
    saved = answers.for_section(db, section["id"])["hard"]
    assert saved["status"] == "skipped"
    assert saved["text"] == "noise"


def test_an_empty_page_counts_as_skipped(app, db, school):
    section = _section(db, school)
    step = _step(app, "helps")
    answers.save(db, section, step, answers.Draft([], "", False, False))
    assert answers.for_section(db, section["id"])["helps"]["status"] == "skipped"


def test_forged_and_repeated_cards_are_dropped(app):
    step = _step(app, "feel")
    form = MultiDict([("choice", "<script>"), ("choice", "good"), ("choice", "bad")])
    with app.test_request_context():
        draft, _ = answers.parse(step, form, 2000)
    # The face scale takes one answer only.
    assert draft.choices == ["good"]


def test_too_long_an_answer_is_refused_kindly(app):
    step = _step(app, "going_well")
    with app.test_request_context():
        draft, errors = answers.parse(step, MultiDict([("text", "a" * 2001)]), 2000)
    assert "too long" in errors["text"]
    assert "2001" in errors["text"]
    assert len(draft.text) == 2001


def test_control_characters_are_removed_and_line_breaks_kept():
    assert clean_text("a\x00b\r\nc\x07") == "ab\nc"


def test_scribed_words_are_marked_as_scribed(app, db, school):
    section = _section(db, school)
    step = _step(app, "helps")
    answers.save(db, section, step, answers.Draft([], "my nan", False, True))
    saved = answers.for_section(db, section["id"])["helps"]
    assert answers.sources(saved) == ["scribed"]


def test_private_questions_are_always_private(app):
    step = _step(app, "private_note")
    with app.test_request_context():
        draft, _ = answers.parse(step, MultiDict([("text", "secret")]), 2000)
    assert draft.private


def test_writers_at_the_same_moment_queue_instead_of_failing(app, db, school):
    """Each writes after reading, as inserting a flag or starting pupil mode
    does: with a plain BEGIN some would fail with "database is locked"."""
    import threading

    from pupilvoice import sections
    from pupilvoice.db import connect

    section = _section(db, school)
    errors = []

    def raise_flags():
        own = connect(app.config["DATABASE"])
        try:
            for _ in range(15):
                sections.raise_flag(own, section, "feel")
        except sqlite3.OperationalError as error:
            errors.append(str(error))
        finally:
            own.close()

    threads = [threading.Thread(target=raise_flags) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert db["talk_flags"].count == 12 * 15
