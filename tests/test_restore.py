"""Restoring a backup: checked in full before the live database is touched,
the database it replaces kept aside, and never while the app is serving."""

import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from commands import environment, free_port, pupilvoice, refused_in_one_line, snapshot
from sqlite_utils import Database

from pupilvoice.db import MIGRATIONS, connect, migrate


def copy_database(source, target) -> Path:
    """A copy made with SQLite's own backup, as `pupilvoice backup` makes one,
    but without the code under test."""
    source_conn, target_conn = sqlite3.connect(source), sqlite3.connect(target)
    try:
        source_conn.backup(target_conn)
    finally:
        source_conn.close()
        target_conn.close()
    return Path(target)


@pytest.fixture
def live(app, db, finished_section):
    """The live database, with a finished voice section and enough rows to
    span many pages."""
    db["answers"].insert(
        {
            "section_id": finished_section,
            "step": "feel",
            "status": "answered",
            "choices": '["good"]',
            "text": "secret words",
            "language": "en",
            "updated_at": "2026-11-23T10:05:00+00:00",
        }
    )
    db["audit_log"].insert_all(
        {"at": f"2026-11-{n % 28 + 1:02}", "action": "viewed", "detail": "x" * 300}
        for n in range(400)
    )
    return Path(app.config["DATABASE"])


@pytest.fixture
def good(live, tmp_path):
    return copy_database(live, tmp_path / "good-backup.sqlite3")


def altered(good, tmp_path, sql):
    path = shutil.copy(good, tmp_path / "altered.sqlite3")
    conn = sqlite3.connect(path)
    conn.executescript(sql)
    conn.close()
    return Path(path)


def corrupted(good, tmp_path):
    """The first page of the pupils table overwritten with noise."""
    conn = sqlite3.connect(good)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'pupils'")
    root = root.fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(good.read_bytes())
    data[(root - 1) * size : root * size] = random.Random(2).randbytes(size)
    path = tmp_path / "corrupted.sqlite3"
    path.write_bytes(bytes(data))
    return path


def other_page_size(tmp_path):
    """A sound PupilVoice database whose pages are not the live one's size."""
    path = tmp_path / "small-pages.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA page_size = 1024")
    migrate(Database(conn))
    conn.close()
    return path


def write(path, data):
    path.write_bytes(data)
    return path


def wal_beside(good, tmp_path):
    path = shutil.copy(good, tmp_path / "in-use.sqlite3")
    Path(f"{path}-wal").write_bytes(random.Random(3).randbytes(4096))
    return Path(path)


def folder(tmp_path):
    (tmp_path / "backups").mkdir()
    return tmp_path / "backups"


def other_app(tmp_path):
    path = tmp_path / "notes.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);"
        "INSERT INTO notes (body) VALUES ('buy milk');"
    )
    conn.close()
    return path


def only_migrations(tmp_path):
    path = tmp_path / "hollow.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT);"
        "INSERT INTO migrations VALUES ('0001_initial', '2026-01-01');"
    )
    conn.close()
    return path


