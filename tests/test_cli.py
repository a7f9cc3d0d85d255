"""The `pupilvoice` command and the installed package, as an operator would use them."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

from pupilvoice import demo
from pupilvoice.db import connect

ROOT = Path(__file__).parent.parent


def test_init_db_creates_the_database_and_is_safe_to_repeat(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0
    assert "up to date" in result.output
    assert connect(app.config["DATABASE"])["pupils"].exists()


def test_demo_loads_a_school_with_a_pupil_in_every_band_and_prints_sign_ins(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0
    for email, _role in demo.SIGN_INS:
        assert email in result.output
    assert demo.PASSWORD in result.output

    db = connect(app.config["DATABASE"])
    roles = {r["role"] for r in db.query("SELECT role FROM staff")}
    assert roles == {"admin", "teacher", "social_worker"}
    years = [r["year_group"] for r in db.query("SELECT year_group FROM pupils")]
    from pupilvoice.questions import band_for_year

    assert {band_for_year(y) for y in years} == {"early", "ks2", "ks34", "post16"}
    for pupil in db.query("SELECT id FROM pupils"):
        meeting = next(
            db.query(
                "SELECT * FROM meetings WHERE pupil_id = ? ORDER BY date DESC",
                [pupil["id"]],
            )
        )
        assert db["attendees"].count_where("meeting_id = ?", [meeting["id"]]) >= 2
        assert db["targets"].count_where("meeting_id = ?", [meeting["id"]]) == 2

    # Finished pupils to review and export: a private answer, a skipped
    # question, another language; and one part way through.
    statuses = [r["status"] for r in db.query("SELECT status FROM voice_sections")]
    assert statuses.count("in_progress") == 1
    assert db["answers"].count_where("private = 1 AND status = 'answered'") >= 1
    assert db["answers"].count_where("status = 'skipped'") >= 1
    assert db["voice_sections"].count_where("language != 'en' AND status = 'finished'")

    again = runner.invoke(args=["demo"])
    assert "already loaded" in again.output
    assert db["pupils"].count == len(years)


def test_secret_key_is_random_and_kept_in_the_instance_folder(tmp_path, monkeypatch):
    from pupilvoice import create_app

    monkeypatch.delenv("PUPILVOICE_SECRET_KEY", raising=False)
    monkeypatch.setenv("PUPILVOICE_INSTANCE", str(tmp_path / "one"))
    first = create_app({"DATABASE": str(tmp_path / "a.db")}).config["SECRET_KEY"]
    again = create_app({"DATABASE": str(tmp_path / "a.db")}).config["SECRET_KEY"]
    monkeypatch.setenv("PUPILVOICE_INSTANCE", str(tmp_path / "two"))
    other = create_app({"DATABASE": str(tmp_path / "b.db")}).config["SECRET_KEY"]
    assert first == again != other
    assert len(first) == 64
    assert oct((tmp_path / "one" / "secret_key").stat().st_mode)[-3:] == "600"


def test_database_location_comes_from_the_environment(tmp_path, monkeypatch):
    from pupilvoice import create_app

    monkeypatch.setenv("PUPILVOICE_INSTANCE", str(tmp_path))
    monkeypatch.setenv("PUPILVOICE_DATABASE", str(tmp_path / "elsewhere.sqlite3"))
    app = create_app()
    assert app.config["DATABASE"] == str(tmp_path / "elsewhere.sqlite3")
    assert (tmp_path / "elsewhere.sqlite3").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_runs_a_production_server(tmp_path):
    port = _free_port()
    env = {**os.environ, "PUPILVOICE_INSTANCE": str(tmp_path), "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pupilvoice",
            "serve",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in") as r:  # noqa: S310
                    body = r.read().decode()
                    server_header = r.headers.get("Server", "")
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert "Sign in" in body
        assert "gunicorn" in server_header
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_plain_install_carries_templates_static_and_translations(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        cwd=tmp_path,
    )
    wheel = next(tmp_path.glob("pupilvoice-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "pupilvoice/templates/base.html" in names
    assert "pupilvoice/templates/pupil/question.html" in names
    assert "pupilvoice/static/vendor/htmx-2.0.11.min.js" in names
    assert "pupilvoice/static/img/twemoji/LICENSE.md" in names
    for po in ROOT.glob("translations/*/LC_MESSAGES/messages.po"):
        mo = po.relative_to(ROOT).with_suffix(".mo")
        assert f"pupilvoice/{mo}" in names
