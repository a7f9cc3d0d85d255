"""`pupilvoice export` and `pupilvoice backup` write only where they are told,
never over the app's own files, never silently over anything, and say in one
line why when they cannot."""

import json
import os
import random
import resource
import signal
import subprocess
from pathlib import Path

import pytest
from commands import environment, pupilvoice, refused_in_one_line, snapshot

from pupilvoice import create_app
from pupilvoice.db import connect


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """An instance folder laid out as in production: the database and the
    secret key side by side."""
    folder = tmp_path / "instance"
    monkeypatch.setenv("PUPILVOICE_INSTANCE", str(folder))
    monkeypatch.delenv("PUPILVOICE_DATABASE", raising=False)
    monkeypatch.delenv("PUPILVOICE_SECRET_KEY", raising=False)
    return folder


@pytest.fixture
def app(instance):
    return create_app({"TESTING": True})


@pytest.fixture
def section(finished_section):
    """A finished voice section, ready to export, as the command takes it."""
    return str(finished_section)


def run(app, *args):
    return app.test_cli_runner().invoke(args=[str(a) for a in args])


def test_an_export_is_written_for_its_owner_only(app, section, tmp_path):
    target = tmp_path / "leo.json"
    result = run(app, "export", section, "--format", "json", "--output", target)
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text())["voice"]
    assert oct(target.stat().st_mode)[-3:] == "600"
    assert [p.name for p in tmp_path.iterdir() if p.name != "instance"] == ["leo.json"]


def test_an_existing_file_is_replaced_only_with_force(app, section, tmp_path):
    target = tmp_path / "leo.json"
    target.write_text("someone else's notes")
    result = run(app, "export", section, "--format", "json", "--output", target)
    refused_in_one_line(result, "--force")
    assert target.read_text() == "someone else's notes"
    result = run(
        app, "export", section, "--format", "json", "--output", target, "--force"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text())["voice"]


# The app's own files, refused even with --force.
OWNED = {
    "the database": "pupilvoice.sqlite3",
    "its write-ahead log": "pupilvoice.sqlite3-wal",
    "its shared memory": "pupilvoice.sqlite3-shm",
    "the secret key": "secret_key",
    "a new file in the instance folder": "leo.json",
}


@pytest.mark.parametrize("what", OWNED)
@pytest.mark.parametrize("command", ["export", "backup"])
def test_the_apps_own_files_are_never_written_over(
    app, section, instance, what, command
):
    target = instance / OWNED[what]
    before = target.read_bytes() if target.exists() else None
    database = snapshot(app.config["DATABASE"])
    key = (instance / "secret_key").read_bytes()
    if command == "export":
        args = ["export", section, "--format", "json", "--output", target, "--force"]
    else:
        args = ["backup", target, "--force"]
    refused_in_one_line(run(app, *args), "PupilVoice")
    if before is None:
        assert not target.exists()
    elif what != "its shared memory":
        # SQLite itself rewrites the shared-memory index as it reads.
        assert target.read_bytes() == before
    assert snapshot(app.config["DATABASE"]) == database
    assert (instance / "secret_key").read_bytes() == key


@pytest.mark.parametrize("link", ["symlink", "hard link"])
@pytest.mark.parametrize("owned", ["pupilvoice.sqlite3", "secret_key"])
def test_another_name_for_the_apps_files_is_refused(
    app, section, instance, tmp_path, link, owned
):
    target = tmp_path / "innocent.json"
    if link == "symlink":
        target.symlink_to(instance / owned)
    else:
        os.link(instance / owned, target)
    database = snapshot(app.config["DATABASE"])
    key = (instance / "secret_key").read_bytes()
    result = run(
        app, "export", section, "--format", "json", "--output", target, "--force"
    )
    refused_in_one_line(result, "PupilVoice")
    assert snapshot(app.config["DATABASE"]) == database
    assert (instance / "secret_key").read_bytes() == key


def make_file(path):
    path.write_text("a file")
    return path


def make_folder(path):
    path.mkdir()
    return path


# Targets that cannot be written, even with --force, and what the refusal says.
UNWRITABLE = {
    "a folder": (lambda t: make_folder(t / "out"), "is a folder"),
    "a missing folder": (lambda t: t / "no" / "such" / "leo.json", "does not exist"),
    "inside a file": (lambda t: make_file(t / "file.txt") / "leo.json", "not a folder"),
    "/dev/full": (lambda t: Path("/dev/full"), "not a regular file"),
}


@pytest.mark.parametrize("what", UNWRITABLE)
@pytest.mark.parametrize("command", ["export", "backup"])
def test_a_target_that_cannot_be_written_is_one_clear_line(
    app, section, tmp_path, what, command
):
    make, words = UNWRITABLE[what]
    target = make(tmp_path)
    if command == "export":
        args = ["export", section, "--format", "json", "--output", target, "--force"]
    else:
        args = ["backup", target, "--force"]
    refused_in_one_line(run(app, *args), words)


