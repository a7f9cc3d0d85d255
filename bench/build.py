"""Realistic databases, built straight into SQLite and cached between runs.

The schema is the app's own: `pupilvoice.db.connect()` and `migrate()` make it,
then plain `executemany` fills it inside one transaction. Every pupil has their
past termly meetings, each with a finished voice section answered on every
step, and one meeting coming up that a tablet will start pupil mode for.

A built database is kept in the cache folder under a name that changes when
this file or the app's migrations change, and every run works on a copy of it,
so runs never see each other's writes.
"""

import functools
import hashlib
import json
import math
import random
import shutil
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pupilvoice.db import MIGRATIONS, connect, migrate
from pupilvoice.passwords import hash_password
from pupilvoice.questions import BANK, band_for_year

# Every bench account signs in with this (a throwaway database, never real).
PASSWORD = "bench-password-not-secret"  # noqa: S105


@dataclass(frozen=True)
class Size:
    name: str
    pupils: int
    sections: int  # past termly voice sections per pupil
    pupils_per_school: int
    virtual_schools: int
    caseload: int = 17  # pupils per social worker

    @property
    def schools(self) -> int:
        return math.ceil(self.pupils / self.pupils_per_school)

    @property
    def social_workers(self) -> int:
        return math.ceil(self.pupils / self.caseload)

    def describe(self) -> str:
        return (
            f"{self.pupils:,} pupils in {self.schools:,} schools "
            f"({self.virtual_schools} Virtual School"
            f"{'s' if self.virtual_schools > 1 else ''}), "
            f"{self.pupils * self.sections:,} past voice sections "
            f"({self.sections} a pupil), {self.social_workers:,} social workers"
        )


SIZES = {
    # For the smoke test: builds in well under a second.
    "tiny": Size(
        "tiny", pupils=60, sections=3, pupils_per_school=20, virtual_schools=1
    ),
    # A large Virtual School: five years of termly meetings for every pupil.
    "large": Size(
        "large", pupils=2000, sections=15, pupils_per_school=30, virtual_schools=1
    ),
    # Every child in care in England at school age, a year of termly meetings.
    "england": Size(
        "england", pupils=50000, sections=3, pupils_per_school=25, virtual_schools=150
    ),
}

TERM = timedelta(days=122)
# Every Virtual School keeps answers for six years (the app's default is 90 days
# after import), so five years of answered sections stay in the database.
RETENTION_DAYS = 6 * 366
ATTENDEE_ROLES = ("designated_teacher", "social_worker", "carer", "virtual_school")
CHECKLIST_ITEMS = (
    "attendance_confirmed",
    "voice_collected",
    "meeting_discussed",
    "data_ready",
    "documents_ready",
)
FIRST_NAMES = (
    "Ava",
    "Leo",
    "Maya",
    "Jordan",
    "Amir",
    "Noah",
    "Isla",
    "Oliver",
    "Freya",
    "Theo",
    "Ruby",
    "Arlo",
    "Zara",
    "Kai",
    "Mia",
    "Ellis",
    "Layla",
    "Finn",
    "Nia",
    "Reuben",
    "Sienna",
    "Idris",
    "Poppy",
    "Hamza",
    "Lily",
    "Jude",
    "Amara",
    "Ezra",
    "Tia",
    "Rowan",
    "Aisha",
    "Callum",
    "Maisie",
    "Kacper",
    "Oksana",
    "Bilal",
    "Erin",
    "Dylan",
    "Grace",
    "Tomasz",
)
WORDS = (
    "I like football at lunch",
    "My teacher helps me with reading",
    "The hall is too loud at dinner time",
    "I want to see my brother more",
    "Maths is getting easier",
    "I get worried before tests",
    "Art club on Thursdays",
    "My carer helps with homework",
    "I would like more time in the quiet room",
    "I did my times tables every night",
    "Science is my favourite lesson",
    "I find it hard to make friends in my form",
)
TARGET_TEXTS = (
    "Read with an adult every day",
    "Hand in homework on time",
    "Join a lunchtime club",
    "Learn my times tables",
    "Talk to my tutor when I feel stressed",
    "Put my hand up to ask for help",
)


