"""Setup forms (shape only; the services check what needs the database)."""

from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    ColorField,
    DateField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import HiddenInput

from registration.auth.models import Role
from registration.setup.services import COLOUR_PATTERN
from registration.text import VisibleText

#: Languages whose texts (titles, category names) admins enter.
LANGUAGES = (("en", _l("English")), ("fr", _l("French")), ("es", _l("Spanish")))
_LOCAL_TIME = "%Y-%m-%dT%H:%M"
#: Largest value of an INTEGER column: bigger numbers are form errors, not database errors.
MAX_INTEGER = 2**31 - 1
ROLE_LABELS = {
    Role.ADMIN: _l("Admin: everything, including setup and staff accounts"),
    Role.REGISTRAR: _l("Registrar: registrations, delegations, mail"),
    Role.CHECKIN: _l("Check-in desk only"),
    Role.VIEWER: _l("Viewer: read-only lists and reports"),
}


def _capacity(label) -> IntegerField:
    """An optional number of places (empty = unlimited)."""
    return IntegerField(label, validators=[Optional(), NumberRange(min=1, max=MAX_INTEGER)])


def translations(form: FlaskForm, prefix: str) -> dict[str, str]:
    """{language: text} from the fields ``<prefix>_en``, ``<prefix>_fr``, ``<prefix>_es``."""
    return {code: getattr(form, f"{prefix}_{code}").data or "" for code, _label in LANGUAGES}


def fill_translations(form: FlaskForm, prefix: str, values: dict[str, str]) -> None:
    """Put {language: text} into the fields ``<prefix>_<language>``."""
    for code, _label in LANGUAGES:
        getattr(form, f"{prefix}_{code}").data = values.get(code, "")


class EventForm(FlaskForm):
    """The event's settings; times are the venue's wall-clock time."""

    title_en = StringField(_l("Title (English)"), validators=[InputRequired(), Length(max=300)])
    title_fr = StringField(_l("Title (French)"), validators=[Optional(), Length(max=300)])
    title_es = StringField(_l("Title (Spanish)"), validators=[Optional(), Length(max=300)])
    series = StringField(_l("Series"), validators=[Optional(), Length(max=300)])
    organiser = StringField(_l("Organiser"), validators=[Optional(), Length(max=300)])
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=300)])
    start_date = DateField(_l("First day"), validators=[InputRequired()])
    end_date = DateField(_l("Last day"), validators=[InputRequired()])
    timezone = SelectField(_l("Timezone of the venue"), validators=[InputRequired()])
    registration_opens = DateTimeLocalField(
        _l("Registration opens"), format=_LOCAL_TIME, validators=[Optional()]
    )
    registration_closes = DateTimeLocalField(
        _l("Registration closes"), format=_LOCAL_TIME, validators=[Optional()]
    )
    capacity = _capacity(_l("Capacity (pending and approved registrations; empty = unlimited)"))
    moderation = BooleanField(_l("Registrations wait for the secretariat's approval"))
    reapprove_on_key_edit = BooleanField(
        _l("A delegate's change of name, entity, category or photo needs approval again")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = sorted(available_timezones())


class CategoryForm(FlaskForm):
    """A category of participants; the code is asked only when it is created."""

    code = StringField(_l("Code"), validators=[InputRequired(), Length(max=64)])
    name_en = StringField(
        _l("Name (English)"), validators=[InputRequired(), Length(max=200), VisibleText()]
    )
    name_fr = StringField(
        _l("Name (French)"), validators=[Optional(), Length(max=200), VisibleText()]
    )
    name_es = StringField(
        _l("Name (Spanish)"), validators=[Optional(), Length(max=200), VisibleText()]
    )
    badge_colour = ColorField(
        _l("Badge colour"),
        default="#404040",
        validators=[
            InputRequired(),
            Regexp(COLOUR_PATTERN, message=_l("Give a colour like #0033A0.")),
        ],
    )
    position = IntegerField(
        _l("Position in lists (smaller first)"),
        default=0,
        validators=[NumberRange(min=0, max=MAX_INTEGER)],
    )


class _CategoryChoice:
    """A form whose ``category`` offers the event's categories."""

    def for_event(self, event):
        """Offer the event's categories."""
        self.category.choices = [SelectChoice("", _l("Choose…"))] + [
            SelectChoice(str(category.id), category.name_in()) for category in event.categories
        ]
        return self


class EntityForm(_CategoryChoice, FlaskForm):
    """A State (ISO code) or an organisation (name) of a category."""

    category = SelectField(_l("Category"), validators=[InputRequired()], coerce=str)
    iso_code = StringField(
        _l("ISO code (States: two or three letters, e.g. NL)"),
        validators=[Optional(), Length(max=3)],
    )
    name = StringField(
        _l("Name (organisations)"), validators=[Optional(), Length(max=300), VisibleText()]
    )
    quota = _capacity(_l("Quota (most active registrations; empty = no quota)"))


class ImportForm(_CategoryChoice, FlaskForm):
    """A CSV file of entities for one category."""

    category = SelectField(_l("Category"), validators=[InputRequired()], coerce=str)
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))])


class ConfirmImportForm(FlaskForm):
    """The previewed file, sent back to be checked again and imported."""

    category = IntegerField(
        widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1, max=MAX_INTEGER)]
    )
    text = HiddenField(validators=[InputRequired()])


class SessionForm(FlaskForm):
    """An agenda session; times are the venue's wall-clock time."""

    code = StringField(_l("Code"), validators=[InputRequired(), Length(max=64)])
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=300)])
    kind = StringField(
        _l("Kind (plenary, side-event, logistics…)"),
        default="plenary",
        validators=[Optional(), Length(max=32)],
    )
    starts_at = DateTimeLocalField(_l("Starts"), format=_LOCAL_TIME, validators=[InputRequired()])
    ends_at = DateTimeLocalField(_l("Ends"), format=_LOCAL_TIME, validators=[InputRequired()])
    room = StringField(_l("Room"), validators=[Optional(), Length(max=200)])
    moderator = StringField(_l("Moderator"), validators=[Optional(), Length(max=500)])
    speakers = TextAreaField(_l("Speakers (one per line)"), validators=[Optional()])
    capacity = _capacity(_l("Seats (empty = unlimited)"))


class StaffForm(FlaskForm):
    """A new staff account."""

    email = EmailField(_l("Email"), validators=[InputRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()],
        default=Role.VIEWER.value,  # the least power until the admin chooses otherwise
    )
    password = PasswordField(
        _l("Initial password (at least 10 characters; give it to the person privately)"),
        validators=[
            InputRequired(),
            Length(min=10, max=200, message=_l("Use between 10 and 200 characters.")),
        ],
    )


class RoleForm(FlaskForm):
    """Another role for an account."""

    role = SelectField(
        _l("Role"), choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]
    )


class ConfirmForm(FlaskForm):
    """A CSRF-protected button (deactivate, reactivate)."""
