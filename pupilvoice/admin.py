"""The Virtual School admin: schools, staff accounts, retention, the audit log,
and exports in bulk."""

import io
import zipfile

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from wtforms import SelectChoice

from . import audit, exports, formats, retention, sections
from .access import requires
from .db import get_db
from .forms import (
    AuditFilterForm,
    ExportRangeForm,
    RetentionForm,
    SchoolForm,
    StaffForm,
)
from .i18n import gettext as _
from .passwords import hash_password

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _schools(db):
    return list(
        db.query(
            "SELECT * FROM schools WHERE virtual_school_id = ? ORDER BY name",
            [g.staff["virtual_school_id"]],
        )
    )


@bp.get("/")
@requires("run_virtual_school")
def home(school_form=None, staff_form=None, export_form=None, retention_form=None):
    db = get_db()
    retention_form = retention_form or RetentionForm(
        formdata=None,
        days=retention.days_for(
            db, g.staff["virtual_school_id"], current_app.config["RETENTION_DAYS"]
        ),
    )
    staff_form = staff_form or StaffForm(formdata=None)
    staff_form.school.choices = _school_choices(db)
    return render_template(
        "admin/home.html",
        schools=_schools(db),
        people=list(
            db.query(
                """
                SELECT s.name, s.email, s.role, sc.name AS school
                FROM staff s LEFT JOIN schools sc ON sc.id = s.school_id
                WHERE s.virtual_school_id = ? ORDER BY s.role, s.name
                """,
                [g.staff["virtual_school_id"]],
            )
        ),
        school_form=school_form or SchoolForm(formdata=None),
        staff_form=staff_form,
        export_form=export_form or ExportRangeForm(formdata=None),
        retention_form=retention_form,
    ), (
        400
        if any(
            f and f.errors
            for f in (school_form, staff_form, export_form, retention_form)
        )
        else 200
    )


def _school_choices(db):
    return [SelectChoice(0, _("Not a designated teacher"))] + [
        SelectChoice(s["id"], s["name"]) for s in _schools(db)
    ]


@bp.post("/schools")
@requires("run_virtual_school")
def add_school():
    form = SchoolForm()
    if not form.validate_on_submit():
        return home(school_form=form)
    db = get_db()
    db["schools"].insert(
        {
            "virtual_school_id": g.staff["virtual_school_id"],
            "name": form.name.data.strip(),
        }
    )
    audit.record(db, g.staff["id"], "school_added")
    flash(_("School added."))
    return redirect(url_for(".home"))


@bp.post("/staff")
@requires("run_virtual_school")
def add_staff():
    db = get_db()
    form = StaffForm()
    form.school.choices = _school_choices(db)
    if not form.validate_on_submit():
        return home(staff_form=form)
    db["staff"].insert(
        {
            "virtual_school_id": g.staff["virtual_school_id"],
            "school_id": form.school.data if form.role.data == "teacher" else None,
            "email": form.email.data.strip(),
            "name": form.name.data.strip(),
            "role": form.role.data,
            "password_hash": hash_password(form.password.data),
        }
    )
    audit.record(db, g.staff["id"], "staff_added", detail=form.role.data)
    flash(_("Account made. Give them their first password in person."))
    return redirect(url_for(".home"))


@bp.post("/export")
@requires("run_virtual_school")
def export_range():
    form = ExportRangeForm()
    if not form.validate_on_submit():
        return home(export_form=form)
    db = get_db()
    ids = sections.finished_between(
        db, g.staff, form.start.date.isoformat(), form.end.date.isoformat()
    )
    if not ids:
        form.start.errors.append(
            _("No voice sections were finished between those dates")
        )
        return home(export_form=form)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for section_id in ids:
            for key in formats.BULK:
                archive.writestr(
                    f"voice-{section_id}.{formats.FORMATS[key].extension}",
                    formats.render(db, section_id, key, g.staff),
                )
    name = f"pupil-voice-{form.start.date}-to-{form.end.date}.zip"
    response = Response(
        buffer.getvalue(),
        mimetype="application/zip",
        headers=exports.attachment(name),
    )
    # Recorded once the whole file is made, all in one transaction.
    with db.atomic():
        for section_id in ids:
            sections.record_export(db, sections.get(db, section_id), g.staff, "zip")
    return response


@bp.post("/retention")
@requires("run_virtual_school")
def set_retention():
    form = RetentionForm()
    if not form.validate_on_submit():
        return home(retention_form=form)
    db = get_db()
    retention.set_days(db, g.staff["virtual_school_id"], form.days.data)
    audit.record(db, g.staff["id"], "retention_changed", detail=str(form.days.data))
    flash(_("Answers will be deleted %(days)d days after import.", days=form.days.data))
    return redirect(url_for(".home"))


@bp.get("/audit")
@requires("run_virtual_school")
def audit_log():
    db = get_db()
    form = AuditFilterForm(request.args)
    form.validate()
    # Only this Virtual School's rows: by whoever did it, or whose record it was.
    joins = """
        FROM audit_log a
        LEFT JOIN staff st ON st.id = a.staff_id
        LEFT JOIN pupils p ON p.id = a.pupil_id
        LEFT JOIN schools s ON s.id = p.school_id
    """
    where = ["(st.virtual_school_id = ? OR s.virtual_school_id = ?)"]
    params: list = [g.staff["virtual_school_id"]] * 2
    actions = [
        row["action"]
        for row in db.query(
            f"SELECT DISTINCT a.action {joins} WHERE {where[0]} ORDER BY a.action",  # noqa: S608 - fixed strings
            params,
        )
    ]
    form.action.choices = [SelectChoice("", _("Everything"))] + [
        SelectChoice(a, a.replace("_", " ")) for a in actions
    ]
    if form.action.data:
        where.append("a.action = ?")
        params.append(form.action.data)
    if form.pupil.data and not form.pupil.errors:
        where.append("p.pep_reference = ?")
        params.append(form.pupil.data)
    rows = list(
        db.query(
            f"""
            SELECT a.at, a.action, a.detail, st.name AS who,
                p.preferred_name, p.pep_reference, a.pupil_id
            {joins}
            WHERE {" AND ".join(where)}
            ORDER BY a.id DESC LIMIT 500
            """,  # noqa: S608 - the clauses are fixed strings above
            params,
        )
    )
    return render_template("admin/audit.html", form=form, rows=rows)


@bp.route("/pupils/<int:pupil_id>/delete", methods=["GET", "POST"])
@requires("run_virtual_school")
def delete_pupil(pupil_id):
    db = get_db()
    pupil = g.target.pupil
    if request.method == "POST":
        retention.delete_pupil(db, g.staff, pupil_id)
        flash(_("%(name)s's record has been deleted.", name=pupil["preferred_name"]))
        return redirect(url_for("staff.pupils"))
    return render_template("admin/delete_pupil.html", pupil=pupil)
