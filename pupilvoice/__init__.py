"""PupilVoice: a child in care's own views, gathered for their PEP meeting."""

import os
import secrets
from pathlib import Path

from flask import Flask, g, redirect, url_for
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from . import (
    access,
    account,
    admin,
    audit,
    auth,
    cli,
    db,
    errors,
    fragments,
    i18n,
    prepare,
    pupil,
    retention,
    review,
    security,
    signing,
    staff,
    static_files,
    templating,
)
from .paths import STATIC, TEMPLATES, TRANSLATIONS


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(TEMPLATES),
        static_folder=str(STATIC),
        instance_path=os.environ.get("PUPILVOICE_INSTANCE") or None,
        instance_relative_config=True,
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        DATABASE=os.environ.get("PUPILVOICE_DATABASE")
        or str(Path(app.instance_path) / "pupilvoice.sqlite3"),
        BABEL_TRANSLATION_DIRECTORIES=str(TRANSLATIONS),
        BABEL_DEFAULT_LOCALE="en",
        BABEL_DEFAULT_TIMEZONE="Europe/London",
        SESSION_COOKIE_NAME="pupilvoice",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("PUPILVOICE_HTTPS", "") == "1",
        # The CSRF token lives as long as the server-side session it belongs to.
        WTF_CSRF_TIME_LIMIT=None,
        STAFF_IDLE_MINUTES=30,
        STAFF_ABSOLUTE_HOURS=12,
        PUPIL_IDLE_SECONDS=20 * 60,
        # The pupil is warned this long before the tablet stops showing
        # their questions, with one tap for more time.
        PUPIL_WARNING_SECONDS=120,
        ANSWER_MAX_CHARS=2000,
        # How long a write waits for SQLite's lock before the person is told
        # it was not saved (never a 500).
        BUSY_SECONDS=db.BUSY_SECONDS,
        # Every request is bounded. The largest real form is a 4,000-character
        # note (36 KB encoded in a script of three bytes a letter); anything
        # far past these is refused before it is read (errors.py says so kindly).
        MAX_CONTENT_LENGTH=256 * 1024,
        MAX_FORM_MEMORY_SIZE=128 * 1024,
        MAX_FORM_PARTS=200,
    )
    if config:
        app.config.update(config)
    proxies = int(os.environ.get("PUPILVOICE_TRUSTED_PROXIES", "0") or 0)
    if proxies:
        # Behind a TLS-terminating reverse proxy: believe its X-Forwarded-*
        # headers, from exactly that many hops, and no others.
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ.get(
            "PUPILVOICE_SECRET_KEY"
        ) or _instance_secret(Path(app.instance_path))

    app.url_map.converters["int"] = RowId
    db.init_app(app)
    access.init_app(app)
    audit.init_app(app)
    i18n.init_app(app)
    templating.init_app(app)
    fragments.init_app(app)
    security.init_app(app)
    signing.init_app(app)
    static_files.init_app(app)
    auth.init_app(app)
    account.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(pupil.bp)
    app.register_blueprint(prepare.bp)
    app.register_blueprint(review.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(account.bp)

    @app.before_request
    def apply_retention_daily():
        if not retention.checked_today():
            retention.run_daily(app.config["DATABASE"])

    @app.get("/")
    def index():
        if g.device and g.device["section_id"]:
            return redirect(url_for("pupil.resume"))
        if g.staff:
            return redirect(url_for("staff.pupils"))
        return redirect(url_for("auth.sign_in"))

    return app


class RowId(IntegerConverter):
    """An id in a URL: an integer SQLite can hold, or the page does not exist."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(url_map, *args, **kwargs)


def _instance_secret(instance: Path) -> str:
    """A random key made once per installation and kept beside the database."""
    path = instance / "secret_key"
    if not path.exists():
        # Written aside then linked into place, so workers starting together
        # all end up reading the one key that won.
        tmp = instance / f".secret_key.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()
