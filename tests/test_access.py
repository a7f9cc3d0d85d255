"""Who can reach what: every staff route, generated from the app's own URL map,
against another school's and another caseload's pupil, and signed out. What
each role may do with its own pupils is tests/test_may.py. A new route cannot
be missed."""

import re

import pytest
from school import Browserless, add_section

OWN = "Leo"  # at "Ours", on sw@council.test's caseload
OTHER = "Zed"  # at "Theirs", on sw2@council.test's caseload

# Roles that may not see OWN.
CANNOT_SEE = ["teacher@theirs.test", "sw2@council.test"]


def ids_for(db, name, school):
    """Every kind of id a URL can take, all belonging to one pupil."""
    pupil = school["pupils"][name]
    section, meeting = add_section(
        db,
        pupil,
        status="finished",
        started_at="2026-01-01T00:00:00+00:00",
        finished_at="2026-01-01T00:00:00+00:00",
    )
    flag = (
        db["talk_flags"]
        .insert({"section_id": section, "raised_at": "2026-01-01T00:00:00+00:00"})
        .last_pk
    )
    outcome = (
        db["outcomes"]
        .insert(
            {
                "meeting_id": meeting,
                "position": 0,
                "what": "w",
                "who": "x",
                "by_when": "2099-01-01",
            }
        )
        .last_pk
    )
    return {
        "pupil_id": pupil,
        "meeting_id": meeting,
        "section_id": section,
        "attendee_id": next(
            db.query("SELECT id FROM attendees WHERE meeting_id = ?", [meeting])
        )["id"],
        "target_id": next(
            db.query("SELECT id FROM targets WHERE meeting_id = ?", [meeting])
        )["id"],
        "outcome_id": outcome,
        "flag_id": flag,
        "fmt": "json",
        "step_id": "feel",
    }


def pupil_routes(app):
    """(method, url template, argument names) for every route about one pupil."""
    found = []
    for rule in app.url_map.iter_rules():
        args = set(rule.arguments)
        if not args & {"pupil_id", "section_id", "flag_id"}:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, rule))
    assert len(found) > 15, "the URL map should hold the staff routes"
    return found


def url(rule, ids):
    return rule.build({k: ids[k] for k in rule.arguments}, append_unknown=False)[1]


@pytest.fixture
def both(db, school):
    return ids_for(db, OWN, school), ids_for(db, OTHER, school)


@pytest.mark.parametrize("email", CANNOT_SEE)
def test_another_schools_or_caseloads_pupil_is_a_404_on_every_route(
    app, school, both, email, db
):
    own, _ = both
    web = Browserless(app.test_client())
    web.sign_in(email)
    before = {
        t: db[t].count
        for t in [
            "attendees",
            "targets",
            "outcomes",
            "exports",
            "adult_notes",
            "checklist",
        ]
    }
    for method, rule in pupil_routes(app):
        if rule.endpoint.startswith("pupil."):
            continue
        target = url(rule, own)
        response = (
            web.get(target)
            if method == "GET"
            else web.post(
                target,
                {
                    "name": "x",
                    "role": "other",
                    "text": "x",
                    "item": "data_ready",
                    "status": "done",
                    "band": "ks2",
                    "language": "en",
                    "what": "a",
                    "who": "b",
                    "by_when": "2099-01-01",
                    "date": "2099-01-01",
                },
            )
        )
        assert response.status_code == 404, (email, method, target)
    after = {t: db[t].count for t in before}
    assert after == before


def test_signed_out_no_route_gives_anything_away(app, school, both):
    own, _ = both
    web = Browserless(app.test_client())
    web.get("/sign-in")
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "index", "auth.sign_in", "auth.sign_in_code"):
            continue
        target = url(rule, own)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = web.get(target) if method == "GET" else web.post(target)
            checked += 1
            if rule.endpoint.startswith("pupil."):
                # A pupil's pages without pupil mode: "please ask your teacher".
                assert response.status_code == 403, target
                assert "Please ask your teacher" in response.text
            else:
                assert response.status_code == 302, target
                assert response.headers["Location"].startswith("/sign-in"), target
    assert checked > 40


def test_admin_pages_are_only_for_admins(app, school):
    for email, expected in [
        ("teacher@ours.test", 404),
        ("sw@council.test", 404),
        ("admin@council.test", 200),
    ]:
        web = Browserless(app.test_client())
        web.sign_in(email)
        assert web.get("/admin/").status_code == expected, email


def test_no_route_changes_anything_on_get(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods:
            assert not re.search(
                r"(remove|add|seen|reviewed|imported|finish|notes$)",
                rule.rule.rsplit("/", 1)[-1],
            ) or rule.endpoint in ("staff.add_pupil", "prepare.new_meeting"), rule.rule
