"""The pupil's journey: welcome, one question a page, check answers, finish.

Every page here works without JavaScript: each question page is a plain form.
With htmx, the same route also saves as the pupil taps and types, and answers
with just the "saved" line of the page.
"""

import functools
import sqlite3

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from . import answers, audit, auth, meetings, pupils, sections, tablet, throttle
from .db import get_db
from .errors import storage_unavailable
from .forms import UnlockForm
from .i18n import LANGUAGE_NAMES, available
from .i18n import gettext as _
from .journey import find, steps_for
from .passwords import check_password
from .paths import STATIC
from .questions import PEP_SECTIONS

bp = Blueprint("pupil", __name__, url_prefix="/pupil")


# After "I've finished", until the teacher takes the tablet back, only these
# answer: the finished page, help, how the pages look, the teacher's way in,
# and what the tablet needs to keep working offline. None of them shows or
# changes an answer; every other pupil route sends the tablet to the finished
# page (tests/test_finished.py walks the URL map).
OPEN_WHEN_FINISHED = {
    "pupil.done",
    "pupil.talk",
    "pupil.talked",
    "pupil.settings",
    "pupil.change_settings",
    "pupil.change_language",
    "pupil.still_here",
    "pupil.end_pupil_mode",
    "pupil.waiting",
    "pupil.tablet_pages",
    "pupil.service_worker",
}


def pupil_required(view):
    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.section is None:
            if g.staff is not None:
                return redirect(url_for("staff.pupils"))
            if request.headers.get("HX-Request"):
                return render_template("pupil/_save_status.html", ended=True)
            return ended_page()
        claimed = request.form.get("section") if request.method == "POST" else None
        if claimed is not None and claimed != str(g.section["id"]):
            # Kept on a tablet for another pupil's turn: never saved into this one.
            return "", 409
        if sections.is_closed(g.section) and request.endpoint not in OPEN_WHEN_FINISHED:
            return to_finished_page()
        db = get_db()
        g.pupil = pupils.get_unscoped(db, g.section["pupil_id"])
        g.meeting = next(
            db.query("SELECT * FROM meetings WHERE id = ?", [g.section["meeting_id"]])
        )
        g.steps = steps_for(g.section["band"], meetings.targets(db, g.meeting["id"]))
        return view(**kwargs)

    return wrapped


def ended_page():
    """Pupil mode is over (timed out, or never started on this device). Whatever
    the tablet kept for working offline is wiped (Clear-Site-Data; offline.js
    does the same for browsers that ignore it)."""
    return render_template("pupil/ended.html"), 403, WIPE_TABLET


# The HTTP cache (and with it the back/forward cache) and the tablet's own
# store: its queue of unsent answers, its copies of pages, its service worker.
WIPE_TABLET = {"Clear-Site-Data": '"cache", "storage"'}


def to_finished_page():
    """Nothing is shown or saved once the pupil has finished: the tablet goes
    to the finished page, by redirect or, for a script, by saying so (409)."""
    target = url_for("pupil.done")
    if request.headers.get("HX-Request"):
        return "", 409, {"HX-Redirect": target}
    return redirect(target, 303)


@bp.context_processor
def tablet_settings():
    """What offline.js needs on every pupil page: which voice this is, and
    the version of the pages the tablet should keep (tablet.py)."""
    if g.get("section") is None or g.get("pupil") is None:
        return {}
    return {
        "tablet_version": tablet.version(
            get_db(), g.section, g.pupil, g.meeting, g.steps
        ),
        "tablet_closed": sections.is_closed(g.section),
    }


