"""What an outside tester did to PupilVoice, each as a test that failed before
its fix: sign-in abuse, redirects, two-step replay, oversized input, export
names, removals that removed nothing, and retention that could be escaped."""

import base64
import json
import time
import zlib
from urllib.parse import quote

import pyotp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from school import ADMIN_TOTP, PASSWORD, Browserless, add_section

from pupilvoice import retention, sections


def try_password(web, email, password, **kwargs):
    web.get("/sign-in")
    return web.post("/sign-in", {"email": email, "password": password}, **kwargs)


def from_address(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def session_cookie(web) -> dict:
    """What the signed session cookie says (it is signed, not encrypted)."""
    value = web.client.get_cookie("pupilvoice").value
    compressed = value.startswith(".")
    payload = value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return json.loads(zlib.decompress(raw) if compressed else raw)


# --- Filling the disk from the sign-in page ---------------------------------


def test_a_huge_sign_in_is_refused_before_it_is_read_or_stored(app, web, school, db):
    size_before = db.execute("PRAGMA page_count").fetchone()[0]
    web.get("/sign-in")
    response = web.post("/sign-in", {"email": "a" * 5_000_000, "password": "x"})
    assert response.status_code == 413
    assert "too much to send" in response.text
    assert "aaaa" not in response.text
    assert db["sign_in_attempts"].count == 0
    assert db.execute("PRAGMA page_count").fetchone()[0] == size_before


def test_a_long_email_gets_a_kind_message_and_counts_nothing(web, school, db):
    web.get("/sign-in")
    response = web.post("/sign-in", {"email": "a" * 300 + "@x.test", "password": "x"})
    assert response.status_code == 400
    assert "Email address must be 254 characters or fewer" in response.text
    assert db["sign_in_attempts"].count == 0


def test_throttle_rows_are_small_whatever_is_typed(web, school, db):
    try_password(web, "é" * 250, "x")
    keys = [r["key"] for r in db.query("SELECT key FROM sign_in_attempts")]
    assert len(keys) == 3
    assert all(len(k) <= 40 for k in keys)
    assert not any("é" in k for k in keys)


def test_stale_throttle_rows_are_pruned(web, school, db):
    try_password(web, "teacher@ours.test", "wrong")
    db.execute(
        "UPDATE sign_in_attempts SET last_failure_at = '2000-01-01T00:00:00+00:00'"
    )
    retention.purge(db)
    assert db["sign_in_attempts"].count == 0


# --- Throttling that one school's shared address cannot turn on its staff ---


def test_a_spray_from_a_schools_address_does_not_hold_out_a_known_browser(
    app, school, db
):
    teacher = Browserless(app.test_client())
    teacher.sign_in("teacher@ours.test")  # this browser now holds a device cookie
    teacher.post("/sign-out")
    attacker = Browserless(app.test_client())
    for n in range(60):
        try_password(attacker, f"nobody{n}@ours.test", "guess")
    # Anyone else behind the same address now waits...
    stranger = Browserless(app.test_client())
    assert "Too many tries" in try_password(stranger, "sw@council.test", PASSWORD).text
    # ...but the teacher's own browser does not.
    assert try_password(teacher, "teacher@ours.test", PASSWORD).status_code == 302


def test_guessing_an_account_from_elsewhere_does_not_hold_out_its_owner(
    app, school, db
):
    owner = Browserless(app.test_client())
    owner.sign_in("teacher@ours.test")
    owner.post("/sign-out")
    attacker = Browserless(app.test_client())
    for n in range(30):
        try_password(
            attacker, "teacher@ours.test", "guess", **from_address(f"203.0.113.{n}")
        )
    other_place = Browserless(app.test_client())
    assert (
        "Too many tries"
        in try_password(
            other_place, "teacher@ours.test", PASSWORD, **from_address("198.51.100.9")
        ).text
    )
    assert try_password(owner, "teacher@ours.test", PASSWORD).status_code == 302


def test_a_forged_device_cookie_is_ignored(app, school, db):
    web = Browserless(app.test_client())
    web.client.set_cookie("pupilvoice_device", "forged.value.here", path="/sign-in")
    for _ in range(6):
        try_password(web, "teacher@ours.test", "guess")
    assert "Too many tries" in try_password(web, "teacher@ours.test", PASSWORD).text


def test_a_pupil_guessing_the_unlock_password_holds_the_teacher_a_minute_at_most(
    app, web, school, db
):
    web.sign_in("teacher@ours.test")
    leo = school["pupils"]["Leo"]
    web.get(f"/staff/pupils/{leo}")
    web.post(f"/staff/pupils/{leo}/pupil-mode", {"band": "ks2", "language": "en"})
    web.get("/pupil/teacher")
    for _ in range(40):
        web.post("/pupil/teacher", {"password": "guess"})
    response = web.post("/pupil/teacher", {"password": PASSWORD})
    wait = int(response.text.split("Wait ")[1].split(" ")[0])
    assert 0 < wait <= 60
    # The teacher's own account is untouched: they can sign in elsewhere now.
    laptop = Browserless(app.test_client())
    assert try_password(laptop, "teacher@ours.test", PASSWORD).status_code == 302
    # And after the minute the tablet unlocks.
    db.execute(
        "UPDATE sign_in_attempts SET last_failure_at = '2000-01-01T00:00:00+00:00'"
    )
    assert web.post("/pupil/teacher", {"password": PASSWORD}).status_code == 302


# --- Two-step sign-in ---------------------------------------------------------


def begin_admin(app):
    web = Browserless(app.test_client())
    response = try_password(web, "admin@council.test", PASSWORD)
    assert response.headers["Location"] == "/sign-in/code"
    web.get("/sign-in/code")
    return web


def test_a_two_step_code_works_once(app, school, db):
    code = pyotp.TOTP(ADMIN_TOTP).now()
    first, second = begin_admin(app), begin_admin(app)
    assert (
        first.post("/sign-in/code", {"code": code}).headers["Location"]
        == "/staff/pupils"
    )
    refused = second.post("/sign-in/code", {"code": code})
    assert refused.status_code == 400
    assert second.get("/admin/").status_code == 302


def test_an_earlier_code_is_refused_after_a_later_one(app, school, db):
    totp = pyotp.TOTP(ADMIN_TOTP)
    now = time.time()
    first, second = begin_admin(app), begin_admin(app)
    later, earlier = totp.at(now + 30), totp.at(now)
    assert (
        first.post("/sign-in/code", {"code": later}).headers["Location"]
        == "/staff/pupils"
    )
    assert second.post("/sign-in/code", {"code": earlier}).status_code == 400


def test_the_half_finished_sign_in_lives_on_the_server_and_works_once(app, school, db):
    web = begin_admin(app)
    assert "pending" in session_cookie(web)
    assert "staff" not in json.dumps(session_cookie(web))
    stolen = web.client.get_cookie("pupilvoice").value
    assert (
        web.post("/sign-in/code", {"code": pyotp.TOTP(ADMIN_TOTP).now()}).status_code
        == 302
    )
    replay = Browserless(app.test_client())
    replay.client.set_cookie("pupilvoice", stolen)
    assert replay.get("/sign-in/code").headers["Location"] == "/sign-in"
    assert db["pending_sign_ins"].count == 0


def test_a_half_finished_sign_in_ends_after_five_minutes(app, school, db):
    web = begin_admin(app)
    db.execute("UPDATE pending_sign_ins SET created_at = '2000-01-01T00:00:00+00:00'")
    assert web.get("/sign-in/code").headers["Location"] == "/sign-in"


def test_the_right_password_does_not_buy_more_guesses_at_the_code(app, school, db):
    web = Browserless(app.test_client())
    for _ in range(6):
        response = try_password(web, "admin@council.test", PASSWORD)
        if response.status_code != 302:
            break
        web.get("/sign-in/code")
        web.post("/sign-in/code", {"code": "000000"})
    response = try_password(web, "admin@council.test", PASSWORD)
    if response.status_code == 302:
        web.get("/sign-in/code")
        response = web.post("/sign-in/code", {"code": pyotp.TOTP(ADMIN_TOTP).now()})
    assert "Too many tries" in response.text


def test_the_two_step_secret_being_set_up_never_sits_in_the_cookie(
    app, web, school, db
):
    web.sign_in("teacher@ours.test")
    page = web.get("/account/two-step")
    secret = page.text.split('<code class="secret">')[1].split("<")[0]
    assert secret not in json.dumps(session_cookie(web))
    code = pyotp.TOTP(secret).now()
    assert "recovery codes" in web.post("/account/two-step", {"code": code}).text
    # The code that proved the app works cannot then sign anyone in.
    web.post("/sign-out")
    other = Browserless(app.test_client())
    try_password(other, "teacher@ours.test", PASSWORD)
    other.get("/sign-in/code")
    assert other.post("/sign-in/code", {"code": code}).status_code == 400


# --- Redirects after sign-in --------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "/%09/evil.example",
        "/%0A/x",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "/%5Cevil.example",
        "https://evil.example/",
        "/%0D%0ALocation:%20https://evil.example",
        "/ /evil.example",
        "/%E2%80%A8/evil.example",
    ],
)
def test_sign_in_never_sends_anyone_off_the_site(app, school, target):
    web = Browserless(app.test_client())
    web.get("/sign-in")
    response = web.post(
        f"/sign-in?next={target}",
        {"email": "teacher@ours.test", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/pupils"


def test_sign_in_goes_back_to_the_page_asked_for(app, school):
    web = Browserless(app.test_client())
    leo = school["pupils"]["Leo"]
    web.get("/sign-in")
    response = web.post(
        f"/sign-in?next={quote(f'/staff/pupils/{leo}')}",
        {"email": "teacher@ours.test", "password": PASSWORD},
    )
    assert response.headers["Location"] == f"/staff/pupils/{leo}"


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    target=st.one_of(
        st.text(max_size=60),
        st.builds(
            lambda a, b: a + b,
            st.sampled_from(["/", "//", "/\\", "\\", "/\t/", "http:", "/staff/"]),
            st.text(max_size=40),
        ),
    )
)
def test_any_next_value_stays_on_the_site(app, target):
    from urllib.parse import urlsplit

    from pupilvoice.auth import safe_next

    with app.test_request_context():
        found = safe_next(target)
    assert found == target or found == "/staff/pupils"
    parts = urlsplit(found)
    assert not parts.scheme and not parts.netloc
    assert found.startswith("/") and not found.startswith("//")
    assert not any(ch.isspace() or ch == "\\" or ord(ch) < 32 for ch in found)


# --- Exports under any name ---------------------------------------------------


@pytest.mark.parametrize("reference", ["PEP-ę-12", "שלום", "Київ-7", "مرحبا", 'a"b;c'])
@pytest.mark.parametrize("fmt", ["pdf", "docx", "json", "csv"])
def test_exports_download_whatever_the_pep_reference(
    app, web, school, db, reference, fmt
):
    leo = school["pupils"]["Leo"]
    db["pupils"].update(leo, {"pep_reference": reference})
    section, _ = add_section(
        db,
        leo,
        status="finished",
        started_at="2026-01-01T00:00:00+00:00",
        finished_at="2026-01-01T00:00:00+00:00",
    )
    web.sign_in("teacher@ours.test")
    response = web.get(f"/staff/voice/{section}/export/{fmt}")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    disposition.encode("latin-1")
    assert disposition.startswith('attachment; filename="pupil-voice-')
    if not reference.isascii():
        assert "filename*=UTF-8''" in disposition
    assert response.headers["Content-Type"].count("charset") <= 1
    assert db["exports"].count == 1


def test_an_export_that_fails_is_not_recorded(app, web, school, db, monkeypatch):
    from pupilvoice import formats

    leo = school["pupils"]["Leo"]
    section, _ = add_section(
        db,
        leo,
        status="finished",
        started_at="2026-01-01T00:00:00+00:00",
        finished_at="2026-01-01T00:00:00+00:00",
    )
    web.sign_in("teacher@ours.test")

    def broken(*_args):
        raise RuntimeError("the PDF engine fell over")

    monkeypatch.setattr(formats, "render", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert web.get(f"/staff/voice/{section}/export/pdf").status_code == 500
    assert db["exports"].count == 0
    assert sections.get(db, section)["status"] == "finished"
    assert db["audit_log"].count_where("action = 'voice_exported'") == 0


# --- Removing what is not there -----------------------------------------------


def test_removing_another_meetings_item_is_a_404_and_logs_nothing(app, web, school, db):
    leo, zed = school["pupils"]["Leo"], school["pupils"]["Zed"]
    meeting = next(db.query("SELECT id FROM meetings WHERE pupil_id = ?", [leo]))["id"]
    other = next(db.query("SELECT id FROM meetings WHERE pupil_id = ?", [zed]))["id"]
    theirs = {
        "attendees": next(
            db.query("SELECT id FROM attendees WHERE meeting_id = ?", [other])
        )["id"],
        "targets": next(
            db.query("SELECT id FROM targets WHERE meeting_id = ?", [other])
        )["id"],
    }
    web.sign_in("teacher@ours.test")
    web.get(f"/staff/pupils/{leo}/meetings/{meeting}")
    logged = db["audit_log"].count
    for kind, item in [*theirs.items(), ("outcomes", 999)]:
        response = web.post(
            f"/staff/pupils/{leo}/meetings/{meeting}/{kind}/{item}/remove"
        )
        assert response.status_code == 404, kind
    assert db["audit_log"].count == logged
    assert db["attendees"].count_where("meeting_id = ?", [other]) == 2


def test_the_admins_audit_filter_lists_only_their_own_virtual_schools_actions(
    app, web, school, db
):
    other_vs = db["virtual_schools"].insert({"name": "Elsewhere"}).last_pk
    stranger = (
        db["staff"]
        .insert(
            {
                "virtual_school_id": other_vs,
                "email": "x@else.test",
                "name": "X",
                "role": "teacher",
                "password_hash": "x",
            }
        )
        .last_pk
    )
    db["audit_log"].insert(
        {
            "at": "2026-01-01T00:00:00+00:00",
            "staff_id": stranger,
            "action": "secret_elsewhere_action",
            "detail": "",
        }
    )
    web.sign_in("admin@council.test")
    page = web.get("/admin/audit")
    assert page.status_code == 200
    assert "secret elsewhere action" not in page.text


# --- Retention cannot be escaped ------------------------------------------------


def imported_long_ago(db, pupil_id):
    section, _ = add_section(
        db,
        pupil_id,
        status="imported",
        started_at="2020-01-01T00:00:00+00:00",
        finished_at="2020-01-01T00:00:00+00:00",
        imported_at="2020-01-02T00:00:00+00:00",
    )
    db["answers"].insert(
        {
            "section_id": section,
            "step": "feel",
            "status": "answered",
            "choices": "[]",
            "text": "words",
            "language": "en",
            "updated_at": "2020-01-01T00:00:00+00:00",
        }
    )
    return section


def answers_of(db, section):
    return db["answers"].count_where("section_id = ?", [section])


def test_reopening_an_imported_voice_keeps_its_retention_clock(app, web, school, db):
    leo = school["pupils"]["Leo"]
    section = imported_long_ago(db, leo)
    web.sign_in("teacher@ours.test")
    web.get(f"/staff/pupils/{leo}")
    # Starting pupil mode never reopens it; a voice past its retention
    # period cannot be reopened for more answers either.
    web.post(f"/staff/pupils/{leo}/pupil-mode", {"band": "ks2", "language": "en"})
    web.post(f"/staff/pupils/{leo}/reopen", {"password": PASSWORD})
    assert sections.get(db, section)["status"] == "imported"
    # Reopened by hand all the same, it is still deleted on time.
    db["voice_sections"].update(section, {"status": "in_progress"})
    assert retention.purge(db) == 1
    assert answers_of(db, section) == 0


@pytest.mark.parametrize(
    "change",
    [
        "reopened",
        "finished",
        "reviewed",
        "exported",
        "imported again",
        "answered after purge",
        "noted after purge",
    ],
)
def test_purge_deletes_what_it_should_after_every_state_change(app, school, db, change):
    leo = school["pupils"]["Leo"]
    section = imported_long_ago(db, leo)
    teacher = {"id": school["staff"]["teacher"]}
    record = sections.get(db, section)
    if change == "reopened":
        db["voice_sections"].update(section, {"status": "in_progress"})
    elif change == "finished":
        sections.finish(db, record)
    elif change == "reviewed":
        sections.mark_reviewed(db, record, teacher)
    elif change == "exported":
        sections.record_export(db, record, teacher, "pdf")
    elif change == "imported again":
        sections.mark_imported(db, record, teacher)
        assert sections.get(db, section)["imported_at"].startswith("2020-01-02")
    else:
        retention.purge(db)
        if change == "answered after purge":
            db["answers"].insert(
                {
                    "section_id": section,
                    "step": "hard",
                    "status": "answered",
                    "choices": "[]",
                    "text": "more",
                    "language": "en",
                    "updated_at": "2026-01-01T00:00:00+00:00",
                }
            )
        else:
            sections.add_note(db, sections.get(db, section), teacher, "a note")
    retention.purge(db)
    assert answers_of(db, section) == 0
    assert db["adult_notes"].count_where("section_id = ?", [section]) == 0


@pytest.mark.parametrize("days", ["9" * 309, "9" * 10, "1e400", "-0"])
def test_an_absurd_retention_period_gets_a_kind_message(app, web, school, days):
    web.sign_in("admin@council.test")
    web.get("/admin/")
    response = web.post("/admin/retention", {"days": days})
    assert response.status_code == 400
    assert "Enter a" in response.text


@pytest.mark.parametrize(
    "target",
    ["/static/../..//evil.example", "/staff/./pupils", "/static/..", "/a//b"],
)
def test_a_next_with_dot_segments_or_empty_ones_is_not_followed(app, target):
    from pupilvoice.auth import safe_next

    with app.test_request_context():
        assert safe_next(target) == "/staff/pupils"
