"""Staff sign-in, server-side device sessions, and the pupil-mode lock.

The cookie holds only a random session id; the session itself lives in the
database, so signing out (or a timeout) ends it on the server. While a device
is in pupil mode only the pupil's pages answer; everything else sends the
pupil back to their questions until the teacher types their password.
"""

import functools
import hashlib
import secrets
import sqlite3
import unicodedata
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

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
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.exceptions import HTTPException

from . import audit, sections, throttle, twostep
from .db import get_db, utcnow
from .errors import storage_unavailable
from .forms import CodeForm, SignInForm
from .i18n import gettext as _
from .i18n import ngettext
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


def authenticate(email: str, password: str) -> tuple[dict | None, bool]:
    """The account the email names, if any, and whether the password is its.
    An unknown email costs the same hashing, so the time taken does not say
    which it was; the caller says the same words either way."""
    staff = find_staff(email)
    if staff is None:
        check_password(DUMMY_HASH, password)
        return None, False
    return staff, check_password(staff["password_hash"], password)


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


def end_pupil_mode() -> None:
    """The teacher's password took the tablet back: pupil mode ends and the
    session gets a new id, as at sign-in, so an id (or CSRF token) that was
    on the tablet while it was the pupil's is worth nothing now. The session
    keeps its start: the absolute limit still counts from the sign-in, which
    the password alone (no two-step code) does not repeat."""
    db = get_db()
    token = secrets.token_urlsafe(32)
    row = {
        **g.device,
        "id": token,
        "section_id": None,
        "totp_setup_secret": None,
        "last_seen_at": utcnow(),
    }
    with db.atomic():
        db.execute("DELETE FROM device_sessions WHERE id = ?", [g.device["id"]])
        db["device_sessions"].insert(row)
    session.clear()
    session["sid"] = token
    g.device = row


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
    """Note activity. Only a note: if another writer holds the lock, the page
    goes on without it rather than wait, and the next request notes it."""
    db = get_db()
    try:
        with audit.short_wait(db):
            db.execute(
                "UPDATE device_sessions SET last_seen_at = ? WHERE id = ?",
                [utcnow(), sid],
            )
    except sqlite3.OperationalError as error:
        if not storage_unavailable(error):
            raise


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


# A browser that has fully signed in to an account keeps a signed cookie saying
# so; its own guesses are then counted apart from everyone else's (throttle.py).
DEVICE_COOKIE = "pupilvoice_device"
DEVICE_DAYS = 180
# The half-finished sign-in (password right, two-step code still to come).
PENDING_SECONDS = 300


def _device_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="device-cookie")


def device_nonce(email: str) -> str | None:
    """The nonce of this browser's device cookie, if it was issued for `email`."""
    value = request.cookies.get(DEVICE_COOKIE)
    if not value or len(value) > 500:
        return None
    try:
        data = _device_signer().loads(value, max_age=DEVICE_DAYS * 86400)
    except BadData:
        return None
    if not isinstance(data, dict) or data.get("account") != _account_digest(email):
        return None
    return str(data.get("nonce"))


def _account_digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def _give_device_cookie(response, email: str):
    value = _device_signer().dumps(
        {"account": _account_digest(email), "nonce": secrets.token_urlsafe(16)}
    )
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=DEVICE_DAYS * 86400,
        path=url_for("auth.sign_in"),
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


def _throttle_keys(email: str) -> list[str]:
    return throttle.keys(email, request.remote_addr, device_nonce(email))


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if g.staff is not None:
        return redirect(url_for("staff.pupils"))
    form = SignInForm()
    if form.validate_on_submit():
        db = get_db()
        names = _throttle_keys(form.email.data)
        wait = throttle.seconds_to_wait(db, names)
        if wait:
            form.email.errors.append(too_many_tries(wait))
        else:
            staff, right = authenticate(form.email.data, form.password.data)
            if not right:
                throttle.failed(db, names)
                # Against the account, so its Virtual School's admin sees it.
                audit.record(db, staff["id"] if staff else None, "sign_in_failed")
                form.email.errors.append(
                    _("Enter the email address and password for your account.")
                )
            elif staff["totp_enabled_at"]:
                # The counts are cleared only once the code is right too, or
                # the password alone would buy unlimited guesses at the code.
                return _begin_pending(staff, request.args.get("next"))
            else:
                throttle.succeeded(db, names)
                return _signed_in(staff, request.args.get("next"))
    return render_template("staff/sign_in.html", form=form), (
        400 if form.errors else 200
    )


