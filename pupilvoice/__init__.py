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
from .config import Config
from .paths import STATIC, TEMPLATES, TRANSLATIONS
from .request_limits import BoundedRequest


def create_app(config: dict | None = None) -> Flask:
    """The app, configured from the environment (config.py); `config` wins
    over it (tests pass their own database, secret and timings)."""
    settings = Config()
    app = Flask(
        __name__,
        template_folder=str(TEMPLATES),
        static_folder=str(STATIC),
        instance_path=settings.INSTANCE,
        instance_relative_config=True,
    )
    app.request_class = BoundedRequest
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_object(settings)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    if config:
        app.config.update(config)
    if not app.config["DATABASE"]:
        app.config["DATABASE"] = str(Path(app.instance_path) / "pupilvoice.sqlite3")
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    if proxies := app.config["TRUSTED_PROXIES"]:
        # Behind a TLS-terminating reverse proxy: believe its X-Forwarded-*
        # headers, from exactly that many hops, and no others.
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )

    app.url_map.converters["int"] = RowId
    security.init_app(app)
    db.init_app(app)
    access.init_app(app)
    audit.init_app(app)
    i18n.init_app(app)
    templating.init_app(app)
    fragments.init_app(app)
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
            retention.run_daily(app.config["DATABASE"], app.config["RETENTION_DAYS"])

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
