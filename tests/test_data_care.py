"""Retention, deletion, the audit log, and backup and restore."""

import sqlite3
import threading
from datetime import UTC, datetime, timedelta

from school import Browserless, add_section

from pupilvoice import retention


def imported_section(db, school, days_ago):
    when = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat(timespec="seconds")
    section, _meeting = add_section(
        db,
        school["pupils"]["Leo"],
        status="imported",
        started_at=when,
        finished_at=when,
        imported_at=when,
    )
    db["answers"].insert(
        {
            "section_id": section,
            "step": "feel",
            "status": "answered",
            "choices": '["good"]',
            "text": "secret words",
            "private": 0,
            "language": "en",
            "updated_at": when,
        }
    )
    db["talk_flags"].insert({"section_id": section, "raised_at": when})
    return section


def test_answers_are_deleted_once_past_the_retention_period(app, db, school):
    old = imported_section(db, school, days_ago=91)
    assert retention.purge(db) == 1
    assert db["answers"].count_where("section_id = ?", [old]) == 0
    assert db["talk_flags"].count_where("section_id = ?", [old]) == 0
    section = next(db.query("SELECT * FROM voice_sections WHERE id = ?", [old]))
    assert section["purged_at"] and section["status"] == "imported"
    assert next(db.query("SELECT action FROM audit_log"))["action"] == (
        "answers_deleted_by_retention"
    )
    assert retention.purge(db) == 0


def test_answers_inside_the_period_are_kept(app, db, school):
    recent = imported_section(db, school, days_ago=10)
    assert retention.purge(db) == 0
    assert db["answers"].count_where("section_id = ?", [recent]) == 1


def test_the_admin_sets_the_period_and_it_is_applied(app, db, school):
    recent = imported_section(db, school, days_ago=10)
    admin = Browserless(app.test_client())
    admin.sign_in("admin@council.test")
    admin.get("/admin/")
    wrong = admin.post("/admin/retention", {"days": "ten"})
    assert wrong.status_code == 400
    assert "Enter a whole number of days" in wrong.text
    assert 'value="ten"' in wrong.text
    admin.post("/admin/retention", {"days": "7"})
    assert retention.days_for(db, school["vs"]) == 7
    runner = app.test_cli_runner()
    result = runner.invoke(args=["purge"])
    assert "1 voice section" in result.output
    assert db["answers"].count_where("section_id = ?", [recent]) == 0


def test_retention_runs_by_itself_once_a_day(app, db, school, monkeypatch):
    imported_section(db, school, days_ago=91)
    monkeypatch.setattr(retention, "_last_checked", None)
    app.test_client().get("/sign-in")
    # It runs beside the request, not in it.
    for thread in threading.enumerate():
        if thread.name == "daily-purge":
            thread.join(timeout=10)
    assert db["answers"].count == 0
    assert next(db.query("SELECT task FROM maintenance"))["task"] == "purge"


def test_the_admin_deletes_a_pupils_whole_record(app, db, school):
    imported_section(db, school, days_ago=1)
    leo = school["pupils"]["Leo"]
    admin = Browserless(app.test_client())
    admin.sign_in("admin@council.test")
    assert "cannot be undone" in admin.get(f"/admin/pupils/{leo}/delete").text
    admin.post(f"/admin/pupils/{leo}/delete")
    for table in ["pupils", "meetings", "voice_sections"]:
        column = "id" if table == "pupils" else "pupil_id"
        assert db[table].count_where(f"{column} = ?", [leo]) == 0, table
    assert db["answers"].count == 0
    log = admin.get("/admin/audit?action=pupil_deleted").text
    assert "pupil deleted" in log and "Ada Admin" in log
    # Nobody else can delete.
    teacher = Browserless(app.test_client())
    teacher.sign_in("teacher@ours.test")
    maya = school["pupils"]["Maya"]
    assert teacher.post(f"/admin/pupils/{maya}/delete").status_code == 404


def test_the_audit_log_filters_and_never_holds_answers(app, db, school):
    imported_section(db, school, days_ago=1)
    admin = Browserless(app.test_client())
    admin.sign_in("admin@council.test")
    admin.get(f"/staff/pupils/{school['pupils']['Leo']}")
    page = admin.get("/admin/audit?pupil=PEP-Leo").text
    assert "<td>viewed answers</td>" in page and "<td>signed in</td>" not in page
    assert "secret words" not in page
    everything = " ".join(str(r) for r in db.query("SELECT * FROM audit_log"))
    assert "secret words" not in everything


def test_a_backup_is_checked_and_restores_everything(app, db, school, tmp_path):
    imported_section(db, school, days_ago=1)
    runner = app.test_cli_runner()
    backup = tmp_path / "backup.sqlite3"
    result = runner.invoke(args=["backup", str(backup)])
    assert result.exit_code == 0 and "checked" in result.output
    db.execute("DELETE FROM answers")
    result = runner.invoke(args=["restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    assert next(db.query("SELECT text FROM answers"))["text"] == "secret words"


def test_a_damaged_or_foreign_backup_is_refused(app, db, school, tmp_path):
    runner = app.test_cli_runner()
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not a database at all" * 100)
    result = runner.invoke(args=["restore", str(junk), "--yes"])
    assert result.exit_code != 0 and "not a PupilVoice backup" in result.output
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute(
        "CREATE TABLE migrations (name TEXT)"
    ).connection.commit()
    result = runner.invoke(args=["restore", str(other), "--yes"])
    assert "no PupilVoice tables" in result.output
    assert db["pupils"].count == 5


def test_a_large_purge_goes_a_batch_at_a_time(app, db, school, monkeypatch):
    monkeypatch.setattr(retention, "BATCH", 2)
    pupil = school["pupils"]["Leo"]
    for n in range(5):
        meeting = (
            db["meetings"]
            .insert({"pupil_id": pupil, "date": f"2020-0{n + 1}-01"})
            .last_pk
        )
        db["voice_sections"].insert(
            {
                "pupil_id": pupil,
                "meeting_id": meeting,
                "band": "ks2",
                "language": "en",
                "status": "imported",
                "started_at": "2020-01-01T00:00:00+00:00",
                "imported_at": "2020-01-01T00:00:00+00:00",
            }
        )
    assert retention.purge(db) == 5
    assert db["voice_sections"].count_where("purged_at IS NULL") == 0
