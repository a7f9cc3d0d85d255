"""Backups and restores, checked in full before the live database is touched.

A backup is read once, into memory, and everything is checked on that copy and
restored from it: the file cannot change between the check and the restore, and
reading it leaves nothing beside it. It must have exactly the schema the app's
own migrations make (up to the last migration it records), pass SQLite's
integrity and foreign-key checks, and come up to date with this version's
migrations. Only then is the live database copied aside and replaced, in one
SQLite transaction, while holding the lock `pupilvoice serve` holds.
"""

import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlite_utils import Database

from . import db
from .outputs import Refused, reason, replace_with

HEADER = b"SQLite format 3\x00"
# Copies aside are named after the database, the word and the UTC time.
ASIDE = ".before-restore-"
STAMP = "%Y%m%dT%H%M%S%fZ"
# Long enough to notice a restore was wrong; short, because each copy holds
# children's words that retention may since have deleted from the live one.
KEEP_ASIDE = timedelta(days=7)


class Serving(Exception):
    """Someone holds the serving lock: the app is serving, or a restore runs."""


@contextlib.contextmanager
def serving_lock(database: str) -> Iterator[None]:
    """An exclusive lock on `<database>.serving`, or Serving at once.

    `pupilvoice serve` holds it while gunicorn runs (its workers inherit it
    when forked); restore holds it while it works. The file stays: deleting a
    lock file lets two processes each lock a different one.
    """
    path = f"{database}.serving"
    try:
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:
        raise Refused(
            f"Could not open the lock file {path}: {reason(error)}."
        ) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Serving from None
        yield
    finally:
        os.close(handle)


def read_checked(path: Path, database: str) -> sqlite3.Connection:
    """The backup at `path` in memory, checked and brought up to date, or
    Refused saying what is wrong with it."""
    conn = _load(path, database)
    try:
        _check(conn, path)
        _bring_up_to_date(conn, path)
        _check_fits(conn, path, database)
    except BaseException:
        conn.close()
        raise
    return conn


def _load(path: Path, database: str) -> sqlite3.Connection:
    if not os.path.exists(path):
        raise Refused(f"There is no file at {path}.")
    if path.is_dir():
        raise Refused(f"{path} is a folder, not a backup file.")
    if not path.is_file():
        raise Refused(f"{path} is not a regular file, so it is not a backup.")
    if _same_file(path, database):
        raise Refused(
            f"{path} is the live database itself; give a backup made by "
            "`pupilvoice backup`."
        )
    wal = Path(f"{path}-wal")
    if wal.is_file() and wal.stat().st_size:
        # Its latest changes may be in there, and only a live database or a
        # copy taken while in use has one.
        raise Refused(
            f"{path} has a write-ahead log beside it ({wal.name}), so it is a "
            "database in use, not a backup; make one with `pupilvoice backup`."
        )
    try:
        image = bytearray(path.read_bytes())
    except OSError as error:
        raise Refused(f"Could not read {path}: {reason(error)}.") from None
    if not image:
        raise Refused(f"{path} is empty, so it is not a PupilVoice backup.")
    if not image.startswith(HEADER):
        raise Refused(
            f"{path} is not a PupilVoice backup: it is not a SQLite database."
        )
    # An image in WAL mode cannot be opened in memory; bytes 18 and 19 are
    # the journal mode (2 = WAL, 1 = rollback), and there is no log to read.
    if image[18:20] == b"\x02\x02":
        image[18:20] = b"\x01\x01"
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(image)
    except sqlite3.Error as error:
        conn.close()
        raise Refused(f"{path} is not a PupilVoice backup: {error}.") from None
    return conn


def _same_file(path: Path, database: str) -> bool:
    try:
        return os.path.samefile(path, database)
    except OSError:
        return False


