"""Staff pages: the pupils a person is responsible for, and starting pupil mode."""

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from . import answers, audit, auth, i18n, pupils, sections
from .auth import staff_required
from .db import get_db
from .forms import AttendeeForm, StartPupilModeForm
from .journey import steps_for
from .questions import SCRIBE_BANDS

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.app_context_processor
def talk_flags():
    """Every staff page shows unseen "talk to someone" flags first."""
    if g.get("staff") is None or g.get("section") is not None:
        return {}
    return {"talk_flags": sections.open_flags(get_db(), g.staff)}


def pupil_or_404(pupil_id: int) -> dict:
    pupil = pupils.get(get_db(), g.staff, pupil_id)
    if pupil is None:
        abort(404)
    return pupil


@bp.get("/pupils", endpoint="pupils")
@staff_required
def pupils_list():
    return render_template(
        "staff/pupils.html",
        pupils=pupils.visible(get_db(), g.staff),
        status_labels=sections.STATUS_LABELS,
    )


@bp.get("/pupils/<int:pupil_id>")
@staff_required
def pupil(pupil_id, start_form=None, attendee_form=None):
    db = get_db()
    record = pupil_or_404(pupil_id)
    meeting = pupils.current_meeting(db, pupil_id)
    section = sections.for_meeting(db, meeting["id"]) if meeting else None
    if start_form is None:
        start_form = StartPupilModeForm(
            band=record["band"],
            language=record["language"],
            scribe=record["band"] in SCRIBE_BANDS,
        )
    start_form.language.choices = language_choices()
    steps = saved = None
    if section:
        targets = pupils.targets(db, meeting["id"])
        steps = steps_for(section["band"], targets)
        saved = answers.for_section(db, section["id"])
        audit.record(db, g.staff["id"], "viewed_answers", pupil_id)
    return render_template(
        "staff/pupil.html",
        pupil=record,
        meeting=meeting,
        section=section,
        attendees=pupils.attendees(db, meeting["id"]) if meeting else [],
        targets=pupils.targets(db, meeting["id"]) if meeting else [],
        steps=steps,
        saved=saved,
        start_form=start_form,
        attendee_form=attendee_form or AttendeeForm(formdata=None),
        status_labels=sections.STATUS_LABELS,
    ), (400 if _has_errors(start_form, attendee_form) else 200)


def _has_errors(*forms) -> bool:
    return any(form is not None and form.errors for form in forms)


def language_choices() -> list[SelectChoice]:
    return [SelectChoice(code, i18n.LANGUAGE_NAMES[code]) for code in i18n.available()]


@bp.post("/pupils/<int:pupil_id>/pupil-mode")
@staff_required
def start_pupil_mode(pupil_id):
    db = get_db()
    record = pupil_or_404(pupil_id)
    meeting = pupils.current_meeting(db, pupil_id)
    form = StartPupilModeForm()
    form.language.choices = language_choices()
    if meeting is None:
        flash(_("Add a meeting date before starting pupil mode."))
        return redirect(url_for("staff.pupil", pupil_id=pupil_id))
    if not form.validate_on_submit():
        return pupil(pupil_id=pupil_id, start_form=form)
    section = sections.start(
        db,
        pupil=record,
        meeting=meeting,
        band=form.band.data,
        language=form.language.data,
        scribe=form.scribe.data,
        staff=g.staff,
    )
    auth.set_pupil_mode(section["id"])
    return redirect(url_for("pupil.resume"))


@bp.post("/pupils/<int:pupil_id>/attendees")
@staff_required
def add_attendee(pupil_id):
    db = get_db()
    pupil_or_404(pupil_id)
    meeting = pupils.current_meeting(db, pupil_id)
    if meeting is None:
        abort(404)
    form = AttendeeForm()
    if not form.validate_on_submit():
        return pupil(pupil_id=pupil_id, attendee_form=form)
    pupils.add_attendee(db, meeting["id"], form.name.data.strip(), form.role.data)
    audit.record(db, g.staff["id"], "attendee_added", pupil_id)
    return redirect(url_for("staff.pupil", pupil_id=pupil_id, _anchor="people"))


@bp.post("/pupils/<int:pupil_id>/attendees/<int:attendee_id>/remove")
@staff_required
def remove_attendee(pupil_id, attendee_id):
    db = get_db()
    pupil_or_404(pupil_id)
    meeting = pupils.current_meeting(db, pupil_id)
    if meeting is None:
        abort(404)
    pupils.remove_attendee(db, meeting["id"], attendee_id)
    audit.record(db, g.staff["id"], "attendee_removed", pupil_id)
    return redirect(url_for("staff.pupil", pupil_id=pupil_id, _anchor="people"))


@bp.post("/flags/<int:flag_id>/seen")
@staff_required
def flag_seen(flag_id):
    if not sections.mark_flag_seen(get_db(), g.staff, flag_id):
        abort(404)
    return redirect(url_for("staff.pupils"))
