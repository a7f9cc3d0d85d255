"""Friendly error pages. Nobody, least of all a child, sees a stack trace."""

from flask import g, render_template, request
from flask_wtf.csrf import CSRFError


def _page(template: str, status: int):
    if request.headers.get("HX-Request") and g.get("section") is not None:
        return render_template("pupil/_save_status.html", failed=True), 200
    return render_template(template, in_pupil_mode=g.get("section") is not None), status


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

    @app.errorhandler(500)
    def server_error(_error):
        return _page("errors/server.html", 500)
