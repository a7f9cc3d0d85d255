"""Filters and globals the templates share."""

import json
from datetime import date, datetime
from functools import lru_cache

import flask
from babel import dates
from flask_babel import format_time
from wtforms import RadioField

from . import pictures, speech
from .i18n import gettext as _
from .i18n import locale
from .meetings import CHECKLIST_STATUSES
from .questions import ROLES
from .roles import STAFF_ROLES


def card_for(card_id: str, step):
    return step.card(card_id)


def longdate(value: str) -> str:
    # A staff list shows a date a row, and Babel takes 50 µs to write one.
    return _longdate(locale(), value)


@lru_cache(maxsize=4096)
def _longdate(in_locale, value: str) -> str:
    return dates.format_date(date.fromisoformat(value), "full", locale=in_locale)


def shorttime(value: str) -> str:
    return format_time(datetime.fromisoformat(value), "short")


def year_name(year_group: int) -> str:
    return _("Reception") if year_group == 0 else _("Year %(n)d", n=year_group)


def form_error_list(form) -> list[tuple[str, str]]:
    """(field id, message) pairs for an error summary, radios linking to the first."""
    found = []
    for field in form:
        for message in field.errors:
            target = f"{field.id}-0" if isinstance(field, RadioField) else field.id
            found.append((target, message))
    return found


def checklist_status(status: str) -> str:
    return str(CHECKLIST_STATUSES[status])


# url_for's own arguments: they depend on more than the link's values.
_OWN_ARGUMENTS = frozenset({"_external", "_anchor", "_method", "_scheme"})


def url_for(endpoint: str, **values) -> str:
    """Flask's url_for, remembered. A page builds the same dozen links on every
    request, each about 15 µs of routing work, and a link depends only on its
    arguments and where the app is mounted."""
    if endpoint[0] == "." or not _OWN_ARGUMENTS.isdisjoint(values):
        return flask.url_for(endpoint, **values)
    try:
        return _built(flask.request.script_root, endpoint, tuple(values.items()))
    except TypeError:  # an argument that cannot be a key
        return flask.url_for(endpoint, **values)


@lru_cache(maxsize=4096)
def _built(_script_root: str, endpoint: str, values: tuple) -> str:
    return flask.url_for(endpoint, **dict(values))


def init_app(app) -> None:
    app.jinja_env.filters.update(
        card_for=card_for,
        longdate=longdate,
        shorttime=shorttime,
        year_name=year_name,
        fromjson=json.loads,
    )
    app.jinja_env.globals.update(
        form_error_list=form_error_list,
        roles=ROLES,
        checklist_status=checklist_status,
        picture_file=pictures.file,
        directional=pictures.DIRECTIONAL,
        say=speech.say,
        spoken_answer=speech.answer,
        role_name=lambda role: str(STAFF_ROLES[role]),
        url_for=url_for,
    )
