"""A pupil's voice section laid out as the files that leave the app.

Every function here takes the dict from `voice.build()` and only lays it out:
JSON (the published schema in docs/), CSV, plain text per PEP section, Word and
the meeting-pack PDF. What the pupil kept private never reaches a meeting-pack
document (voice.build leaves it out); these only say how many answers were
kept back, where there were any. The PDF also lays out the document made for
the designated teacher and social worker alone, which holds nothing else.
"""

import csv
import functools
import io
import json
import mimetypes
import re
import threading
import unicodedata
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit
from urllib.request import url2pathname

from docx import Document
from docx.shared import Pt, RGBColor
from flask import render_template
from flask_babel import format_date, format_time
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .i18n import RIGHT_TO_LEFT, force_locale, ngettext
from .i18n import gettext as _
from .i18n import lazy_gettext as _l
from .roles import STAFF_ROLES
from .voice import SOURCE_LABELS, STATUS_LABELS

SCRIBED = _l("(written down by an adult in the pupil's words)")
PRIVATE_ONLY = _l(
    "Kept just for the designated teacher and social worker. Not for the "
    "meeting, the PEP or anyone else."
)

CSV_COLUMNS = (
    "pep_reference",
    "preferred_name",
    "meeting_date",
    "pep_section",
    "step",
    "question",
    "question_en",
    "status",
    "choices",
    "choices_en",
    "text",
    "text_language",
    "text_en",
    "text_en_by",
    "sources",
    "completed_at",
    "supported_by",
)

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# What lxml (so python-docx) and XML in general refuse: C0 controls other than
# tab, line feed and carriage return, lone surrogates, and two non-characters.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _in_english(export):
    """Exports go into an English PEP record for now, and they are also made
    outside any request (command line, admin's zip) where the app's locale
    selector cannot run: so each one pins its own locale."""

    @functools.wraps(export)
    def wrapped(*args, **kwargs):
        with force_locale("en_GB"):
            return export(*args, **kwargs)

    return wrapped


def to_json(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2)


