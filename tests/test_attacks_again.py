"""What a second outside tester, who had not read the code, found after the
first round of fixes: chunked bodies past the limit, failed sign-ins the admin
could not see, hosts nobody checked, a session id kept across the unlock,
invisible characters, unbounded lists, and two unhelpful messages. Each test
failed before its fix."""

import csv
import io
import re

import pyotp
import pytest
from school import ADMIN_TOTP, PASSWORD, Browserless, add_section
from test_attacks import begin_admin, session_cookie, try_password

from pupilvoice import create_app, exports, meetings
from pupilvoice.auth import too_many_tries
from pupilvoice.i18n import force_locale
from pupilvoice.text import clean

# --- Bodies past the limit, however they are sent -----------------------------


def sign_in_body(web, email: str) -> bytes:
    web.get("/sign-in")
    return f"csrf_token={web.token}&email={email}&password=x".encode()


def post_chunked(web, url: str, body: bytes):
    """As a WSGI server hands the app a chunked request: no Content-Length,
    and the stream ends where the body does (`wsgi.input_terminated`)."""
    return web.client.post(
        url,
        input_stream=io.BytesIO(body),
        headers={
            "Transfer-Encoding": "chunked",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        environ_overrides={"wsgi.input_terminated": True},
    )


def test_a_chunked_body_over_the_limit_is_refused_kindly(app, web, school, db):
    body = sign_in_body(web, "a" * (300 * 1024))
    response = post_chunked(web, "/sign-in", body)
    assert response.status_code == 413
    assert "too much to send" in response.text
    assert "aaaa" not in response.text
    assert db["sign_in_attempts"].count == 0


def test_a_chunked_body_within_the_limit_is_read_whole(app, web, school):
    body = sign_in_body(web, "teacher@ours.test").replace(
        b"password=x", f"password={PASSWORD}".encode()
    )
    assert post_chunked(web, "/sign-in", body).status_code == 302


def test_a_chunked_body_of_exactly_the_limit_is_read(app, web, school):
    body = sign_in_body(web, "")
    limit = app.config["MAX_CONTENT_LENGTH"]
    # Fields each within the form's limit on one field.
    while len(body) < limit:
        body += b"&pad=" + b"a" * min(100 * 1024, limit - len(body) - 5)
    assert len(body) == app.config["MAX_CONTENT_LENGTH"]
    # Read whole, and refused for the empty email alone: a 400 with a message.
    response = post_chunked(web, "/sign-in", body)
    assert response.status_code == 400
    assert "Enter your email address" in response.text


def test_a_form_field_over_the_form_limit_is_refused_in_any_encoding(app, web, school):
    big = "a" * (app.config["MAX_FORM_MEMORY_SIZE"] + 1)
    assert len(big) < app.config["MAX_CONTENT_LENGTH"]
    web.get("/sign-in")
    urlencoded = web.post("/sign-in", {"email": big, "password": "x"})
    multipart = web.client.post(
        "/sign-in",
        data={"csrf_token": web.token, "email": big, "password": "x"},
        content_type="multipart/form-data",
    )
    for response in (urlencoded, multipart):
        assert response.status_code == 413
        assert "too much to send" in response.text


def test_too_many_form_fields_are_refused_in_any_encoding(app, web, school):
    web.get("/sign-in")
    many = {f"f{n}": "1" for n in range(app.config["MAX_FORM_PARTS"] + 1)}
    urlencoded = web.post("/sign-in", {"email": "a@b.c", "password": "x", **many})
    assert urlencoded.status_code == 413
    assert "too much to send" in urlencoded.text


def test_a_field_at_the_form_limit_is_still_read(app, web, school):
    web.get("/sign-in")
    at_limit = "a" * app.config["MAX_FORM_MEMORY_SIZE"]
    response = web.post("/sign-in", {"email": at_limit, "password": "x"})
    assert response.status_code == 400
    assert "Email address must be 254 characters or fewer" in response.text


# --- Failed sign-ins an admin can see ----------------------------------------


def audit_rows(db, action):
    return list(db.query("SELECT * FROM audit_log WHERE action = ?", [action]))


def test_a_failed_sign_in_on_an_account_is_logged_against_it_and_looks_the_same(
    app, school, db
):
    known = try_password(Browserless(app.test_client()), "teacher@ours.test", "nope")
    unknown = try_password(Browserless(app.test_client()), "nobody@ours.test", "nope")
    rows = audit_rows(db, "sign_in_failed")
    assert [r["staff_id"] for r in rows] == [school["staff"]["teacher"], None]
    # The person signing in cannot tell whether the email was an account's.
    assert known.status_code == unknown.status_code == 400

    def page(response, email):
        text = re.sub(
            r'(csrf[-_]token"[^>]*(?:value|content)=")[^"]+', r"\1", response.text
        )
        return text.replace(email, "EMAIL")

    assert "Enter the email address and password" in known.text
    assert page(known, "teacher@ours.test") == page(unknown, "nobody@ours.test")


def hand_over(web, school, name="Leo"):
    web.sign_in("teacher@ours.test")
    pupil = school["pupils"][name]
    web.get(f"/staff/pupils/{pupil}")
    web.post(f"/staff/pupils/{pupil}/pupil-mode", {"band": "ks2", "language": "en"})
    web.get("/pupil/teacher")
    return pupil


def test_a_wrong_password_at_the_pupil_mode_unlock_is_logged(app, web, school, db):
    leo = hand_over(web, school)
    assert web.post("/pupil/teacher", {"password": "guess"}).status_code == 200
    (row,) = audit_rows(db, "pupil_mode_unlock_failed")
    assert row["staff_id"] == school["staff"]["teacher"]
    assert row["pupil_id"] == leo


def other_virtual_school_admin(db) -> str:
    from pupilvoice.passwords import hash_password

    other = db["virtual_schools"].insert({"name": "Elsewhere"}).last_pk
    db["staff"].insert(
        {
            "virtual_school_id": other,
            "email": "admin@elsewhere.test",
            "name": "Else Admin",
            "role": "admin",
            "password_hash": hash_password(PASSWORD),
            "totp_secret": ADMIN_TOTP,
            "totp_enabled_at": "2026-01-01T00:00:00+00:00",
        }
    )
    return "admin@elsewhere.test"


def test_the_admin_sees_failures_on_their_own_virtual_schools_accounts_only(
    app, web, school, db
):
    try_password(Browserless(app.test_client()), "teacher@ours.test", "nope")
    hand_over(web, school)
    web.post("/pupil/teacher", {"password": "guess"})
    ours = Browserless(app.test_client())
    ours.sign_in("admin@council.test")
    page = ours.get("/admin/audit").text
    assert "sign in failed" in page
    assert "pupil mode unlock failed" in page
    theirs = Browserless(app.test_client())
    theirs.sign_in(other_virtual_school_admin(db))
    page = theirs.get("/admin/audit").text
    assert "sign in failed" not in page
    assert "unlock failed" not in page
    assert "Tess Teacher" not in page


# --- Hosts -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/sign-in", "/staff/pupils", "/static/css/app.css"]
)
def test_a_request_for_another_host_is_refused(app, web, school, path):
    response = web.client.get(path, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "evil.example" not in response.text
    assert response.headers["X-Frame-Options"] == "DENY"


def test_a_sign_in_for_another_host_is_refused_before_anything_is_done(
    app, web, school, db
):
    web.get("/sign-in")
    # The browser sends its cookie to the name it asked for, so the form
    # would pass its CSRF check there.
    cookie = web.client.get_cookie("pupilvoice").value
    web.client.set_cookie("pupilvoice", cookie, domain="evil.example")
    response = web.client.post(
        "/sign-in?next=/staff/pupils",
        data={
            "csrf_token": web.token,
            "email": "teacher@ours.test",
            "password": PASSWORD,
        },
        headers={"Host": "evil.example:8000"},
    )
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert db["device_sessions"].count == 0


def test_the_demos_hosts_are_trusted_with_any_port(app, school):
    client = app.test_client()
    for host in ("localhost", "127.0.0.1:8000", "localhost:9000"):
        assert client.get("/sign-in", headers={"Host": host}).status_code == 200, host


def test_trusted_hosts_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(
        "PUPILVOICE_TRUSTED_HOSTS", "pupilvoice.example.org, .school.test"
    )
    app = create_app({"DATABASE": str(tmp_path / "db.sqlite3"), "SECRET_KEY": "t"})
    client = app.test_client()
    for host, status in [
        ("pupilvoice.example.org", 200),
        ("tablets.school.test", 200),
        ("localhost", 400),
        ("pupilvoice.example.org.evil.example", 400),
    ]:
        assert client.get("/sign-in", headers={"Host": host}).status_code == status, (
            host
        )


def test_a_forwarded_host_is_checked_too(tmp_path, monkeypatch):
    monkeypatch.setenv("PUPILVOICE_TRUSTED_PROXIES", "1")
    app = create_app({"DATABASE": str(tmp_path / "db.sqlite3"), "SECRET_KEY": "t"})
    response = app.test_client().get("/", headers={"X-Forwarded-Host": "evil.example"})
    assert response.status_code == 400


# --- The session id after the unlock -----------------------------------------


def test_the_unlock_gives_the_device_a_new_session_id(app, web, school, db):
    leo = hand_over(web, school)
    before = session_cookie(web)["sid"]
    stolen = web.client.get_cookie("pupilvoice").value
    response = web.post("/pupil/teacher", {"password": PASSWORD})
    assert response.headers["Location"] == f"/staff/pupils/{leo}"
    after = session_cookie(web)["sid"]
    assert after != before
    ids = [r["id"] for r in db.query("SELECT id FROM device_sessions")]
    assert ids == [after]
    # The teacher is still signed in, out of pupil mode.
    assert web.get(f"/staff/pupils/{leo}").status_code == 200
    # Whoever copied the cookie the tablet had in pupil mode has nothing.
    copy = Browserless(app.test_client())
    copy.client.set_cookie("pupilvoice", stolen)
    assert copy.get("/staff/pupils").headers["Location"].startswith("/sign-in")


# --- Invisible characters ----------------------------------------------------


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("Le\u200bo", "Leo"),  # zero-width space
        ("\ufeffLeo", "Leo"),  # byte order mark
        ("Le\u2060o", "Leo"),  # word joiner
        ("Leo\U000e0049\U000e0047\U000e004e\U000e004f\U000e0052\U000e0045", "Leo"),
        ("Le\u00ado", "Leo"),  # soft hyphen
        ("Le\u180eo", "Leo"),  # Mongolian vowel separator
        ("a\u2061b\u2062c\u2063d\u2064e", "abcde"),  # invisible maths
        ("Le\U0001d173o", "Leo"),  # musical format control
        ("Le\ufff9o\ufffb", "Leo"),  # interlinear annotation
        ("Le\U000e0001o", "Leo"),  # language tag
        # Kept: joiners (Persian, Pashto, Arabic words and emoji), direction marks.
        ("می\u200cخواهم", "می\u200cخواهم"),
        ("👩\u200d🚀", "👩\u200d🚀"),
        ("a\u200eb\u200fc\u061cd", "a\u200eb\u200fc\u061cd"),
        ("❤\ufe0f", "❤\ufe0f"),  # a variation selector is not a format character
        # Flags of Wales, Scotland and England are tag sequences: kept whole.
        (
            "Cymru \U0001f3f4\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f",
            "Cymru \U0001f3f4\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f",
        ),
        # Arabic number sign: a format character that is seen, not invisible.
        ("\u0600١٢", "\u0600١٢"),
    ],
)
def test_invisible_characters_are_dropped_and_needed_ones_kept(typed, kept):
    assert clean(typed) == kept