@bp.get("/")
@pupil_required
def resume():
    """Where a pupil picks up: the first question not yet answered."""
    saved = answers.for_section(get_db(), g.section["id"])
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
    # Where Continue goes: the server's redirect, and offline.js's own way on.
    if returning or index + 1 == len(g.steps):
        next_page = url_for("pupil.check")
    else:
        next_page = url_for("pupil.question", step_id=g.steps[index + 1].id)
    errors = {}
    failed = False
    if request.method == "POST":
        draft, errors = answers.parse(
            step, request.form, current_app.config["ANSWER_MAX_CHARS"]
        )
        action = request.form.get("action", "answer")
        status = {"skip": "skipped", "not_sure": "not_sure"}.get(action)
        client = answers.ClientSave.parse(request.form.get("client_id"))
        if not errors:
            try:
                answers.save(db, g.section, step, draft, status, client)
            except sqlite3.OperationalError as error:
                # Waited the whole busy timeout, or the disk is full: say so,
                # and give the page back with the answer still on it.
                if not storage_unavailable(error):
                    raise
                failed = True
        if request.headers.get("HX-Request"):
            saved = not errors and not failed
            # The tablet counts a save as made only when told so, by its own
            # id; 503 tells it to keep the save and send it again later.
            headers = {"X-Recorded": client.id} if saved and client else {}
            return (
                render_template(
                    "pupil/_save_status.html",
                    saved=saved,
                    failed=failed,
                    errors=errors,
                ),
                (503 if failed else 200),
                headers,
            )
        if not errors and not failed:
            return redirect(next_page)
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
        next_page=next_page,
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
    # Back must not bring the answers back from the browser's own caches.
    return redirect(url_for("pupil.done")), 302, {"Clear-Site-Data": '"cache"'}


@bp.get("/done")
@pupil_required
def done():
    if not sections.is_closed(g.section):
        return redirect(url_for("pupil.resume"))
    return render_template("pupil/done.html")


@bp.post("/talk")
@pupil_required
def talk():
    step_id = request.form.get("step")
    if find(g.steps, step_id or "") is None:
        step_id = None
    client = answers.ClientSave.parse(request.form.get("client_id"))
    try:
        sections.raise_flag(get_db(), g.section, step_id, client and client.id)
    except sqlite3.OperationalError as error:
        if not storage_unavailable(error):
            raise
        # Not recorded: the child is told so in their own words, and can
        # press it again (a tablet with JavaScript keeps it and sends it).
        if request.headers.get("HX-Request"):
            return "", 503, {"Retry-After": "5"}
        return _talk_page(step_id, state="not_sent"), 503, {"Retry-After": "5"}
    if request.headers.get("HX-Request"):
        return "", 200, {"X-Recorded": client.id} if client else {}
    return redirect(url_for("pupil.talked", step=step_id))


@bp.get("/talk")
@pupil_required
def talked():
    step_id = request.args.get("step")
    if find(g.steps, step_id or "") is None:
        step_id = None
    # Said to be on its way only when an adult has a flag waiting for them.
    sent = sections.has_open_flag(get_db(), g.section["id"])
    return _talk_page(step_id, state="sent" if sent else "not_sent")


def _talk_page(step_id: str | None, state: str):
    finished = sections.is_closed(g.section)
    return render_template(
        "pupil/talk.html",
        back=url_for("pupil.done") if finished else _back_to(step_id),
        step_id=step_id or "",
        state=state,
        finished=finished,
    )


def _back_to(step_id: str | None) -> str:
    if step_id and find(g.steps, step_id):
        return url_for("pupil.question", step_id=step_id)
    return url_for("pupil.resume")


@bp.get("/waiting")
@pupil_required
def waiting():
    """Shown by the tablet, offline, for a page it has not kept."""
    return render_template("pupil/waiting.html")


@bp.get("/tablet.json")
@pupil_required
def tablet_pages():
    return jsonify(tablet.manifest(get_db(), g.section, g.pupil, g.meeting, g.steps))


@bp.get("/sw.js")
@pupil_required
def service_worker():
    """The tablet's worker, served from here so that it may look after every
    page under /pupil/ (a worker's reach is the folder it is served from)."""
    return Response(
        (STATIC / "js" / "tablet-sw.js").read_bytes(),
        content_type="text/javascript; charset=utf-8",
    )


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
            # Nothing of the pupil's stays on the tablet for the next person.
            return (
                redirect(url_for("staff.pupil", pupil_id=g.section["pupil_id"])),
                302,
                WIPE_TABLET,
            )
        else:
            throttle.failed(db, names)
            audit.record(
                db, g.staff["id"], "pupil_mode_unlock_failed", g.section["pupil_id"]
            )
            form.password.errors.append(
                _("That password is not right. Check it and try again.")
            )
    return render_template("pupil/teacher.html", form=form)
