"""Every setting PupilVoice reads, in one place (after microblog's config.py).

Each setting has an environment variable, a default and a line on why it is
there; `create_app()` reads them through `Config`, once, when the app is made,
and no other module reads the environment. Tests pass their own values to
`create_app()`, which win over these. The README's settings table lists
exactly these (tests/test_config.py checks it both ways).

Below them are values that are not settings: security and framework choices
the code depends on, kept here so that everything in `app.config` is seen
together, but not changed by the environment.
"""

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


class SettingError(ValueError):
    """An environment variable whose value cannot be used: one clear line."""


@dataclass(frozen=True)
class Setting:
    name: str  # its key in app.config
    variable: str  # the environment variable that sets it
    default: Any  # used when the variable is unset or empty
    shown: str  # the default as the README's table writes it
    why: str
    read: Callable[[str, str], Any] = lambda _variable, value: value


def _whole(low: int, high: int) -> Callable[[str, str], int]:
    def read(variable: str, value: str) -> int:
        if not value.strip().isdigit() or not low <= int(value) <= high:
            raise SettingError(
                f"{variable} must be a whole number from {low} to {high}, "
                f"not {value[:40]!r}"
            )
        return int(value)

    return read


def _seconds(variable: str, value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1
    if not 0 < seconds <= 600:
        raise SettingError(
            f"{variable} must be a number of seconds above 0 and at most 600, "
            f"not {value[:40]!r}"
        )
    return seconds


def _switch(variable: str, value: str) -> bool:
    if value not in ("0", "1"):
        raise SettingError(f"{variable} must be 1 or 0, not {value[:40]!r}")
    return value == "1"


def _hosts(_variable: str, value: str) -> list[str]:
    return [host.strip() for host in value.split(",") if host.strip()]


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "INSTANCE",
        "PUPILVOICE_INSTANCE",
        None,
        "`instance/` (checkout) or `<venv>/var/pupilvoice-instance`",
        "folder for the database and the secret key",
    ),
    Setting(
        "DATABASE",
        "PUPILVOICE_DATABASE",
        None,
        "`<instance>/pupilvoice.sqlite3`",
        "the SQLite file",
    ),
    Setting(
        "SECRET_KEY",
        "PUPILVOICE_SECRET_KEY",
        None,
        "random, made once and kept in `<instance>/secret_key` (mode 600)",
        "signs session cookies",
    ),
    Setting(
        "SESSION_COOKIE_SECURE",
        "PUPILVOICE_HTTPS",
        False,
        "`0`",
        "`1` marks cookies `Secure`; set it when served over HTTPS",
        _switch,
    ),
    Setting(
        "TRUSTED_PROXIES",
        "PUPILVOICE_TRUSTED_PROXIES",
        0,
        "`0`",
        "number of reverse proxies whose `X-Forwarded-*` headers to believe "
        "(see [docs/security.md](docs/security.md))",
        _whole(0, 10),
    ),
    Setting(
        "TRUSTED_HOSTS",
        "PUPILVOICE_TRUSTED_HOSTS",
        ["localhost", "127.0.0.1"],
        "`localhost,127.0.0.1`",
        "the host names the site answers to, comma-separated (`.example.org` "
        "takes every name under it); any other `Host` gets a 400, so no link "
        "or redirect is built on a name an attacker chose",
        _hosts,
    ),
    Setting(
        "BUSY_SECONDS",
        "PUPILVOICE_BUSY_SECONDS",
        15,
        "`15`",
        "how long a save waits for another writer before the person is told "
        "it was not saved (never a 500)",
        _seconds,
    ),
    Setting(
        "MAX_CONTENT_LENGTH",
        "PUPILVOICE_MAX_CONTENT_LENGTH",
        256 * 1024,
        "`262144`",
        "bytes a request body may hold, chunked or not; the largest real form "
        "is a 4,000-character note, 36 KB in a script of three bytes a letter",
        _whole(64 * 1024, 16 * 1024 * 1024),
    ),
    Setting(
        "MAX_FORM_MEMORY_SIZE",
        "PUPILVOICE_MAX_FORM_MEMORY_SIZE",
        128 * 1024,
        "`131072`",
        "bytes one form field may hold, whatever the form's encoding",
        _whole(16 * 1024, 16 * 1024 * 1024),
    ),
    Setting(
        "MAX_FORM_PARTS",
        "PUPILVOICE_MAX_FORM_PARTS",
        200,
        "`200`",
        "fields one form may send, whatever its encoding",
        _whole(50, 10_000),
    ),
    Setting(
        "ANSWER_MAX_CHARS",
        "PUPILVOICE_ANSWER_MAX_CHARS",
        2000,
        "`2000`",
        "letters in one answer; a longer one is refused kindly, never cut",
        _whole(100, 20_000),
    ),
    Setting(
        "RETENTION_DAYS",
        "PUPILVOICE_RETENTION_DAYS",
        90,
        "`90`",
        "days answers are kept after import into the PEP, for a Virtual "
        "School whose admin has not chosen",
        _whole(1, 3650),
    ),
    # Both at most 12 hours: the daily purge deletes sessions quiet for 13.
    Setting(
        "STAFF_IDLE_MINUTES",
        "PUPILVOICE_STAFF_IDLE_MINUTES",
        30,
        "`30`",
        "a staff session left alone this long ends",
        _whole(1, 720),
    ),
    Setting(
        "STAFF_ABSOLUTE_HOURS",
        "PUPILVOICE_STAFF_ABSOLUTE_HOURS",
        12,
        "`12`",
        "a staff session ends this long after sign-in, however busy",
        _whole(1, 12),
    ),
    Setting(
        "PUPIL_IDLE_SECONDS",
        "PUPILVOICE_PUPIL_IDLE_SECONDS",
        20 * 60,
        "`1200`",
        "a tablet left alone in pupil mode this long ends the whole session",
        _whole(180, 3600),
    ),
    Setting(
        "PUPIL_WARNING_SECONDS",
        "PUPILVOICE_PUPIL_WARNING_SECONDS",
        120,
        "`120`",
        'how long before that the pupil is asked "are you still there?"',
        _whole(30, 170),
    ),
)


class Config:
    """The app's configuration: each setting from the environment or its
    default, then the fixed values. `app.config.from_object(Config())`."""

    # Not settings: choices the code and its security depend on.
    SESSION_COOKIE_NAME = "pupilvoice"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # The CSRF token lives as long as the server-side session it belongs to.
    WTF_CSRF_TIME_LIMIT = None
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "Europe/London"

    def __init__(self, environ: Mapping[str, str] | None = None):
        environ = os.environ if environ is None else environ
        for setting in SETTINGS:
            value = environ.get(setting.variable, "")
            setattr(
                self,
                setting.name,
                setting.read(setting.variable, value) if value else setting.default,
            )


def default(name: str) -> Any:
    """A setting's default, for code that runs without an app (the daily
    purge's thread, the command line's helpers)."""
    return next(s.default for s in SETTINGS if s.name == name)
