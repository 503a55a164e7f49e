"""Forms of the mail log."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SearchField, SelectField
from wtforms.validators import Length, Optional

from registration.mail.models import MailStatus


class MailFilterForm(FlaskForm):
    """Filters of the mail log, read from the query string."""

    class Meta:
        # A GET form that changes nothing; a token would only clutter shareable links.
        csrf = False

    recipient = SearchField(_l("Recipient"), validators=[Optional(), Length(max=254)])
    status = SelectField(_l("Status"), validators=[Optional()])
    event = SelectField(_l("Meeting"), validators=[Optional()])

    def with_choices(self, events) -> "MailFilterForm":
        """Offer every status and the given events (plus "any")."""
        self.status.choices = [("", _l("Any status"))] + [
            (status.value, status.label) for status in MailStatus
        ]
        self.event.choices = [("", _l("Any meeting"))] + [
            (str(event.id), event.title_in()) for event in events
        ]
        return self


class ResendForm(FlaskForm):
    """The "Resend" button (CSRF token only)."""
