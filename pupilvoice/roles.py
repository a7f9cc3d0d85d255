"""The three kinds of staff account, and what each is called."""

from .i18n import lazy_gettext as _l

STAFF_ROLES = {
    "teacher": _l("Designated teacher"),
    "social_worker": _l("Social worker"),
    "admin": _l("Virtual School admin"),
}
