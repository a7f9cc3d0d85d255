"""How the app is served: gunicorn's settings, its own error pages, what it
leaves behind, how it restarts, and the Content-Type of every static file.

The tests that need a real server start `python -m pupilvoice serve` on a free
127.0.0.1 port, in a process group of their own that is killed at the end,
whatever happened.
"""

import contextlib
import sqlite3
import threading
from pathlib import Path

from pupilvoice import create_app, retention
from pupilvoice.paths import STATIC

ROOT = Path(__file__).resolve().parent.parent
# Static files


def test_every_static_file_type_has_one_charset_at_most(app):
    client = app.test_client()
    by_type = {}
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            by_type.setdefault(path.suffix, path.relative_to(STATIC).as_posix())
    assert {".css", ".js", ".svg", ".woff2", ".md"} <= set(by_type)
    for suffix, name in by_type.items():
        response = client.get(f"/static/{name}")
        assert response.status_code == 200, name
        content_type = response.headers["Content-Type"]
        assert content_type.count("charset") <= 1, content_type
        if content_type.startswith("text/"):
            assert content_type.endswith("; charset=utf-8"), (suffix, content_type)


def test_pages_have_one_charset(app):
    response = app.test_client().get("/sign-in")
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"


# Durability


class Noted(sqlite3.Connection):
    """A connection that notes its synchronous setting as it closes."""

    def close(self):
        with contextlib.suppress(sqlite3.ProgrammingError):
            self.noted = self.execute("PRAGMA synchronous").fetchone()[0]
        super().close()


def test_every_connection_the_app_uses_waits_for_the_disk(tmp_path, monkeypatch):
    """synchronous = FULL (2): in WAL mode, NORMAL can lose the last commits on
    a power cut, answers the tablet has already shown as saved."""
    opened = []
    connect = sqlite3.connect

    def noting(*args, **kwargs):
        kwargs.setdefault("factory", Noted)
        opened.append(connect(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(sqlite3, "connect", noting)
    app = create_app(
        {"DATABASE": str(tmp_path / "db.sqlite3"), "SECRET_KEY": "test-only"}
    )
    app.test_client().get("/sign-in")
    retention.run_daily(app.config["DATABASE"])
    for thread in threading.enumerate():
        if thread.name == "daily-purge":
            thread.join(10)
    # The app's own (one a thread) and the daily purge's.
    assert len(opened) >= 2
    for conn in opened:
        level = getattr(conn, "noted", None)
        if level is None:
            level = conn.execute("PRAGMA synchronous").fetchone()[0]
        assert level == 2