def _check(conn: sqlite3.Connection, path: Path) -> None:
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:
        raise Refused(f"{path} is damaged: {error}.") from None
    if problems != ["ok"]:
        raise Refused(f"{path} is damaged: {problems[0]}.")
    try:
        names = _migrations(conn, path)
        difference = _difference(_schema(conn), _made_by_migrations(len(names)))
        if difference:
            raise Refused(
                f"{path} does not match the database PupilVoice makes: {difference}."
            )
        orphan = conn.execute("PRAGMA foreign_key_check").fetchone()
    except sqlite3.DatabaseError as error:
        raise Refused(f"{path} is not a PupilVoice backup: {error}.") from None
    if orphan:
        table, rowid, parent, _key = orphan
        raise Refused(
            f"{path} is inconsistent: row {rowid} of {table} points to a missing "
            f"row in {parent}."
        )


def _migrations(conn: sqlite3.Connection, path: Path) -> list[str]:
    """The backup's migrations, which must be this version's first few."""
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations'"
    ).fetchone()
    names = []
    if has_table:
        names = [
            r[0] for r in conn.execute("SELECT name FROM migrations ORDER BY rowid")
        ]
    if not names:
        raise Refused(
            f"{path} is not a PupilVoice backup: it has no PupilVoice tables."
        )
    ours = [name for name, _sql in db.MIGRATIONS]
    unknown = [name for name in names if name not in ours]
    if unknown:
        raise Refused(
            f"{path} was made by a newer version of PupilVoice (its migration "
            f"{unknown[0]} is unknown to this one); upgrade PupilVoice, then restore it."
        )
    if names != ours[: len(names)]:
        raise Refused(
            f"{path} is not a PupilVoice backup: its migrations are not this "
            "version's, in this version's order."
        )
    return names


def _made_by_migrations(count: int) -> dict[str, object]:
    """The schema of an empty database after the app's first `count` migrations."""
    made = sqlite3.connect(":memory:")
    older = sqlite3.connect(":memory:")
    try:
        # db.migrate() itself makes the newest, and its migrations table.
        db.migrate(Database(made))
        if count == len(db.MIGRATIONS):
            return _schema(made)
        (table,) = made.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'migrations'"
        ).fetchone()
        older.execute(table)
        for _name, sql in db.MIGRATIONS[:count]:
            older.executescript(sql)
        return _schema(older)
    finally:
        made.close()
        older.close()


def _schema(conn: sqlite3.Connection) -> dict[str, object]:
    """Every table, column, foreign key, index, trigger and view, by name,
    with what defines it: two databases compare item by item."""
    items: dict[str, object] = {}
    definitions: dict[str, object] = {}
    objects = conn.execute(
        """
        SELECT type, name, tbl_name, sql FROM sqlite_master
        -- ANALYZE's statistics come and go with no change to the schema.
        WHERE name NOT LIKE 'sqlite_stat%'
        ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, name
        """
    ).fetchall()
    for kind, name, table, sql in objects:
        items[f"{kind} {name}"] = table
        if kind == "table":
            for column in conn.execute(
                'SELECT cid, name, type, "notnull", dflt_value, pk, hidden'
                " FROM pragma_table_xinfo(?)",
                [name],
            ):
                items[f"column {name}.{column[1]}"] = column
            for key in conn.execute("SELECT * FROM pragma_foreign_key_list(?)", [name]):
                items[f"foreign key {key[0]}.{key[1]} of {name}"] = key
        elif kind == "index":
            items[f"index {name}"] = (
                table,
                conn.execute("SELECT * FROM pragma_index_xinfo(?)", [name]).fetchall(),
            )
        if sql:
            # CHECK constraints and collations show only in the SQL itself.
            definitions[f"definition of {kind} {name}"] = " ".join(sql.split())
    return items | definitions


def _difference(have: dict[str, object], want: dict[str, object]) -> str | None:
    """The first way `have` differs from `want`, in words, or None."""
    for name in want:
        if name not in have:
            return f"it has no {name}"
    for name in have:
        if name not in want:
            return (
                f"it has a {name} that this version of PupilVoice does not make "
                "(made by a newer version, or changed by hand)"
            )
    for name, value in want.items():
        if have[name] != value:
            return f"its {name} is not as PupilVoice makes it"
    return None


