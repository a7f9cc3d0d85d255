"""Reading, reviewing, exporting and importing a voice section."""

import json
import zipfile
from io import BytesIO

import pytest
from school import PASSWORD, Browserless


def finish_leo(web, school):
    """Leo answers a little and finishes, with his teacher's help."""
    leo = school["pupils"]["Leo"]
    web.get(f"/staff/pupils/{leo}")
    web.post(f"/staff/pupils/{leo}/pupil-mode", {"band": "ks2", "language": "en"})
    web.post("/pupil/q/feel", {"choice": "good"})
    web.post("/pupil/q/going_well", {"text": "Football"})
    web.post("/pupil/q/private_note", {"text": "about home"})
    web.post("/pupil/finish")
    web.get("/pupil/teacher")
    web.post("/pupil/teacher", {"password": PASSWORD})


@pytest.fixture
def section(web, school, db):
    web.sign_in("teacher@ours.test")
    leo = school["pupils"]["Leo"]
    web.get(f"/staff/pupils/{leo}")
    web.post(f"/staff/pupils/{leo}/pupil-mode", {"band": "ks2", "language": "en"})
    web.get("/pupil/teacher")
    web.post("/pupil/teacher", {"password": PASSWORD})
    return next(db.query("SELECT id FROM voice_sections"))["id"]


def test_an_unfinished_section_is_not_exported_and_says_why(web, section, db):
    for path in ["export/pdf", "export/json", "text"]:
        response = web.get(f"/staff/voice/{section}/{path}")
        assert response.status_code == 409
        assert "has not finished yet" in response.text
    assert db["exports"].count == 0


def test_the_section_moves_through_every_stage(app, web, school, db):
    web.sign_in("teacher@ours.test")
    finish_leo(web, school)
    section = next(db.query("SELECT * FROM voice_sections"))
    assert section["status"] == "finished"
    review = web.get(f"/staff/voice/{section['id']}/")
    assert "about home" in review.text and "Just for my teacher" in review.text
    web.post(f"/staff/voice/{section['id']}/reviewed")
    assert next(db.query("SELECT status FROM voice_sections"))["status"] == "reviewed"

    response = web.get(f"/staff/voice/{section['id']}/export/json")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    doc = json.loads(response.data)
    assert doc["pupil"]["pep_reference"] == "PEP-Leo"
    export = next(db.query("SELECT * FROM exports"))
    assert (export["format"], export["staff_id"]) == (
        "json",
        school["staff"]["teacher"],
    )
    assert next(db.query("SELECT status FROM voice_sections"))["status"] == "exported"
    # Only the social worker marks it imported.
    assert web.post(f"/staff/voice/{section['id']}/imported").status_code == 404

    social_worker = Browserless(app.test_client())
    social_worker.sign_in("sw@council.test")
    social_worker.get(f"/staff/voice/{section['id']}/")
    social_worker.post(f"/staff/voice/{section['id']}/imported")
    row = next(db.query("SELECT * FROM voice_sections"))
    assert (
        row["status"] == "imported"
        and row["imported_by_id"] == school["staff"]["social_worker"]
    )
    actions = [r["action"] for r in db.query("SELECT action FROM audit_log")]
    assert {"voice_reviewed", "voice_exported", "voice_marked_imported"} <= set(actions)
    # The audit log never holds what the pupil said.
    assert not list(db.query("SELECT * FROM audit_log WHERE detail LIKE '%home%'"))


def test_adult_notes_are_kept_apart_and_the_pupils_words_are_untouched(web, school, db):
    web.sign_in("teacher@ours.test")
    finish_leo(web, school)
    section = next(db.query("SELECT id FROM voice_sections"))["id"]
    web.get(f"/staff/voice/{section}/")
    response = web.post(f"/staff/voice/{section}/notes", {"text": ""})
    assert response.status_code == 400 and "Enter your note" in response.text
    web.post(f"/staff/voice/{section}/notes", {"text": "Leo was calm and chatty"})
    assert (
        next(db.query("SELECT text FROM adult_notes"))["text"]
        == "Leo was calm and chatty"
    )
    assert (
        next(db.query("SELECT text FROM answers WHERE step = 'going_well'"))["text"]
        == "Football"
    )
    page = web.get(f"/staff/voice/{section}/").text
    assert page.index("Football") < page.index("Leo was calm and chatty")


