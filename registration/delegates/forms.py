"""The registration form (shape only; rules that need the database live in services)."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
    widgets,
)
from wtforms.validators import Email, InputRequired, Length, Optional

from registration.collation import collated
from registration.delegates import photos, workflow
from registration.delegates.models import HONORIFICS
from registration.delegates.services import RegistrationData
from registration.i18n import country_choices, format_datetime, format_time
from registration.storage import StorageUnavailable
from registration.text import VisibleText

#: Value of the entity choice for an organisation that is not in the event's list.
OTHER_ORGANISATION = "other"


def _when(session) -> str:
    """A session's day and hours in the event's timezone, in the reader's language."""
    starts = format_datetime(session.starts_at, "EEE d MMM, HH:mm")
    return f"{starts}–{format_time(session.ends_at, 'HH:mm')}"


class CheckboxListField(SelectMultipleField):
    """A list of checkboxes (the agenda)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class RegistrationForm(FlaskForm):
    """Every field of a registration; choices are filled per event by ``for_event``."""

    #: True in forms that staff or a focal point fill in for someone else: the labels then
    #: speak about "the participant", not to "you".
    on_behalf = False

    category = SelectField(_l("I am registering as"), validators=[InputRequired()], coerce=str)
    entity = SelectField(
        _l("State or organisation represented"), validators=[InputRequired()], coerce=str
    )
    other_organisation = StringField(
        _l("Name of the organisation"), validators=[Optional(), Length(max=300), VisibleText()]
    )
    honorific = SelectField(_l("Honorific"), validators=[Optional()])
    given_name = StringField(
        _l("Given name(s)"), validators=[InputRequired(), Length(max=120), VisibleText()]
    )
    family_name = StringField(
        _l("Family name"), validators=[InputRequired(), Length(max=120), VisibleText()]
    )
    gender = SelectField(
        _l("Gender (optional, for parity statistics)"),
        choices=[
            SelectChoice("", _l("Prefer not to say")),
            SelectChoice("female", _l("Female")),
            SelectChoice("male", _l("Male")),
            SelectChoice("other", _l("Other")),
        ],
        validators=[Optional()],
    )
    function = StringField(
        _l("Function or title"), validators=[Optional(), Length(max=200), VisibleText()]
    )
    unit = StringField(
        _l("Ministry, department or unit"), validators=[Optional(), Length(max=200), VisibleText()]
    )
    email = EmailField(_l("Email"), validators=[InputRequired(), Email(), Length(max=254)])
    phone = TelField(_l("Telephone"), validators=[Optional(), Length(max=40), VisibleText()])
    nationality = SelectField(_l("Nationality"), validators=[Optional()])
    language = SelectField(
        _l("Language of correspondence"),
        choices=[
            SelectChoice("en", "English"),
            SelectChoice("fr", "Français"),
            SelectChoice("es", "Español"),
        ],
    )
    head_of_delegation = BooleanField(_l("I am the head of my delegation"))
    photo = FileField(_l("Photo for your badge (JPEG or PNG, up to 5 MB)"))
    #: A photo already received with an earlier submission that had errors elsewhere.
    uploaded_photo = HiddenField()
    sessions = CheckboxListField(
        _l("Sessions you will attend"), coerce=int, validators=[Optional()]
    )
    dietary_needs = TextAreaField(
        _l("Dietary requirements"),
        validators=[Optional(), Length(max=500), VisibleText(multiline=True)],
    )
    accessibility_needs = TextAreaField(
        _l("Accessibility requirements"),
        validators=[Optional(), Length(max=500), VisibleText(multiline=True)],
    )
    consent_to_list = BooleanField(
        _l("Include my name, function and organisation in the published list of participants")
    )
    privacy = BooleanField(
        _l("I have read the privacy notice and agree that my data is used to organise the meeting"),
        validators=[InputRequired(message=_l("Please accept the privacy notice."))],
    )

    def for_event(self, event, language: str) -> "RegistrationForm":
        """Fill the choices from ``event``: its categories, entities and agenda."""
        self.category.choices = [SelectChoice("", _l("Choose…"))] + [
            SelectChoice(str(category.id), category.name_in(language))
            for category in event.categories
        ]
        entities = collated(event.entities, language, key=lambda entity: entity.name_in(language))
        # data-category lets registration.js offer only the chosen category's entities.
        self.entity.choices = [
            SelectChoice("", _l("Choose…")),
            *[
                SelectChoice(
                    str(entity.id), entity.name_in(language), {"data-category": entity.category_id}
                )
                for entity in entities
            ],
            (OTHER_ORGANISATION, _l("Another organisation (type its name)"), {"data-other": "1"}),
        ]
        self.state_category_ids = [str(c.id) for c in event.categories if c.is_state]
        self.honorific.choices = [SelectChoice("", "—")] + [
            SelectChoice(code, label) for code, label in HONORIFICS.items()
        ]
        self.nationality.choices = [
            SelectChoice("", "—"),
            *(SelectChoice(code, name) for code, name in country_choices(language)),
        ]
        full = workflow.full_session_ids(event)
        self.sessions.choices = [
            SelectChoice(
                session.id,
                f"{session.title_in(language)} ({_when(session)})"
                + (f" — {_('full')}" if session.id in full else ""),
            )
            for session in event.sessions
        ]
        self.full_sessions = bool(full)
        if self.on_behalf:
            self._neutral_labels()
        return self

    def _neutral_labels(self) -> None:
        """Labels for someone registering another person (staff, a focal point)."""
        self.category.label.text = _l("Category")
        self.head_of_delegation.label.text = _l("Head of delegation")
        if self.photo is not None:
            self.photo.label.text = _l("Photo for the badge (JPEG or PNG, up to 5 MB)")
        self.sessions.label.text = _l("Sessions the participant will attend")
        self.consent_to_list.label.text = _l(
            "The participant agrees to appear in the published list of participants"
        )
        if isinstance(self.privacy, BooleanField):
            self.privacy.label.text = _l(
                "The participant has been informed of the privacy notice and agrees that their "
                "data is used to organise the meeting"
            )

    def received_photo(self) -> str | None:
        """Store a newly uploaded photo, or keep the one received with an earlier attempt.

        A refused photo, or a file store that cannot be reached, adds an error to the photo
        field; the rest of the form is kept.
        """
        upload = self.photo.data
        try:
            if upload and getattr(upload, "filename", ""):
                name = photos.store_photo(photos.process_photo(upload.read()))
                self.uploaded_photo.data = name
                return name
            if photos.is_stored_photo(self.uploaded_photo.data):
                return self.uploaded_photo.data
        except (photos.PhotoError, StorageUnavailable) as error:
            self.photo.errors = [*self.photo.errors, error.message]
            return None
        self.uploaded_photo.data = ""
        return None

    def to_data(self, photo: str | None) -> RegistrationData:
        """The submitted values as plain data for the services."""
        other = self.entity.data == OTHER_ORGANISATION
        return RegistrationData(
            given_name=self.given_name.data,
            family_name=self.family_name.data,
            email=self.email.data,
            category_id=int(self.category.data),
            entity_id=None if other else int(self.entity.data),
            other_organisation=(self.other_organisation.data or "") if other else "",
            honorific=self.honorific.data or "",
            gender=self.gender.data or "",
            function=self.function.data or "",
            unit=self.unit.data or "",
            phone=self.phone.data or "",
            nationality=self.nationality.data or "",
            language=self.language.data,
            head_of_delegation=self.head_of_delegation.data,
            dietary_needs=self.dietary_needs.data or "",
            accessibility_needs=self.accessibility_needs.data or "",
            consent_to_list=self.consent_to_list.data,
            session_ids=list(self.sessions.data or []),
            photo=photo,
        )

    def fill_from(self, registration) -> None:
        """Pre-fill the form with a registration's values (for editing)."""
        for name in (
            "given_name",
            "family_name",
            "honorific",
            "gender",
            "function",
            "unit",
            "email",
            "phone",
            "nationality",
            "language",
            "head_of_delegation",
            "dietary_needs",
            "accessibility_needs",
            "consent_to_list",
            "other_organisation",
        ):
            getattr(self, name).data = getattr(registration, name)
        self.category.data = str(registration.category_id)
        self.entity.data = (
            str(registration.entity_id) if registration.entity_id else OTHER_ORGANISATION
        )
        self.sessions.data = [session.id for session in registration.sessions]
        self.privacy.data = True


class WithdrawForm(FlaskForm):
    """Confirms a withdrawal (CSRF-protected, no fields)."""


class LostLinkForm(FlaskForm):
    """The address to send the manage link to."""

    email = EmailField(
        _l("Email used to register"), validators=[InputRequired(), Email(), Length(max=254)]
    )
