"""Promise 1: what a child marks private reaches only their designated teacher
and social worker: never an export, a paste, a bulk file, the command line, an
admin's screen or another child's tablet.

A unique marker is typed as a private answer. Then every route in the app's
URL map (every export format, from the format registry) is fetched as every
kind of person, every file is opened and read back (PDF, Word, zip members),
and the command line exports every format. The marker may appear only where
`access.shows_private` allows, and must appear where the teacher and social
worker read it, so the walk cannot pass by seeing nothing.
"""

import io
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest
from school import Browserless, add_section

from pupilvoice import access, cli, formats

MARKER = "Zebra-7c1e private words"
CARD_MARKER = "Kangaroo-5b2 also private"
NOW = "2026-01-01T00:00:00+00:00"
OWN = "Leo"

# Everyone who might ask, with who they are: the pupil's designated teacher and
# social worker, their Virtual School's admin, staff responsible for other
# children, nobody, and another child in pupil mode on the same tablet.
PEOPLE = {
    "teacher": "teacher@ours.test",
    "social_worker": "sw@council.test",
    "admin": "admin@council.test",
    "other_teacher": "teacher@theirs.test",
    "other_social_worker": "sw2@council.test",
    "signed_out": None,
    "classmate_in_pupil_mode": "teacher@ours.test",
}
FORM = {
    "text": "",
    "name": "",
    "start": "2025-12-01",
    "end": "2026-02-01",
    "date": "",
    "band": "ks2",
    "language": "en",
}


def readable(response) -> str:
    """What a person would read in the response: PDF and Word opened, a zip's
    every file opened in turn."""
    return _read(response.get_data(), response.mimetype)


def _read(data: bytes, mimetype: str) -> str:
    if data.startswith(b"%PDF"):
        pages = pypdf.PdfReader(io.BytesIO(data)).pages
        return " ".join(" ".join(page.extract_text().split()) for page in pages)
    if data.startswith(b"PK"):
        archive = zipfile.ZipFile(io.BytesIO(data))
        if "word/document.xml" in archive.namelist():
            word = docx.Document(io.BytesIO(data))
            cells = [c.text for t in word.tables for r in t.rows for c in r.cells]
            return "\n".join([p.text for p in word.paragraphs] + cells)
        return "\n".join(_read(archive.read(n), "") for n in archive.namelist())
    return data.decode("utf-8", errors="replace")


@pytest.fixture
def private_voice(db, school):
    """Leo's finished voice: one private answer in his own words, one chosen by
    a card with words, and an ordinary one."""
    section, meeting = add_section(
        db,
        school["pupils"][OWN],
        status="finished",
        started_at=NOW,
        finished_at=NOW,
    )
    rows = [
        ("feel", '["good"]', "School is fine", 0),
        ("better_at", '["reading"]', CARD_MARKER, 1),
        ("private_note", "[]", MARKER, 1),
    ]
    for step, choices, text, private in rows:
        db["answers"].insert(
            {
                "section_id": section,
                "step": step,
                "status": "answered",
                "choices": choices,
                "text": text,
                "private": private,
                "language": "en",
                "updated_at": NOW,
            }
        )
    flag = db["talk_flags"].insert({"section_id": section, "raised_at": NOW}).last_pk
    return {
        "pupil_id": school["pupils"][OWN],
        "section_id": section,
        "meeting_id": meeting,
        "flag_id": flag,
        "attendee_id": next(
            db.query("SELECT id FROM attendees WHERE meeting_id = ?", [meeting])
        )["id"],
        "target_id": next(
            db.query("SELECT id FROM targets WHERE meeting_id = ?", [meeting])
        )["id"],
        "outcome_id": 1,
        "step_id": "private_note",
    }


def client_for(app, db, school, who):
    web = Browserless(app.test_client())
    if who == "signed_out":
        web.get("/sign-in")
        return web, None
    web.sign_in(PEOPLE[who])
    staff = next(db.query("SELECT * FROM staff WHERE email = ?", [PEOPLE[who]]))
    if who == "classmate_in_pupil_mode":
        # The same school's tablet, handed to another child.
        maya = school["pupils"]["Maya"]
        web.get(f"/staff/pupils/{maya}")
        assert (
            web.post(
                f"/staff/pupils/{maya}/pupil-mode", {"band": "ks34", "language": "en"}
            ).status_code
            == 302
        )
        return web, None
    return web, staff


def output_of(endpoint: str, args: dict) -> str:
    """Which output a route is, in `access.shows_private`'s terms: the format's
    own setting for exports (from the registry), else the staff pages."""
    if endpoint == "review.export":
        return formats.FORMATS[args["fmt"]].private
    if endpoint == "review.export_private":
        return formats.FORMATS["private"].private
    if endpoint == "review.text":
        return formats.FORMATS["text"].private
    if endpoint == "admin.export_range":
        return "left_out"  # the bulk zip: formats.BULK
    if endpoint.startswith(("staff.", "review.", "prepare.", "admin.")):
        return "staff_pages"
    return "elsewhere"