def test_the_command_line_exports_one_or_all(app, web, school, db, tmp_path):
    web.sign_in("teacher@ours.test")
    finish_leo(web, school)
    section = next(db.query("SELECT id FROM voice_sections"))["id"]
    runner = app.test_cli_runner()
    out = tmp_path / "leo.json"
    result = runner.invoke(
        args=["export", str(section), "--format", "json", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["voice"]["status"] in ("finished", "exported")
    for fmt in ["csv", "text", "docx", "pdf"]:
        target = tmp_path / f"leo.{fmt}"
        assert (
            runner.invoke(
                args=["export", str(section), "--format", fmt, "--output", str(target)]
            ).exit_code
            == 0
        )
        assert target.stat().st_size > 100
    result = runner.invoke(
        args=["export", "--all", "--format", "csv", "--output", str(tmp_path / "all")]
    )
    assert result.exit_code == 0
    assert (tmp_path / "all" / f"voice-{section}.csv").exists()
    assert db["exports"].count_where("staff_id IS NULL") == 6
    missing = runner.invoke(
        args=["export", "999", "--format", "json", "--output", str(out)]
    )
    assert missing.exit_code != 0 and "no voice section 999" in missing.output


def test_the_admin_downloads_a_date_range_as_one_zip(app, web, school, db):
    web.sign_in("teacher@ours.test")
    finish_leo(web, school)
    admin = Browserless(app.test_client())
    admin.sign_in("admin@council.test")
    admin.get("/admin/")
    backwards = admin.post(
        "/admin/export", {"start": "2099-01-02", "end": "2099-01-01"}
    )
    assert "The last date must be the same as or after the first" in backwards.text
    empty = admin.post("/admin/export", {"start": "2000-01-01", "end": "2000-01-02"})
    assert "No voice sections were finished between those dates" in empty.text
    response = admin.post("/admin/export", {"start": "2000-01-01", "end": "2099-12-31"})
    assert response.mimetype == "application/zip"
    names = zipfile.ZipFile(BytesIO(response.data)).namelist()
    section = next(db.query("SELECT id FROM voice_sections"))["id"]
    assert sorted(names) == [f"voice-{section}.csv", f"voice-{section}.json"]


def test_the_admin_adds_schools_and_accounts(app, school, db):
    admin = Browserless(app.test_client())
    admin.sign_in("admin@council.test")
    admin.get("/admin/")
    response = admin.post(
        "/admin/staff",
        {
            "name": "New DT",
            "email": "not-an-email",
            "role": "teacher",
            "school": "0",
            "password": "short",
        },
    )
    assert response.status_code == 400
    assert "Enter an email address in the right format" in response.text
    assert "Password must be at least 12 characters" in response.text
    assert 'value="New DT"' in response.text
    admin.post("/admin/schools", {"name": "Hillside Primary"})
    hillside = next(db.query("SELECT id FROM schools WHERE name = 'Hillside Primary'"))[
        "id"
    ]
    response = admin.post(
        "/admin/staff",
        {
            "name": "New DT",
            "email": "dt@hillside.test",
            "role": "teacher",
            "school": str(hillside),
            "password": "a long first password",
        },
    )
    assert response.status_code == 302
    new = Browserless(app.test_client())
    new.sign_in("dt@hillside.test", "a long first password")
    assert "You have no pupils yet." in new.get("/staff/pupils").text


def test_an_account_needs_a_school_for_a_teacher_and_a_new_email(app, db, school):
    admin = Browserless(app.test_client())
    admin.sign_in("admin@council.test")
    admin.get("/admin/")
    form = {
        "name": "New Teacher",
        "email": "teacher@ours.test",
        "role": "teacher",
        "school": "0",
        "password": "a long first password",
    }
    before = db["staff"].count
    refused = admin.post("/admin/staff", form)
    assert refused.status_code == 400
    assert "Choose the designated teacher's school" in refused.text
    assert "Someone already has an account with that email address" in refused.text
    assert db["staff"].count == before
