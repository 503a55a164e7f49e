"""Importing a CSV list of States (by ISO code) or organisations (by name) into a category.

One entity per line: the ISO code or the name, then optionally the quota. A header line is
recognised and skipped; with a header, columns named after a meeting language (``en``, ``fr``,
``es`` or ``name_fr`` …) give the name printed in that language instead of the UN name. Commas,
semicolons and tabs are accepted as separators. Nothing is written until the admin confirms the
preview (which shows the name printed in each language), and the confirmed text is checked again.
"""

import csv
from dataclasses import dataclass, field

from flask_babel import gettext as _

from registration.audit.services import record
from registration.auth.models import StaffUser
from registration.events.models import Category, Entity, Event
from registration.extensions import db
from registration.setup.forms import MAX_INTEGER
from registration.setup.services import SetupError, country_of

_QUOTA_HEADERS = {"quota", "quotas", "places"}

#: Small enough to travel back with the confirmation form (Flask keeps form fields in memory).
MAX_BYTES = 200 * 1024
MAX_LINES = 5000
_HEADERS = {
    "iso",
    "iso code",
    "iso_code",
    "code",
    "country",
    "state",
    "name",
    "organisation",
    "organization",
    "entity",
}


@dataclass
class ImportLine:
    """One line of the file and what the import makes of it."""

    line: int
    text: str
    name: str = ""
    iso_code: str | None = None
    quota: int | None = None
    #: {language: name} given by the file, printed instead of the UN name.
    names: dict[str, str] = field(default_factory=dict)
    #: {language: name} exactly as pages, emails, badges and lists will print it.
    printed: dict[str, str] = field(default_factory=dict)
    #: Why the line is rejected or skipped, for the report.
    reason: str = ""


@dataclass
class EntityImport:
    """The preview (or result) of an import: lines to add, already present, rejected."""

    category: Category
    text: str
    new: list[ImportLine] = field(default_factory=list)
    existing: list[ImportLine] = field(default_factory=list)
    rejected: list[ImportLine] = field(default_factory=list)


def decode(data: bytes) -> str:
    """The text of an uploaded CSV: UTF-8 (with or without BOM), else Windows-1252.

    Raises SetupError('invalid_csv') for a large or binary file.
    """
    if len(data) > MAX_BYTES:
        raise SetupError(_("The file is larger than 200 KB."), "invalid_csv", field="file")
    if not data.strip():
        raise SetupError(_("The file is empty."), "invalid_csv", field="file")
    if b"\x00" in data:
        raise SetupError(_("This is not a CSV text file."), "invalid_csv", field="file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheets saved on Windows often use this code page; it decodes almost any byte.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise SetupError(
                _("Save the file as CSV UTF-8 and try again."), "invalid_csv", field="file"
            ) from error


def _delimiter(lines: list[str]) -> str:
    """The separator found on most of the first lines (comma when there is none).

    csv.Sniffer gives up on files whose lines have different numbers of columns, which is
    normal here (the quota is optional).
    """
    sample = [line for line in lines[:50] if line.strip()]
    counts = {candidate: sum(candidate in line for line in sample) for candidate in ",;\t"}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _rows(text: str):
    """(line number, raw line, cells) for every non-blank line."""
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise SetupError(
            _("The file has more than %(count)d lines.", count=MAX_LINES),
            "invalid_csv",
            field="file",
        )
    if "\x00" in text:
        raise SetupError(_("This is not a CSV text file."), "invalid_csv", field="file")
    delimiter = _delimiter(lines)
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            cells = next(csv.reader([raw], delimiter=delimiter, skipinitialspace=True))
        except csv.Error:  # e.g. a field over the csv module's size limit: reported as is
            cells = [raw]
        yield number, raw, [cell.strip() for cell in cells] or [""]


