"""Drills: the server dies, two tabs, many tablets at once, a backup under
load (the Wi-Fi dropping is in test_offline.py). Each time, no answer is lost
or doubled and nothing is a 500."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import pytest
from journeys import press, sign_in, start_pupil_mode, tap_card
from school import PASSWORD, make_school

from pupilvoice import backups
from pupilvoice.db import connect, migrate

ROOT = Path(__file__).parent.parent.parent


def answers(database_path):
    db = connect(database_path)
    rows = {r["step"]: r for r in db.query("SELECT * FROM answers")}
    db.close()
    return rows


def test_the_same_journey_in_two_tabs(context, live):
    first = context.new_page()
    sign_in(first, live)
    start_pupil_mode(first, live, "Leo")
    second = context.new_page()
    first.goto(live.url + "/pupil/q/feel")
    second.goto(live.url + "/pupil/q/going_well")
    tap_card(first, "good")
    press(first, "Continue")
    tap_card(second, "sport")
    press(second, "Continue")
    second.goto(live.url + "/pupil/q/feel")
    assert second.is_checked("#choice-good")
    tap_card(second, "okay")
    press(second, "Continue")
    rows = answers(live.app.config["DATABASE"])
    assert json.loads(rows["feel"]["choices"]) == ["okay"]
    assert json.loads(rows["going_well"]["choices"]) == ["sport"]
    db = connect(live.app.config["DATABASE"])
    assert db["answers"].count == 2
    db.close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The app under its production server, as its own process."""

    def __init__(self, instance):
        self.instance = instance
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self, workers=2):
        env = {
            **os.environ,
            "PUPILVOICE_INSTANCE": str(self.instance),
            "PYTHONPATH": str(ROOT),
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pupilvoice",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
                "--threads",
                "8",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/sign-in", timeout=2)  # noqa: S310
                return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("server did not start")

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@pytest.fixture
def server(tmp_path):
    db = connect(str(tmp_path / "pupilvoice.sqlite3"))
    migrate(db)
    school = make_school(db)
    db.close()
    running = Server(tmp_path)
    running.school = school
    running.database = str(tmp_path / "pupilvoice.sqlite3")
    running.start()
    yield running
    if running.process.poll() is None:
        os.killpg(running.process.pid, signal.SIGTERM)
        running.process.wait(timeout=10)


def test_the_server_killed_and_restarted_mid_journey(page, server):
    sign_in(page, server)
    start_pupil_mode(page, server, "Leo")
    page.click("text=Start")
    tap_card(page, "good")
    press(page, "Continue")
    page.fill("#text", "Before the crash")
    page.wait_for_selector("#save-status .status--saved")
    server.kill()
    tap_card(page, "music")
    # Kept on the tablet, and never shown as saved (tests/browser/test_offline.py).
    page.wait_for_selector("#save-status:has-text('Not sent yet')")
    server.start()
    # The same tablet carries on: same session, same answers.
    press(page, "Continue")
    # On to the question after "what is going well", whichever it is.
    assert "/pupil/q/" in page.url and not page.url.endswith("/going_well")
    # What the tablet kept is sent once the server is back: wait until it has.
    page.wait_for_function(
        "!localStorage.getItem('pupilvoice-tablet')"
        " || JSON.parse(localStorage.getItem('pupilvoice-tablet')).queue.length === 0",
        timeout=30_000,
    )
    rows = answers(server.database)
    assert json.loads(rows["feel"]["choices"]) == ["good"]
    assert rows["going_well"]["text"] == "Before the crash"
    assert json.loads(rows["going_well"]["choices"]) == ["music"]


class Tablet:
    """A pupil's tablet talking to the server over plain HTTP."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()),
            NoRedirect,
        )
        self.token = None

    def request(self, path, data=None, headers=None):
        body = (
            urlencode({"csrf_token": self.token, **data}).encode()
            if data is not None
            else None
        )
        req = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        try:
            with self.opener.open(req, timeout=30) as response:
                text = response.read().decode()
                status = response.status
        except urllib.error.HTTPError as error:
            text, status = error.read().decode(), error.code
        found = re.search(r'name="csrf-token" content="([^"]+)"', text)
        if found:
            self.token = found.group(1)
        return status, text


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def hand_over(server, pupil_name, teacher_email="teacher@ours.test"):
    tablet = Tablet(server.url)
    tablet.request("/sign-in")
    status, _ = tablet.request(
        "/sign-in", {"email": teacher_email, "password": PASSWORD}
    )
    assert status == 302
    pupil = server.school["pupils"][pupil_name]
    tablet.request(f"/staff/pupils/{pupil}")
    status, _ = tablet.request(
        f"/staff/pupils/{pupil}/pupil-mode", {"band": "ks2", "language": "en"}
    )
    assert status == 302
    tablet.request("/pupil/q/feel")
    return tablet


def test_many_tablets_saving_at_once_with_the_database_busy(server, tmp_path):
    db = connect(server.database)
    # Forty pupils, each on their own tablet.
    pupils = []
    for n in range(40):
        pupil = (
            db["pupils"]
            .insert(
                {
                    "school_id": 1,
                    "social_worker_id": 3,
                    "preferred_name": f"P{n}",
                    "year_group": 4,
                    "language": "en",
                }
            )
            .last_pk
        )
        db["meetings"].insert({"pupil_id": pupil, "date": "2099-01-01"})
        server.school["pupils"][f"P{n}"] = pupil
        pupils.append(f"P{n}")
    db.close()
    tablets = [hand_over(server, name) for name in pupils]
    steps = ["feel", "going_well", "hard", "helps", "better_at"]
    cards = {
        "feel": "good",
        "going_well": "sport",
        "hard": "noise",
        "helps": "talk",
        "better_at": "maths",
    }
    failures = []

    def busy_writer(stop):
        # Another writer holding the lock for a moment, again and again.
        other = connect(server.database)
        while not stop.is_set():
            other.conn.execute("BEGIN IMMEDIATE")
            time.sleep(0.05)
            other.conn.execute("COMMIT")
            time.sleep(0.05)
        other.close()

    def pupil_saves(tablet, index):
        for round_ in range(3):
            for step in steps:
                status, text = tablet.request(
                    f"/pupil/q/{step}",
                    {"choice": cards[step], "text": f"{index}-{step}-{round_}"},
                    headers={"HX-Request": "true"},
                )
                if status != 200 or "Saved" not in text:
                    failures.append((index, step, status, text[:80]))

    stop = threading.Event()
    writer = threading.Thread(target=busy_writer, args=(stop,))
    writer.start()
    threads = [
        threading.Thread(target=pupil_saves, args=(t, i)) for i, t in enumerate(tablets)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    stop.set()
    writer.join()
    assert failures == []
    db = connect(server.database)
    rows = list(db.query("SELECT section_id, step, text FROM answers"))
    assert len(rows) == 40 * len(steps)
    assert len({(r["section_id"], r["step"]) for r in rows}) == len(rows)
    assert all(r["text"].endswith("-2") for r in rows)
    db.close()


def test_a_backup_taken_under_load_restores_whole(server, tmp_path):
    tablets = [hand_over(server, name) for name in ["Ava", "Leo", "Maya", "Jordan"]]
    stop = threading.Event()
    errors = []

    def keep_saving(tablet, index):
        n = 0
        while not stop.is_set():
            status, _ = tablet.request(
                "/pupil/q/going_well",
                {"text": f"{index}:{n}"},
                headers={"HX-Request": "true"},
            )
            if status != 200:
                errors.append(status)
            n += 1

    threads = [
        threading.Thread(target=keep_saving, args=(t, i)) for i, t in enumerate(tablets)
    ]
    for thread in threads:
        thread.start()
    time.sleep(1)
    backup = tmp_path / "under-load.sqlite3"
    backups.backup(server.database, backup)
    time.sleep(1)
    stop.set()
    for thread in threads:
        thread.join()
    assert errors == []
    server.kill()
    restored = tmp_path / "restored.sqlite3"
    checked = backups.read_checked(backup, str(restored))  # refuses a bad one
    backups.restore(checked, str(restored))
    checked.close()
    db = connect(str(restored))
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db["pupils"].count == 5
    rows = list(db.query("SELECT text FROM answers WHERE step = 'going_well'"))
    assert len(rows) == 4 and all(":" in r["text"] for r in rows)
    db.close()