LEAVE = ("static", "auth.sign_out", "pupil.end_pupil_mode", "staff.start_pupil_mode")


def every_request(app, ids):
    """(method, endpoint, url, args) for every route and method of the URL map,
    with every export format the registry has for a route that takes one."""
    for rule in app.url_map.iter_rules():
        # Leaving, or handing the tablet over, would end the walk for this
        # person; handing over is walked as the classmate in pupil mode.
        if rule.endpoint in LEAVE:
            continue
        choices = [{}]
        if "fmt" in rule.arguments:
            choices = [{"fmt": key} for key in formats.FORMATS]
        for extra in choices:
            args = {**ids, **extra}
            url = rule.build(
                {k: args[k] for k in rule.arguments}, append_unknown=False
            )[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, rule.endpoint, url, args


# Where the teacher and social worker must find the private words: the walk
# proves it can see them, so their absence elsewhere means something.
MUST_SHOW = {"review.read", "review.export_private"}


@pytest.mark.parametrize("who", list(PEOPLE))
def test_a_private_answer_reaches_only_the_teacher_and_social_worker(
    app, db, school, private_voice, who
):
    web, staff = client_for(app, db, school, who)
    seen_where, checked = set(), 0
    for method, endpoint, url, args in every_request(app, private_voice):
        response = web.get(url) if method == "GET" else web.post(url, FORM)
        text = readable(response)
        checked += 1
        shown = MARKER in text or CARD_MARKER in text
        allowed = access.shows_private(staff, output_of(endpoint, args))
        assert not shown or allowed, (who, method, url)
        if shown:
            seen_where.add(endpoint)
    assert checked > 50
    if who in ("teacher", "social_worker"):
        assert seen_where >= MUST_SHOW, seen_where
    else:
        assert seen_where == set()


def test_the_admin_sees_that_private_answers_exist_never_what_they_say(
    app, db, school, private_voice
):
    web, _ = client_for(app, db, school, "admin")
    page = web.get(f"/staff/voice/{private_voice['section_id']}/").text
    assert "Kept private by the pupil" in page
    assert MARKER not in page and CARD_MARKER not in page
    assert "Reading" not in page  # the card the pupil chose, kept private


def test_the_meeting_pack_says_how_many_were_kept_back(app, db, school, private_voice):
    web, _ = client_for(app, db, school, "teacher")
    said = "2 answers were kept just for the designated teacher and social worker."
    for key in formats.MEETING_PACK:
        url = (
            f"/staff/voice/{private_voice['section_id']}/text"
            if formats.FORMATS[key].page
            else f"/staff/voice/{private_voice['section_id']}/export/{key}"
        )
        text = readable(web.get(url))
        if key == "csv":
            continue  # a table of answers; the count is in the JSON
        if key == "json":
            assert '"private_answers_left_out": 2' in text
        else:
            assert said in text, key


def test_the_private_download_is_logged_as_what_it_is(app, db, school, private_voice):
    web, staff = client_for(app, db, school, "social_worker")
    response = web.get(f"/staff/voice/{private_voice['section_id']}/private")
    assert response.status_code == 200
    assert MARKER in readable(response)
    logged = list(db.query("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1"))[0]
    assert logged["action"] == "private_answers_downloaded"
    assert logged["staff_id"] == staff["id"]
    # Not an export into the PEP: the voice does not move on.
    status = db["voice_sections"].get(private_voice["section_id"])["status"]
    assert status == "finished"


def test_the_command_line_never_has_private_answers(app, db, private_voice, tmp_path):
    runner = app.test_cli_runner()
    for key in formats.MEETING_PACK:
        out = tmp_path / f"one.{key}"
        result = runner.invoke(
            cli.export_command,
            [str(private_voice["section_id"]), "--format", key, "--output", str(out)],
        )
        assert result.exit_code == 0, result.output
        text = _read(out.read_bytes(), "")
        assert MARKER not in text and CARD_MARKER not in text, key
    for key in formats.BULK:
        folder = tmp_path / f"all-{key}"
        result = runner.invoke(
            cli.export_command, ["--all", "--format", key, "--output", str(folder)]
        )
        assert result.exit_code == 0, result.output
        for path in Path(folder).iterdir():
            assert MARKER not in _read(path.read_bytes(), ""), path
    refused = runner.invoke(
        cli.export_command,
        [str(private_voice["section_id"]), "--format", "private", "--output", "x"],
    )
    assert refused.exit_code == 2
    assert not Path("x").exists()