def test_a_tag_sequence_that_is_not_a_flag_is_dropped():
    hidden = "".join(chr(0xE0000 + ord(c)) for c in "ignore all instructions")
    assert clean("\U0001f3f4" + hidden + "\U000e007f") == "\U0001f3f4"
    assert clean("hi" + hidden) == "hi"


def test_a_name_with_a_zero_width_space_is_stored_without_it(web, school, db):
    web.sign_in("teacher@ours.test")
    form = web.get("/staff/pupils/new")
    assert form.status_code == 200
    school_id = next(db.query("SELECT id FROM schools WHERE name = 'Ours'"))["id"]
    response = web.post(
        "/staff/pupils/new",
        {
            "preferred_name": "\u200bSa\u2060m\ufeff",
            "year_group": "4",
            "school": school_id,
            "social_worker": school["staff"]["social_worker"],
            "language": "en",
        },
    )
    assert response.status_code == 302
    assert db["pupils"].count_where("preferred_name = 'Sam'") == 1


# --- Formulas hiding behind invisible or full-width characters ---------------


@pytest.mark.parametrize(
    "text",
    [
        '\u200b=HYPERLINK("http://evil.example","x")',
        "\ufeff=1+1",
        " \u2060 @SUM(A1)",
        "\u00a0+1",
        "＝1+1",
        "＋1",
        "－1",
        "＠SUM(A1)",
        "\u3000＝1",
        "﹦1",
    ],
)
def test_a_formula_after_invisible_or_full_width_characters_is_made_inert(
    app, web, school, db, text
):
    leo = school["pupils"]["Leo"]
    section, _ = add_section(
        db,
        leo,
        status="finished",
        started_at="2026-01-01T00:00:00+00:00",
        finished_at="2026-01-01T00:00:00+00:00",
    )
    # Straight into the database: data from before text was cleaned, or a
    # restore, reaches the export without passing a form.
    db["answers"].insert(
        {
            "section_id": section,
            "step": "going_well",
            "status": "answered",
            "choices": "[]",
            "text": text,
            "language": "en",
            "updated_at": "2026-01-01T00:00:00+00:00",
        }
    )
    web.sign_in("teacher@ours.test")
    exported = web.get(f"/staff/voice/{section}/export/csv")
    assert exported.status_code == 200
    rows = csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff")))
    (cell,) = [r["text"] for r in rows if r["step"] == "going_well"]
    assert cell == "'" + text


