"""Finding people at the desk the way staff type: no case, no accents, any word order."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from registration.delegates.filters import name_order
from registration.delegates.models import Registration, fold_search
from registration.delegates.services import person_key
from registration.events.models import Entity, Event
from registration.extensions import db
from registration.i18n import country_name

#: Words of a query that are considered (more narrow nothing down in practice).
MAX_WORDS = 5
#: Languages in which a State's name is recognised.
LANGUAGES = ("en", "fr", "es")


def _like(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with LIKE's wildcards taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _entity_names(event: Event) -> list[tuple[int, str, str]]:
    """(id, folded names in every language, ISO code) of the event's States and organisations."""
    rows = db.session.execute(
        db.select(Entity.id, Entity.name, Entity.iso_code).where(Entity.event_id == event.id)
    ).all()
    names = []
    for entity_id, name, iso_code in rows:
        spellings = {name} | {country_name(iso_code, lang) for lang in LANGUAGES if iso_code}
        names.append((entity_id, " | ".join(fold_search(text) for text in spellings), iso_code))
    return names


def _word_condition(word: str, entities: list[tuple[int, str, str]]) -> sa.ColumnElement[bool]:
    """One folded word: in the name, organisation or reference, or naming the entity."""
    entity_ids = [
        entity_id
        for entity_id, names, iso_code in entities
        if word in names or (iso_code and word.upper() == iso_code)
    ]
    condition = Registration.search_text.like(_like(word), escape="\\")
    if entity_ids:
        condition = sa.or_(condition, Registration.entity_id.in_(entity_ids))
    return condition


def search(event: Event, text: str, *, limit: int = 20) -> list[Registration]:
    """Registrations of ``event`` matching every word of ``text`` (desk staff).

    A word matches a given or family name, a free-text organisation or a reference (case,
    accents and punctuation ignored: "gomez nunez" finds "GÓMEZ-ÑÚÑEZ"), or names the
    person's State or organisation in English, French or Spanish, or its ISO code. Only the
    narrow index ix_registration_event_search is read to filter.
    """
    words = fold_search(text).split()[:MAX_WORDS]
    if not words:
        return []
    entities = _entity_names(event)
    query = (
        db.select(Registration)
        .where(Registration.event_id == event.id, *(_word_condition(w, entities) for w in words))
        .options(
            selectinload(Registration.category),
            selectinload(Registration.entity),
            selectinload(Registration.sessions),
        )
        .order_by(*name_order(), Registration.id)
        .limit(limit)
    )
    return list(db.session.execute(query).scalars())


def walk_in_matches(
    event: Event, email: str, given_name: str, family_name: str
) -> list[Registration]:
    """Registrations of ``event`` that may be the person arriving as a walk-in (desk staff).

    Same email, or same given and family name, compared as the duplicate rule does (case,
    accents and spaces ignored), whatever their status; the email matches come first.
    """
    # person_key is "email|given|family", each folded: match its start or its end.
    email_prefix = person_key(email, "", "")[:-1]
    name_suffix = person_key("", given_name, family_name)
    conditions = []
    if email_prefix != "|":
        conditions.append(Registration.person_key.like(_like(email_prefix)[1:], escape="\\"))
    if name_suffix != "||":
        conditions.append(Registration.person_key.like(_like(name_suffix)[:-1], escape="\\"))
    if not conditions:
        return []
    rows = db.session.execute(
        db.select(Registration)
        .where(Registration.event_id == event.id, sa.or_(*conditions))
        .options(selectinload(Registration.category), selectinload(Registration.entity))
        .order_by(Registration.created_at)
    ).scalars()
    return sorted(rows, key=lambda found: not found.person_key.startswith(email_prefix))
