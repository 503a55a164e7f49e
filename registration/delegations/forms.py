"""Forms of delegations: focal point invitations, letters, delegates entered by a focal point."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, SelectChoice, SelectField, StringField
from wtforms.validators import Email, InputRequired, Length

from registration.delegates.forms import RegistrationForm
from registration.events.models import Entity
from registration.text import VisibleText


class FocalPointForm(FlaskForm):
    """Whom staff invite as focal point of an entity."""

    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200), VisibleText()])
    email = EmailField(_l("Email"), validators=[InputRequired(), Email(), Length(max=254)])
    language = SelectField(
        _l("Language of the invitation"),
        choices=[
            SelectChoice("en", "English"),
            SelectChoice("fr", "Français"),
            SelectChoice("es", "Español"),
        ],
    )


class LetterForm(FlaskForm):
    """A note verbale or nomination letter (the service checks the content)."""

    letter = FileField(
        _l("Note verbale or nomination letter (PDF, up to 10 MB)"),
        validators=[FileRequired(_l("Choose a PDF file."))],
    )


class ConfirmForm(FlaskForm):
    """A CSRF-protected button (revoke, resend, withdraw)."""


class DelegateForm(RegistrationForm):
    """The registration form as a focal point fills it: the entity is theirs and locked."""

    def for_entity(self, entity: Entity, language: str) -> "DelegateForm":
        """Fill the choices from the entity's event, offering only the entity and its category."""
        self.for_event(entity.event, language)
        self.category.choices = [SelectChoice(str(entity.category_id), entity.category.name_in())]
        self.entity.choices = [SelectChoice(str(entity.id), entity.name_in(language))]
        self.category.data, self.entity.data = str(entity.category_id), str(entity.id)
        # The form speaks to the focal point about the delegate, not to the delegate.
        self.head_of_delegation.label.text = _l("Head of delegation")
        self.photo.label.text = _l("Photo for the badge (JPEG or PNG, up to 5 MB)")
        self.sessions.label.text = _l("Sessions the delegate will attend")
        self.consent_to_list.label.text = _l(
            "The delegate agrees to appear in the published list of participants"
        )
        self.privacy.label.text = _l(
            "The delegate has been informed of the privacy notice and agrees that their data "
            "is used to organise the meeting"
        )
        return self
