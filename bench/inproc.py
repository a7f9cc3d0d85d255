"""In-process figures: export timings called directly, and cProfile of hot paths.

Run by the benchmark as a subprocess of its own (so the load generator never
imports WeasyPrint and friends), on the run's copy of the database, with no
load running. Prints one JSON object.

    python -m bench.inproc --database FILE --plan plan.json [--profile]
"""

import argparse
import cProfile
import io
import json
import pstats
import re
import statistics
import sys
import sysconfig
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = Path(sysconfig.get_paths()["purelib"])
STDLIB = Path(sysconfig.get_paths()["stdlib"])


def export_timings(app, database: str, section_id: int, runs: dict) -> dict:
    from pupilvoice.db import connect
    from pupilvoice.formats import render
    from pupilvoice.voice import build

    db = connect(database)
    found = {}
    with app.test_request_context():
        cases = {"build": lambda: build(db, section_id)}
        for fmt in runs:
            if fmt != "build":
                cases[fmt] = lambda fmt=fmt: render(db, section_id, fmt, None)
        for name, call in cases.items():
            call()  # first call: imports, fonts, caches
            times = []
            size = 0
            for _ in range(runs.get(name, 20)):
                started = time.perf_counter()
                body = call()
                times.append(time.perf_counter() - started)
                size = len(body) if isinstance(body, bytes | str) else 0
            found[name] = {
                "runs": len(times),
                "median_ms": statistics.median(times) * 1000,
                "p95_ms": sorted(times)[max(0, round(0.95 * len(times)) - 1)] * 1000,
                "max_ms": max(times) * 1000,
                "bytes": size,
            }
    db.close()
    return found


CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


class Session:
    """A test client that keeps its CSRF token, as the load generator does."""

    def __init__(self, app):
        self.client = app.test_client()
        self.token = ""

    def get(self, url, **kwargs):
        response = self.client.get(url, **kwargs)
        found = CSRF.search(response.get_data(as_text=True))
        if found:
            self.token = found.group(1)
        return response

    def post(self, url, data, **kwargs):
        return self.client.post(url, data={"csrf_token": self.token, **data}, **kwargs)

    def sign_in(self, email, password):
        self.get("/sign-in")
        response = self.post("/sign-in", {"email": email, "password": password})
        assert response.status_code == 302, response.status_code
        self.get("/staff/pupils")
        return self


def _package(filename: str, name: str) -> str:
    if filename.startswith("~"):
        return "sqlite3 (C)" if "sqlite3" in name else "Python built-ins (C)"
    if filename.startswith("<"):
        return "Python built-ins (C)"
    path = Path(filename)
    try:
        return path.relative_to(SITE).parts[0].split(".")[0]
    except ValueError:
        pass
    try:
        return (
            "pupilvoice"
            if path.relative_to(ROOT).parts[0] == "pupilvoice"
            else ("templates (compiled Jinja)")
        )
    except ValueError:
        pass
    try:
        return "stdlib " + path.relative_to(STDLIB).parts[0].removesuffix(".py")
    except ValueError:
        return str(path)


def _where(filename: str, line: int, name: str) -> str:
    if filename.startswith("~"):
        return name
    path = Path(filename)
    for base in (SITE, ROOT, STDLIB):
        try:
            return f"{path.relative_to(base)}:{line}({name})"
        except ValueError:
            continue
    return f"{filename}:{line}({name})"


# Landmarks in a request, found by file and function name in the profile.
STAGES = (
    ("Whole request (Flask's wsgi_app)", "flask/app.py", "wsgi_app"),
    ("Find the device session (auth.load_device)", "pupilvoice/auth.py", "load_device"),
    ("Open a database connection (db.connect)", "pupilvoice/db.py", "connect"),
    ("Close it (db.close_db)", "pupilvoice/db.py", "close_db"),
    ("CSRF check (flask_wtf protect)", "flask_wtf/csrf.py", "protect"),
    (
        "Render templates (flask render_template)",
        "flask/templating.py",
        "render_template",
    ),
    ("Gettext calls (flask_babel gettext)", "flask_babel/__init__.py", "gettext"),
    (
        "All SQL statements (sqlite3 execute)",
        "~",
        "<method 'execute' of 'sqlite3.Connection' objects>",
    ),
    ("Session cookie (flask open_session)", "flask/sessions.py", "open_session"),
)


