"""What a pupil's tablet keeps so the journey carries on when the Wi-Fi drops.

Two things, both wiped when pupil mode ends (Clear-Site-Data on the response
that ends it, and static/js/offline.js on the next page for browsers that
ignore the header):

- the tablet's worker (static/js/tablet-sw.js) keeps a copy of the pages
  listed by `manifest()`, and shows them when the network is gone;
- static/js/offline.js keeps, in the browser's local storage, every save and
  "talk to someone" not yet recorded, and sends them once, in order, when the
  server can be reached again (answers.ClientSave, sections.raise_flag).

While the pupil answers, the worker keeps every question page, the welcome,
the talk and settings pages, and a "waiting" page it shows for anything else
(check answers, whose list of answers would be out of date offline). Once the
pupil has finished it keeps only the finished page and help, so Back cannot
bring an answer back even offline.
"""

import hashlib
import json

from flask import url_for

from . import meetings, sections
from .journey import Step


def pages(section: dict, steps: list[Step]) -> tuple[list[str], str]:
    """The pages to keep, and the one shown for any page not kept."""
    if sections.is_closed(section):
        done = url_for("pupil.done")
        return [done, url_for("pupil.talked"), url_for("pupil.settings")], done
    waiting = url_for("pupil.waiting")
    return [
        waiting,
        url_for("pupil.welcome"),
        *(url_for("pupil.question", step_id=step.id) for step in steps),
        url_for("pupil.talked"),
        url_for("pupil.settings"),
    ], waiting


def version(db, section: dict, pupil: dict, meeting: dict, steps: list[Step]) -> str:
    """Changes whenever a kept page would look different, so the tablet
    fetches them again; answers are not part of it (offline.js lays the
    tablet's own latest answers over a kept page)."""
    parts = [
        section["id"],
        sections.is_closed(section),
        section["language"],
        section["band"],
        section["scribe"],
        pupil["preferred_name"],
        pupil["text_size"],
        pupil["theme"],
        pupil["font"],
        meeting["date"],
        [(step.id, step.prompt) for step in steps],
        [(a["name"], a["role"]) for a in meetings.attendees(db, meeting["id"])],
        # A new release's pages and the files they use.
        [
            url_for("static", filename=name)
            for name in ("css/app.css", "js/app.js", "js/offline.js")
        ],
    ]
    digest = hashlib.sha256(json.dumps(parts, default=str).encode())
    return digest.hexdigest()[:20]


def manifest(db, section: dict, pupil: dict, meeting: dict, steps: list[Step]):
    kept, fallback = pages(section, steps)
    return {
        "version": version(db, section, pupil, meeting, steps),
        "pages": kept,
        "fallback": fallback,
        "finish": url_for("pupil.finish"),
    }
