"""Preparing a PEP meeting, and recording what it agreed ("you said, we did").

Every route is `access.requires("prepare_meeting")`, which checks the pupil
is in the signed-in person's scope; each then checks the meeting is that
pupil's. Anything else is a 404.
"""

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from . import audit, meetings, sections
from .access import requires
from .db import get_db
from .forms import AttendeeForm, MeetingForm, OutcomeForm, TargetForm
from .i18n import REGIONAL, force_locale, ngettext

bp = Blueprint("prepare", __name__, url_prefix="/staff/pupils/<int:pupil_id>/meetings")


def meeting_or_404(pupil_id: int, meeting_id: int) -> tuple[dict, dict]:
    pupil = g.target.pupil
    meeting = meetings.get(get_db(), pupil_id, meeting_id)
    if meeting is None:
        abort(404)
    return pupil, meeting


def _meeting_values(form: MeetingForm) -> dict:
    return {
        "date": form.date.date.isoformat(),
        "time": (form.time.data or "").strip() or None,
        "place": (form.place.data or "").strip() or None,
    }


@bp.route("/new", methods=["GET", "POST"])
@requires("prepare_meeting")
def new_meeting(pupil_id):
    pupil = g.target.pupil
    form = MeetingForm()
    if form.validate_on_submit():
        meeting_id = meetings.save(get_db(), pupil_id, _meeting_values(form))
        if meeting_id is not None:
            audit.record(get_db(), g.staff["id"], "meeting_added", pupil_id)
            return redirect(
                url_for(".meeting", pupil_id=pupil_id, meeting_id=meeting_id)
            )
        form.date.errors.append(_too_many_meetings())
    return render_template("staff/new_meeting.html", pupil=pupil, form=form), (
        400 if form.errors else 200
    )


@bp.get("/<int:meeting_id>")
@requires("prepare_meeting")
def meeting(pupil_id, meeting_id, **forms):
    pupil, record = meeting_or_404(pupil_id, meeting_id)
    db = get_db()
    section = sections.for_meeting(db, meeting_id)
    details = forms.get("details") or MeetingForm(
        formdata=None, data={**record, "date": record["date"]}
    )
    return render_template(
        "staff/meeting.html",
        pupil=pupil,
        meeting=record,
        section=section,
        attendees=meetings.attendees(db, meeting_id),
        targets=meetings.targets(db, meeting_id),
        checklist=meetings.checklist(db, record, section),
        statuses=meetings.CHECKLIST_STATUSES,
        outcomes=meetings.outcomes(db, meeting_id),
        details=details,
        attendee_form=forms.get("attendee") or AttendeeForm(formdata=None),
        target_form=forms.get("target") or TargetForm(formdata=None),
        outcome_form=forms.get("outcome") or OutcomeForm(formdata=None),
        next_form=forms.get("next") or MeetingForm(formdata=None),
    ), (400 if any(f.errors for f in forms.values()) else 200)


def _back(pupil_id, meeting_id, anchor):
    return redirect(
        url_for(".meeting", pupil_id=pupil_id, meeting_id=meeting_id, _anchor=anchor)
    )


@bp.post("/<int:meeting_id>/details")
@requires("prepare_meeting")
def update_details(pupil_id, meeting_id):
    meeting_or_404(pupil_id, meeting_id)
    form = MeetingForm()
    if not form.validate_on_submit():
        return meeting(pupil_id=pupil_id, meeting_id=meeting_id, details=form)
    meetings.save(get_db(), pupil_id, _meeting_values(form), meeting_id)
    audit.record(get_db(), g.staff["id"], "meeting_changed", pupil_id)
    return _back(pupil_id, meeting_id, "details")


@bp.post("/<int:meeting_id>/attendees")
@requires("prepare_meeting")
def add_attendee(pupil_id, meeting_id):
    meeting_or_404(pupil_id, meeting_id)
    form = AttendeeForm()
    if not form.validate_on_submit():
        return meeting(pupil_id=pupil_id, meeting_id=meeting_id, attendee=form)
    if not meetings.add_attendee(
        get_db(), meeting_id, form.name.data.strip(), form.role.data
    ):
        form.name.errors.append(
            ngettext(
                "A meeting can have up to %(num)d person. Remove someone to add "
                "another.",
                "A meeting can have up to %(num)d people. Remove someone to add "
                "another.",
                meetings.MAX_ATTENDEES,
            )
        )
        return meeting(pupil_id=pupil_id, meeting_id=meeting_id, attendee=form)
    audit.record(get_db(), g.staff["id"], "attendee_added", pupil_id)
    return _back(pupil_id, meeting_id, "people")


@bp.post("/<int:meeting_id>/attendees/<int:attendee_id>/remove")
@requires("prepare_meeting")
def remove_attendee(pupil_id, meeting_id, attendee_id):
    meeting_or_404(pupil_id, meeting_id)
    if not meetings.remove_attendee(get_db(), meeting_id, attendee_id):
        abort(404)
    audit.record(get_db(), g.staff["id"], "attendee_removed", pupil_id)
    return _back(pupil_id, meeting_id, "people")