@pytest.mark.parametrize("number", ["99999999999999999999", "0"])
def test_a_section_number_out_of_range_is_refused_without_a_traceback(
    app, tmp_path, number
):
    result = run(
        app, "export", number, "--format", "json", "--output", tmp_path / "x.json"
    )
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit), result.exception
    assert "range" in result.stderr and "Traceback" not in result.output


def test_all_into_a_file_is_refused(app, section, tmp_path):
    target = make_file(tmp_path / "all.csv")
    result = run(app, "export", "--all", "--format", "csv", "--output", target)
    refused_in_one_line(result, "writes into a folder")
    assert target.read_text() == "a file"


def test_all_replaces_earlier_exports_only_with_force(app, section, tmp_path):
    folder = make_folder(tmp_path / "all")
    earlier = make_file(folder / f"voice-{section}.csv")
    result = run(app, "export", "--all", "--format", "csv", "--output", folder)
    refused_in_one_line(result, "--force")
    assert earlier.read_text() == "a file"
    result = run(
        app, "export", "--all", "--format", "csv", "--output", folder, "--force"
    )
    assert result.exit_code == 0, result.output
    assert earlier.read_text() != "a file"


def test_all_into_the_instance_folder_is_refused(app, section, instance):
    result = run(app, "export", "--all", "--format", "json", "--output", instance)
    refused_in_one_line(result, "instance folder")
    assert not list(instance.glob("voice-*"))


def test_a_backup_needs_force_to_replace_a_file_and_is_for_its_owner(
    app, section, tmp_path
):
    target = make_file(tmp_path / "backup.sqlite3")
    refused_in_one_line(run(app, "backup", target), "--force")
    assert target.read_text() == "a file"
    result = run(app, "backup", target, "--force")
    assert result.exit_code == 0, result.output
    assert snapshot(target) == snapshot(app.config["DATABASE"])
    assert oct(target.stat().st_mode)[-3:] == "600"


SMALL_DISK = """
mount -t tmpfs -o size=8k tmpfs "$1" || exit 99
disk="$1"; shift
"$@" 2>"$disk.err"; status=$?
echo "left: $(ls -A "$disk")"
exit $status
"""


@pytest.mark.parametrize("command", ["export", "backup"])
def test_a_full_disk_is_one_clear_line_and_leaves_nothing_behind(
    app, section, instance, tmp_path, command
):
    disk = make_folder(tmp_path / "small-disk")
    target = disk / "leo.pdf"
    if command == "export":
        args = ["export", section, "--format", "pdf", "--output", target]
    else:
        args = ["backup", target]
    try:
        done = subprocess.run(
            [
                "unshare",
                "--user",
                "--map-root-user",
                "--mount",
                "sh",
                "-c",
                SMALL_DISK,
                "sh",
                str(disk),
                *pupilvoice(*args),
            ],
            env=environment(instance),
            capture_output=True,
            text=True,
            timeout=60,
        )
    except FileNotFoundError:
        pytest.skip("no unshare here to mount a small disk")
    if done.returncode == 99:
        pytest.skip("cannot mount a small disk here (user namespaces are off)")
    error = Path(f"{disk}.err").read_text().strip()
    assert done.returncode == 1, error
    assert "Traceback" not in error and "\n" not in error, error
    assert "disk is full" in error, error
    assert done.stdout.strip() == "left:"


FILE_SIZE_LIMIT = 40 * 1024  # above SQLite's 32 KB shared-memory file
STEPS = ["feel", "going_well", "hard", "helps", "better_at", "grow_up"]
STEPS += ["meeting_who", "meeting_come", "meeting_share", "private_note"]


def _limit_file_size():
    # Writing past the limit then fails with EFBIG rather than killing us.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))


def test_a_write_error_is_one_clear_line_and_leaves_nothing_behind(
    app, section, instance, tmp_path
):
    from pupilvoice.formats import render

    # Long answers, in words that do not compress, make a PDF past the limit.
    db = connect(app.config["DATABASE"])
    words = random.Random(0)
    for step in STEPS:
        text = "".join(words.choice("abcdefghij klmnopqrstuvwxyz") for _ in range(2000))
        db["answers"].insert(
            {
                "section_id": int(section),
                "step": step,
                "status": "answered",
                "text": text,
                "language": "en",
                "updated_at": "2026-11-23T10:05:00+00:00",
            }
        )
    with app.test_request_context():
        assert len(render(db, int(section), "pdf", None)) > FILE_SIZE_LIMIT
    exports_before = db["exports"].count
    folder = make_folder(tmp_path / "out")
    done = subprocess.run(
        pupilvoice("export", section, "--format", "pdf", "--output", folder / "x.pdf"),
        env=environment(instance),
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_limit_file_size,
    )
    error = done.stderr.strip()
    assert done.returncode == 1, error
    assert "Traceback" not in error and "\n" not in error, error
    assert "larger than this system allows" in error
    assert list(folder.iterdir()) == []
    # Nothing left, so nothing recorded as exported.
    assert db["exports"].count == exports_before
    db.close()
