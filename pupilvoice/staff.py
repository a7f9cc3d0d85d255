"""Staff pages: the pupils a person is responsible for, and handing over the tablet."""

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    url_for,
)
from wtforms import SelectChoice

from . import access, audit, auth, i18n, meetings, pupils, retention, sections, throttle
from .access import requires
from .db import get_db
from .forms import PupilForm, ReopenForm, StartPupilModeForm
from .i18n import gettext as _
from .passwords import check_password
from .questions import FACES, SCRIBE_BANDS

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.app_context_processor
def talk_flags():
    """Every staff page shows first how many "talk to someone" flags wait, as
    a count with a link to the list: never a name, because the child who has
    just handed the tablet back may be looking at the screen."""
    if g.get("staff") is None or g.get("section") is not None:
        return {}
    return {"talk_flag_count": len(sections.open_flags(get_db(), g.staff))}


def language_choices() -> list[SelectChoice]:
    return [SelectChoice(code, i18n.language_label(code)) for code in i18n.available()]


@bp.get("/pupils", endpoint="pupils")
@requires("see_pupils")
def pupils_list():
    return render_template(
        "staff/pupils.html",
        pupils=pupils.visible(get_db(), g.staff),
        # Translated once, not once a row.
        status_labels={k: str(v) for k, v in sections.STATUS_LABELS.items()},
        can_add=g.staff["role"] in ("teacher", "admin"),
    )


@bp.route("/pupils/new", methods=["GET", "POST"])
@requires("add_pupil")
def add_pupil():
    db = get_db()
    form = PupilForm()
    schools = pupils.schools_for(db, g.staff)
    form.school.choices = [SelectChoice(s["id"], s["name"]) for s in schools]
    form.social_worker.choices = [
        SelectChoice(s["id"], s["name"]) for s in pupils.social_workers(db, g.staff)
    ]
    form.language.choices = language_choices()
    if form.validate_on_submit():
        pupil_id = pupils.add(
            db,
            g.staff,
            preferred_name=form.preferred_name.data.strip(),
            year_group=int(form.year_group.data),
            school_id=form.school.data,
            social_worker_id=form.social_worker.data,
            language=form.language.data,
            pep_reference=(form.pep_reference.data or "").strip() or None,
        )
        if pupil_id is None:
            abort(404)
        audit.record(db, g.staff["id"], "pupil_added", pupil_id)
        flash(_("Pupil added. Now set up their next PEP meeting."))
        return redirect(url_for("prepare.new_meeting", pupil_id=pupil_id))
    return render_template("staff/add_pupil.html", form=form), (
        400 if form.errors else 200
    )


@bp.get("/pupils/<int:pupil_id>")
@requires("see_pupil")
def pupil(pupil_id, start_form=None, reopen_form=None):
    db = get_db()
    record = g.target.pupil
    meeting = meetings.current_meeting(db, pupil_id)
    section = sections.for_meeting(db, meeting["id"]) if meeting else None
    if start_form is None:
        # Carrying on keeps the band already chosen, so no answer is hidden.
        band = section["band"] if section else record["band"]
        start_form = StartPupilModeForm(
            band=band,
            language=section["language"] if section else record["language"],
            scribe=bool(section["scribe"]) if section else band in SCRIBE_BANDS,
        )
    start_form.language.choices = language_choices()
    feelings = [
        access.as_shown(g.staff, row) if row["status"] else row
        for row in meetings.feelings_by_term(db, pupil_id)
    ]
    if feelings:
        # "How school feels, term by term" shows the pupil's own answers.
        audit.record_read(db, g.staff["id"], "viewed_answers", pupil_id)
    return render_template(
        "staff/pupil.html",
        pupil=record,
        meeting=meeting,
        section=section,
        checklist=meetings.checklist(db, meeting, section) if meeting else [],
        history=meetings.for_pupil(db, pupil_id),
        feelings=feelings,
        faces={c.id: c for c in FACES},
        start_form=start_form,
        reopen_form=reopen_form or ReopenForm(),
        section_status=sections.shown_status(section),
        status_labels=sections.STATUS_LABELS,
    ), (400 if start_form.errors or (reopen_form and reopen_form.errors) else 200)