# Each: how to make it from (a good backup, a folder, the live database),
# and words the refusal must contain.
BAD_BACKUPS = {
    "missing file": (lambda g, t, live: t / "nowhere.sqlite3", "no file"),
    "a folder": (lambda g, t, live: folder(t), "is a folder"),
    "empty file": (lambda g, t, live: write(t / "empty.sqlite3", b""), "empty"),
    "text file": (
        lambda g, t, live: write(t / "notes.txt", b"Dear diary\n" * 100),
        "not a PupilVoice backup",
    ),
    "random bytes": (
        lambda g, t, live: write(t / "noise.bin", random.Random(1).randbytes(9000)),
        "not a PupilVoice backup",
    ),
    "truncated backup": (
        lambda g, t, live: write(
            t / "cut.sqlite3", g.read_bytes()[: g.stat().st_size // 2]
        ),
        "damaged",
    ),
    "another app's database": (
        lambda g, t, live: other_app(t),
        "not a PupilVoice backup",
    ),
    "only a migrations table": (lambda g, t, live: only_migrations(t), "no table"),
    "a table dropped": (
        lambda g, t, live: altered(g, t, "DROP TABLE answers"),
        "no table answers",
    ),
    "a column dropped": (
        lambda g, t, live: altered(
            g, t, "ALTER TABLE pupils DROP COLUMN pep_reference"
        ),
        "no column pupils.pep_reference",
    ),
    "an index dropped": (
        lambda g, t, live: altered(g, t, "DROP INDEX pupils_school"),
        "no index pupils_school",
    ),
    "a newer migration": (
        lambda g, t, live: altered(
            g, t, "INSERT INTO migrations VALUES ('0099_from_the_future', '2099-01-01')"
        ),
        "newer version",
    ),
    "a newer table": (
        lambda g, t, live: altered(g, t, "CREATE TABLE future_things (id INTEGER)"),
        "newer version",
    ),
    "a trigger added": (
        lambda g, t, live: altered(
            g,
            t,
            "CREATE TRIGGER wipe AFTER INSERT ON answers BEGIN DELETE FROM answers; END",
        ),
        "trigger wipe",
    ),
    "a foreign key violation": (
        lambda g, t, live: altered(
            g,
            t,
            "INSERT INTO pupils (school_id, preferred_name, year_group)"
            " VALUES (9999, 'Ghost', 3)",
        ),
        "missing row",
    ),
    "a corrupted page": (lambda g, t, live: corrupted(g, t), "damaged"),
    "the live database itself": (lambda g, t, live: live, "live database"),
    "a write-ahead log beside it": (lambda g, t, live: wal_beside(g, t), "beside it"),
    "another page size": (lambda g, t, live: other_page_size(t), "page size"),
}


@pytest.mark.parametrize("kind", BAD_BACKUPS)
def test_a_bad_backup_is_refused_and_the_live_database_is_untouched(
    app, live, good, tmp_path, kind
):
    make, words = BAD_BACKUPS[kind]
    backup = make(good, tmp_path, live)
    before = snapshot(live)
    result = app.test_cli_runner().invoke(args=["restore", str(backup), "--yes"])
    refused_in_one_line(result, words)
    assert snapshot(live) == before
    assert not list(tmp_path.glob("*.before-restore-*"))


def test_a_good_backup_restores_and_what_it_replaced_can_be_put_back(
    app, db, live, tmp_path
):
    runner = app.test_cli_runner()
    backup = tmp_path / "backup.sqlite3"
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
    backed_up = snapshot(live)
    db.execute("DELETE FROM answers")
    db.execute("UPDATE pupils SET preferred_name = 'Changed'")
    db.conn.commit()
    changed = snapshot(live)

    result = runner.invoke(args=["restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    assert snapshot(live) == backed_up
    assert next(db.query("SELECT text FROM answers"))["text"] == "secret words"
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    [aside] = tmp_path.glob(f"{live.name}.before-restore-*")
    assert snapshot(aside) == changed
    assert oct(aside.stat().st_mode)[-3:] == "600"
    assert str(aside) in result.output and "--undo" in result.output

    result = runner.invoke(args=["restore", "--undo", "--yes"])
    assert result.exit_code == 0, result.output
    assert snapshot(live) == changed
    # The undo kept what it replaced too, so it can itself be undone.
    result = runner.invoke(args=["restore", "--undo", "--yes"])
    assert result.exit_code == 0, result.output
    assert snapshot(live) == backed_up


def test_undo_with_nothing_kept_aside_is_refused(app, live):
    before = snapshot(live)
    result = app.test_cli_runner().invoke(args=["restore", "--undo", "--yes"])
    refused_in_one_line(result, "no copy")
    assert snapshot(live) == before


def test_undo_checks_the_copy_like_any_backup(app, db, live, tmp_path):
    runner = app.test_cli_runner()
    backup = copy_database(live, tmp_path / "backup.sqlite3")
    assert runner.invoke(args=["restore", str(backup), "--yes"]).exit_code == 0
    [aside] = tmp_path.glob(f"{live.name}.before-restore-*")
    conn = sqlite3.connect(aside)
    conn.execute("DROP TABLE answers")
    conn.close()
    before = snapshot(live)
    result = runner.invoke(args=["restore", "--undo", "--yes"])
    refused_in_one_line(result, "no table answers")
    assert snapshot(live) == before


def test_a_backup_from_an_older_release_is_restored_and_brought_up_to_date(
    app, db, live, tmp_path, monkeypatch
):
    older = tmp_path / "older.sqlite3"
    with monkeypatch.context() as m:
        m.setattr("pupilvoice.db.MIGRATIONS", MIGRATIONS[:3])
        database = connect(str(older))
        migrate(database)
    vs = database["virtual_schools"].insert({"name": "Old VS"}).last_pk
    school = database["schools"].insert({"virtual_school_id": vs, "name": "Old"})
    database["pupils"].insert(
        {"school_id": school.last_pk, "preferred_name": "Old Pupil", "year_group": 3}
    )
    database.close()

    result = app.test_cli_runner().invoke(args=["restore", str(older), "--yes"])
    assert result.exit_code == 0, result.output
    applied = [r["name"] for r in db.query("SELECT name FROM migrations")]
    assert applied == [name for name, _ in MIGRATIONS]
    pupil = next(db.query("SELECT * FROM pupils"))
    assert pupil["preferred_name"] == "Old Pupil"
    assert pupil["text_size"] == "standard"


def hold_lock(path):
    """Another process holding the serving lock, as `pupilvoice serve` does."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys\n"
            "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "print('held', flush=True)\n"
            "sys.stdin.read()\n",
            str(path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_restore_and_undo_are_refused_while_the_app_is_serving(
    app, live, good, tmp_path
):
    runner = app.test_cli_runner()
    holder = hold_lock(f"{live}.serving")
    try:
        before = snapshot(live)
        result = runner.invoke(args=["restore", str(good), "--yes"])
        refused_in_one_line(result, "serving")
        result = runner.invoke(args=["restore", "--undo", "--yes"])
        refused_in_one_line(result, "serving")
        assert snapshot(live) == before
    finally:
        holder.communicate("")
    result = runner.invoke(args=["restore", str(good), "--yes"])
    assert result.exit_code == 0, result.output


def test_pupilvoice_serve_holds_the_lock_that_restore_respects(tmp_path):
    import urllib.request

    env = environment(tmp_path / "instance")
    port = free_port()
    server = subprocess.Popen(
        pupilvoice("serve", "--port", port, "--workers", "1"),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    database = tmp_path / "instance" / "pupilvoice.sqlite3"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in"):  # noqa: S310
                    break
            except OSError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        backup = copy_database(database, tmp_path / "backup.sqlite3")
        before = snapshot(database)
        refused = subprocess.run(
            pupilvoice("restore", backup, "--yes"),
            env=env,
            capture_output=True,
            text=True,
        )
        assert refused.returncode != 0
        assert "serving" in refused.stderr and "Traceback" not in refused.stderr
        assert snapshot(database) == before
        second = subprocess.run(
            pupilvoice("serve", "--port", free_port()),
            env=env,
            capture_output=True,
            text=True,
            timeout=20,
        )
        assert second.returncode != 0 and "already serving" in second.stderr
    finally:
        server.terminate()
        server.wait(timeout=10)
    allowed = subprocess.run(
        pupilvoice("restore", backup, "--yes"),
        env=env,
        capture_output=True,
        text=True,
    )
    assert allowed.returncode == 0, allowed.stderr


def test_copies_aside_are_deleted_after_a_week(app, live, tmp_path):
    from datetime import UTC, datetime, timedelta

    from pupilvoice import backups

    now = datetime.now(UTC)
    old = tmp_path / f"{live.name}.before-restore-20200101T000000000000Z"
    recent = tmp_path / f"{live.name}.before-restore-{now:%Y%m%dT%H%M%S%fZ}"
    unrelated = tmp_path / "keep-me.before-restore-20200101T000000000000Z"
    for path in (old, recent, unrelated):
        path.write_bytes(b"")
    backups.drop_old_copies(str(live), now + timedelta(days=1))
    assert not old.exists()
    assert recent.exists() and unrelated.exists()
