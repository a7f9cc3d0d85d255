"""Who may see and do what: every access rule, in one place.

Three questions, and the one answer to each:

- **Which pupils does a person see?** `scope()`: a Virtual School admin sees
  their Virtual School's pupils, a designated teacher their own school's, a
  social worker their own caseload. Outside it a pupil does not exist (404).
- **What may they do with a pupil or a voice they can see?** `may()`, read off
  the `RULES` table. Views declare their action with `@requires(action)`,
  templates ask `may(action, record)`, and a test walks every route of the URL
  map for every role and state and holds the route to what `may()` says; so a
  button is shown exactly when its route allows it.
- **Who may read what a child kept private?** `shows_private()`: the pupil's
  designated teacher and social worker, on their own staff pages and in the
  download made for them alone. Nowhere else: not the meeting-pack exports, the
  paste page, the admin's bulk zip, the command line, or an admin's screen.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, g, render_template

from .i18n import lazy_gettext as _l

ROLES = ("teacher", "social_worker", "admin")
EVERYONE = frozenset(ROLES)
# Those who sit with the child: they hand over the tablet, and they alone read
# what the child kept just for them.
CLOSE = frozenset({"teacher", "social_worker"})


def scope(staff: dict) -> tuple[str, list]:
    """The SQL clause (over pupils `p` joined to schools `s`) for the pupils this
    person is responsible for."""
    if staff["role"] == "admin":
        return "s.virtual_school_id = ?", [staff["virtual_school_id"]]
    if staff["role"] == "teacher":
        return "p.school_id = ?", [staff["school_id"]]
    return "p.social_worker_id = ?", [staff["id"]]


def _finished(section: dict | None) -> bool:
    from .sections import is_finished

    return section is not None and is_finished(section)


def _open(section: dict | None) -> bool:
    """No voice yet, or one still being answered: the tablet may be handed
    over. A finished voice is reopened first; a purged one takes no more."""
    return section is None or (
        section["status"] == "in_progress" and not section["purged_at"]
    )


@dataclass(frozen=True)
class Rule:
    roles: frozenset
    # Whether the record's state allows it now; None means any state.
    when: Callable[[dict], bool] | None = None
    # Said, with a 409, when the role may but the state does not allow it yet.
    not_now: object = None


NOT_FINISHED = _l(
    "This can be done once the pupil has pressed “I've finished”. Nothing has "
    "been changed or exported."
)

RULES = {
    # The staff pages about pupils.
    "see_pupils": Rule(EVERYONE),
    "add_pupil": Rule(frozenset({"teacher", "admin"})),
    "see_pupil": Rule(EVERYONE),
    "prepare_meeting": Rule(EVERYONE),
    "hand_over": Rule(
        CLOSE,
        _open,
        _l(
            "These answers are finished, or were deleted at the end of the "
            "retention period, so the tablet cannot be handed over for them."
        ),
    ),
    # Finished is finished: only the pupil's teacher lets them change it, and
    # never once retention has deleted the words.
    "reopen": Rule(
        frozenset({"teacher"}),
        lambda s: _finished(s) and not s["purged_at"],
        _l(
            "Only answers the pupil has finished, and that are still kept, can be "
            "reopened."
        ),
    ),
    "see_flag": Rule(EVERYONE),
    # A pupil's voice.
    "read_voice": Rule(EVERYONE),
    "add_note": Rule(EVERYONE),
    "translate": Rule(CLOSE),
    "mark_reviewed": Rule(
        frozenset({"teacher"}),
        lambda s: _finished(s) and not s["reviewed_at"],
        _l(
            "A voice can be marked as reviewed once, after the pupil has pressed "
            "“I've finished”."
        ),
    ),
    "mark_imported": Rule(
        frozenset({"social_worker"}),
        lambda s: _finished(s) and s["status"] != "imported",
        _l(
            "A voice can be marked as imported once, after the pupil has pressed "
            "“I've finished”."
        ),
    ),
    "export": Rule(EVERYONE, _finished, NOT_FINISHED),
    "export_private": Rule(CLOSE, _finished, NOT_FINISHED),
    # A person's own account.
    "own_account": Rule(EVERYONE),
    # The Virtual School's own pages.
    "run_virtual_school": Rule(frozenset({"admin"})),
}


def may(staff: dict | None, action: str, record: dict | None = None) -> bool:
    """Whether this person may take this action on this record (a voice section,
    or None for actions on a pupil, whose scope the caller has checked)."""
    rule = RULES[action]
    if staff is None or staff["role"] not in rule.roles:
        return False
    return rule.when is None or rule.when(record)


def shows_private(staff: dict | None, output: str) -> bool:
    """Whether what a child kept private is in this output for this person.

    `output` is "staff_pages" (the review page, the pupil's page) or an export
    format's `private` setting: "left_out" for everything that may go round a
    meeting or into the PEP, "only" for the download made for the designated
    teacher and social worker alone."""
    if output not in ("staff_pages", "only"):
        return False
    return staff is not None and staff["role"] in CLOSE


def as_shown(staff: dict | None, answer: dict | None) -> dict | None:
    """A saved answer as this person may see it on a staff page: one the pupil
    kept private, and gave, is shown to others as kept private, never what it
    says."""
    if (
        answer is None
        or not answer["private"]
        or answer["status"] != "answered"
        or shows_private(staff, "staff_pages")
    ):
        return answer
    return {**answer, "status": KEPT_PRIVATE, "choices": [], "text": ""}


KEPT_PRIVATE = "kept_private"


@dataclass
class Target:
    """What a route is about, once checked: the pupil, and the voice if any."""

    pupil: dict | None = None
    section: dict | None = None


def requires(action: str):
    """Wrap a staff view: sign-in, the pupil or voice in the URL in this person's
    scope (else 404), and `may(action)` (else 404 for the role, 409 for a state
    that does not allow it yet). The view finds what was checked in `g.target`.
    """
    from .auth import staff_required

    def decorate(view):
        @functools.wraps(view)
        @staff_required
        def wrapped(**kwargs):
            rule = RULES[action]
            g.target = _target(kwargs, with_voice=rule.when is not None)
            if g.staff["role"] not in rule.roles:
                abort(404)
            if rule.when is not None and not may(g.staff, action, g.target.section):
                return render_template(
                    "staff/not_now.html", target=g.target, why=rule.not_now
                ), 409
            return view(**kwargs)

        wrapped.access_action = action
        return wrapped

    return decorate


def _target(kwargs: dict, with_voice: bool) -> Target:
    from . import meetings, pupils, sections
    from .db import get_db

    db = get_db()
    if "section_id" in kwargs:
        found = sections.for_staff(db, g.staff, kwargs["section_id"])
        if found is None:
            abort(404)
        section, pupil = found
        return Target(pupil, section)
    if "pupil_id" in kwargs:
        pupil = pupils.get(db, g.staff, kwargs["pupil_id"])
        if pupil is None:
            abort(404)
        if not with_voice:
            return Target(pupil)
        # A rule with a state, on a route about a pupil, is about their current
        # meeting's voice, if any; other rules need no voice looked up.
        meeting = meetings.current_meeting(db, pupil["id"])
        section = sections.for_meeting(db, meeting["id"]) if meeting else None
        return Target(pupil, section)
    return Target()


def init_app(app) -> None:
    @app.context_processor
    def template_may():
        def may_in_template(action: str, record: dict | None = None) -> bool:
            return may(g.get("staff"), action, record)

        return {"may": may_in_template}
