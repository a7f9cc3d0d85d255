"""Fixtures: a fresh app on a real SQLite file for every test, and a school."""

import pytest
from school import Browserless, add_section, make_school

from pupilvoice import create_app
from pupilvoice.db import connect


@pytest.fixture
def app(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE": str(tmp_path / "pupilvoice.sqlite3"),
            "SECRET_KEY": "test-only",
        }
    )
    yield app


@pytest.fixture
def db(app):
    """A connection of the test's own to the app's database file.

    Not the app's: holding an app context open across requests would make the
    test client share `g` between them, which no real browser does.
    """
    database = connect(app.config["DATABASE"])
    yield database
    database.close()


@pytest.fixture
def school(db):
    """Two schools in one Virtual School, staff for each, and a pupil per band."""
    return make_school(db)


@pytest.fixture
def web(app):
    return Browserless(app.test_client())


@pytest.fixture
def finished_section(db, school) -> int:
    """Leo's voice section, finished and ready to read, export or back up."""
    section, _meeting = add_section(
        db,
        school["pupils"]["Leo"],
        status="finished",
        started_at="2026-11-23T10:00:00+00:00",
        finished_at="2026-11-23T10:20:00+00:00",
    )
    return section
