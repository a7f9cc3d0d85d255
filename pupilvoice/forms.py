"""Staff forms. Every message says what to do, in the GOV.UK way."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from .questions import BAND_NAMES, ROLES


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


class SignInForm(FlaskForm):
    email = StringField(
        _l("Email address"),
        validators=[DataRequired(_l("Enter your email address"))],
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Enter your password"))]
    )


class StartPupilModeForm(FlaskForm):
    band = Choice(
        _l("Which questions should the pupil see?"),
        BAND_NAMES.items(),
        _l("Choose which questions the pupil should see"),
    )
    language = SelectField(_l("Language"))
    scribe = BooleanField(_l("I will write down the pupil's words for them"))


class AttendeeForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(_l("Enter the name of the person coming")),
            Length(max=100, message=_l("Name must be 100 characters or fewer")),
        ],
    )
    role = Choice(
        _l("Role"),
        [(key, label) for key, (label, _image) in ROLES.items()],
        _l("Choose the role of the person coming"),
    )


class UnlockForm(FlaskForm):
    password = PasswordField(
        _l("Teacher's password"),
        validators=[DataRequired(_l("Enter your password to end pupil mode"))],
    )