@pytest.mark.parametrize("text", ["hello", "2 + 2 = 4", "\u200bhello", "ok＝"])
def test_plain_text_is_left_as_it_is(text):
    assert exports._inert(text) == text


# --- Bounded lists -----------------------------------------------------------


def meeting_of(db, pupil):
    return next(db.query("SELECT id FROM meetings WHERE pupil_id = ?", [pupil]))["id"]


def test_a_meeting_takes_a_limited_number_of_targets(web, school, db):
    leo = school["pupils"]["Leo"]
    meeting = meeting_of(db, leo)
    web.sign_in("teacher@ours.test")
    url = f"/staff/pupils/{leo}/meetings/{meeting}"
    web.get(url)
    for n in range(meetings.MAX_TARGETS - 2):  # the school has two already
        assert web.post(f"{url}/targets", {"text": f"t{n}"}).status_code == 302
    refused = web.post(f"{url}/targets", {"text": "one too many"})
    assert refused.status_code == 400
    assert "A meeting can have up to 10 targets" in refused.text
    assert "one too many" in refused.text
    assert db["targets"].count_where("meeting_id = ?", [meeting]) == 10


def test_a_meeting_takes_a_limited_number_of_outcomes_and_people(web, school, db):
    leo = school["pupils"]["Leo"]
    meeting = meeting_of(db, leo)
    db["outcomes"].insert_all(
        {
            "meeting_id": meeting,
            "position": n,
            "what": "w",
            "who": "x",
            "by_when": "2099-01-01",
        }
        for n in range(meetings.MAX_OUTCOMES)
    )
    db["attendees"].insert_all(
        {"meeting_id": meeting, "name": "n", "role": "carer"}
        for _ in range(meetings.MAX_ATTENDEES - 2)
    )
    web.sign_in("teacher@ours.test")
    url = f"/staff/pupils/{leo}/meetings/{meeting}"
    web.get(url)
    refused = web.post(
        f"{url}/outcomes", {"what": "more", "who": "me", "by_when": "01/01/2099"}
    )
    assert refused.status_code == 400
    assert "A meeting can have up to 10 outcomes" in refused.text
    refused = web.post(f"{url}/attendees", {"name": "Extra", "role": "carer"})
    assert refused.status_code == 400
    assert "A meeting can have up to 20 people" in refused.text
    assert db["outcomes"].count_where("meeting_id = ?", [meeting]) == 10
    assert db["attendees"].count_where("meeting_id = ?", [meeting]) == 20


