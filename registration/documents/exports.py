"""Registrations as CSV or XLSX with chosen columns, and the attendance matrix.

Spreadsheet programs run a cell that starts with = + - @ (or a tab or carriage return) as a
formula. In CSV such text is prefixed with an apostrophe, so a name typed as =HYPERLINK(…) stays
text; XLSX cells are stored as text cells instead, which no program evaluates, so nobody sees an
apostrophe there.
"""

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy.orm import selectinload

from registration.delegates.filters import RegistrationFilter, conditions, name_order
from registration.delegates.models import (
    SPECIAL_CATEGORY_FIELDS,
    Registration,
    gender_label,
    honorific_label,
    language_label,
    status_label,
)
from registration.desk.reports import Presence, presence
from registration.documents.services import DocumentError
from registration.events.models import Event
from registration.extensions import db
from registration.i18n import country_name

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Column:
    """One exportable column: its heading and how to read it from a registration."""

    label: str
    value: Callable[[Registration, ZoneInfo], object]


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    """A UTC moment as a naive wall-clock time of the venue (spreadsheets have no zones)."""
    return moment.astimezone(zone).replace(tzinfo=None, microsecond=0) if moment else None


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


COLUMNS: dict[str, Column] = {
    "reference": Column(_l("Reference"), lambda r, z: r.reference),
    "status": Column(_l("Status"), lambda r, z: status_label(r.status)),
    "honorific": Column(
        _l("Honorific"), lambda r, z: honorific_label(r.honorific, r.grammatical_gender)
    ),
    "given_name": Column(_l("Given name(s)"), lambda r, z: r.given_name),
    "family_name": Column(_l("Family name"), lambda r, z: r.family_name),
    "gender": Column(_l("Gender"), lambda r, z: gender_label(r.gender)),
    "function": Column(_l("Function or title"), lambda r, z: r.function),
    "unit": Column(_l("Ministry, department or unit"), lambda r, z: r.unit),
    "category": Column(_l("Category"), lambda r, z: r.category.name_in()),
    "entity": Column(_l("State or organisation"), lambda r, z: r.organisation_name),
    "head_of_delegation": Column(
        _l("Head of delegation"), lambda r, z: _yes_no(r.head_of_delegation)
    ),
    "email": Column(_l("Email"), lambda r, z: r.email),
    "phone": Column(_l("Telephone"), lambda r, z: r.phone),
    "nationality": Column(_l("Nationality"), lambda r, z: country_name(r.nationality)),
    "language": Column(_l("Language of correspondence"), lambda r, z: language_label(r.language)),
    "sessions": Column(_l("Sessions"), lambda r, z: "; ".join(s.title_in() for s in r.sessions)),
    "dietary_needs": Column(_l("Dietary requirements"), lambda r, z: r.dietary_needs),
    "accessibility_needs": Column(
        _l("Accessibility requirements"), lambda r, z: r.accessibility_needs
    ),
    "consent_to_list": Column(
        _l("Published list of participants"), lambda r, z: _yes_no(r.consent_to_list)
    ),
    "photo": Column(_l("Photo"), lambda r, z: _yes_no(bool(r.photo))),
    "registered_at": Column(_l("Registered on"), lambda r, z: _local(r.created_at, z)),
    "checked_in_at": Column(_l("Checked in"), lambda r, z: _local(r.checked_in_at, z)),
    "badge_printed_at": Column(_l("Badge printed"), lambda r, z: _local(r.badge_printed_at, z)),
}
DEFAULT_COLUMNS = (
    "reference",
    "honorific",
    "given_name",
    "family_name",
    "category",
    "entity",
    "function",
    "email",
    "status",
)


def _allowed(special_category: bool) -> list[str]:
    """The columns someone may export: special-category ones only with ``special_category``."""
    return [key for key in COLUMNS if special_category or key not in SPECIAL_CATEGORY_FIELDS]


