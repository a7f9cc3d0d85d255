"""The embedded SQLite database: connections, named migrations, `init-db`."""

import contextlib
import re
import sqlite3
import threading
from datetime import UTC, datetime

import click
from flask import current_app, g
from flask.cli import with_appcontext
from sqlite_utils import Database
from sqlite_utils.utils import dedupe_keys

from . import config

# Each migration runs once, in order, inside one transaction with its record in
# `migrations`. Never edit one that has shipped: add another.
MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_initial",
        """
        CREATE TABLE virtual_schools (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL
        );
        CREATE TABLE schools (
            id INTEGER PRIMARY KEY,
            virtual_school_id INTEGER NOT NULL REFERENCES virtual_schools(id),
            name TEXT NOT NULL
        );
        CREATE TABLE staff (
            id INTEGER PRIMARY KEY,
            virtual_school_id INTEGER NOT NULL REFERENCES virtual_schools(id),
            school_id INTEGER REFERENCES schools(id),
            email TEXT NOT NULL UNIQUE COLLATE NOCASE,
            name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('admin', 'teacher', 'social_worker')),
            password_hash TEXT NOT NULL
        );
        CREATE TABLE pupils (
            id INTEGER PRIMARY KEY,
            school_id INTEGER NOT NULL REFERENCES schools(id),
            social_worker_id INTEGER REFERENCES staff(id),
            preferred_name TEXT NOT NULL,
            year_group INTEGER NOT NULL CHECK (year_group BETWEEN 0 AND 13),
            band_override TEXT,
            language TEXT NOT NULL DEFAULT 'en',
            pep_reference TEXT
        );
        CREATE INDEX pupils_school ON pupils(school_id);
        CREATE INDEX pupils_social_worker ON pupils(social_worker_id);
        CREATE TABLE meetings (
            id INTEGER PRIMARY KEY,
            pupil_id INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            date TEXT NOT NULL,
            time TEXT,
            place TEXT
        );
        CREATE INDEX meetings_pupil ON meetings(pupil_id, date);
        CREATE TABLE attendees (
            id INTEGER PRIMARY KEY,
            meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            role TEXT NOT NULL
        );
        CREATE INDEX attendees_meeting ON attendees(meeting_id);
        CREATE TABLE targets (
            id INTEGER PRIMARY KEY,
            meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            text TEXT NOT NULL
        );
        CREATE INDEX targets_meeting ON targets(meeting_id, position);
        CREATE TABLE voice_sections (
            id INTEGER PRIMARY KEY,
            pupil_id INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
            band TEXT NOT NULL,
            language TEXT NOT NULL,
            scribe INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'in_progress',
            supported_by_id INTEGER REFERENCES staff(id),
            started_at TEXT NOT NULL,
            finished_at TEXT
        );
        CREATE UNIQUE INDEX voice_sections_meeting ON voice_sections(meeting_id);
        CREATE TABLE answers (
            section_id INTEGER NOT NULL
                REFERENCES voice_sections(id) ON DELETE CASCADE,
            step TEXT NOT NULL,
            status TEXT NOT NULL
                CHECK (status IN ('answered', 'skipped', 'not_sure')),
            choices TEXT NOT NULL DEFAULT '[]',
            text TEXT NOT NULL DEFAULT '',
            scribed INTEGER NOT NULL DEFAULT 0,
            private INTEGER NOT NULL DEFAULT 0,
            language TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (section_id, step)
        );
        CREATE TABLE talk_flags (
            id INTEGER PRIMARY KEY,
            section_id INTEGER NOT NULL
                REFERENCES voice_sections(id) ON DELETE CASCADE,
            step TEXT,
            raised_at TEXT NOT NULL,
            seen_by_id INTEGER REFERENCES staff(id),
            seen_at TEXT
        );
        CREATE INDEX talk_flags_open ON talk_flags(seen_at, section_id);
        CREATE TABLE device_sessions (
            id TEXT PRIMARY KEY,
            staff_id INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
            section_id INTEGER REFERENCES voice_sections(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL
        );
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            staff_id INTEGER,
            action TEXT NOT NULL,
            pupil_id INTEGER,
            detail TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX audit_log_pupil ON audit_log(pupil_id, at);
        """,
    ),
    (
        "0002_review_export_import",
        """
        ALTER TABLE voice_sections ADD COLUMN reviewed_at TEXT;
        ALTER TABLE voice_sections ADD COLUMN reviewed_by_id INTEGER REFERENCES staff(id);
        ALTER TABLE voice_sections ADD COLUMN imported_at TEXT;
        ALTER TABLE voice_sections ADD COLUMN imported_by_id INTEGER REFERENCES staff(id);
        CREATE TABLE exports (
            id INTEGER PRIMARY KEY,
            section_id INTEGER NOT NULL
                REFERENCES voice_sections(id) ON DELETE CASCADE,
            staff_id INTEGER REFERENCES staff(id),
            format TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX exports_section ON exports(section_id, at);
        CREATE TABLE adult_notes (
            id INTEGER PRIMARY KEY,
            section_id INTEGER NOT NULL
                REFERENCES voice_sections(id) ON DELETE CASCADE,
            staff_id INTEGER NOT NULL REFERENCES staff(id),
            text TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE TABLE checklist (
            meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
            item TEXT NOT NULL,
            status TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by_id INTEGER REFERENCES staff(id),
            PRIMARY KEY (meeting_id, item)
        );
        CREATE TABLE outcomes (
            id INTEGER PRIMARY KEY,
            meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            what TEXT NOT NULL,
            who TEXT NOT NULL,
            by_when TEXT NOT NULL
        );
        """,
    ),
    (
        "0003_security_and_retention",
        """
        ALTER TABLE staff ADD COLUMN totp_secret TEXT;
        ALTER TABLE staff ADD COLUMN totp_enabled_at TEXT;
        CREATE TABLE recovery_codes (
            id INTEGER PRIMARY KEY,
            staff_id INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
            code_hash TEXT NOT NULL,
            used_at TEXT
        );
        CREATE TABLE sign_in_attempts (
            key TEXT PRIMARY KEY,
            failures INTEGER NOT NULL,
            last_failure_at TEXT NOT NULL
        );
        CREATE TABLE settings (
            virtual_school_id INTEGER PRIMARY KEY REFERENCES virtual_schools(id),
            retention_days INTEGER NOT NULL DEFAULT 90
        );
        CREATE TABLE maintenance (
            task TEXT PRIMARY KEY,
            last_run_at TEXT NOT NULL
        );
        CREATE INDEX audit_log_at ON audit_log(at);
        CREATE INDEX voice_sections_imported ON voice_sections(status, imported_at);
        """,
    ),
    (
        "0004_pupil_display_settings",
        """
        ALTER TABLE pupils ADD COLUMN text_size TEXT NOT NULL DEFAULT 'standard';
        ALTER TABLE pupils ADD COLUMN theme TEXT NOT NULL DEFAULT 'standard';
        ALTER TABLE pupils ADD COLUMN font TEXT NOT NULL DEFAULT 'standard';
        """,
    ),
    (
        "0005_purged_sections",
        """
        ALTER TABLE voice_sections ADD COLUMN purged_at TEXT;
        """,
    ),
    (
        "0006_indexes_for_flags_notes_and_sections",
        """
        CREATE INDEX adult_notes_section ON adult_notes(section_id, at);
        CREATE INDEX talk_flags_section ON talk_flags(section_id, seen_at);
        CREATE INDEX voice_sections_pupil ON voice_sections(pupil_id);
        """,
    ),
    (
        "0007_sign_in_state_on_the_server",
        """
        ALTER TABLE staff ADD COLUMN totp_last_step INTEGER;
        ALTER TABLE device_sessions ADD COLUMN totp_setup_secret TEXT;
        CREATE TABLE pending_sign_ins (
            id TEXT PRIMARY KEY,
            staff_id INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
            next TEXT,
            created_at TEXT NOT NULL
        );
        DELETE FROM sign_in_attempts;
        CREATE INDEX sign_in_attempts_last ON sign_in_attempts(last_failure_at);
        CREATE INDEX voice_sections_retention ON voice_sections(imported_at);
        """,
    ),
    (
        # An adult's English beside a pupil's words in another language. It
        # goes with the answer (deleted with it, by retention or otherwise),
        # and keeps the words it translated, so a changed answer is not shown
        # with a translation of what it used to say.
        "0008_translations_of_pupils_words",
        """
        CREATE TABLE answer_translations (
            section_id INTEGER NOT NULL,
            step TEXT NOT NULL,
            original TEXT NOT NULL,
            text TEXT NOT NULL,
            staff_id INTEGER REFERENCES staff(id) ON DELETE SET NULL,
            by_name TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (section_id, step),
            FOREIGN KEY (section_id, step)
                REFERENCES answers(section_id, step) ON DELETE CASCADE
        );
        """,
    ),
    (
        # A tablet that lost its connection sends what it kept once it is back:
        # each save and each "talk to someone" carries an id the tablet made,
        # so a retry is never a second save, and an older save that arrives
        # late never overwrites a newer one (client_at: the tablet's clock, ms).
        "0009_pupil_writes_sent_once",
        """
        ALTER TABLE answers ADD COLUMN client_save TEXT;
        ALTER TABLE answers ADD COLUMN client_at INTEGER;
        ALTER TABLE talk_flags ADD COLUMN client_id TEXT;
        CREATE UNIQUE INDEX talk_flags_client ON talk_flags(section_id, client_id);
        """,
    ),
]


