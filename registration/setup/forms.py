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
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from registration.delegates.services import REVIEW_FIELD_LABELS
from registration.setup.services import COLOUR_PATTERN
from registration.text import VisibleText

#: Languages whose texts (titles, category names) admins enter.
LANGUAGES = (("en", _l("English")), ("fr", _l("French")), ("es", _l("Spanish")))
_LOCAL_TIME = "%Y-%m-%dT%H:%M"
#: Largest value of an INTEGER column: bigger numbers are form errors, not database errors.
MAX_INTEGER = 2**31 - 1


def _capacity(label) -> IntegerField:
    """An optional number of places (empty = unlimited)."""
    return IntegerField(label, validators=[Optional(), NumberRange(min=1, max=MAX_INTEGER)])


def translations(form: FlaskForm, prefix: str) -> dict[str, str]:
    """{language: text} from the fields ``<prefix>_en``, ``<prefix>_fr``, ``<prefix>_es``."""
    return {code: getattr(form, f"{prefix}_{code}").data or "" for code, _label in LANGUAGES}


def fill_translations(form: FlaskForm, prefix: str, values: dict[str, str]) -> None:
    """Put {language: text} into the fields ``<prefix>_<language>``."""
    for code, _label in LANGUAGES:
        getattr(form, f"{prefix}_{code}").data = (values or {}).get(code, "")


def _translated(form_class: type, prefix: str, label, max_length: int, *, area: bool = False):
    """Add one optional field per language, ``<prefix>_<language>`` (the services require
    the meeting's first language; the others fall back to it)."""
    kind = TextAreaField if area else StringField
    for code, language in LANGUAGES:
        setattr(
            form_class,
            f"{prefix}_{code}",
            kind(
                _l("%(text)s (%(language)s)", text=label, language=language),
                validators=[Optional(), Length(max=max_length), VisibleText(multiline=area)],
            ),
        )


def show_languages(form: FlaskForm, event, *prefixes: str) -> FlaskForm:
    """Mark each language's input with its ``lang`` and, as placeholder, the text shown when it
    stays empty (the meeting's first language); ``form.languages`` lists the meeting's."""
    form.languages = [code for code, _label in LANGUAGES if code in event.languages]
    first = event.first_language
    for prefix in prefixes:
        fallback = getattr(form, f"{prefix}_{first}").data or ""
        for code in form.languages:
            render = {"lang": code}
            if code != first and fallback:
                render["placeholder"] = fallback
            getattr(form, f"{prefix}_{code}").render_kw = render
    return form


class EventForm(FlaskForm):
    """The event's settings; times are the venue's wall-clock time."""

    badge_language = SelectField(_l("Language printed on badges"), validators=[Optional()])
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
    review_fields = SelectMultipleField(
        _l("A delegate's change of these fields sends an approved registration back to review"),
        choices=[SelectChoice(code, label) for code, label in REVIEW_FIELD_LABELS.items()],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validators=[Optional()],
    )
    secretariat_email = EmailField(
        _l("Secretariat address (told when a delegate changes a registration)"),
        validators=[Optional(), Email(), Length(max=254)],
    )
    practical_info = TextAreaField(
        _l("Practical information sent with the approval (venue, access, programme)"),
        validators=[Optional(), Length(max=5000)],
    )
    retention_days = IntegerField(
        _l("Days the personal data is kept after the meeting"),
        validators=[Optional(), NumberRange(min=0, max=3650)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = sorted(available_timezones())
        self.badge_language.choices = [SelectChoice("", _l("The meeting's first language"))] + [
            SelectChoice(code, label) for code, label in LANGUAGES
        ]


_translated(EventForm, "title", _l("Title"), 300)
_translated(EventForm, "series", _l("Series"), 300)
_translated(EventForm, "organiser", _l("Organiser"), 300)
_translated(EventForm, "venue", _l("Venue"), 300)


class CategoryForm(FlaskForm):
    """A category of participants; the code is asked only when it is created."""

    code = StringField(_l("Code"), validators=[InputRequired(), Length(max=64)])
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


_translated(CategoryForm, "name", _l("Name"), 200)


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
        _l("Name (organisations, entities without a code)"),
        validators=[Optional(), Length(max=300), VisibleText()],
    )
    quota = _capacity(_l("Quota (most active registrations; empty = no quota)"))


_translated(EntityForm, "names", _l("Printed name"), 300)


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


_translated(SessionForm, "title", _l("Title"), 300)
_translated(SessionForm, "description", _l("Description"), 2000, area=True)


class CertificateForm(FlaskForm):
    """The certificate of attendance's logo and signature block."""

    logo = FileField(_l("Logo (JPEG or PNG; it is re-encoded)"))
    remove_logo = BooleanField(_l("Remove the logo"))
    certificate_signatory = StringField(
        _l("Name of the signatory"), validators=[Optional(), Length(max=200)]
    )
    certificate_signatory_title = StringField(
        _l("Title of the signatory"), validators=[Optional(), Length(max=300)]
    )
