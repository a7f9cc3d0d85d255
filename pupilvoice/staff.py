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

from . import access, audit, auth, i18n, meetings, pupils, sections
from .access import requires
from .db import get_db
from .forms import PupilForm, StartPupilModeForm
from .i18n import gettext as _
from .questions import FACES, SCRIBE_BANDS

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.app_context_processor
def talk_flags():
    """Every staff page shows unseen "talk to someone" flags first."""
    if g.get("staff") is None or g.get("section") is not None:
        return {}
    return {"talk_flags": sections.open_flags(get_db(), g.staff)}


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
def pupil(pupil_id, start_form=None):
    db = get_db()
    record = g.target.pupil
    meeting = meetings.current_meeting(db, pupil_id)
    section = sections.for_meeting(db, meeting["id"]) if meeting else None
    if start_form is None:
        start_form = StartPupilModeForm(
            band=record["band"],
            language=record["language"],
            scribe=record["band"] in SCRIBE_BANDS,
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
        status_labels=sections.STATUS_LABELS,
    ), (400 if start_form.errors else 200)


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


@bp.post("/flags/<int:flag_id>/seen")
@requires("see_flag")
def flag_seen(flag_id):
    if not sections.mark_flag_seen(get_db(), g.staff, flag_id):
        abort(404)
    return redirect(url_for("staff.pupils"))
