"""Friendly error pages. Nobody, least of all a child, sees a stack trace.

A database that cannot take a write right now (another writer held the lock
past the busy timeout, or the disk is full) is not a fault in the page: the
person is told calmly that nothing new was saved and to try again, with a
503 and Retry-After, never a 500.
"""

import sqlite3

from flask import g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import RequestEntityTooLarge

# What SQLite says when it could not write now but may later.
_UNAVAILABLE = ("database is locked", "database is busy", "disk is full", "disk i/o")


def storage_unavailable(error: BaseException) -> bool:
    return isinstance(error, sqlite3.OperationalError) and any(
        words in str(error).lower() for words in _UNAVAILABLE
    )


def _page(template: str, status: int, headers=None):
    if request.headers.get("HX-Request") and g.get("section") is not None:
        return render_template("pupil/_save_status.html", failed=True), 200
    in_pupil_mode = g.get("section") is not None
    return (
        render_template(
            template,
            in_pupil_mode=in_pupil_mode,
            # Opening a page saves nothing the person did: its words say
            # it could not be opened, not that something was lost.
            only_opening=request.method in ("GET", "HEAD"),
        ),
        status,
        headers or {},
    )


def init_app(app) -> None:
    @app.errorhandler(404)
    def not_found(_error):
        return _page("errors/not_found.html", 404)

    @app.errorhandler(405)
    def not_allowed(_error):
        return _page("errors/not_found.html", 405)

    @app.errorhandler(CSRFError)
    def expired_form(_error):
        return _page("errors/expired.html", 400)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_error):
        return _page("errors/too_large.html", 413)

    @app.errorhandler(sqlite3.OperationalError)
    def busy(error):
        if not storage_unavailable(error):
            raise error
        return _page("errors/busy.html", 503, {"Retry-After": "30"})

    @app.errorhandler(500)
    def server_error(_error):
        return _page("errors/server.html", 500)
