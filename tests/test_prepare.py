"""The designated teacher prepares the meeting and records what it agreed."""

import pytest


@pytest.fixture
def teacher(web, school):
    web.sign_in("teacher@ours.test")
    return web


def meeting_of(db, pupil):
    return next(db.query("SELECT id FROM meetings WHERE pupil_id = ?", [pupil]))["id"]


def test_adding_a_pupil_keeps_only_what_is_needed(teacher, school, db):
    page = teacher.get("/staff/pupils/new")
    assert "date of birth" in page.text  # says it is not asked for
    assert "address" not in {c.name for c in db["pupils"].columns}
    response = teacher.post(
        "/staff/pupils/new",
        {
            "preferred_name": "",
            "year_group": "",
            "school": "1",
            "social_worker": "3",
            "language": "en",
        },
    )
    assert response.status_code == 400
    assert "Enter the name the pupil likes to be called" in response.text
    assert (
        "Choose the pupil&#39;s year group" in response.text
        or "Choose the pupil's year group" in response.text
    )
    response = teacher.post(
        "/staff/pupils/new",
        {
            "preferred_name": "Sky",
            "year_group": "5",
            "school": "1",
            "social_worker": "3",
            "language": "en",
            "pep_reference": "PEP-77",
        },
    )
    assert response.status_code == 302
    sky = next(db.query("SELECT * FROM pupils WHERE preferred_name = 'Sky'"))
    assert sky["school_id"] == 1 and sky["pep_reference"] == "PEP-77"


def test_a_teacher_cannot_add_a_pupil_to_another_school(teacher, school, db):
    response = teacher.post(
        "/staff/pupils/new",
        {
            "preferred_name": "Sky",
            "year_group": "5",
            "school": "2",
            "social_worker": "3",
            "language": "en",
        },
    )
    assert response.status_code == 400
    assert db["pupils"].count_where("preferred_name = 'Sky'") == 0


def test_a_meeting_date_in_the_past_is_refused_with_the_date_kept(teacher, school, db):
    leo = school["pupils"]["Leo"]
    teacher.get(f"/staff/pupils/{leo}/meetings/new")
    response = teacher.post(
        f"/staff/pupils/{leo}/meetings/new", {"date": "2001-02-03", "time": "9:00"}
    )
    assert response.status_code == 400
    assert "The meeting date must be today or in the future" in response.text
    assert 'value="2001-02-03"' in response.text
    response = teacher.post(f"/staff/pupils/{leo}/meetings/new", {"date": "31/02/2099"})
    assert "Enter a real date" in response.text
    response = teacher.post(
        f"/staff/pupils/{leo}/meetings/new", {"date": "2099-03-04", "place": "Room 1"}
    )
    assert response.status_code == 302
    assert db["meetings"].count_where("date = '2099-03-04' AND place = 'Room 1'") == 1


def test_an_unknown_attendee_role_is_refused(teacher, school, db):
    leo = school["pupils"]["Leo"]
    page = f"/staff/pupils/{leo}/meetings/{meeting_of(db, leo)}"
    teacher.get(page)
    response = teacher.post(f"{page}/attendees", {"name": "Kim", "role": "wizard"})
    assert response.status_code == 400
    assert "Choose the role of the person coming" in response.text
    assert db["attendees"].count_where("name = 'Kim'") == 0


def test_the_checklist_records_each_status(teacher, school, db):
    leo = school["pupils"]["Leo"]
    meeting = meeting_of(db, leo)
    page = f"/staff/pupils/{leo}/meetings/{meeting}"
    teacher.get(page)
    teacher.post(f"{page}/checklist", {"item": "data_ready", "status": "done"})
    teacher.post(
        f"{page}/checklist", {"item": "attendance_confirmed", "status": "in_progress"}
    )
    rows = {r["item"]: r["status"] for r in db.query("SELECT * FROM checklist")}
    assert rows == {"data_ready": "done", "attendance_confirmed": "in_progress"}
    assert (
        teacher.post(f"{page}/checklist", {"item": "x", "status": "done"}).status_code
        == 404
    )
    overview = teacher.get(f"/staff/pupils/{leo}").text
    assert "Done</span> Attendance, progress and attainment data" in overview


def test_outcomes_become_next_terms_targets(teacher, school, db):
    leo = school["pupils"]["Leo"]
    meeting = meeting_of(db, leo)
    page = f"/staff/pupils/{leo}/meetings/{meeting}"
    teacher.get(page)
    response = teacher.post(
        f"{page}/outcomes", {"what": "Reading club", "who": "", "by_when": "2099-05-01"}
    )
    assert "Enter who will do it" in response.text
    assert 'value="Reading club"' in response.text
    teacher.post(
        f"{page}/outcomes",
        {"what": "Reading club", "who": "Miss Khan", "by_when": "2099-05-01"},
    )
    sheet = teacher.get(f"{page}/outcome-sheet").text
    assert "You said, we did" in sheet and "Reading club" in sheet
    assert "Miss Khan will help" in sheet
    response = teacher.post(f"{page}/next", {"date": "2099-06-01"})
    assert response.status_code == 302
    new_meeting = next(db.query("SELECT id FROM meetings WHERE date = '2099-06-01'"))[
        "id"
    ]
    targets = [
        r["text"]
        for r in db.query(
            "SELECT text FROM targets WHERE meeting_id = ?", [new_meeting]
        )
    ]
    assert targets == ["Reading club"]
