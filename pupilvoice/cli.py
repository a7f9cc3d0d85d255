"""The `pupilvoice` command: init-db, demo, serve, and Flask's own commands."""

import os
import sqlite3
from pathlib import Path

import click
import pyotp
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from . import backups, demo, formats, outputs, retention, sections, server
from .db import get_db, init_db_command, migrate


def _create_app():
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def cli():
    """PupilVoice: a child in care's own views for their PEP meeting."""


@click.command("demo")
@with_appcontext
def demo_command():
    """Load a demo Virtual School and print its sign-ins."""
    created = demo.load(get_db())
    click.echo("Loaded the demo Virtual School." if created else "Demo already loaded.")
    click.echo("Sign in as any of these (demo only, never use these for real):")
    for email, role in demo.SIGN_INS:
        click.echo(f"  {role:<20} {email:<32} password: {demo.PASSWORD}")
    code = pyotp.TOTP(demo.ADMIN_TOTP).now()
    click.echo(
        f"The admin also needs a two-step code: {code} works for about 30 seconds;\n"
        f"add the key {demo.ADMIN_TOTP} to an authenticator app for more."
    )


@click.command("serve")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=server.WORKERS, show_default=True, type=int)
@click.option("--threads", default=server.THREADS, show_default=True, type=int)
def serve_command(host, port, workers, threads):
    """Serve the app with gunicorn, a production WSGI server."""
    database = current_app.config["DATABASE"]
    # Held until gunicorn stops, and inherited by its workers: restore is
    # refused meanwhile.
    try:
        with backups.serving_lock(database):
            click.echo(f"PupilVoice is at http://{host}:{port}/  (Ctrl+C stops it)")
            server.run(current_app._get_current_object(), host, port, workers, threads)
    except backups.Serving:
        raise click.ClickException(
            f"PupilVoice is already serving from {database}, or a restore of it "
            "is under way."
        ) from None
    except outputs.Refused as refused:
        raise click.ClickException(str(refused)) from None


# A voice section's number: one SQLite can hold.
SECTION_NUMBER = click.IntRange(1, 2**63 - 1)


@click.command("export")
@click.argument("section", required=False, type=SECTION_NUMBER)
@click.option("--all", "everything", is_flag=True, help="Every finished voice section.")
# What the pupil kept private never leaves by the command line.
@click.option("--format", "fmt", type=click.Choice(formats.MEETING_PACK), required=True)
@click.option("--output", type=click.Path(path_type=Path), required=True)
@click.option("--force", is_flag=True, help="Replace files that are already there.")
@with_appcontext
def export_command(section, everything, fmt, output, force):
    """Export one voice section to a file, or --all of them to a folder."""
    db = get_db()
    if everything == (section is not None):
        raise click.UsageError("Give either a voice section's number or --all.")
    if everything:
        if fmt not in formats.BULK:
            raise click.UsageError(f"--all writes {' or '.join(formats.BULK)}.")
        if os.path.lexists(output) and not output.is_dir():
            raise click.ClickException(
                f"--all writes into a folder, and {output} is not one."
            )
        ids = sections.all_finished(db)
        targets = [(i, output / f"voice-{i}.{fmt}") for i in ids]
    else:
        record = sections.get(db, section)
        if record is None:
            raise click.ClickException(f"There is no voice section {section}.")
        if not sections.is_finished(record):
            raise click.ClickException(
                f"Voice section {section} is not finished yet, so it cannot be exported."
            )
        targets = [(section, output)]
    try:
        if everything:
            _make_folder(output)
        # Every target is checked before the first is written.
        for _section_id, path in targets:
            _check_target(path, force)
        with current_app.test_request_context():
            for section_id, path in targets:
                body = formats.render(db, section_id, fmt, None)
                _export(db, section_id, fmt, path, body)
                click.echo(f"Wrote {path}")
    except outputs.Refused as refused:
        raise click.ClickException(str(refused)) from None
    if everything and not targets:
        click.echo("No finished voice sections yet.")


def _export(db, section_id: int, fmt: str, path: Path, body: bytes | str) -> None:
    data = body.encode("utf-8") if isinstance(body, str) else body

    def fill(partial: Path) -> None:
        outputs.write_synced(partial, data)
        # Recorded before the file takes its name: an export that could not
        # be written down never appears.
        try:
            sections.record_export(db, sections.get(db, section_id), None, fmt)
        except sqlite3.Error as error:
            raise outputs.Refused(
                f"Could not record the export of voice section {section_id} "
                f"({error}), so nothing was written."
            ) from None

    outputs.replace_with(path, fill)


def _check_target(path: Path, force: bool) -> None:
    outputs.check_target(
        path, force, current_app.config["DATABASE"], current_app.instance_path
    )


def _make_folder(folder: Path) -> None:
    owner = outputs.owned_by_app(
        folder, current_app.config["DATABASE"], current_app.instance_path
    )
    if owner:
        raise outputs.Refused(owner)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise outputs.Refused(
            f"Could not make the folder {folder}: {outputs.reason(error)}."
        ) from None


@click.command("purge")
@with_appcontext
def purge_command():
    """Delete answers past the Virtual School's retention period now."""
    count = retention.purge(get_db(), default_days=current_app.config["RETENTION_DAYS"])
    click.echo(f"Deleted the answers of {count} voice section(s) past retention.")


@click.command("backup")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace a file that is already there.")
@with_appcontext
def backup_command(file, force):
    """Copy the database to FILE, safely, even while the app is serving."""
    try:
        _check_target(file, force)
        backups.backup(current_app.config["DATABASE"], file)
    except outputs.Refused as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(f"Backed up to {file} and checked it.")


@click.command("restore")
@click.argument("file", required=False, type=click.Path(path_type=Path))
@click.option("--undo", is_flag=True, help="Put back the copy the last restore kept.")
@click.option("--yes", is_flag=True, help="Do not ask before replacing the data.")
@with_appcontext
def restore_command(file, undo, yes):
    """Replace the database with a checked backup, keeping a copy of it aside;
    or, with --undo, put that copy back. Refused while the app is serving."""
    database = current_app.config["DATABASE"]
    if undo == (file is not None):
        raise click.UsageError("Give either a backup file or --undo.")
    try:
        with backups.serving_lock(database):
            if undo:
                file = backups.newest_copy(database)
            checked = backups.read_checked(file, database)
            try:
                if not yes:
                    click.confirm(
                        f"Replace everything in {database} with {file}?", abort=True
                    )
                aside = backups.restore(checked, database)
            finally:
                checked.close()
            # Already up to date; this puts the live file back in WAL mode.
            migrate(get_db())
            backups.drop_old_copies(database)
    except backups.Serving:
        raise click.ClickException(
            f"PupilVoice is serving from {database}, or another restore is under "
            "way; stop it first."
        ) from None
    except outputs.Refused as refused:
        raise click.ClickException(str(refused)) from None
    except (OSError, sqlite3.Error) as error:
        raise click.ClickException(f"Restore stopped: {error}.") from None
    click.echo(
        f"Restored from {file}. The database it replaced is kept at {aside} for "
        f"{backups.KEEP_ASIDE.days} days; `pupilvoice restore --undo` puts it back."
    )


def init_app(app) -> None:
    app.cli.add_command(init_db_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(serve_command)
    app.cli.add_command(export_command)
    app.cli.add_command(purge_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
