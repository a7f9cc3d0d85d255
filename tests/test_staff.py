"""Staff sign-in, who sees which pupil, staff forms, and the headers on every page."""

import re

import pytest
from school import PASSWORD, Browserless


def names_listed(web) -> set[str]:
    page = web.get("/staff/pupils").text
    return {n for n in ["Ava", "Leo", "Maya", "Jordan", "Zed"] if f">{n}</a>" in page}


def test_a_wrong_password_says_what_to_do_and_keeps_the_email(web, school):
    web.get("/sign-in")
    response = web.post("/sign-in", {"email": "teacher@ours.test", "password": "nope"})
    assert response.status_code == 400
    assert "<title>Error:" in response.text
    assert "Enter the email address and password for your account." in response.text
    assert 'value="teacher@ours.test"' in response.text
    assert web.get("/staff/pupils").status_code == 302


def test_an_empty_sign_in_names_each_missing_field(web, school):
    web.get("/sign-in")
    response = web.post("/sign-in", {"email": "", "password": ""})
    assert (
        'href="#email"' in response.text and "Enter your email address" in response.text
    )
    assert (
        'href="#password"' in response.text and "Enter your password" in response.text
    )


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("teacher@ours.test", {"Ava", "Leo", "Maya", "Jordan"}),
        ("teacher@theirs.test", {"Zed"}),
        ("sw@council.test", {"Ava", "Leo", "Maya", "Jordan"}),
        ("sw2@council.test", {"Zed"}),
        ("admin@council.test", {"Ava", "Leo", "Maya", "Jordan", "Zed"}),
    ],
)
def test_each_person_sees_only_their_own_pupils(web, school, email, expected):
    web.sign_in(email)
    assert names_listed(web) == expected


def test_signed_out_visitors_are_sent_to_sign_in(web, school):
    response = web.get(f"/staff/pupils/{school['pupils']['Leo']}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_starting_pupil_mode_without_a_band_says_so(web, school):
    web.sign_in("teacher@ours.test")
    leo = school["pupils"]["Leo"]
    web.get(f"/staff/pupils/{leo}")
    response = web.post(f"/staff/pupils/{leo}/pupil-mode", {"language": "en"})
    assert response.status_code == 400
    assert "<title>Error:" in response.text
    assert 'href="#band-0"' in response.text
    assert "Choose which questions the pupil should see" in response.text
    response = web.post(
        f"/staff/pupils/{leo}/pupil-mode", {"band": "nonsense", "language": "en"}
    )
    assert "Choose which questions the pupil should see" in response.text


def test_adding_a_person_keeps_what_was_typed_when_the_role_is_missing(web, school, db):
    web.sign_in("teacher@ours.test")
    leo = school["pupils"]["Leo"]
    meeting = next(db.query("SELECT id FROM meetings WHERE pupil_id = ?", [leo]))["id"]
    page = f"/staff/pupils/{leo}/meetings/{meeting}"
    web.get(page)
    response = web.post(f"{page}/attendees", {"name": "Dr Rao"})
    assert response.status_code == 400
    assert "Choose the role of the person coming" in response.text
    assert 'value="Dr Rao"' in response.text
    response = web.post(
        f"{page}/attendees",
        {"name": "Dr Rao", "role": "educational_psychologist"},
    )
    assert response.status_code == 302
    page = web.get(page).text
    assert "Dr Rao" in page and "Educational psychologist" in page


def test_the_teacher_can_choose_another_band(web, school, db):
    web.sign_in("teacher@ours.test")
    maya = school["pupils"]["Maya"]
    page = web.get(f"/staff/pupils/{maya}").text
    assert 'value="ks34" checked' in page
    web.post(f"/staff/pupils/{maya}/pupil-mode", {"band": "ks2", "language": "en"})
    assert next(db.query("SELECT band FROM voice_sections"))["band"] == "ks2"
    assert "Choose as many pictures" in web.get("/pupil/q/going_well").text


def test_sign_out_ends_the_session_on_the_server(app, school):
    web = Browserless(app.test_client())
    web.sign_in("teacher@ours.test")
    cookie = web.client.get_cookie("pupilvoice").value
    web.post("/sign-out")
    replay = Browserless(app.test_client())
    replay.client.set_cookie("pupilvoice", cookie)
    assert replay.get("/staff/pupils").status_code == 302


def test_a_new_session_id_at_every_sign_in_and_none_left_after(app, school, db):
    web = Browserless(app.test_client())
    web.sign_in("teacher@ours.test")
    first = {r["id"] for r in db.query("SELECT id FROM device_sessions")}
    web.post("/sign-out")
    web.sign_in("teacher@ours.test")
    second = {r["id"] for r in db.query("SELECT id FROM device_sessions")}
    assert len(second) == 1 and first != second


def test_every_page_carries_the_security_headers(web, school):
    web.sign_in("teacher@ours.test")
    for path in [
        "/sign-in",
        "/staff/pupils",
        f"/staff/pupils/{school['pupils']['Leo']}",
        "/nope",
    ]:
        headers = web.get(path).headers
        assert headers["Content-Security-Policy"] == (
            "default-src 'self'; object-src 'none'; base-uri 'none'; "
            "frame-ancestors 'none'; form-action 'self'"
        )
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["Cache-Control"] == "no-store"


def test_a_post_without_its_csrf_token_is_refused_kindly(web, school):
    web.sign_in("teacher@ours.test")
    response = web.client.post(
        f"/staff/pupils/{school['pupils']['Leo']}/pupil-mode", data={"band": "ks2"}
    )
    assert response.status_code == 400
    assert "That page was open for a long time" in response.text


def test_sign_in_never_redirects_off_the_site(web, school):
    web.get("/sign-in?next=//evil.example/")
    response = web.post(
        "/sign-in?next=//evil.example/",
        {"email": "teacher@ours.test", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/staff/pupils"


def test_the_session_cookie_is_httponly_and_lax(web, school):
    web.get("/sign-in")
    response = web.post(
        "/sign-in", {"email": "teacher@ours.test", "password": PASSWORD}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_static_files_are_fingerprinted_compressed_and_kept(web):
    page = web.get("/sign-in").text
    css = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]{12})"', page).group(1)
    response = web.client.get(css, headers={"Accept-Encoding": "gzip, br"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "immutable" in response.headers["Cache-Control"]
    assert len(response.data) < len(web.client.get(css).data)
    stale = web.client.get("/static/css/app.css?v=000000000000")
    assert stale.headers["Cache-Control"] == "no-cache" and stale.headers["ETag"]
    assert web.client.get("/static/../pupilvoice/db.py").status_code == 404