def too_many_tries(wait: int) -> str:
    return ngettext(
        "Too many tries. Wait %(num)d second, then try again.",
        "Too many tries. Wait %(num)d seconds, then try again.",
        wait,
    )


def _begin_pending(staff: dict, target: str | None):
    """Remembered on the server: the cookie holds only a random id, which
    works once and for five minutes."""
    end_session()
    token = secrets.token_urlsafe(32)
    db = get_db()
    db["pending_sign_ins"].insert(
        {
            "id": token,
            "staff_id": staff["id"],
            "next": safe_next(target),
            "created_at": utcnow(),
        }
    )
    session["pending"] = token
    return redirect(url_for("auth.sign_in_code"))


def _pending() -> dict | None:
    token = session.get("pending")
    if not isinstance(token, str):
        return None
    rows = list(get_db().query("SELECT * FROM pending_sign_ins WHERE id = ?", [token]))
    if not rows:
        return None
    age = datetime.now(UTC) - datetime.fromisoformat(rows[0]["created_at"])
    if age > timedelta(seconds=PENDING_SECONDS):
        _end_pending(token)
        return None
    return rows[0]


def _end_pending(token: str) -> bool:
    """True if this request is the one that ended it (it works only once)."""
    cursor = get_db().execute("DELETE FROM pending_sign_ins WHERE id = ?", [token])
    return cursor.rowcount == 1


def _signed_in(staff: dict, target: str | None):
    begin_session(staff)
    audit.record(get_db(), staff["id"], "signed_in")
    return _give_device_cookie(redirect(safe_next(target)), staff["email"])


@bp.route("/sign-in/code", methods=["GET", "POST"])
def sign_in_code():
    """The second step: a code from the authenticator app, or a recovery code."""
    if g.staff is not None:
        return redirect(url_for("staff.pupils"))
    pending = _pending()
    if pending is None:
        session.pop("pending", None)
        return redirect(url_for("auth.sign_in"))
    db = get_db()
    staff = next(db.query("SELECT * FROM staff WHERE id = ?", [pending["staff_id"]]))
    form = CodeForm()
    if form.validate_on_submit():
        names = _throttle_keys(staff["email"])
        wait = throttle.seconds_to_wait(db, names)
        if wait:
            form.code.errors.append(too_many_tries(wait))
        elif (
            twostep.use_code(db, staff["id"], staff["totp_secret"], form.code.data)
            or twostep.use_recovery_code(db, staff["id"], form.code.data)
        ) and _end_pending(pending["id"]):
            throttle.succeeded(db, names)
            return _signed_in(staff, pending["next"])
        else:
            throttle.failed(db, names)
            # A code of this moment, refused because it (or a later one) was
            # used already: saying so tells whoever typed it only what their
            # app told them, and spares them guessing at what was wrong.
            used = twostep.matching_step(staff["totp_secret"], form.code.data)
            audit.record(
                db,
                staff["id"],
                "two_step_failed",
                detail="code already used" if used is not None else "",
            )
            form.code.errors.append(
                _("That code has already been used. Wait for the next one.")
                if used is not None
                else _(
                    "Enter the 6-digit code from your authenticator app, or a recovery code"
                )
            )
    return render_template("staff/sign_in_code.html", form=form), (
        400 if form.errors else 200
    )


@bp.post("/sign-out")
@staff_required
def sign_out():
    audit.record(get_db(), g.staff["id"], "signed_out")
    end_session()
    flash(_("You have signed out."))
    return redirect(url_for("auth.sign_in"))


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a page of this site, or the pupil list.

    Browsers drop tabs and newlines from a URL and read a backslash as a
    slash, so "/\t/evil.example" would leave the site: any such character
    refuses the target, and what is left must be a GET page of this app.
    """
    fallback = url_for("staff.pupils")
    if not target or len(target) > 2000 or not target.startswith("/"):
        return fallback
    if target.startswith("//"):
        # "///evil.example" has no host to urlsplit, but browsers find one.
        return fallback
    if any(
        ch.isspace() or ch == "\\" or unicodedata.category(ch)[0] == "C"
        for ch in target
    ):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "//" in parts.path:
        return fallback
    if any(segment in (".", "..") for segment in parts.path.split("/")):
        # A browser resolves dot segments before asking: "/static/../..//x"
        # is not the page it names.
        return fallback
    try:
        current_app.url_map.bind("localhost").match(parts.path, method="GET")
    except HTTPException:
        return fallback
    return target


def init_app(app) -> None:
    app.before_request(load_device)
    app.before_request(enforce_pupil_mode)
