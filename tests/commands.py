"""Running `pupilvoice` commands and comparing databases: shared by the tests
of the files the commands write (export, backup) and of restore."""

import os
import socket
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def snapshot(path) -> str:
    """Everything in a database, as SQL: equal snapshots, equal content."""
    conn = sqlite3.connect(path)
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pupilvoice(*args) -> list[str]:
    """`python -m pupilvoice ARGS`, to run in a process of its own."""
    return [sys.executable, "-m", "pupilvoice", *[str(a) for a in args]]


def environment(instance) -> dict:
    """For such a process: the checkout's code, and this instance folder."""
    return {
        **os.environ,
        "PUPILVOICE_INSTANCE": str(instance),
        "PYTHONPATH": str(ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def refused_in_one_line(result, words):
    """A command refused with one clear line: a ClickException, not an error
    escaping with a traceback."""
    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    message = result.stderr.strip()
    assert "\n" not in message, message
    assert words in message, message
