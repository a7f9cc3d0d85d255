"""`python -m pupilvoice` with SQLite's `synchronous` setting chosen: for the
benchmark only, to measure what the shipped FULL costs against NORMAL.

    python -m bench.synchronous NORMAL serve --port 8002

Never serve pupils this way: in WAL mode NORMAL can lose, on a power cut,
answers a tablet has already shown as saved (docs/decisions.md). That is why
this is not a setting of the app's own.
"""

import sys

LEVELS = ("FULL", "NORMAL")


def main() -> None:
    level = sys.argv.pop(1) if len(sys.argv) > 1 else ""
    if level not in LEVELS:
        raise SystemExit(f"usage: python -m bench.synchronous {'|'.join(LEVELS)} ...")
    from pupilvoice import cli, db

    shipped = db.connect

    def connect(path: str, *args, **kwargs):
        database = shipped(path, *args, **kwargs)
        database.execute(f"PRAGMA synchronous = {level}")
        return database

    # Every request's connection comes from db.get_db(), which looks up
    # db.connect when it opens one.
    db.connect = connect
    cli.cli(prog_name="pupilvoice")


if __name__ == "__main__":
    main()