def column_choices(
    chosen: Sequence[str] = DEFAULT_COLUMNS, *, special_category: bool = False
) -> list[tuple[str, str, bool]]:
    """(key, label, ticked) of every column the reader may export: the chosen ones first, in
    their order. Dietary and accessibility needs only with ``special_category``."""
    allowed = _allowed(special_category)
    keys = [*chosen, *(key for key in allowed if key not in chosen)]
    return [(key, str(COLUMNS[key].label), key in chosen) for key in keys if key in allowed]


def check_columns(columns: Sequence[str], *, special_category: bool) -> list[str]:
    """The chosen columns, if the reader may export them all (the view, before a job starts).

    Raises DocumentError('unknown_column').
    """
    return _check_columns(columns, _allowed(special_category))


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula, made inert; other values unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _check_columns(columns: Sequence[str], allowed: Sequence[str] = tuple(COLUMNS)) -> list[str]:
    unknown = [name for name in columns if name not in allowed]
    if unknown or not columns:
        raise DocumentError(_("Choose the columns to export."), "unknown_column", field="columns")
    return list(dict.fromkeys(columns))


def _table(event: Event, selection: RegistrationFilter, columns: list[str]) -> list[list]:
    """Heading row and one row per registration, in alphabetical order."""
    zone = ZoneInfo(event.timezone)
    registrations = db.session.execute(
        db.select(Registration)
        .where(*conditions(event, selection))
        .options(
            selectinload(Registration.category),
            selectinload(Registration.entity),
            selectinload(Registration.sessions),
        )
        .order_by(*name_order(), Registration.id)
    ).scalars()
    chosen = [COLUMNS[name] for name in columns]
    rows = [[str(column.label) for column in chosen]]
    rows += [[column.value(r, zone) for column in chosen] for r in registrations]
    return rows


def to_csv(rows: list[list]) -> bytes:
    """CSV in UTF-8 with a byte-order mark (so that Excel reads accents right)."""
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    for row in rows:
        writer.writerow(
            [
                value.isoformat(sep=" ") if isinstance(value, datetime) else neutralise(value)
                for value in row
            ]
        )
    return output.getvalue().encode("utf-8-sig")


def to_xlsx(sheets: dict[str, list[list]]) -> bytes:
    """An XLSX workbook, one sheet per entry, bold frozen headings; text stays text."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title[:31])
        sheet.freeze_panes = "A2"
        for index, row in enumerate(rows):
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula, whatever the text
                if index == 0:
                    cell.font = bold
                cells.append(cell)
            sheet.append(cells)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def export_registrations(
    event: Event, selection: RegistrationFilter, columns: Sequence[str], fmt: str
) -> bytes:
    """The registrations matching ``selection`` with ``columns`` in that order, as CSV or XLSX.

    Raises DocumentError('unknown_column').
    """
    rows = _table(event, selection, _check_columns(columns))
    return to_csv(rows) if fmt == "csv" else to_xlsx({_("Registrations"): rows})


def export_attendance(event: Event) -> bytes:
    """XLSX matrix: approved or checked-in registrants × agenda sessions, with entry times.

    Only entries that were not annulled count; times are the venue's.
    """
    zone = ZoneInfo(event.timezone)
    sessions = list(event.sessions)
    entries = presence(event)
    registrations = db.session.execute(
        db.select(Registration)
        .where(
            Registration.event_id == event.id,
            db.or_(Registration.status == "approved", Registration.id.in_(list(entries))),
        )
        .options(selectinload(Registration.category), selectinload(Registration.entity))
        .order_by(*name_order(), Registration.id)
    ).scalars()
    heading = [_("Reference"), _("Name"), _("Category"), _("State or organisation")]
    heading += [_("Venue entry")] + [f"{s.code} — {s.title_in()}" for s in sessions]
    heading += [_("Sessions attended")]
    rows = [heading]
    for registration in registrations:
        entered = entries.get(registration.id) or Presence()
        attended = [_local(entered.sessions.get(session.id), zone) for session in sessions]
        rows.append(
            [
                registration.reference,
                registration.full_name,
                registration.category.name_in(),
                registration.organisation_name,
                _local(entered.venue, zone),
                *attended,
                sum(moment is not None for moment in attended),
            ]
        )
    return to_xlsx({_("Attendance"): rows})
