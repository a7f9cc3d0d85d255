"""Sign-in throttling, two-step sign-in, and what admins must do."""

import pyotp
from school import ADMIN_TOTP, PASSWORD, Browserless


def try_password(web, email, password):
    web.get("/sign-in")
    return web.post("/sign-in", {"email": email, "password": password})


def test_guessing_a_password_gets_slower_but_never_locks_out(app, web, school, db):
    for _ in range(5):
        assert (
            "Enter the email address and password"
            in try_password(web, "teacher@ours.test", "x").text
        )
    # The sixth failure starts a wait; while it lasts even the right password waits.
    try_password(web, "teacher@ours.test", "x")
    response = try_password(web, "teacher@ours.test", PASSWORD)
    assert "Too many tries. Wait" in response.text
    assert response.status_code == 400
    counts = {
        row["key"].split(":")[0]: row["failures"]
        for row in db.query("SELECT * FROM sign_in_attempts")
    }
    assert counts == {"pair": 6, "account": 6, "address": 6}
    # Once the wait is over the right password works and the account's counts
    # are cleared (the address's stays: one right password must not reset a
    # spray across many accounts).
    db.execute(
        "UPDATE sign_in_attempts SET last_failure_at = '2000-01-01T00:00:00+00:00'"
    )
    assert try_password(web, "teacher@ours.test", PASSWORD).status_code == 302
    left = [
        r["key"].split(":")[0] for r in db.query("SELECT key FROM sign_in_attempts")
    ]
    assert left == ["address"]


def test_counts_are_kept_in_the_database_for_every_worker(app, school, db):
    first, second = Browserless(app.test_client()), Browserless(app.test_client())
    for web in [first, second] * 3:
        try_password(web, "sw@council.test", "wrong")
    assert "Too many tries" in try_password(first, "sw@council.test", PASSWORD).text


def test_sign_in_failures_and_successes_are_logged(web, school, db):
    try_password(web, "teacher@ours.test", "wrong")
    web.sign_in("teacher@ours.test")
    web.post("/sign-out")
    actions = [
        r["action"] for r in db.query("SELECT action FROM audit_log ORDER BY id")
    ]
    assert actions == ["sign_in_failed", "signed_in", "signed_out"]


def test_an_admin_must_give_a_code_after_the_password(web, school):
    response = try_password(web, "admin@council.test", PASSWORD)
    assert response.headers["Location"] == "/sign-in/code"
    assert web.get("/staff/pupils").status_code == 302
    web.get("/sign-in/code")
    wrong = web.post("/sign-in/code", {"code": "000000"})
    assert "Enter the 6-digit code" in wrong.text
    right = web.post("/sign-in/code", {"code": pyotp.TOTP(ADMIN_TOTP).now()})
    assert right.status_code == 302
    assert web.get("/admin/").status_code == 200


def test_two_step_can_be_turned_on_and_a_recovery_code_works_once(app, web, school, db):
    web.sign_in("teacher@ours.test")
    page = web.get("/account/two-step")
    secret = page.text.split('<code class="secret">')[1].split("<")[0]
    assert web.get("/account/two-step/qr.svg").mimetype == "image/svg+xml"
    response = web.post("/account/two-step", {"code": pyotp.TOTP(secret).now()})
    assert "recovery codes" in response.text
    code = response.text.split("<li><code>")[1].split("<")[0]
    web.post("/sign-out")

    for attempt in range(2):
        other = Browserless(app.test_client())
        response = try_password(other, "teacher@ours.test", PASSWORD)
        assert response.headers["Location"] == "/sign-in/code"
        other.get("/sign-in/code")
        response = other.post("/sign-in/code", {"code": code})
        assert response.status_code == (302 if attempt == 0 else 400)


def test_an_admin_without_two_step_is_sent_to_set_it_up(app, school, db):
    db.execute(
        "UPDATE staff SET totp_enabled_at = NULL, totp_secret = NULL WHERE role = 'admin'"
    )
    web = Browserless(app.test_client())
    web.get("/sign-in")
    web.post("/sign-in", {"email": "admin@council.test", "password": PASSWORD})
    for path in ["/staff/pupils", "/admin/"]:
        response = web.get(path)
        assert response.headers["Location"] == "/account/two-step"
    assert "must use two-step sign-in" in web.get("/account/two-step").text


def test_the_pupil_mode_password_is_throttled_too(web, school, db):
    web.sign_in("teacher@ours.test")
    leo = school["pupils"]["Leo"]
    web.get(f"/staff/pupils/{leo}")
    web.post(f"/staff/pupils/{leo}/pupil-mode", {"band": "ks2", "language": "en"})
    web.get("/pupil/teacher")
    for _ in range(4):
        web.post("/pupil/teacher", {"password": "guess"})
    assert "Too many tries" in web.post("/pupil/teacher", {"password": PASSWORD}).text
    assert web.get("/staff/pupils").status_code == 302


def test_behind_a_tls_proxy_cookies_are_secure_and_hsts_is_sent(tmp_path, monkeypatch):
    from pupilvoice import create_app

    monkeypatch.setenv("PUPILVOICE_HTTPS", "1")
    monkeypatch.setenv("PUPILVOICE_TRUSTED_PROXIES", "1")
    app = create_app({"DATABASE": str(tmp_path / "tls.sqlite3"), "SECRET_KEY": "t"})
    client = app.test_client()
    response = client.get("/sign-in", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Secure" in response.headers["Set-Cookie"]
    plain = client.get("/sign-in")
    assert "Strict-Transport-Security" not in plain.headers
