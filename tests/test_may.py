"""Every staff route answers exactly as `access.may()` says, for every role and
every stage of a voice, and no page offers what its route would refuse.

Routes, their actions and the ids they take all come from the app's URL map,
so a new route is walked without anyone remembering to add it here.
"""

import re

import pytest
from school import Browserless, add_section

from pupilvoice import access, formats, sections

OWN = "Leo"
# Who signs in as each role; each is responsible for OWN.
ROLES = {
    "teacher": "teacher@ours.test",
    "social_worker": "sw@council.test",
    "admin": "admin@council.test",
}
NOW = "2026-01-01T00:00:00+00:00"
# Each stage as it is in the database.
STAGES = {
    "in_progress": {},
    "finished": {"finished_at": NOW},
    "reviewed": {"finished_at": NOW, "reviewed_at": NOW},
    "exported": {"finished_at": NOW, "reviewed_at": NOW},
    "imported": {"finished_at": NOW, "reviewed_at": NOW, "imported_at": NOW},
}
# Routes whose answer ends the walk for this client (pupil mode), or the record.
LAST = ("admin.delete_pupil", "staff.start_pupil_mode")
# A form that each POST route can take; its fields are the forms' own names.
FORM = {
    "name": "New School",
    "email": "new.person@ours.test",
    "password": "a long enough first password",
    "role": "other",
    "school": "0",
    "text": "A note",
    "item": "data_ready",
    "status": "done",
    "band": "ks2",
    "language": "en",
    "what": "a",
    "who": "b",
    "by_when": "2099-01-01",
    "date": "2099-02-01",
    "start": "2025-12-01",
    "end": "2026-02-01",
    "days": "365",
}
# Translations are of a pupil's words: the walk's voice has words to translate.
WORDS = {"text": "Dobrze", "language": "pl"}
ADMITTED = {"GET": {200}, "POST": {200, 302, 400}}


def guarded_routes(app):
    """(method, rule, action) for every route behind `access.requires`."""
    found = []
    for rule in app.url_map.iter_rules():
        action = getattr(app.view_functions[rule.endpoint], "access_action", None)
        if action is None:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, rule, action))
    found.sort(key=lambda f: LAST.index(f[1].endpoint) if f[1].endpoint in LAST else -1)
    return found


def test_every_staff_route_declares_its_action(app):
    """Sign-in, the pupil's own pages and static files have checks of their own;
    every other route names its action, so the walk below reaches it."""
    unguarded = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if not hasattr(app.view_functions[rule.endpoint], "access_action")
        and not rule.endpoint.startswith(("auth.", "pupil."))
        and rule.endpoint not in ("static", "index")
    }
    assert unguarded == set()
    assert {a for _, _, a in guarded_routes(app)} == set(access.RULES)


def ids_for(db, pupil_id, stage):
    section, meeting = add_section(
        db, pupil_id, status=stage, started_at=NOW, **STAGES[stage]
    )
    db["answers"].insert(
        {
            "section_id": section,
            "step": "feel",
            "status": "answered",
            "choices": '["good"]',
            "text": WORDS["text"],
            "language": WORDS["language"],
            "updated_at": NOW,
        }
    )
    return {
        "step_id": "feel",
        "pupil_id": pupil_id,
        "meeting_id": meeting,
        "section_id": section,
        "attendee_id": next(
            db.query("SELECT id FROM attendees WHERE meeting_id = ?", [meeting])
        )["id"],
        "target_id": next(
            db.query("SELECT id FROM targets WHERE meeting_id = ?", [meeting])
        )["id"],
        "outcome_id": db["outcomes"]
        .insert(
            {
                "meeting_id": meeting,
                "position": 0,
                "what": "w",
                "who": "x",
                "by_when": "2099-01-01",
            }
        )
        .last_pk,
        "flag_id": db["talk_flags"]
        .insert({"section_id": section, "raised_at": NOW})
        .last_pk,
    }


