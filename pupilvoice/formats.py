"""Every format a pupil's voice leaves the app in, and the one way to make one.

`FORMATS` is the registry (datasette's renderers are the model): each format's
name, renderer, media type, whether it goes in bulk (the admin's zip, the
command line's --all) and what it does with answers the pupil kept private.
The review page's buttons, the download route, the command line's choices and
the admin's zip all read it; `render()` is the only way in, from the web, the
command line and the zip alike.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlite_utils import Database

from . import access, exports, voice
from .i18n import lazy_gettext as _l
from .paths import STATIC


@dataclass(frozen=True)
class Format:
    key: str
    label: object
    media_type: str
    extension: str
    lay_out: Callable[[dict], bytes | str]
    # Goes in the admin's zip and the command line's --all.
    bulk: bool = False
    # "left_out": may go round the meeting or into the PEP, so holds no private
    # answer. "only": for the designated teacher and social worker alone.
    private: str = "left_out"
    # Shown as a page to copy from (the paste text), not downloaded, on the web.
    page: bool = False


def _csv(doc: dict) -> str:
    # The byte-order mark tells Excel the file is UTF-8.
    return "\ufeff" + exports.to_csv(doc)


FORMATS = {
    f.key: f
    for f in (
        Format(
            "pdf",
            _l("Meeting pack (PDF)"),
            "application/pdf",
            "pdf",
            lambda doc: exports.to_pdf(doc, STATIC),
        ),
        Format(
            "docx",
            _l("Word document"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
            exports.to_docx,
        ),
        Format(
            "text",
            _l("Text to copy and paste"),
            "text/plain; charset=utf-8",
            "txt",
            exports.to_plain_text,
            page=True,
        ),
        Format(
            "json",
            _l("ePEP import (JSON)"),
            "application/json",
            "json",
            exports.to_json,
            bulk=True,
        ),
        Format(
            "csv",
            _l("Spreadsheet (CSV)"),
            "text/csv; charset=utf-8",
            "csv",
            _csv,
            bulk=True,
        ),
        Format(
            "private",
            _l("Private answers (PDF): for the designated teacher and social worker"),
            "application/pdf",
            "pdf",
            lambda doc: exports.to_pdf(doc, STATIC, private_only=True),
            private="only",
        ),
    )
}
# What may go round the meeting, into the PEP, or out of the command line.
MEETING_PACK = tuple(k for k, f in FORMATS.items() if f.private == "left_out")
BULK = tuple(k for k, f in FORMATS.items() if f.bulk)
# What the review page's download route hands out as files.
DOWNLOADS = tuple(k for k in MEETING_PACK if not FORMATS[k].page)


class NotAllowed(Exception):
    """Asked for private answers by someone who may not have them."""


def render(db: Database, section_id: int, key: str, staff: dict | None) -> bytes | str:
    """One voice section in one format, for this person (None: the command
    line). What it holds of private answers is the format's, checked against
    `access.shows_private`; nothing else decides it."""
    fmt = FORMATS[key]
    if fmt.private == "only" and not access.shows_private(staff, fmt.private):
        raise NotAllowed(key)
    return fmt.lay_out(voice.build(db, section_id, private=fmt.private))


def filename(pupil: dict, section: dict, key: str) -> str:
    """The PEP reference as typed, in any script; exports.attachment() gives
    browsers that cannot read that a plain-letters copy."""
    fmt = FORMATS[key]
    reference = pupil["pep_reference"] or f"pupil-{pupil['id']}"
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in reference)
    kind = "private-answers" if fmt.private == "only" else "pupil-voice"
    return f"{kind}-{safe}-{section['id']}.{fmt.extension}"