def _steps_by_band() -> dict[str, list[tuple]]:
    """(question id or None for a target, kind, card ids, always private) a band."""
    found = {}
    for band in ("early", "ks2", "ks34", "post16"):
        found[band] = [
            (
                None if q.kind == "target" else q.id,
                q.kind,
                [c.id for c in q.cards if band in c.bands],
                q.always_private,
            )
            for q in BANK
            if band in q.prompts
        ]
    return found


def cache_key(size: Size) -> str:
    """Changes when this builder, the schema or the size change, and each
    month, since meeting dates are set from the day of the build."""
    digest = hashlib.sha256()
    digest.update(date.today().strftime("%Y-%m").encode())
    digest.update(Path(__file__).read_bytes())
    digest.update(json.dumps(MIGRATIONS).encode())
    digest.update(repr(size).encode())
    return digest.hexdigest()[:12]


def cached(size: Size, cache_dir: Path, log=print) -> Path:
    """The built database for this size, building it first if need be."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"{size.name}-{cache_key(size)}.sqlite3"
    if path.exists():
        log(f"  using the cached {size.name} database {path}")
        return path
    for old in cache_dir.glob(f"{size.name}-*.sqlite3*"):
        old.unlink()
    partial = path.with_suffix(".building")
    for leftover in cache_dir.glob(partial.name + "*"):
        leftover.unlink()
    started = time.perf_counter()
    log(f"  building the {size.name} database: {size.describe()} ...")
    counts = build(partial, size)
    partial.rename(path)
    log(
        f"  built in {time.perf_counter() - started:.1f} s: "
        + ", ".join(f"{n:,} {t}" for t, n in counts.items())
    )
    return path


def working_copy(template: Path, folder: Path) -> Path:
    """A private copy for one run: the template stays as built."""
    target = folder / "pupilvoice.sqlite3"
    shutil.copyfile(template, target)
    return target


def build(path: Path, size: Size, seed: int = 7) -> dict[str, int]:
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    db = connect(str(path))
    migrate(db)
    conn = db.conn
    # A throwaway file until it is renamed into the cache: no journal needed.
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    # Checked once at the end rather than on each of millions of rows.
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("PRAGMA cache_size = -400000")
    password_hash = hash_password(PASSWORD)  # argon2, once for every account
    steps_by_band = _steps_by_band()
    today = date.today()
    rows: dict[str, list] = {
        t: []
        for t in (
            "virtual_schools",
            "schools",
            "staff",
            "pupils",
            "meetings",
            "attendees",
            "targets",
            "voice_sections",
            "answers",
            "talk_flags",
            "audit_log",
            "exports",
            "adult_notes",
            "checklist",
            "outcomes",
        )
    }
    counts = dict.fromkeys(rows, 0)
    columns = {
        "virtual_schools": "id, name",
        "schools": "id, virtual_school_id, name",
        "staff": "id, virtual_school_id, school_id, email, name, role, password_hash",
        "pupils": "id, school_id, social_worker_id, preferred_name, year_group, "
        "language, pep_reference",
        "meetings": "id, pupil_id, date, time, place",
        "attendees": "meeting_id, name, role",
        "targets": "id, meeting_id, position, text",
        "voice_sections": "id, pupil_id, meeting_id, band, language, scribe, status, "
        "supported_by_id, started_at, finished_at, reviewed_at, reviewed_by_id, "
        "imported_at, imported_by_id",
        "answers": "section_id, step, status, choices, text, scribed, private, "
        "language, updated_at",
        "talk_flags": "section_id, step, raised_at, seen_by_id, seen_at",
        "audit_log": "at, staff_id, action, pupil_id, detail",
        "exports": "section_id, staff_id, format, at",
        "adult_notes": "section_id, staff_id, text, at",
        "checklist": "meeting_id, item, status, updated_at, updated_by_id",
        "outcomes": "meeting_id, position, what, who, by_when",
    }

    def flush(force=False):
        # All tables at once, parents first, so foreign keys always hold.
        if not force and sum(len(pending) for pending in rows.values()) < 200_000:
            return
        for table, pending in rows.items():
            if pending:
                marks = ", ".join("?" * len(pending[0]))
                conn.executemany(
                    f"INSERT INTO {table} ({columns[table]}) VALUES ({marks})",  # noqa: S608 - fixed names
                    pending,
                )
                counts[table] += len(pending)
                pending.clear()

    conn.execute("BEGIN")
    # Virtual schools, each with an admin; schools, each with a designated
    # teacher; social workers, each with a caseload in one Virtual School.
    staff_id = 0
    for vs in range(1, size.virtual_schools + 1):
        rows["virtual_schools"].append((vs, f"Virtual School {vs}"))
        staff_id += 1
        rows["staff"].append(
            (
                staff_id,
                vs,
                None,
                f"admin{vs}@vs{vs}.bench",
                f"Admin {vs}",
                "admin",
                password_hash,
            )
        )
    school_vs = {}
    teacher_of = {}
    for school in range(1, size.schools + 1):
        vs = (school - 1) * size.virtual_schools // size.schools + 1
        school_vs[school] = vs
        rows["schools"].append((school, vs, f"School {school}"))
        staff_id += 1
        teacher_of[school] = staff_id
        rows["staff"].append(
            (
                staff_id,
                vs,
                school,
                f"teacher{school}@school{school}.bench",
                f"Teacher {school}",
                "teacher",
                password_hash,
            )
        )
    social_workers_of: dict[int, list[int]] = {}
    for worker in range(1, size.social_workers + 1):
        vs = (worker - 1) * size.virtual_schools // size.social_workers + 1
        staff_id += 1
        social_workers_of.setdefault(vs, []).append(staff_id)
        rows["staff"].append(
            (
                staff_id,
                vs,
                None,
                f"sw{worker}@vs{vs}.bench",
                f"Social Worker {worker}",
                "social_worker",
                password_hash,
            )
        )

    meeting_id = target_id = section_id = 0
    for pupil in range(1, size.pupils + 1):
        school = (pupil - 1) // size.pupils_per_school + 1
        vs = school_vs[school]
        workers = social_workers_of[vs]
        # Caseloads of about `size.caseload`, spread across the schools.
        worker = workers[(pupil * 7919) % len(workers)]
        teacher = teacher_of[school]
        year_now = rng.randint(0, 13)
        name = rng.choice(FIRST_NAMES)
        rows["pupils"].append(
            (pupil, school, worker, name, year_now, "en", f"PEP-{pupil:06d}")
        )
        # Oldest meeting first: term -sections .. -1, then the one coming up.
        for term in range(-size.sections, 1):
            meeting_id += 1
            if term == 0:
                day = today + timedelta(days=7 + pupil % 50)
            else:
                day = today + term * TERM + timedelta(days=pupil % 20)
            rows["meetings"].append(
                (meeting_id, pupil, day.isoformat(), "10:00", f"School {school}")
            )
            for role in ATTENDEE_ROLES:
                rows["attendees"].append(
                    (meeting_id, f"{role.replace('_', ' ').title()} {pupil}", role)
                )
            targets = []
            for position in range(2):
                target_id += 1
                targets.append(target_id)
                rows["targets"].append(
                    (target_id, meeting_id, position, rng.choice(TARGET_TEXTS))
                )
            if term == 0:
                continue  # the tablet starts this one
            at = f"{day - timedelta(days=7)}T10:15:00+00:00"
            for item in CHECKLIST_ITEMS:
                rows["checklist"].append((meeting_id, item, "done", at, teacher))
            for position in range(2):
                rows["outcomes"].append(
                    (
                        meeting_id,
                        position,
                        rng.choice(TARGET_TEXTS),
                        "Designated teacher",
                        (day + TERM).isoformat(),
                    )
                )
            section_id += 1
            band = band_for_year(max(0, year_now + math.floor(term / 3)))
            roll = rng.random()
            status = (
                "imported"
                if roll < 0.7
                else "exported"
                if roll < 0.85
                else "reviewed"
                if roll < 0.95
                else "finished"
            )
            reviewed = status != "finished"
            imported = status == "imported"
            rows["voice_sections"].append(
                (
                    section_id,
                    pupil,
                    meeting_id,
                    band,
                    "en",
                    int(band == "early"),
                    status,
                    teacher,
                    at,
                    at,
                    at if reviewed else None,
                    teacher if reviewed else None,
                    at if imported else None,
                    worker if imported else None,
                )
            )
            # An answer on every step; the targets question is one step a target.
            for question, kind, cards, private in steps_by_band[band]:
                for step in (
                    [f"target-{t}" for t in targets] if question is None else [question]
                ):
                    rows["answers"].append(
                        _answer(rng, section_id, step, kind, cards, private, band, at)
                    )
            rows["audit_log"].append((at, teacher, "pupil_mode_started", pupil, ""))
            rows["audit_log"].append((at, None, "voice_finished_by_pupil", pupil, ""))
            if reviewed:
                rows["audit_log"].append((at, teacher, "voice_reviewed", pupil, ""))
            if status in ("exported", "imported"):
                for fmt in ("pdf", "docx"):
                    rows["exports"].append((section_id, worker, fmt, at))
                    rows["audit_log"].append((at, worker, "voice_exported", pupil, fmt))
            if rng.random() < 0.2:
                rows["adult_notes"].append(
                    (section_id, teacher, "Talked this through with the pupil.", at)
                )
            if rng.random() < 0.03:
                # Most flags were seen long ago; a few from last term were not.
                seen = term < -1 or rng.random() < 0.8
                rows["talk_flags"].append(
                    (
                        section_id,
                        "hard",
                        at,
                        teacher if seen else None,
                        at if seen else None,
                    )
                )
        flush()
    flush(force=True)
    if _has_table(conn, "settings"):
        conn.executemany(
            "INSERT INTO settings (virtual_school_id, retention_days) VALUES (?, ?)",
            [(vs, RETENTION_DAYS) for vs in range(1, size.virtual_schools + 1)],
        )
    conn.execute("COMMIT")
    broken = conn.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"Foreign keys broken in the built database: {broken[:5]}")
    conn.execute("PRAGMA journal_mode = WAL")  # as the app leaves it
    db.close()
    return counts


def _has_table(conn, name: str) -> bool:
    return bool(
        conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name]
        ).fetchone()
    )


@functools.cache
def _json_list(items: tuple) -> str:
    return json.dumps(list(items))


def _answer(rng, section_id, step, kind, cards, private, band, at) -> tuple:
    roll = rng.random()
    status = "answered" if roll < 0.85 else "skipped" if roll < 0.95 else "not_sure"
    if kind in ("faces", "choice", "target"):
        choices = [rng.choice(cards)]
    elif kind == "cards":
        choices = rng.sample(cards, rng.randint(1, 3))
    else:
        choices = []
    words = ""
    if rng.random() < (0.8 if kind == "text" else 0.35):
        words = rng.choice(WORDS)
    return (
        section_id,
        step,
        status,
        _json_list(tuple(choices)),
        words,
        int(band == "early" and bool(words)),
        int(private or rng.random() < 0.1),
        "en",
        at,
    )


@dataclass
class Plan:
    """Who the benchmark plays: tablets, staff, and the section it exports."""

    tablets: list[dict]  # pupil_id, teacher_id and email, steps (KS2 step ids)
    teachers: list[dict]  # id, email
    social_workers: list[dict]
    exporter: dict  # teacher id and email, section id, pupil id
    band: str = "ks2"


def ks2_steps(target_ids: list[int]) -> list[str]:
    steps = []
    for question in BANK:
        if "ks2" not in question.prompts:
            continue
        if question.kind == "target":
            steps.extend(f"target-{t}" for t in target_ids)
        else:
            steps.append(question.id)
    return steps


def plan(path: Path, tablets: int, staff: int) -> Plan:
    """Tablets spread across every school; staff with the biggest lists."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        pupil_count = conn.execute("SELECT count(*) FROM pupils").fetchone()[0]
        stride = max(1, pupil_count // max(1, tablets))
        chosen = []
        for row in conn.execute(
            """
            SELECT p.id AS pupil_id, t.id AS teacher_id, t.email AS teacher_email,
                (SELECT id FROM meetings WHERE pupil_id = p.id
                 ORDER BY date DESC LIMIT 1) AS meeting_id
            FROM pupils p JOIN staff t ON t.school_id = p.school_id
                AND t.role = 'teacher'
            WHERE (p.id - 1) % ? = 0 ORDER BY p.id LIMIT ?
            """,
            [stride, tablets],
        ):
            target_ids = [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM targets WHERE meeting_id = ? ORDER BY position, id",
                    [row["meeting_id"]],
                )
            ]
            chosen.append(
                {
                    "pupil_id": row["pupil_id"],
                    "teacher_id": row["teacher_id"],
                    "teacher_email": row["teacher_email"],
                    "steps": ks2_steps(target_ids),
                }
            )
        if len(chosen) < tablets:
            raise SystemExit(
                f"The database has {pupil_count} pupils: too few for {tablets} tablets."
            )

        def biggest(role: str, column: str) -> list[dict]:
            return [
                dict(r)
                for r in conn.execute(
                    f"""
                    SELECT s.id, s.email, count(p.id) AS pupils FROM staff s
                    JOIN pupils p ON p.{column} = s.{"school_id" if column == "school_id" else "id"}
                    WHERE s.role = ? GROUP BY s.id ORDER BY count(p.id) DESC, s.id
                    LIMIT ?
                    """,  # noqa: S608 - fixed names
                    [role, staff],
                )
            ]

        teachers = biggest("teacher", "school_id")
        workers = biggest("social_worker", "social_worker_id")
        first = teachers[0]
        section = conn.execute(
            """
            SELECT v.id, v.pupil_id FROM voice_sections v
            JOIN pupils p ON p.id = v.pupil_id
            JOIN staff t ON t.school_id = p.school_id AND t.id = ?
            WHERE v.status != 'in_progress'
            ORDER BY v.finished_at DESC, v.id LIMIT 1
            """,
            [first["id"]],
        ).fetchone()
        exporter = {
            "teacher_id": first["id"],
            "email": first["email"],
            "section_id": section["id"],
            "pupil_id": section["pupil_id"],
        }
        return Plan(chosen, teachers, workers, exporter)
    finally:
        conn.close()


def seed_sessions(path: Path, staff_ids: list[int]) -> list[str]:
    """Staff device sessions written straight in, as a sign-in would leave them.

    Signing in is argon2 by design (about 0.3 s of CPU each); the tablets start
    from these rather than from 500 sign-ins, then start pupil mode over HTTP.
    """
    import secrets

    tokens = [secrets.token_urlsafe(32) for _ in staff_ids]
    now = datetime.now(UTC).isoformat(timespec="seconds")
    conn = sqlite3.connect(path)
    try:
        with conn:
            if _has_table(conn, "maintenance"):
                # Today's retention run counts as done: it is daily upkeep, not
                # part of any page, and it would hold the write lock while the
                # benchmark sets up. (Its cost is a matter for docs/performance.md.)
                conn.execute(
                    "INSERT OR REPLACE INTO maintenance (task, last_run_at) "
                    "VALUES ('purge', ?)",
                    [now],
                )
            conn.executemany(
                "INSERT INTO device_sessions (id, staff_id, section_id, created_at, "
                "last_seen_at) VALUES (?, ?, NULL, ?, ?)",
                [(t, s, now, now) for t, s in zip(tokens, staff_ids, strict=True)],
            )
    finally:
        conn.close()
    return tokens
