"""Real headless Chromium against the app served on loopback, on a real SQLite file."""

import threading

import pytest
from playwright.sync_api import sync_playwright
from school import make_school
from werkzeug.serving import make_server

from pupilvoice import create_app
from pupilvoice.db import connect
from scripts import chromium


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        yield browser
        browser.close()


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def db(self):
        return connect(self.app.config["DATABASE"])


@pytest.fixture
def live_with(tmp_path):
    """Serve the app with some settings changed; stops it afterwards."""
    servers = []

    def start(**config):
        app = create_app(
            {
                "DATABASE": str(tmp_path / "pupilvoice.sqlite3"),
                "SECRET_KEY": "browser-test",
                **config,
            }
        )
        server = LiveServer(app)
        database = server.db()
        server.school = make_school(database)
        database.close()
        server.thread.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.server.shutdown()


@pytest.fixture
def live(live_with):
    return live_with()


@pytest.fixture
def context(browser):
    # A school tablet: portrait, touch.
    context = browser.new_context(
        viewport={"width": 820, "height": 1180}, has_touch=True, locale="en-GB"
    )
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page