def profiled(label: str, make, runs: int, top: int = 12) -> dict:
    """Profile `runs` calls; `make()` prepares one (outside the profiler)."""
    make()()  # warm
    calls = [make() for _ in range(runs)]
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for call in calls:
        call()
    profiler.disable()
    wall = (time.perf_counter() - started) / runs
    stats = pstats.Stats(profiler, stream=io.StringIO())
    rows = []
    packages: dict[str, float] = {}
    for (filename, line, name), (_cc, count, own, cum, _callers) in stats.stats.items():
        if filename == __file__:
            continue  # the harness
        rows.append((own, cum, count, _where(filename, line, name)))
        key = _package(filename, name)
        packages[key] = packages.get(key, 0.0) + own
    total = sum(packages.values()) or 1e-9
    by_own = sorted(rows, reverse=True)[:top]
    by_cum = sorted(
        (r for r in rows if r[3].startswith(("pupilvoice/", "templates/"))),
        key=lambda r: r[1],
        reverse=True,
    )[:top]

    def row(r):
        own, cum, count, where = r
        return {
            "function": where,
            "own_ms": own * 1000 / runs,
            "cumulative_ms": cum * 1000 / runs,
            "calls": count / runs,
        }

    stages = []
    for what, suffix, function in STAGES:
        for (filename, _line, name), entry in stats.stats.items():
            if filename.endswith(suffix) and name == function:
                stages.append({"stage": what, "cumulative_ms": entry[3] * 1000 / runs})
                break
    return {
        "label": label,
        "runs": runs,
        "ms_per_request_profiled": wall * 1000,
        "stages": stages,
        "by_own_time": [row(r) for r in by_own],
        "app_functions_by_cumulative": [row(r) for r in by_cum],
        "by_package": [
            {"package": k, "share": v / total, "ms": v * 1000 / runs}
            for k, v in sorted(packages.items(), key=lambda kv: -kv[1])[:10]
        ],
    }


def wsgi(app, path, cookie, method="GET", data=None, headers=None, expect=200):
    """A request straight into the WSGI app: built here, outside the profiler,
    so only the app's own work is profiled (no test client, no server)."""
    from werkzeug.test import EnvironBuilder

    def make():
        environ = EnvironBuilder(
            path=path,
            method=method,
            data=data,
            headers={"Cookie": cookie, **(headers or {})},
        ).get_environ()

        def call():
            status = []
            body = app(environ, lambda s, h, e=None: status.append(s))
            try:
                for _chunk in body:
                    pass
            finally:
                getattr(body, "close", lambda: None)()
            assert status[0].startswith(str(expect)), (path, status)

        return call

    return make


def cookie_of(session: Session) -> str:
    return f"pupilvoice={session.client.get_cookie('pupilvoice').value}"


def profiles(app, plan: dict, password: str, runs: int) -> dict:
    teacher = Session(app).sign_in(plan["exporter"]["email"], password)
    worker = Session(app).sign_in(plan["social_workers"][0]["email"], password)
    pupil_id = plan["profile_pupil"]["pupil_id"]
    steps = plan["profile_pupil"]["steps"]
    tablet = Session(app).sign_in(plan["profile_pupil"]["teacher_email"], password)
    tablet.get(f"/staff/pupils/{pupil_id}")
    started = tablet.post(
        f"/staff/pupils/{pupil_id}/pupil-mode", {"band": "ks2", "language": "en"}
    )
    assert started.status_code == 302, started.status_code
    tablet.get("/pupil/welcome")
    position = {"i": 0}

    def question():
        position["i"] += 1
        step = steps[position["i"] % len(steps)]
        return wsgi(app, f"/pupil/q/{step}", cookie_of(tablet))()

    def save():
        position["i"] += 1
        step = steps[position["i"] % len(steps)]
        data = {"csrf_token": tablet.token, "text": "I like football"}
        return wsgi(
            app,
            f"/pupil/q/{step}",
            cookie_of(tablet),
            "POST",
            data,
            {"HX-Request": "true", "HX-Target": "save-status"},
        )()

    section = plan["exporter"]["section_id"]
    return {
        "question": profiled("Question page (GET /pupil/q/<step>)", question, runs),
        "save": profiled("Answer save (htmx POST /pupil/q/<step>)", save, runs),
        "teacher_list": profiled(
            "Teacher's pupil list (GET /staff/pupils)",
            wsgi(app, "/staff/pupils", cookie_of(teacher)),
            runs,
        ),
        "sw_list": profiled(
            "Social worker's caseload (GET /staff/pupils)",
            wsgi(app, "/staff/pupils", cookie_of(worker)),
            runs,
        ),
        "export_pdf": profiled(
            "PDF export (GET /staff/voice/<id>/export/pdf)",
            wsgi(app, f"/staff/voice/{section}/export/pdf", cookie_of(teacher)),
            max(1, runs // 40),
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--plan", required=True, type=Path)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--profile-runs", type=int, default=0)
    args = parser.parse_args()
    plan = json.loads(args.plan.read_text())

    from pupilvoice import create_app

    app = create_app(
        {"DATABASE": args.database, "SECRET_KEY": "bench-inproc", "TESTING": False}
    )
    runs = args.runs
    result = {
        "exports": export_timings(
            app,
            args.database,
            plan["exporter"]["section_id"],
            {
                "build": runs * 5,
                "json": runs * 5,
                "csv": runs * 5,
                "text": runs * 5,
                "docx": runs,
                "pdf": max(1, runs // 2),
            },
        )
    }
    if args.profile_runs:
        result["profiles"] = profiles(app, plan, plan["password"], args.profile_runs)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
