"""Forms of the documents page (shape only)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    widgets,
)
from wtforms.validators import InputRequired

from registration.documents.exports import COLUMNS, DEFAULT_COLUMNS, FORMATS

OUTPUT_CHOICES = [
    SelectChoice("a6", _l("A6 portrait, one badge per page")),
    SelectChoice("card", _l("Card (ID-1, 54 × 86 mm), one per page")),
    SelectChoice("a4-4up", _l("A4 sheets of four A6 badges")),
]
LANGUAGE_CHOICES = [
    SelectChoice("en", "English"),
    SelectChoice("fr", "Français"),
    SelectChoice("es", "Español"),
]


class BadgeBatchForm(FlaskForm):
    """A batch of badges for the approved registrations matching the current filter."""

    output = SelectField(_l("Layout"), choices=OUTPUT_CHOICES, default="a6")
    crop_marks = BooleanField(_l("Crop marks (A4 sheets)"))
    which = RadioField(
        _l("Badges"),
        choices=[
            SelectChoice(
                "new", _l("New badges only (not printed yet); they are then marked printed")
            ),
            SelectChoice("all", _l("All approved registrations (reprint)")),
        ],
        default="new",
        validators=[InputRequired()],
    )


class ParticipantsForm(FlaskForm):
    """The list of participants in one language."""

    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, default="en")
    official = BooleanField(
        _l("Official list: every approved participant, including those who did not consent")
    )


class ColumnsField(SelectMultipleField):
    """Checkboxes whose submitted order (rearranged by documents/export.js) is kept."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ExportForm(FlaskForm):
    """Registrations as a spreadsheet with chosen columns in a chosen order."""

    format = RadioField(
        _l("Format"),
        choices=[SelectChoice(code, code.upper()) for code in FORMATS],
        default="xlsx",
        validators=[InputRequired()],
    )
    columns = ColumnsField(
        _l("Columns"),
        choices=[SelectChoice(key, column.label) for key, column in COLUMNS.items()],
        default=list(DEFAULT_COLUMNS),
        validators=[InputRequired()],
    )
