"""Reading a pupil's voice section, adding adult notes, and exporting it.

The pupil's words are shown, never edited. Who may do each of these, and who
reads what the pupil kept private, is `access`; what each format holds is
`formats`. Every export is recorded (who, when, which format) once it is made,
and only a finished section can be exported.
"""

from flask import (
    Blueprint,
    Response,
    abort,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from . import (
    access,
    answers,
    audit,
    exports,
    formats,
    i18n,
    meetings,
    sections,
    voice,
)
from .access import requires
from .db import get_db
from .forms import NoteForm, TranslationForm
from .journey import steps_for

bp = Blueprint("review", __name__, url_prefix="/staff/voice/<int:section_id>")


@bp.get("/")
@requires("read_voice")
def read(section_id, note_form=None, translation_form=None):
    section, pupil = g.target.section, g.target.pupil
    db = get_db()
    audit.record_read(db, g.staff["id"], "viewed_answers", pupil["id"])
    meeting = next(
        db.query("SELECT * FROM meetings WHERE id = ?", [section["meeting_id"]])
    )
    saved = {
        step: access.as_shown(g.staff, answer)
        for step, answer in answers.for_section(db, section_id).items()
    }
    shown = {step: a for step, a in saved.items() if a["text"]}
    return render_template(
        "staff/review.html",
        pupil=pupil,
        section=section,
        meeting=meeting,
        steps=steps_for(section["band"], meetings.targets(db, meeting["id"])),
        saved=saved,
        flags=sections.flags_for(db, section_id),
        notes=sections.notes(db, section_id),
        history=sections.export_history(db, section_id),
        status_labels=sections.STATUS_LABELS,
        formats=formats.FORMATS.values(),
        has_private=any(a and a["private"] for a in saved.values()),
        translations=answers.translations(db, section_id, shown),
        translation_form=translation_form,
        language_label=i18n.language_label,
        note_form=note_form or NoteForm(formdata=None),
    ), (400 if any(f and f.errors for f in (note_form, translation_form)) else 200)


@bp.post("/notes")
@requires("add_note")
def add_note(section_id):
    form = NoteForm()
    if not form.validate_on_submit():
        return read(section_id=section_id, note_form=form)
    sections.add_note(get_db(), g.target.section, g.staff, form.text.data.strip())
    return redirect(url_for(".read", section_id=section_id, _anchor="notes"))


@bp.post("/translations/<step_id>")
@requires("translate")
def translate(section_id, step_id):
    form = TranslationForm()
    if not form.validate_on_submit():
        form.step_id = step_id
        return read(section_id=section_id, translation_form=form)
    english = (form.text.data or "").strip()
    if not answers.translate(get_db(), g.target.section, step_id, english, g.staff):
        abort(404)
    return redirect(url_for(".read", section_id=section_id, _anchor=f"step-{step_id}"))


@bp.post("/reviewed")
@requires("mark_reviewed")
def mark_reviewed(section_id):
    sections.mark_reviewed(get_db(), g.target.section, g.staff)
    return redirect(url_for(".read", section_id=section_id))


@bp.post("/imported")
@requires("mark_imported")
def mark_imported(section_id):
    sections.mark_imported(get_db(), g.target.section, g.staff)
    return redirect(url_for(".read", section_id=section_id))


@bp.get("/export/<fmt>")
@requires("export")
def export(section_id, fmt):
    if fmt not in formats.DOWNLOADS:
        abort(404)
    return _download(fmt)


@bp.get("/private")
@requires("export_private")
def export_private(section_id):
    return _download("private")


def _download(key: str) -> Response:
    section, pupil = g.target.section, g.target.pupil
    db = get_db()
    fmt = formats.FORMATS[key]
    # Made in full first: only what is ready to leave is recorded as exported.
    response = Response(
        formats.render(db, section["id"], key, g.staff),
        content_type=fmt.media_type,
        headers=exports.attachment(formats.filename(pupil, section, key)),
    )
    # A HEAD request carries no file, so nothing has left.
    if request.method == "GET":
        sections.record_export(
            db, section, g.staff, key, for_the_pep=fmt.private == "left_out"
        )
    return response


@bp.get("/text")
@requires("export")
def text(section_id):
    """The paste text: shown to be copied into the council's PEP form, so showing
    it is the export, and is recorded as one."""
    section, pupil = g.target.section, g.target.pupil
    db = get_db()
    doc = voice.build(db, section_id, private=formats.FORMATS["text"].private)
    if request.method == "GET":
        sections.record_export(db, section, g.staff, "text")
    return render_template(
        "staff/text.html",
        pupil=pupil,
        section=section,
        doc=doc,
        texts=exports.to_text(doc),
        kept_back=exports.kept_back(doc),
    )