@bp.post("/<int:meeting_id>/targets")
@requires("prepare_meeting")
def add_target(pupil_id, meeting_id):
    meeting_or_404(pupil_id, meeting_id)
    form = TargetForm()
    if not form.validate_on_submit():
        return meeting(pupil_id=pupil_id, meeting_id=meeting_id, target=form)
    if not meetings.add_target(get_db(), meeting_id, form.text.data.strip()):
        form.text.errors.append(
            ngettext(
                "A meeting can have up to %(num)d target. Remove one to add another.",
                "A meeting can have up to %(num)d targets. Remove one to add another.",
                meetings.MAX_TARGETS,
            )
        )
        return meeting(pupil_id=pupil_id, meeting_id=meeting_id, target=form)
    return _back(pupil_id, meeting_id, "targets")


@bp.post("/<int:meeting_id>/targets/<int:target_id>/remove")
@requires("prepare_meeting")
def remove_target(pupil_id, meeting_id, target_id):
    meeting_or_404(pupil_id, meeting_id)
    if not meetings.remove_target(get_db(), meeting_id, target_id):
        abort(404)
    return _back(pupil_id, meeting_id, "targets")


@bp.post("/<int:meeting_id>/checklist")
@requires("prepare_meeting")
def update_checklist(pupil_id, meeting_id):
    meeting_or_404(pupil_id, meeting_id)
    item = request.form.get("item")
    status = request.form.get("status")
    if item not in meetings.CHECKLIST or status not in meetings.CHECKLIST_STATUSES:
        abort(404)
    meetings.set_checklist(get_db(), meeting_id, item, status, g.staff["id"])
    return _back(pupil_id, meeting_id, "checklist")


@bp.post("/<int:meeting_id>/outcomes")
@requires("prepare_meeting")
def add_outcome(pupil_id, meeting_id):
    meeting_or_404(pupil_id, meeting_id)
    form = OutcomeForm()
    if not form.validate_on_submit():
        return meeting(pupil_id=pupil_id, meeting_id=meeting_id, outcome=form)
    if not meetings.add_outcome(
        get_db(),
        meeting_id,
        form.what.data.strip(),
        form.who.data.strip(),
        form.by_when.date.isoformat(),
    ):
        form.what.errors.append(
            ngettext(
                "A meeting can have up to %(num)d outcome. Remove one to add another.",
                "A meeting can have up to %(num)d outcomes. Remove one to add another.",
                meetings.MAX_OUTCOMES,
            )
        )
        return meeting(pupil_id=pupil_id, meeting_id=meeting_id, outcome=form)
    audit.record(get_db(), g.staff["id"], "outcome_added", pupil_id)
    return _back(pupil_id, meeting_id, "outcomes")


@bp.post("/<int:meeting_id>/outcomes/<int:outcome_id>/remove")
@requires("prepare_meeting")
def remove_outcome(pupil_id, meeting_id, outcome_id):
    meeting_or_404(pupil_id, meeting_id)
    if not meetings.remove_outcome(get_db(), meeting_id, outcome_id):
        abort(404)
    return _back(pupil_id, meeting_id, "outcomes")


@bp.post("/<int:meeting_id>/next")
@requires("prepare_meeting")
def plan_next(pupil_id, meeting_id):
    _pupil, record = meeting_or_404(pupil_id, meeting_id)
    form = MeetingForm()
    if not form.validate_on_submit():
        return meeting(pupil_id=pupil_id, meeting_id=meeting_id, next=form)
    next_id = meetings.plan_next(get_db(), pupil_id, record, _meeting_values(form))
    if next_id is None:
        form.date.errors.append(_too_many_meetings())
        return meeting(pupil_id=pupil_id, meeting_id=meeting_id, next=form)
    audit.record(get_db(), g.staff["id"], "meeting_added", pupil_id)
    return redirect(url_for(".meeting", pupil_id=pupil_id, meeting_id=next_id))


def _too_many_meetings() -> str:
    return ngettext(
        "This pupil already has %(num)d meeting, the most PupilVoice keeps. "
        "Change the date of one instead.",
        "This pupil already has %(num)d meetings, the most PupilVoice keeps. "
        "Change the date of one instead.",
        meetings.MAX_MEETINGS,
    )


@bp.get("/<int:meeting_id>/outcome-sheet")
@requires("prepare_meeting")
def outcome_sheet(pupil_id, meeting_id):
    """A one-page sheet for the pupil, in their band's words and their language."""
    pupil, record = meeting_or_404(pupil_id, meeting_id)
    db = get_db()
    section = sections.for_meeting(db, meeting_id)
    language = section["language"] if section else pupil["language"]
    band = section["band"] if section else pupil["band"]
    with force_locale(REGIONAL.get(language, language)):
        html = render_template(
            "staff/outcome_sheet.html",
            pupil=pupil,
            meeting=record,
            outcomes=meetings.outcomes(db, meeting_id),
            young=band in ("early", "ks2"),
        )
    return html
