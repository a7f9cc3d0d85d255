"""The pupil's journey: welcome, one question a page, check answers, finish.

Every page here works without JavaScript: each question page is a plain form.
With htmx, the same route also saves as the pupil taps and types, and answers
with just the "saved" line of the page.
"""

import functools
import sqlite3

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from . import answers, audit, auth, meetings, pupils, sections, throttle
from .db import get_db
from .errors import storage_unavailable
from .forms import UnlockForm
from .i18n import LANGUAGE_NAMES, available
from .i18n import gettext as _
from .journey import find, steps_for
from .passwords import check_password
from .questions import PEP_SECTIONS

bp = Blueprint("pupil", __name__, url_prefix="/pupil")


def pupil_required(view):
    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.section is None:
            if g.staff is not None:
                return redirect(url_for("staff.pupils"))
            if request.headers.get("HX-Request"):
                return render_template("pupil/_save_status.html", ended=True)
            return render_template("pupil/ended.html"), 403
        db = get_db()
        g.pupil = pupils.get_unscoped(db, g.section["pupil_id"])
        g.meeting = next(
            db.query("SELECT * FROM meetings WHERE id = ?", [g.section["meeting_id"]])
        )
        g.steps = steps_for(g.section["band"], meetings.targets(db, g.meeting["id"]))
        return view(**kwargs)

    return wrapped


@bp.get("/")
@pupil_required
def resume():
    """Where a pupil picks up: the first question not yet answered."""
    saved = answers.for_section(get_db(), g.section["id"])
    if g.section["status"] == "finished":
        return redirect(url_for("pupil.done"))
    if not saved:
        return redirect(url_for("pupil.welcome"))
    step = answers.first_unanswered(g.steps, saved)
    if step is None:
        return redirect(url_for("pupil.check"))
    return redirect(url_for("pupil.question", step_id=step.id))


@bp.get("/welcome")
@pupil_required
def welcome():
    return render_template(
        "pupil/welcome.html", first_step=g.steps[0] if g.steps else None
    )


@bp.route("/q/<step_id>", methods=["GET", "POST"])
@pupil_required
def question(step_id):
    found = find(g.steps, step_id)
    if found is None:
        abort(404)
    index, step = found
    db = get_db()
    returning = request.args.get("return") == "check"
    errors = {}
    failed = False
    if request.method == "POST":
        draft, errors = answers.parse(
            step, request.form, current_app.config["ANSWER_MAX_CHARS"]
        )
        action = request.form.get("action", "answer")
        status = {"skip": "skipped", "not_sure": "not_sure"}.get(action)
        failed = False
        if not errors:
            try:
                answers.save(db, g.section, step, draft, status)
            except sqlite3.OperationalError as error:
                # Waited the whole busy timeout, or the disk is full: say so,
                # and give the page back with the answer still on it.
                if not storage_unavailable(error):
                    raise
                failed = True
        if request.headers.get("HX-Request"):
            return render_template(
                "pupil/_save_status.html",
                saved=not errors and not failed,
                failed=failed,
                errors=errors,
            )
        if not errors and not failed:
            if returning or index + 1 == len(g.steps):
                return redirect(url_for("pupil.check"))
            return redirect(url_for("pupil.question", step_id=g.steps[index + 1].id))
    else:
        draft = answers.draft_from(answers.for_step(db, g.section["id"], step.id), step)
    if returning:
        back = url_for("pupil.check")
    elif index:
        back = url_for("pupil.question", step_id=g.steps[index - 1].id)
    else:
        back = url_for("pupil.welcome")
    return render_template(
        "pupil/question.html",
        step=step,
        draft=draft,
        errors=errors,
        failed=failed,
        back=back,
        returning=returning,
        number=index + 1,
        attendees=meetings.attendees(db, g.meeting["id"])
        if step.question.shows_attendees
        else [],
    ), (400 if errors else 503 if failed else 200)


@bp.get("/check")
@pupil_required
def check():
    db = get_db()
    return render_template(
        "pupil/check.html",
        saved=answers.for_section(db, g.section["id"]),
        readers=readers(db),
        pep_sections=PEP_SECTIONS,
    )


def readers(db) -> list[dict]:
    """The adults who will read the answers, named for the pupil before finishing."""
    found = list(
        db.query(
            "SELECT id, name, role FROM staff WHERE id IN (?, ?) ORDER BY role = 'social_worker'",
            [g.section["supported_by_id"], g.pupil["social_worker_id"]],
        )
    )
    return found


@bp.post("/finish")
@pupil_required
def finish():
    sections.finish(get_db(), g.section)
    return redirect(url_for("pupil.done"))


@bp.get("/done")
@pupil_required
def done():
    return render_template("pupil/done.html")


@bp.post("/talk")
@pupil_required
def talk():
    step_id = request.form.get("step")
    if find(g.steps, step_id or "") is None:
        step_id = None
    sections.raise_flag(get_db(), g.section, step_id)
    return redirect(url_for("pupil.talked", step=step_id))


@bp.get("/talk")
@pupil_required
def talked():
    return render_template("pupil/talk.html", back=_back_to(request.args.get("step")))


def _back_to(step_id: str | None) -> str:
    if step_id and find(g.steps, step_id):
        return url_for("pupil.question", step_id=step_id)
    return url_for("pupil.resume")


@bp.get("/settings")
@pupil_required
def settings():
    step_id = request.args.get("step")
    return render_template(
        "pupil/settings.html",
        back=_back_to(step_id),
        step_id=step_id or "",
        languages=[(code, LANGUAGE_NAMES[code]) for code in available()],
        display=pupils.DISPLAY,
    )


@bp.post("/language")
@pupil_required
def change_language():
    language = request.form.get("language")
    if language in available():
        sections.set_language(get_db(), g.section, language)
    return redirect(_back_to(request.form.get("step")))


@bp.post("/settings")
@pupil_required
def change_settings():
    pupils.set_display(get_db(), g.pupil["id"], request.form)
    return redirect(_back_to(request.form.get("step")))


@bp.post("/still-here")
@pupil_required
def still_here():
    """ "I need more time": the idle clock starts again, as often as asked."""
    auth.touch(g.device["id"])
    return "", 204


@bp.route("/teacher", methods=["GET", "POST"])
@pupil_required
def end_pupil_mode():
    """The teacher takes the tablet back: their password, and pupil mode ends."""
    form = UnlockForm()
    if form.validate_on_submit():
        db = get_db()
        names = throttle.unlock_keys(g.device["id"])
        wait = throttle.seconds_to_wait(db, names)
        if wait:
            form.password.errors.append(auth.too_many_tries(wait))
        elif check_password(g.staff["password_hash"], form.password.data):
            throttle.succeeded(db, names)
            auth.end_pupil_mode()
            audit.record(
                get_db(), g.staff["id"], "pupil_mode_ended", g.section["pupil_id"]
            )
            return redirect(url_for("staff.pupil", pupil_id=g.section["pupil_id"]))
        else:
            throttle.failed(db, names)
            audit.record(
                db, g.staff["id"], "pupil_mode_unlock_failed", g.section["pupil_id"]
            )
            form.password.errors.append(
                _("That password is not right. Check it and try again.")
            )
    return render_template("pupil/teacher.html", form=form)
