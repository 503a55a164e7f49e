"""The list of participants, ordered as the United Nations publish them.

Categories in the event's order; within a category, entities alphabetically by their name in
the list's language and its collation (registration.collation); within an entity the head of
delegation first, then the others by family name. Only approved registrants who consented
appear, unless the official list (for the secretariat) is asked for.
"""

from datetime import date
from itertools import groupby

from babel.dates import format_date, format_interval
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from registration.collation import sort_key
from registration.delegates.models import (
    GENDERS,
    HONORIFICS,
    Registration,
    Status,
    grammatical_gender,
    head_label,
    honorific_label,
)
from registration.documents import pdf
from registration.events.models import Event
from registration.extensions import db

LANGUAGES = ("en", "fr", "es")
_COLUMNS = (
    Registration.honorific,
    Registration.gender,
    Registration.given_name,
    Registration.family_name,
    Registration.function,
    Registration.unit,
    Registration.category_id,
    Registration.entity_id,
    Registration.other_organisation,
    Registration.head_of_delegation,
)


def _page_label() -> tuple[str, str, str]:
    """The translated "Page X of Y" cut around its two numbers, for the CSS page counters."""
    label = _("Page %(page)s of %(pages)s", page="\x00", pages="\x01")
    before, _marker, rest = label.partition("\x00")
    middle, _marker, after = rest.partition("\x01")
    return before, middle, after


def participants_data(event: Event, language: str, *, official: bool = False) -> dict:
    """Everything the list shows, as plain data in ``language`` (en, fr or es)."""
    with force_locale(language):
        page_label = _page_label()
        honorifics = {
            (code, gender): honorific_label(code, gender)
            for code in HONORIFICS
            for gender in GENDERS
        }
        heads = {gender: head_label(gender) for gender in GENDERS}
    statement = db.select(*_COLUMNS).where(
        Registration.event_id == event.id, Registration.status == Status.APPROVED
    )
    if not official:
        statement = statement.where(Registration.consent_to_list.is_(True))
    entity_names = {entity.id: entity.name_in(language) for entity in event.entities}
    people = []
    for row in db.session.execute(statement):
        entity = entity_names.get(row.entity_id) or row.other_organisation
        gender = grammatical_gender(row.honorific, row.gender)
        name = " ".join(
            part
            for part in (
                honorifics.get((row.honorific, gender), row.honorific),
                row.given_name,
                row.family_name.upper(),
            )
            if part
        )
        people.append(
            {
                "category_id": row.category_id,
                "entity": entity,
                "name": name,
                "function": row.function,
                "unit": row.unit,
                "head": heads[gender] if row.head_of_delegation else "",
                "sort": (
                    sort_key(entity, language),
                    not row.head_of_delegation,
                    sort_key(row.family_name, language),
                    sort_key(row.given_name, language),
                ),
            }
        )
    categories = []
    for category in event.categories:  # already in the event's order
        members = sorted((p for p in people if p["category_id"] == category.id), key=_sort)
        if members:
            categories.append(
                {
                    "name": category.name_in(language),
                    "entities": [
                        {"name": entity, "people": list(group)}
                        for entity, group in groupby(members, key=lambda p: p["entity"])
                    ],
                }
            )
    return {
        "language": language,
        "title": event.title_in(language),
        "series": event.localized("series", language),
        "dates": format_interval(event.start_date, event.end_date, "yMMMMd", locale=language),
        "venue": event.localized("venue", language),
        "issued": format_date(date.today(), "long", locale=language),
        "official": official,
        "page_label": page_label,
        "count": len(people),
        "categories": categories,
        "entries": people,
    }


def _sort(person: dict) -> tuple:
    return person["sort"]


def render_participants(data: dict) -> bytes:
    """The PDF of a list made by ``participants_data``."""
    with force_locale(data["language"]):
        html = render_template("documents/participants.html", **data)
    return pdf.render_pdf(html, ["participants.css"])
