"""Staff sign-in, server-side device sessions, and the pupil-mode lock.

The cookie holds only a random session id; the session itself lives in the
database, so signing out (or a timeout) ends it on the server. While a device
is in pupil mode only the pupil's pages answer; everything else sends the
pupil back to their questions until the teacher types their password.
"""

import functools
import secrets
import time
from datetime import UTC, datetime, timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from . import audit, sections, throttle, twostep
from .db import get_db, utcnow
from .forms import CodeForm, SignInForm
from .i18n import gettext as _
from .passwords import DUMMY_HASH, check_password

bp = Blueprint("auth", __name__)

# Activity is written at most this often: idle limits are in minutes, and a
# write on every request would make every page a database write.
ACTIVITY_GRANULARITY = timedelta(seconds=30)

# Only these answer while a device is in pupil mode.
PUPIL_MODE_ENDPOINTS = {"static"}


def find_staff(email: str) -> dict | None:
    rows = list(get_db().query("SELECT * FROM staff WHERE email = ?", [email.strip()]))
    return rows[0] if rows else None


def authenticate(email: str, password: str) -> dict | None:
    staff = find_staff(email)
    if staff is None:
        check_password(DUMMY_HASH, password)
        return None
    return staff if check_password(staff["password_hash"], password) else None


def begin_session(staff: dict) -> None:
    """A fresh session id at every sign-in; any old one is ended."""
    end_session()
    token = secrets.token_urlsafe(32)
    now = utcnow()
    get_db()["device_sessions"].insert(
        {
            "id": token,
            "staff_id": staff["id"],
            "section_id": None,
            "created_at": now,
            "last_seen_at": now,
        }
    )
    session["sid"] = token


def end_session() -> None:
    sid = session.pop("sid", None)
    if sid:
        get_db().execute("DELETE FROM device_sessions WHERE id = ?", [sid])
    session.clear()


def set_pupil_mode(section_id: int | None) -> None:
    get_db().execute(
        "UPDATE device_sessions SET section_id = ?, last_seen_at = ? WHERE id = ?",
        [section_id, utcnow(), g.device["id"]],
    )


def load_device() -> None:
    """Find this device's session, end it if it has timed out, note activity."""
    g.device = g.staff = g.section = None
    g.session_ended = None
    sid = session.get("sid")
    if not sid or request.endpoint == "static":
        return
    db = get_db()
    rows = list(db.query("SELECT * FROM device_sessions WHERE id = ?", [sid]))
    if not rows:
        session.clear()
        g.session_ended = "gone"
        return
    device = rows[0]
    config = current_app.config
    now = datetime.now(UTC)
    idle = (
        timedelta(seconds=config["PUPIL_IDLE_SECONDS"])
        if device["section_id"]
        else timedelta(minutes=config["STAFF_IDLE_MINUTES"])
    )
    quiet_for = now - datetime.fromisoformat(device["last_seen_at"])
    age = now - datetime.fromisoformat(device["created_at"])
    if quiet_for > idle or age > timedelta(hours=config["STAFF_ABSOLUTE_HOURS"]):
        # A tablet left alone in pupil mode must not fall back to the
        # teacher's pages: the whole session ends.
        g.session_ended = "pupil" if device["section_id"] else "staff"
        end_session()
        return
    if quiet_for > ACTIVITY_GRANULARITY:
        touch(sid)
    g.device = device
    g.staff = next(db.query("SELECT * FROM staff WHERE id = ?", [device["staff_id"]]))
    if device["section_id"]:
        g.section = sections.get(db, device["section_id"])


def touch(sid: str) -> None:
    get_db().execute(
        "UPDATE device_sessions SET last_seen_at = ? WHERE id = ?", [utcnow(), sid]
    )


def enforce_pupil_mode():
    if g.section is None:
        return None
    endpoint = request.endpoint or ""
    if endpoint.startswith("pupil.") or endpoint in PUPIL_MODE_ENDPOINTS:
        return None
    return redirect(url_for("pupil.resume"))


def staff_required(view):
    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.staff is None:
            if g.session_ended == "staff":
                flash(_("You were signed out because you were away for a while."))
            return redirect(url_for("auth.sign_in", next=request.path))
        return view(**kwargs)

    return wrapped


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if g.staff is not None:
        return redirect(url_for("staff.pupils"))
    form = SignInForm()
    if form.validate_on_submit():
        db = get_db()
        names = throttle.keys(form.email.data, request.remote_addr)
        wait = throttle.seconds_to_wait(db, names)
        if wait:
            form.email.errors.append(too_many_tries(wait))
        else:
            staff = authenticate(form.email.data, form.password.data)
            if staff is None:
                throttle.failed(db, names)
                audit.record(db, None, "sign_in_failed")
                form.email.errors.append(
                    _("Enter the email address and password for your account.")
                )
            else:
                throttle.succeeded(db, names)
                if staff["totp_enabled_at"]:
                    session.clear()
                    session["pending"] = {"staff": staff["id"], "at": time.time()}
                    session["next"] = request.args.get("next")
                    return redirect(url_for("auth.sign_in_code"))
                return _signed_in(staff, request.args.get("next"))
    return render_template("staff/sign_in.html", form=form)


def too_many_tries(wait: int) -> str:
    return _("Too many tries. Wait %(seconds)d seconds, then try again.", seconds=wait)


def _signed_in(staff: dict, target: str | None):
    begin_session(staff)
    audit.record(get_db(), staff["id"], "signed_in")
    return redirect(_safe_next(target))


@bp.route("/sign-in/code", methods=["GET", "POST"])
def sign_in_code():
    """The second step: a code from the authenticator app, or a recovery code."""
    pending = session.get("pending")
    if not pending or time.time() - pending["at"] > 300:
        session.clear()
        return redirect(url_for("auth.sign_in"))
    db = get_db()
    staff = next(db.query("SELECT * FROM staff WHERE id = ?", [pending["staff"]]))
    form = CodeForm()
    if form.validate_on_submit():
        names = throttle.keys(staff["email"], request.remote_addr)
        wait = throttle.seconds_to_wait(db, names)
        if wait:
            form.code.errors.append(too_many_tries(wait))
        elif twostep.code_is_right(
            staff["totp_secret"], form.code.data
        ) or twostep.use_recovery_code(db, staff["id"], form.code.data):
            throttle.succeeded(db, names)
            return _signed_in(staff, session.get("next"))
        else:
            throttle.failed(db, names)
            audit.record(db, staff["id"], "two_step_failed")
            form.code.errors.append(
                _(
                    "Enter the 6-digit code from your authenticator app, or a recovery code"
                )
            )
    return render_template("staff/sign_in_code.html", form=form)


@bp.post("/sign-out")
@staff_required
def sign_out():
    audit.record(get_db(), g.staff["id"], "signed_out")
    end_session()
    flash(_("You have signed out."))
    return redirect(url_for("auth.sign_in"))


def _safe_next(target: str | None) -> str:
    # Only paths on this site: never an open redirect.
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return url_for("staff.pupils")


def init_app(app) -> None:
    app.before_request(load_device)
    app.before_request(enforce_pupil_mode)