def put_back(db, ids, stage):
    """Each request meets the voice at the stage under test, with everything
    its URL names still there (a route before it may have moved or removed it);
    unless the pupil's whole record was deleted, the walk's last but one step."""
    if not db["pupils"].count_where("id = ?", [ids["pupil_id"]]):
        return
    db.execute(
        "UPDATE voice_sections SET status = ?, finished_at = ?, reviewed_at = ?, "
        "imported_at = ? WHERE id = ?",
        [
            stage,
            STAGES[stage].get("finished_at"),
            STAGES[stage].get("reviewed_at"),
            STAGES[stage].get("imported_at"),
            ids["section_id"],
        ],
    )
    db.execute(
        "INSERT OR IGNORE INTO attendees (id, meeting_id, name, role) "
        "VALUES (?, ?, 'Jo Carer', 'carer')",
        [ids["attendee_id"], ids["meeting_id"]],
    )
    db.execute(
        "INSERT OR IGNORE INTO targets (id, meeting_id, position, text) "
        "VALUES (?, ?, 5, 'a target')",
        [ids["target_id"], ids["meeting_id"]],
    )
    db.execute(
        "INSERT OR IGNORE INTO outcomes (id, meeting_id, position, what, who, "
        "by_when) VALUES (?, ?, 5, 'w', 'x', '2099-01-01')",
        [ids["outcome_id"], ids["meeting_id"]],
    )
    db.execute("UPDATE talk_flags SET seen_at = NULL, seen_by_id = NULL")
    db.conn.commit()


def urls_for(rule, ids):
    """The route's URL for each value of an argument the ids do not fix (the
    export format); one URL otherwise."""
    values = [{}]
    if "fmt" in rule.arguments:
        values = [{"fmt": key} for key in formats.DOWNLOADS]
    for extra in values:
        args = {**ids, **extra}
        yield rule.build({k: args[k] for k in rule.arguments}, append_unknown=False)[1]


@pytest.mark.parametrize("stage", list(STAGES))
@pytest.mark.parametrize("role", list(ROLES))
def test_each_route_answers_as_may_says(app, db, school, role, stage):
    ids = ids_for(db, school["pupils"][OWN], stage)
    staff = next(db.query("SELECT * FROM staff WHERE email = ?", [ROLES[role]]))
    web = Browserless(app.test_client())
    web.sign_in(ROLES[role])
    walked = 0
    for method, rule, action in guarded_routes(app):
        for target in urls_for(rule, ids):
            put_back(db, ids, stage)
            section = sections.get(db, ids["section_id"])
            if section is None or staff["role"] not in access.RULES[action].roles:
                expected = {404}
            elif not access.may(staff, action, section):
                expected = {409}
            else:
                expected = ADMITTED[method]
            response = web.get(target) if method == "GET" else web.post(target, FORM)
            assert response.status_code in expected, (role, stage, method, target)
            walked += 1
    assert walked > 30


@pytest.mark.parametrize("stage", list(STAGES))
@pytest.mark.parametrize("role", list(ROLES))
def test_a_page_offers_only_what_its_route_allows(app, db, school, role, stage):
    """Every link and form on the staff pages about a pupil points at a route
    that `may()` allows; and the review page offers each of its actions exactly
    when it is allowed."""
    ids = ids_for(db, school["pupils"][OWN], stage)
    db["answers"].insert(
        {
            "section_id": ids["section_id"],
            "step": "private_note",
            "status": "answered",
            "text": "kept",
            "private": 1,
            "language": "en",
            "updated_at": NOW,
        }
    )
    staff = next(db.query("SELECT * FROM staff WHERE email = ?", [ROLES[role]]))
    section = sections.get(db, ids["section_id"])
    web = Browserless(app.test_client())
    web.sign_in(ROLES[role])
    adapter = app.url_map.bind("localhost")
    pages = [
        "/staff/pupils",
        f"/staff/pupils/{ids['pupil_id']}",
        f"/staff/pupils/{ids['pupil_id']}/meetings/{ids['meeting_id']}",
        f"/staff/voice/{ids['section_id']}/",
    ]
    offered = set()
    for page in pages:
        html = web.get(page).text
        for found in re.finditer(r'(?:href|action)="(/[^"#?]*)', html):
            try:
                endpoint, _args = adapter.match(found.group(1), method="GET")
            except Exception:  # noqa: BLE001 - a POST-only route
                endpoint, _args = adapter.match(found.group(1), method="POST")
            action = getattr(app.view_functions[endpoint], "access_action", None)
            if action:
                offered.add(endpoint)
                assert access.may(staff, action, section), (role, stage, page, endpoint)
    for endpoint, action in [
        ("review.mark_reviewed", "mark_reviewed"),
        ("review.mark_imported", "mark_imported"),
        ("review.export", "export"),
        ("review.export_private", "export_private"),
        ("staff.start_pupil_mode", "hand_over"),
        ("staff.add_pupil", "add_pupil"),
        ("review.translate", "translate"),
    ]:
        assert (endpoint in offered) == access.may(staff, action, section), (
            role,
            stage,
            endpoint,
        )