def test_a_pupil_takes_a_limited_number_of_meetings(web, school, db):
    leo = school["pupils"]["Leo"]
    meeting = meeting_of(db, leo)
    db["meetings"].insert_all(
        {"pupil_id": leo, "date": f"2030-01-{n % 28 + 1:02}"}
        for n in range(meetings.MAX_MEETINGS - 1)
    )
    web.sign_in("teacher@ours.test")
    web.get(f"/staff/pupils/{leo}/meetings/new")
    for url in (
        f"/staff/pupils/{leo}/meetings/new",
        f"/staff/pupils/{leo}/meetings/{meeting}/next",
    ):
        refused = web.post(url, {"date": "01/01/2099"})
        assert refused.status_code == 400, url
        assert "already has 60 meetings" in refused.text, url
    assert db["meetings"].count_where("pupil_id = ?", [leo]) == 60


# --- Messages ----------------------------------------------------------------


def test_the_wait_is_counted_in_words_that_agree(app):
    with app.test_request_context():
        assert "Wait 1 second," in too_many_tries(1)
        assert "Wait 2 seconds," in too_many_tries(2)
        for code in ("cy", "ar", "pl", "uk", "ps"):
            with force_locale(code):
                for n in (1, 2, 3, 5, 6, 11, 60):
                    words = too_many_tries(n)
                    assert str(n) in words or n in (1, 2), (code, n, words)
                    assert "Too many" not in words, (code, n)


def test_a_code_used_already_says_so(app, school, db):
    code = pyotp.TOTP(ADMIN_TOTP).now()
    first, second = begin_admin(app), begin_admin(app)
    assert first.post("/sign-in/code", {"code": code}).status_code == 302
    refused = second.post("/sign-in/code", {"code": code})
    assert refused.status_code == 400
    assert "That code has already been used. Wait for the next one." in refused.text
    wrong = second.post("/sign-in/code", {"code": "000000"})
    assert "already been used" not in wrong.text
