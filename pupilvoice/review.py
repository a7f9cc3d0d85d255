"""Reading a pupil's voice section, adding adult notes, and exporting it.

The pupil's words are shown, never edited. Every export is recorded (who,
when, which format) and only a finished section can be exported.
"""

from flask import (
    Blueprint,
    Response,
    abort,
    g,
    redirect,
    render_template,
    url_for,
)

from . import answers, audit, exports, meetings, sections, voice
from .auth import staff_required
from .db import get_db
from .forms import NoteForm
from .journey import steps_for
from .paths import STATIC

bp = Blueprint("review", __name__, url_prefix="/staff/voice/<int:section_id>")

DOWNLOADS = {
    "pdf": ("application/pdf", "pdf"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "json": ("application/json", "json"),
    "csv": ("text/csv; charset=utf-8", "csv"),
}


def section_or_404(section_id: int) -> tuple[dict, dict]:
    found = sections.for_staff(get_db(), g.staff, section_id)
    if found is None:
        abort(404)
    return found


@bp.get("/")
@staff_required
def read(section_id, note_form=None):
    section, pupil = section_or_404(section_id)
    db = get_db()
    audit.record_read(db, g.staff["id"], "viewed_answers", pupil["id"])
    meeting = next(
        db.query("SELECT * FROM meetings WHERE id = ?", [section["meeting_id"]])
    )
    return render_template(
        "staff/review.html",
        pupil=pupil,
        section=section,
        meeting=meeting,
        steps=steps_for(section["band"], meetings.targets(db, meeting["id"])),
        saved=answers.for_section(db, section_id),
        flags=sections.flags_for(db, section_id),
        notes=sections.notes(db, section_id),
        history=sections.export_history(db, section_id),
        status_labels=sections.STATUS_LABELS,
        finished=sections.is_finished(section),
        note_form=note_form or NoteForm(formdata=None),
    ), (400 if note_form and note_form.errors else 200)


@bp.post("/notes")
@staff_required
def add_note(section_id):
    section, _pupil = section_or_404(section_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return read(section_id=section_id, note_form=form)
    sections.add_note(get_db(), section, g.staff, form.text.data.strip())
    return redirect(url_for(".read", section_id=section_id, _anchor="notes"))


@bp.post("/reviewed")
@staff_required
def mark_reviewed(section_id):
    section, _pupil = section_or_404(section_id)
    if g.staff["role"] != "teacher" or not sections.is_finished(section):
        abort(404)
    sections.mark_reviewed(get_db(), section, g.staff)
    return redirect(url_for(".read", section_id=section_id))


@bp.post("/imported")
@staff_required
def mark_imported(section_id):
    section, _pupil = section_or_404(section_id)
    if g.staff["role"] != "social_worker" or not sections.is_finished(section):
        abort(404)
    sections.mark_imported(get_db(), section, g.staff)
    return redirect(url_for(".read", section_id=section_id))


def _not_finished(pupil):
    return render_template("staff/not_finished.html", pupil=pupil), 409


@bp.get("/export/<fmt>")
@staff_required
def export(section_id, fmt):
    if fmt not in DOWNLOADS:
        abort(404)
    section, pupil = section_or_404(section_id)
    if not sections.is_finished(section):
        return _not_finished(pupil)
    db = get_db()
    content_type, extension = DOWNLOADS[fmt]
    # Made in full first: only what is ready to leave is recorded as exported.
    response = Response(
        render(db, section_id, fmt),
        content_type=content_type,
        headers=exports.attachment(filename(pupil, section, extension)),
    )
    sections.record_export(db, section, g.staff, fmt)
    return response


@bp.get("/text")
@staff_required
def text(section_id):
    section, pupil = section_or_404(section_id)
    if not sections.is_finished(section):
        return _not_finished(pupil)
    db = get_db()
    doc = voice.build(db, section_id)
    sections.record_export(db, section, g.staff, "text")
    return render_template(
        "staff/text.html",
        pupil=pupil,
        section=section,
        doc=doc,
        texts=exports.to_text(doc),
    )


def render(db, section_id: int, fmt: str) -> bytes | str:
    """One voice section in one format: the web, the command line and the admin's
    zip all come through here."""
    doc = voice.build(db, section_id)
    if fmt == "pdf":
        return exports.to_pdf(doc, STATIC)
    if fmt == "docx":
        return exports.to_docx(doc)
    if fmt == "json":
        return exports.to_json(doc)
    if fmt == "csv":
        # The byte-order mark tells Excel the file is UTF-8.
        return "\ufeff" + exports.to_csv(doc)
    return exports.to_plain_text(doc)


def filename(pupil: dict, section: dict, extension: str) -> str:
    """The PEP reference as typed, in any script; exports.attachment() gives
    browsers that cannot read that a plain-letters copy."""
    reference = pupil["pep_reference"] or f"pupil-{pupil['id']}"
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in reference)
    return f"pupil-voice-{safe}-{section['id']}.{extension}"