def _bring_up_to_date(conn: sqlite3.Connection, path: Path) -> None:
    """Apply this version's later migrations to the copy in memory, so the
    live database is only ever replaced by one that is ready to use."""
    try:
        db.migrate(Database(conn))
    except sqlite3.Error as error:
        raise Refused(f"{path} could not be brought up to date: {error}.") from None
    difference = _difference(_schema(conn), _made_by_migrations(len(db.MIGRATIONS)))
    if difference:
        raise Refused(f"{path} did not come up to date as expected: {difference}.")


def _check_fits(conn: sqlite3.Connection, path: Path, database: str) -> None:
    live = sqlite3.connect(database, timeout=15)
    try:
        ours = live.execute("PRAGMA page_size").fetchone()[0]
    finally:
        live.close()
    theirs = conn.execute("PRAGMA page_size").fetchone()[0]
    if ours != theirs:
        # SQLite cannot change the page size of a database in WAL mode.
        raise Refused(
            f"{path} has a page size of {theirs} bytes and the live database "
            f"{ours}, so it cannot be restored into it."
        )


def backup(database: str, target: Path) -> None:
    """SQLite's online backup (safe while the app is serving), checked as a
    restore would check it before it takes the target's name."""

    def fill(partial: Path) -> None:
        source, copy = sqlite3.connect(database, timeout=15), sqlite3.connect(partial)
        try:
            source.backup(copy)
        except sqlite3.Error as error:
            raise Refused(
                f"Could not write {target}: {_sqlite_reason(error)}; nothing was written."
            ) from None
        finally:
            source.close()
            copy.close()
        read_checked(partial, database).close()

    replace_with(target, fill)


def _sqlite_reason(error: sqlite3.Error) -> str:
    if getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
        return "the disk is full"
    return str(error)


def restore(checked: sqlite3.Connection, database: str) -> Path:
    """Replace the live database with a checked backup; return where the
    database it replaced was copied first."""
    live = sqlite3.connect(database, timeout=15)
    try:
        aside = _copy_aside(live, database)
        try:
            # One step, so one transaction: all of it, or none.
            checked.backup(live)
        except sqlite3.Error as error:
            raise Refused(
                f"Could not replace the live database ({_sqlite_reason(error)}); it is "
                f"unchanged, and a copy of it is at {aside}."
            ) from None
    finally:
        live.close()
    return aside


def _copy_aside(live: sqlite3.Connection, database: str) -> Path:
    aside = Path(f"{database}{ASIDE}{datetime.now(UTC):{STAMP}}")
    try:
        # Made by us, for the owner only, and never over another copy.
        os.close(os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        copy = sqlite3.connect(aside)
        try:
            live.backup(copy)
        finally:
            copy.close()
    except (OSError, sqlite3.Error) as error:
        aside.unlink(missing_ok=True)
        detail = reason(error) if isinstance(error, OSError) else _sqlite_reason(error)
        raise Refused(
            f"Could not copy the live database aside ({detail}), so nothing was changed."
        ) from None
    return aside


def copies_aside(database: str) -> list[Path]:
    """Copies restore kept of the databases it replaced, oldest first."""
    live = Path(database)
    found = []
    for path in live.parent.glob(f"{live.name}{ASIDE}*"):
        with contextlib.suppress(ValueError):
            found.append((_made_at(path, live), path))
    return [path for _when, path in sorted(found)]


def _made_at(path: Path, live: Path) -> datetime:
    stamp = path.name.removeprefix(f"{live.name}{ASIDE}")
    return datetime.strptime(stamp, STAMP).replace(tzinfo=UTC)


def newest_copy(database: str) -> Path:
    copies = copies_aside(database)
    if not copies:
        raise Refused(
            f"There is no copy aside to put back: restore keeps one beside "
            f"{database} for {KEEP_ASIDE.days} days."
        )
    return copies[-1]


def drop_old_copies(database: str, now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)
    live = Path(database)
    for path in copies_aside(database):
        if now - _made_at(path, live) > KEEP_ASIDE:
            path.unlink(missing_ok=True)
