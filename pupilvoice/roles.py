"""The three kinds of staff account, and the people at a PEP meeting, by the
titles the adults use. A pupil never sees these: questions.ROLES says each
role to the pupil in plain words."""

from .i18n import lazy_gettext as _l

STAFF_ROLES = {
    "teacher": _l("Designated teacher"),
    "social_worker": _l("Social worker"),
    "admin": _l("Virtual School admin"),
}

# The people invited to a PEP meeting. The keys are questions.ROLES's.
ATTENDEE_ROLES = {
    "designated_teacher": _l("Designated teacher"),
    "carer": _l("Carer"),
    "social_worker": _l("Social worker"),
    "virtual_school": _l("Virtual School"),
    "iro": _l("Independent reviewing officer"),
    "educational_psychologist": _l("Educational psychologist"),
    "other": _l("Someone else"),
}
