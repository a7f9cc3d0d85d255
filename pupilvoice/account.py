"""A staff member's own account: turning on two-step sign-in.

Two-step is open to everyone and required of Virtual School admins, who are
sent here after signing in until they have set it up.
"""

from flask import (
    Blueprint,
    Response,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from . import audit, twostep
from .access import requires
from .db import get_db
from .forms import CodeForm
from .i18n import gettext as _

bp = Blueprint("account", __name__, url_prefix="/account")

# What an admin without two-step may still reach.
SETUP_ENDPOINTS = {"account.two_step", "account.qr", "auth.sign_out", "static"}


def require_two_step_for_admins():
    staff = g.get("staff")
    if (
        staff is not None
        and g.get("section") is None
        and staff["role"] == "admin"
        and not staff["totp_enabled_at"]
        and request.endpoint not in SETUP_ENDPOINTS
    ):
        return redirect(url_for("account.two_step"))
    return None


def _pending_secret() -> str:
    """The secret being set up, kept with the server-side session (never in
    the cookie) until the first code proves the app has it."""
    secret = g.device["totp_setup_secret"]
    if not secret:
        secret = twostep.new_secret()
        get_db().execute(
            "UPDATE device_sessions SET totp_setup_secret = ? WHERE id = ?",
            [secret, g.device["id"]],
        )
        g.device = {**g.device, "totp_setup_secret": secret}
    return secret


@bp.route("/two-step", methods=["GET", "POST"])
@requires("own_account")
def two_step():
    if g.staff["totp_enabled_at"]:
        return render_template("staff/two_step.html", enabled=True, form=None)
    form = CodeForm()
    secret = _pending_secret()
    if form.validate_on_submit():
        step = twostep.matching_step(secret, form.code.data)
        if step is not None:
            db = get_db()
            codes = twostep.enable(db, g.staff["id"], secret, step)
            db.execute(
                "UPDATE device_sessions SET totp_setup_secret = NULL WHERE id = ?",
                [g.device["id"]],
            )
            audit.record(db, g.staff["id"], "two_step_enabled")
            return render_template("staff/recovery_codes.html", codes=codes)
        form.code.errors.append(
            _("That code is not right. Enter the 6-digit code your app shows now")
        )
    return render_template(
        "staff/two_step.html", enabled=False, form=form, secret=secret
    ), (400 if form.errors else 200)


@bp.get("/two-step/qr.svg")
@requires("own_account")
def qr():
    return Response(
        twostep.qr_svg(_pending_secret(), g.staff["email"]), mimetype="image/svg+xml"
    )


def init_app(app) -> None:
    app.before_request(require_two_step_for_admins)