_SELECT = re.compile(r"\s*SELECT\b", re.IGNORECASE)


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store(Database):
    """sqlite-utils, with write transactions that take the write lock first,
    and plain reads.

    A plain BEGIN that reads and then writes cannot wait for the lock in WAL
    mode: if another writer got in first, SQLite refuses the upgrade at once
    ("database is locked"), busy timeout or not. BEGIN IMMEDIATE queues for the
    lock under the busy timeout instead. Nested blocks stay savepoints.
    """

    @contextlib.contextmanager
    def atomic(self):
        if self.conn.in_transaction:
            with super().atomic():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def query(self, sql: str, params=None):
        """Rows as dicts. sqlite-utils wraps each query in a savepoint, so that
        a statement that turns out not to return rows can be undone: three
        statements for one, on every look-up of every request. A SELECT needs
        no undoing."""
        if not _SELECT.match(sql):
            return super().query(sql, params)
        cursor = self.conn.execute(sql, params if params is not None else ())
        keys = [column[0] for column in cursor.description]
        if len(set(keys)) < len(keys):
            keys = list(dedupe_keys(keys))
        return (dict(zip(keys, row, strict=True)) for row in cursor)


def connect(path: str, busy_seconds: float | None = None) -> Store:
    # A generous busy timeout: many tablets saving at once wait their turn
    # rather than fail. The app passes its setting; commands and the daily
    # purge's own connections take the default.
    if busy_seconds is None:
        busy_seconds = config.default("BUSY_SECONDS")
    conn = sqlite3.connect(path, timeout=busy_seconds, check_same_thread=False)
    database = Store(conn)
    database.execute("PRAGMA foreign_keys = ON")
    database.execute(f"PRAGMA busy_timeout = {int(busy_seconds * 1000)}")
    # FULL: each commit waits for the disk, so an answer shown as saved
    # survives a power cut; NORMAL can lose the last ones (docs/decisions.md).
    database.execute("PRAGMA synchronous = FULL")
    return database