@bp.post("/pupils/<int:pupil_id>/pupil-mode")
@requires("hand_over")
def start_pupil_mode(pupil_id):
    db = get_db()
    record = g.target.pupil
    meeting = meetings.current_meeting(db, pupil_id)
    form = StartPupilModeForm()
    form.language.choices = language_choices()
    if meeting is None:
        flash(_("Add a meeting date before starting pupil mode."))
        return redirect(url_for("staff.pupil", pupil_id=pupil_id))
    if not form.validate_on_submit():
        return pupil(pupil_id=pupil_id, start_form=form)
    existing = sections.for_meeting(db, meeting["id"])
    if existing and sections.is_closed(existing):
        # A finished voice is reopened only on purpose (the Reopen button),
        # and one whose answers were deleted takes no more.
        reason = "purged" if sections.is_purged(existing) else "finished"
        flash(not_open(reason, record["preferred_name"]))
        return redirect(url_for("staff.pupil", pupil_id=pupil_id))
    if (
        existing
        and existing["band"] != form.band.data
        and sections.has_answers(db, existing["id"])
    ):
        form.band.errors.append(
            _(
                "%(name)s has already answered some questions. Keep the same "
                "questions, so that none of the answers is hidden.",
                name=record["preferred_name"],
            )
        )
        return pupil(pupil_id=pupil_id, start_form=form)
    try:
        section = sections.start(
            db,
            pupil=record,
            meeting=meeting,
            band=form.band.data,
            language=form.language.data,
            scribe=form.scribe.data,
            staff=g.staff,
        )
    except sections.NotOpen as refused:  # finished meanwhile, in another tab
        flash(not_open(refused.reason, record["preferred_name"]))
        return redirect(url_for("staff.pupil", pupil_id=pupil_id))
    auth.set_pupil_mode(section["id"])
    return redirect(url_for("pupil.resume"))


def not_open(reason: str, name: str) -> str:
    if reason == "finished":
        return _(
            "%(name)s has finished. To let them change their answers, reopen "
            "them first.",
            name=name,
        )
    return _(
        "%(name)s's answers for this meeting were deleted at the end of the "
        "retention period. Set up their next meeting to hear from them again.",
        name=name,
    )


@bp.post("/pupils/<int:pupil_id>/reopen")
@requires("reopen")
def reopen_voice(pupil_id):
    """A teacher lets the pupil change a finished voice: their password again,
    and it is logged. Not one whose answers are deleted or due to be."""
    db = get_db()
    record, section = g.target.pupil, g.target.section
    if retention.past_retention(db, section):
        flash(not_open("purged", record["preferred_name"]))
        return redirect(url_for("staff.pupil", pupil_id=pupil_id))
    form = ReopenForm()
    if form.validate_on_submit():
        names = throttle.unlock_keys(g.device["id"])
        wait = throttle.seconds_to_wait(db, names)
        if wait:
            form.password.errors.append(auth.too_many_tries(wait))
        elif check_password(g.staff["password_hash"], form.password.data):
            throttle.succeeded(db, names)
            sections.reopen(db, section, g.staff)
            flash(
                _(
                    "Reopened. %(name)s can change their answers: hand the "
                    "tablet over below.",
                    name=record["preferred_name"],
                )
            )
            return redirect(url_for("staff.pupil", pupil_id=pupil_id))
        else:
            throttle.failed(db, names)
            form.password.errors.append(
                _("That password is not right. Check it and try again.")
            )
    return pupil(pupil_id=pupil_id, reopen_form=form)


@bp.get("/flags")
@requires("see_flag")
def flags():
    """Who wants to talk to someone: names only here, where the adult chose to look."""
    return render_template(
        "staff/flags.html", flags=sections.open_flags(get_db(), g.staff)
    )


@bp.post("/flags/<int:flag_id>/seen")
@requires("see_flag")
def flag_seen(flag_id):
    if not sections.mark_flag_seen(get_db(), g.staff, flag_id):
        abort(404)
    return redirect(url_for("staff.flags"))
