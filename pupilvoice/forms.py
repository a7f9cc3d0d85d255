"""Staff forms. Every message says what to do, in the GOV.UK way."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from .questions import BAND_NAMES, ROLES


class SignInForm(FlaskForm):
    email = StringField(
        _l("Email address"),
        validators=[DataRequired(_l("Enter your email address"))],
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Enter your password"))]
    )


class StartPupilModeForm(FlaskForm):
    band = RadioField(
        _l("Which questions should the pupil see?"),
        choices=list(BAND_NAMES.items()),
        validators=[InputRequired(_l("Choose which questions the pupil should see"))],
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
    role = RadioField(
        _l("Role"),
        choices=[(key, label) for key, (label, _image) in ROLES.items()],
        validators=[InputRequired(_l("Choose the role of the person coming"))],
    )


class UnlockForm(FlaskForm):
    password = PasswordField(
        _l("Teacher's password"),
        validators=[DataRequired(_l("Enter your password to end pupil mode"))],
    )