def migrate(database: Database) -> list[str]:
    """Apply pending migrations; return their names."""
    database.execute("PRAGMA journal_mode = WAL")
    database.execute(
        "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT)"
    )
    applied = []
    for name, sql in MIGRATIONS:
        # IMMEDIATE takes the write lock first, so two workers starting at
        # once cannot both apply the same migration.
        database.conn.execute("BEGIN IMMEDIATE")
        try:
            done = database.conn.execute(
                "SELECT 1 FROM migrations WHERE name = ?", [name]
            ).fetchone()
            if not done:
                for statement in _statements(sql):
                    database.conn.execute(statement)
                database.conn.execute(
                    "INSERT INTO migrations VALUES (?, ?)", [name, utcnow()]
                )
                applied.append(name)
            database.conn.execute("COMMIT")
        except BaseException:
            database.conn.execute("ROLLBACK")
            raise
    return applied


def _statements(sql: str) -> list[str]:
    return [s.strip() for s in sql.split(";") if s.strip()]


# One connection per worker thread and database, kept between requests: a new
# connection costs its PRAGMAs and starts with an empty page cache every time.
_connections = threading.local()


def get_db() -> Store:
    if "db" not in g:
        path = current_app.config["DATABASE"]
        open_here = _connections.__dict__.setdefault("by_path", {})
        if path not in open_here:
            open_here[path] = connect(path, current_app.config["BUSY_SECONDS"])
        g.db = open_here[path]
    return g.db


def close_db(_exc=None) -> None:
    """A request never leaves a transaction open for the next one."""
    database = g.pop("db", None)
    if database is not None and database.conn.in_transaction:
        database.conn.rollback()


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create the database, or bring it up to date."""
    applied = migrate(get_db())
    click.echo(
        f"Applied {', '.join(applied)}." if applied else "Database already up to date."
    )


def init_app(app) -> None:
    with app.app_context():
        migrate(get_db())
        close_db()
    app.teardown_appcontext(close_db)