def preview(event: Event, category: Category, text: str) -> EntityImport:
    """What importing ``text`` into ``category`` would do, without writing anything."""
    if category.event_id != event.id:
        raise SetupError(_("Choose a category."), "invalid_category", field="category")
    result = EntityImport(category, text)
    # States are matched by code: their stored name may predate a UN renaming.
    present = {
        iso_code or name
        for name, iso_code in db.session.execute(
            db.select(Entity.name, Entity.iso_code).where(Entity.category_id == category.id)
        )
    }
    seen: dict[str, int] = {}
    columns: dict[str, int] | None = None
    for index, (number, raw, cells) in enumerate(_rows(text)):
        if index == 0 and cells[0].lower() in _HEADERS:
            columns = _columns(cells, event.languages)
            continue
        line = ImportLine(number, raw[:300])
        line.reason = _read_line(category, cells, line, columns)
        if not line.reason:
            line.printed = {code: _printed(line, code, event) for code in event.languages}
        if line.reason:
            result.rejected.append(line)
        elif (line.iso_code or line.name) in seen:
            first = seen[line.iso_code or line.name]
            line.reason = _("Listed twice (first on line %(line)d).", line=first)
            result.rejected.append(line)
        elif (line.iso_code or line.name) in present:
            seen[line.iso_code or line.name] = number
            line.reason = _("Already in the list.")
            result.existing.append(line)
        else:
            seen[line.iso_code or line.name] = number
            result.new.append(line)
    return result


def _columns(header: list[str], languages: list[str]) -> dict[str, int]:
    """{"quota" or a language: column} from a header line (the first column is the entity)."""
    columns = {}
    for position, title in enumerate(header[1:], start=1):
        title = title.lower().removeprefix("name_").removeprefix("name ")
        if title in _QUOTA_HEADERS:
            columns["quota"] = position
        elif title in languages:
            columns[title] = position
    return columns


def _printed(line: ImportLine, language: str, event: Event) -> str:
    """The name that will be printed in ``language`` (as Entity.name_in will give it)."""
    country = country_of(line.iso_code) if line.iso_code else None
    return (
        line.names.get(language)
        or (country.name(language) if country else "")
        or line.names.get(event.first_language)
        or line.name
    )


def _read_names(cells: list[str], columns: dict[str, int], line: ImportLine) -> str:
    """The per-language names of a line with a header; returns why it is rejected, or ''."""
    for language, position in columns.items():
        if language == "quota" or position >= len(cells) or not cells[position]:
            continue
        name = " ".join(cells[position].split())
        if any(ord(char) < 32 for char in name) or len(name) > 300:
            return _(
                "The %(language)s name is too long or has control characters.", language=language
            )
        line.names[language] = name
    return ""


def _read_line(
    category: Category, cells: list[str], line: ImportLine, columns: dict[str, int] | None
) -> str:
    """Fill ``line`` from its cells; returns why it is rejected, or ''."""
    value = cells[0]
    if any(ord(char) < 32 for char in value):
        return _("Contains control characters.")
    if category.is_state:
        country = country_of(value)
        if country is None:
            return _("%(value)s is not an ISO 3166-1 country code.", value=value or "—")
        line.name, line.iso_code = country.en, country.iso2
    else:
        line.name = " ".join(value.split())
        if not line.name:
            return _("The name is empty.")
        if len(line.name) > 300:
            return _("The name is longer than 300 characters.")
    extra = [
        cell
        for position, cell in enumerate(cells[1:], 1)
        if cell and position not in (columns or {}).values()
    ]
    if columns and not extra:
        position = columns.get("quota", len(cells))
        extra = [cells[position]] if position < len(cells) and cells[position] else []
        reason = _read_names(cells, columns, line)
        if reason:
            return reason
    elif columns:  # a value under no known heading
        extra = [*extra, ""]
    if len(extra) > 1:
        return _(
            "Too many columns: give the name or code, then the quota. Put names that "
            "contain the separator in double quotes."
        )
    if extra:
        if not (extra[0].isascii() and extra[0].isdigit()) or int(extra[0]) < 1:
            return _("The quota %(value)s is not a whole number above zero.", value=extra[0])
        if int(extra[0]) > MAX_INTEGER:
            return _("The quota %(value)s is too large.", value=extra[0])
        line.quota = int(extra[0])
    return ""


def import_entities(event: Event, category: Category, text: str, *, by: StaffUser) -> EntityImport:
    """Add the new entities of a previewed file (admins); returns what was done.

    The text is checked again, so what the admin confirmed cannot smuggle anything in.
    """
    result = preview(event, category, text)
    for line in result.new:
        db.session.add(
            Entity(
                event=event,
                category=category,
                name=line.name,
                iso_code=line.iso_code,
                quota=line.quota,
                names=line.names,
            )
        )
    db.session.flush()
    if result.new:
        record(
            "entities_imported",
            event_id=event.id,
            actor=by,
            changes={"entities": [None, [line.name for line in result.new]]},
        )
    return result