@_in_english
def to_csv(doc: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    writer.writerow(CSV_COLUMNS)
    for item in doc["answers"]:
        row = {
            "pep_reference": doc["pupil"]["pep_reference"] or "",
            "preferred_name": doc["pupil"]["preferred_name"],
            "meeting_date": doc["meeting"]["date"],
            "pep_section": item["pep_section_title"],
            "step": item["step"],
            "question": item["question"],
            "question_en": item["question_en"],
            "status": str(STATUS_LABELS[item["status"]]),
            "choices": "; ".join(c["label"] for c in item["choices"]),
            "choices_en": "; ".join(c["label_en"] for c in item["choices"]),
            "text": item["text"],
            "text_language": item["text_language"] or "",
            "text_en": item["text_en"]["text"] if item["text_en"] else "",
            "text_en_by": _translated_by(item["text_en"]) if item["text_en"] else "",
            "sources": _sources(item),
            "completed_at": doc["voice"]["completed_at"] or "",
            "supported_by": _supported_by(doc),
        }
        writer.writerow(_inert(row[column]) for column in CSV_COLUMNS)
    return out.getvalue()


def _inert(value: str) -> str:
    """OWASP's advice against CSV injection: a leading apostrophe makes a
    would-be formula plain text. What cannot be seen before the "=" (spaces,
    a zero-width space, a byte order mark) does not stop it being a formula,
    and a full-width "＝" or a small "﹦" is read as "=" (what NFKC folds it
    to), so a formula start is looked for past the one and folded from the
    other."""
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    for ch in value:
        if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Cn", "Zs"):
            continue
        if unicodedata.normalize("NFKC", ch).startswith(FORMULA_STARTS):
            return "'" + value
        break
    return value


@_in_english
def to_text(doc: dict) -> dict[str, str]:
    with_english = _shows_english(doc)
    return {
        section["key"]: "\n\n".join(
            _text_block(_view(item, with_english)) for item in items
        )
        for section, items in _by_section(doc, doc["answers"])
    }


@_in_english
def to_plain_text(doc: dict) -> str:
    header = "\n".join(f"{label}: {value}" for label, value in _facts(doc))
    texts = to_text(doc)
    body = [
        f"{section['title']}\n{'=' * len(section['title'])}\n\n{texts[section['key']]}"
        for section in doc["sections"]
    ]
    tail = [kept_back(doc)] if kept_back(doc) else []
    return "\n\n\n".join([_title(doc) + "\n" + header, *body, *tail]) + "\n"


def _text_block(view: dict) -> str:
    lines = [_("Question: %(question)s", question=view["question"])]
    if view["question_en"]:
        lines.append(
            _("Question in English: %(question)s", question=view["question_en"])
        )
    lines.extend(_answer_lines(view))
    if view["sources"]:
        lines.append(_given(view))
    return "\n".join(lines)


@_in_english
def to_docx(doc: dict) -> bytes:
    doc = _xml_safe(doc)
    with_english = _shows_english(doc)
    word = Document()
    word.core_properties.title = _title(doc)
    word.core_properties.author = "PupilVoice"
    word.core_properties.comments = ""
    word.add_heading(_title(doc), level=0)

    facts = _facts(doc)
    table = word.add_table(rows=len(facts), cols=2)
    table.style = "Table Grid"
    for row, (label, value) in zip(table.rows, facts, strict=True):
        row.cells[0].paragraphs[0].add_run(label).bold = True
        row.cells[1].text = value

    word.add_heading(_("Meeting preferences"), level=1)
    word.add_paragraph(" ".join(_preferences(doc)))

    for section, items in _by_section(doc, doc["answers"]):
        word.add_heading(section["title"], level=1)
        for item in items:
            _docx_answer(word, _view(item, with_english))
    if kept_back(doc):
        word.add_paragraph().add_run(kept_back(doc)).italic = True
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _docx_answer(word, view: dict) -> None:
    question = word.add_paragraph()
    question.paragraph_format.space_before = Pt(10)
    question.paragraph_format.keep_with_next = True
    question.add_run(view["question"]).bold = True
    if view["question_en"]:
        word.add_paragraph().add_run(view["question_en"]).italic = True
    for line in _answer_lines(view):
        word.add_paragraph().add_run(line).italic = bool(view["status"])
    if view["sources"]:
        given = word.add_paragraph().add_run(_given(view))
        given.font.size = Pt(9)
        given.font.color.rgb = RGBColor(0x4B, 0x55, 0x65)


def _preferences(doc: dict) -> list[str]:
    """The pupil's meeting choices in a sentence or two, for whoever chairs. A
    choice the pupil kept private is not in the document, so not said here."""
    found = doc["meeting_preferences"]
    said = [
        f"{label} {value}."
        for label, value in [
            (_("Coming to the meeting:"), found["attend_label"]),
            (_("How their views will be shared:"), found["views_shared_by_label"]),
        ]
        if value
    ]
    return said or [_("Not given.")]


def kept_back(doc: dict) -> str | None:
    """Said only where the pupil kept an answer private: how many, never what."""
    count = doc["private_answers_left_out"]
    if not count:
        return None
    return ngettext(
        "%(num)d answer was kept just for the designated teacher and social worker.",
        "%(num)d answers were kept just for the designated teacher and social worker.",
        count,
        num=count,
    )


@_in_english
def to_pdf(doc: dict, static_dir: Path, private_only: bool = False) -> bytes:
    """The meeting pack; or, with `private_only`, the pages for the designated
    teacher and social worker alone (the doc then holds only private answers)."""
    doc = _xml_safe(doc)
    with_english = _shows_english(doc)
    html = render_template(
        "exports/voice_pdf.html",
        title=_title(doc),
        doc=doc,
        meeting_when=_meeting_when(doc),
        facts=_facts(doc),
        sections=[
            (section, [_view(item, with_english) for item in items])
            for section, items in _by_section(doc, doc["answers"])
        ],
        kept_back=kept_back(doc),
        private_only=PRIVATE_ONLY if private_only else None,
        pupil_language={
            "lang": doc["voice"]["language"],
            "dir": "rtl" if doc["voice"]["language"] in RIGHT_TO_LEFT else "ltr",
        },
    )
    root = static_dir.resolve()
    return HTML(
        string=html, base_url=root.as_uri() + "/", url_fetcher=StaticOnly(root)
    ).write_pdf(**_weasyprint_kept())


# Each PDF would otherwise set up fontconfig, and read and parse its pictures
# (the app's own static files, the same for every PDF), afresh. Kept one set a
# thread: WeasyPrint's parsed pictures hold drawing state while drawn, and it
# does not say a FontConfiguration may be shared.
_per_thread = threading.local()


def _weasyprint_kept() -> dict:
    found = getattr(_per_thread, "weasyprint", None)
    if found is None:
        found = _per_thread.weasyprint = {
            "font_config": FontConfiguration(),
            "cache": {},
        }
    return found


class StaticOnly(URLFetcher):
    """Lets WeasyPrint read the app's own static files and nothing else: a PDF
    of a child's answers must never reach the network or the rest of the disk."""

    def __init__(self, root: Path):
        super().__init__()
        self.root = root.resolve()

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ValueError(f"Not a static file: {url}")
        path = Path(url2pathname(parts.path)).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise ValueError(f"Not a static file: {url}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), path.read_bytes(), {"Content-Type": content_type}
        )


# The pieces the human-readable exports share.


def _shows_english(doc: dict) -> bool:
    """Whether to show the English wording beside what the pupil saw."""
    return doc["voice"]["language"] != "en"


def _title(doc: dict) -> str:
    return _("Pupil's voice: %(name)s", name=doc["pupil"]["preferred_name"])


def _facts(doc: dict) -> list[tuple[str, str]]:
    facts = [
        (_("Pupil"), doc["pupil"]["preferred_name"]),
        (_("PEP reference"), doc["pupil"]["pep_reference"] or _("None recorded")),
        (_("Meeting date"), _meeting_when(doc)),
        (_("Supported by"), _supported_by(doc)),
        (_("Completed"), _completed(doc)),
    ]
    if _shows_english(doc):
        facts.append((_("Answered in"), doc["voice"]["language_name"]))
    return facts


def _meeting_when(doc: dict) -> str:
    day = format_date(date.fromisoformat(doc["meeting"]["date"]), "full")
    if doc["meeting"]["time"]:
        return _("%(date)s at %(time)s", date=day, time=doc["meeting"]["time"])
    return day


def _completed(doc: dict) -> str:
    finished = doc["voice"]["completed_at"]
    if not finished:
        return _("Not finished yet")
    moment = datetime.fromisoformat(finished)
    return _(
        "%(date)s at %(time)s",
        date=format_date(moment, "long"),
        time=format_time(moment, "short"),
    )


def _supported_by(doc: dict) -> str:
    person = doc["voice"]["supported_by"]
    if not person:
        return _("Not recorded")
    role = STAFF_ROLES.get(person["role"])
    return f"{person['name']} ({role})" if role else person["name"]


def _sources(item: dict) -> str:
    return "; ".join(str(SOURCE_LABELS[s]) for s in item["sources"])


def _by_section(doc: dict, items: list[dict]) -> list[tuple[dict, list[dict]]]:
    """Answers grouped under their PEP section, in order; empty sections dropped."""
    grouped = [
        (section, [i for i in items if i["pep_section"] == section["key"]])
        for section in doc["sections"]
    ]
    return [(section, found) for section, found in grouped if found]


def _view(item: dict, with_english: bool) -> dict:
    """One answer as the text, Word and PDF exports all show it."""
    return {
        "question": item["question"],
        "question_en": item["question_en"] if with_english else None,
        "status": None
        if item["status"] == "answered"
        else str(STATUS_LABELS[item["status"]]),
        "cards": [
            {
                "label": c["label"],
                "label_en": c["label_en"]
                if with_english and c["label_en"] != c["label"]
                else None,
                "image": c["image"],
            }
            for c in item["choices"]
        ],
        "words": item["text"],
        "translation": _translation(item["text_en"]),
        "scribed": "scribed" in item["sources"],
        "sources": _sources(item),
    }


def _answer_lines(view: dict) -> list[str]:
    if view["status"]:
        return [view["status"]]
    lines = []
    if view["cards"]:
        labels = "; ".join(
            f"{c['label']} ({c['label_en']})" if c["label_en"] else c["label"]
            for c in view["cards"]
        )
        lines.append(_("Picture cards chosen: %(cards)s", cards=labels))
    if view["words"]:
        words = f"\u201c{view['words']}\u201d"
        lines.append(f"{words} {SCRIBED}" if view["scribed"] else words)
    if view["translation"]:
        lines.append(view["translation"])
    return lines


def _translated_by(found: dict) -> str:
    return _(
        "translated by %(name)s, %(date)s",
        name=found["by"],
        date=format_date(datetime.fromisoformat(found["at"]), "long"),
    )


def _translation(found: dict | None) -> str | None:
    """An adult's English beside the pupil's words, saying whose it is."""
    if not found:
        return None
    return _(
        "In English (%(by)s): \u201c%(text)s\u201d",
        by=_translated_by(found),
        text=found["text"],
    )


def _given(view: dict) -> str:
    return _("How it was given: %(sources)s", sources=view["sources"])


def _xml_safe(value):
    """The doc with every string fit for XML. Answers are cleaned when saved;
    this is the last guard, as one stray control character makes python-docx
    refuse the whole document."""
    if isinstance(value, str):
        return NOT_XML.sub("", value)
    if isinstance(value, dict):
        return {k: _xml_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_xml_safe(v) for v in value]
    return value


def attachment(name: str) -> dict[str, str]:
    """A Content-Disposition header for a download called `name`, in any
    script (RFC 6266 and RFC 5987): `filename*` carries it in UTF-8, and
    `filename` a plain-ASCII stand-in for anything that cannot read that."""
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "-", fallback).strip("-") or "download"
    value = f'attachment; filename="{fallback}"'
    if fallback != name:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return {"Content-Disposition": value}
