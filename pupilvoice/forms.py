"""Staff forms. Every message says what to do, in the GOV.UK way, and every
text field has a length limit (a test checks each one)."""

import functools
from datetime import date, datetime

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from .i18n import lazy_gettext as _l
from .questions import BAND_NAMES
from .roles import ATTENDEE_ROLES, STAFF_ROLES
from .text import clean


class Form(FlaskForm):
    """Every staff form. Whatever is typed into a text field is cleaned the
    way a pupil's answer is (text.clean), before any validator sees it;
    passwords are taken exactly as typed."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            kind = unbound_field.field_class
            if issubclass(kind, StringField) and not issubclass(kind, PasswordField):
                multiline = issubclass(kind, TextAreaField)
                options["filters"] = [
                    *unbound_field.kwargs.get("filters", ()),
                    functools.partial(clean, multiline=multiline),
                ]
            return unbound_field.bind(form=form, **options)


class Choice(RadioField):
    """Radios whose every refusal says what to do, never "Not a valid choice"."""

    def __init__(self, label, choices, message, **kwargs):
        super().__init__(
            label,
            choices=[SelectChoice(value, text) for value, text in choices],
            validators=[InputRequired(message)],
            **kwargs,
        )
        self.message = message

    def pre_validate(self, form):
        if self.raw_data and self.data not in {c.value for c in self.choices}:
            raise ValidationError(self.message)


class SignInForm(Form):
    email = StringField(
        _l("Email address"),
        validators=[
            DataRequired(_l("Enter your email address")),
            Length(
                max=254, message=_l("Email address must be 254 characters or fewer")
            ),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Enter your password")),
            Length(max=200, message=_l("Password must be 200 characters or fewer")),
        ],
    )


class CodeForm(Form):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(_l("Enter the 6-digit code from your authenticator app")),
            Length(max=40, message=_l("Code must be 40 characters or fewer")),
        ],
    )


class StartPupilModeForm(Form):
    band = Choice(
        _l("Which questions should the pupil see?"),
        BAND_NAMES.items(),
        _l("Choose which questions the pupil should see"),
    )
    language = SelectField(_l("Language"))
    scribe = BooleanField(_l("I will write down the pupil's words for them"))


class AttendeeForm(Form):
    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(_l("Enter the name of the person coming")),
            Length(max=100, message=_l("Name must be 100 characters or fewer")),
        ],
    )
    role = Choice(
        _l("Role"),
        ATTENDEE_ROLES.items(),
        _l("Choose the role of the person coming"),
    )


class UnlockForm(Form):
    password = PasswordField(
        _l("Teacher's password"),
        validators=[
            DataRequired(_l("Enter your password to end pupil mode")),
            Length(max=200, message=_l("Password must be 200 characters or fewer")),
        ],
    )


class ReopenForm(Form):
    password = PasswordField(
        _l("Your password"),
        validators=[
            DataRequired(_l("Enter your password to reopen the answers")),
            Length(max=200, message=_l("Password must be 200 characters or fewer")),
        ],
    )


def _parse_date(value: str) -> date | None:
    value = (value or "").strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d %m %Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(value, pattern).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    return None


class DateText(StringField):
    """A date typed or picked (type="date"), kept as typed when it is wrong."""

    def __init__(self, label, missing, future_only=False, **kwargs):
        super().__init__(label, **kwargs)
        self.missing = missing
        self.future_only = future_only
        self.date = None

    def pre_validate(self, form):
        if not (self.data or "").strip():
            raise ValidationError(self.missing)
        # No date is longer than this: a longer value is refused unparsed.
        self.date = _parse_date(self.data) if len(self.data) <= 40 else None
        if self.date is None:
            raise ValidationError(_l("Enter a real date, for example 27/03/2027"))
        if self.future_only and self.date < date.today():
            raise ValidationError(_l("The meeting date must be today or in the future"))


class PupilForm(Form):
    preferred_name = StringField(
        _l("Preferred name"),
        validators=[
            DataRequired(_l("Enter the name the pupil likes to be called")),
            Length(max=60, message=_l("Preferred name must be 60 characters or fewer")),
        ],
    )
    year_group = Choice(
        _l("Year group"),
        [
            (str(n), _l("Reception") if n == 0 else _l("Year %(n)d", n=n))
            for n in range(14)
        ],
        _l("Choose the pupil's year group"),
    )
    school = SelectField(_l("School"), coerce=int)
    social_worker = SelectField(_l("Social worker"), coerce=int)
    language = SelectField(_l("Home language"))
    pep_reference = StringField(
        _l("PEP reference"),
        validators=[
            Length(max=40, message=_l("PEP reference must be 40 characters or fewer"))
        ],
    )


class MeetingForm(Form):
    date = DateText(_l("Date"), _l("Enter the date of the meeting"), future_only=True)
    time = StringField(
        _l("Time (optional)"),
        validators=[Length(max=20, message=_l("Time must be 20 characters or fewer"))],
    )
    place = StringField(
        _l("Place (optional)"),
        validators=[
            Length(max=120, message=_l("Place must be 120 characters or fewer"))
        ],
    )


class TargetForm(Form):
    text = StringField(
        _l("Target"),
        validators=[
            DataRequired(_l("Enter the target from the last PEP")),
            Length(max=300, message=_l("Target must be 300 characters or fewer")),
        ],
    )


class TranslationForm(Form):
    text = TextAreaField(
        _l("In English"),
        validators=[
            Optional(),
            Length(
                max=4000, message=_l("Translation must be 4,000 characters or fewer")
            ),
        ],
    )


class NoteForm(Form):
    text = TextAreaField(
        _l("Add a note"),
        validators=[
            DataRequired(_l("Enter your note")),
            Length(max=4000, message=_l("Note must be 4,000 characters or fewer")),
        ],
    )


class OutcomeForm(Form):
    what = StringField(
        _l("What will happen"),
        validators=[
            DataRequired(_l("Enter what was agreed")),
            Length(
                max=300, message=_l("What was agreed must be 300 characters or fewer")
            ),
        ],
    )
    who = StringField(
        _l("Who will do it"),
        validators=[
            DataRequired(_l("Enter who will do it")),
            Length(max=100, message=_l("Who must be 100 characters or fewer")),
        ],
    )
    by_when = DateText(_l("By when"), _l("Enter when it should be done by"))


class ExportRangeForm(Form):
    start = DateText(_l("From"), _l("Enter the first date"))
    end = DateText(_l("To"), _l("Enter the last date"))

    def validate_end(self, field):
        if self.start.date and field.date and field.date < self.start.date:
            raise ValidationError(
                _l("The last date must be the same as or after the first")
            )


class SchoolForm(Form):
    name = StringField(
        _l("School name"),
        validators=[
            DataRequired(_l("Enter the school's name")),
            Length(max=120, message=_l("School name must be 120 characters or fewer")),
        ],
    )


class StaffForm(Form):
    name = StringField(
        _l("Full name"),
        validators=[
            DataRequired(_l("Enter their full name")),
            Length(max=100, message=_l("Name must be 100 characters or fewer")),
        ],
    )
    email = StringField(
        _l("Email address"),
        validators=[
            DataRequired(_l("Enter their email address")),
            Length(
                max=254, message=_l("Email address must be 254 characters or fewer")
            ),
            Regexp(
                r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                message=_l(
                    "Enter an email address in the right format, like name@school.org.uk"
                ),
            ),
        ],
    )
    role = Choice(_l("Role"), STAFF_ROLES.items(), _l("Choose their role"))
    school = SelectField(_l("School (designated teachers only)"), coerce=int)
    password = PasswordField(
        _l("First password"),
        validators=[
            DataRequired(_l("Enter a first password for them")),
            Length(min=12, message=_l("Password must be at least 12 characters")),
            Length(max=200, message=_l("Password must be 200 characters or fewer")),
        ],
    )

    def validate_school(self, field):
        if self.role.data == "teacher" and not field.data:
            raise ValidationError(_l("Choose the designated teacher's school"))

    def validate_email(self, field):
        # Imported here: sign-in's module imports these forms.
        from .auth import find_staff

        if field.data and find_staff(field.data):
            raise ValidationError(
                _l("Someone already has an account with that email address")
            )


class WholeNumber(IntegerField):
    def process_formdata(self, valuelist):
        # A number no form needs, refused before Python's big integers reach
        # a range check that cannot compare them (a 500 before).
        if valuelist and len(valuelist[0]) > 9:
            raise ValueError(_l("Enter a whole number of days, like 90"))
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a whole number of days, like 90")) from None


class RetentionForm(Form):
    days = WholeNumber(
        _l("Days to keep answers after they are imported into the PEP"),
        validators=[
            InputRequired(_l("Enter a number of days")),
            NumberRange(
                min=1, max=3650, message=_l("Enter a number of days from 1 to 3,650")
            ),
        ],
    )


class AuditFilterForm(Form):
    class Meta:
        csrf = False

    action = SelectField(_l("What happened"), validate_choice=False)
    pupil = StringField(
        _l("Pupil's PEP reference"),
        validators=[
            Length(max=40, message=_l("PEP reference must be 40 characters or fewer"))
        ],
    )
