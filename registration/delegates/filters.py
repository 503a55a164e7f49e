"""The registrations list's search, filters, sorting and pages: request args → dataclass → SQL.

One parser and one query builder, shared by the list, bulk actions, bulk email and any other
feature that acts on "the registrations matching this filter" (e.g. documents).
"""

from dataclasses import dataclass, field, fields
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict

from registration.collation import collated, sql_collated
from registration.delegates.models import Registration, Status, registration_session
from registration.delegates.services import person_key
from registration.events.models import Category, Entity, Event
from registration.extensions import db
from registration.i18n import current_language

#: Sortable columns: name in the query string → SQL expressions (ties broken by id).
SORTS = {
    "reference": (Registration.reference,),
    "name": (Registration.family_name, Registration.given_name),
    "entity": (),  # by the entities' names in the reader's language: see _sort_columns
    "category": (Category.position,),
    "status": (Registration.status,),
    "email": (Registration.email,),
    "created": (Registration.created_at,),
    "checked_in": (Registration.checked_in_at,),
    "badge": (Registration.badge_printed_at,),
}
PAGE_SIZES = (25, 50, 100, 200)
#: Longest search text considered (longer input is cut, never refused).
MAX_QUERY = 200


@dataclass
class RegistrationFilter:
    """What the list shows: search text, filters, sort and page. Every field is optional."""

    q: str = ""
    status: list[Status] = field(default_factory=list)
    category: int | None = None
    entity: int | None = None
    #: A free-text organisation (typed by delegates whose organisation is not in the list).
    organisation: str = ""
    session: int | None = None
    checked_in: bool | None = None
    photo: bool | None = None
    badge_printed: bool | None = None
    sort: str = "created"
    descending: bool = False
    page: int = 1
    per_page: int = 50

    def to_args(self, **changes: Any) -> dict[str, Any]:
        """Query-string arguments that reproduce this filter (defaults left out), with changes."""
        values = {item.name: getattr(self, item.name) for item in fields(self)} | changes
        default = RegistrationFilter()
        args: dict[str, Any] = {}
        for name, value in values.items():
            if value == getattr(default, name):
                continue
            if isinstance(value, bool):
                args[name] = "yes" if value else "no"
            elif isinstance(value, list):
                args[name] = [str(item) for item in value]
            else:
                args[name] = value
        return args

    @property
    def is_filtered(self) -> bool:
        """Whether anything narrows the list (search text or a filter)."""
        narrowing = ("q", "status", "category", "entity", "organisation", "session")
        return any(getattr(self, name) for name in narrowing) or any(
            getattr(self, name) is not None for name in ("checked_in", "photo", "badge_printed")
        )


def _int(value: str | None) -> int | None:
    """A positive integer from the query string, or None for anything else."""
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _yes_no(value: str | None) -> bool | None:
    """'yes' → True, 'no' → False, anything else → None (no filter)."""
    return {"yes": True, "no": False}.get(value or "")


def parse_filter(args: MultiDict) -> RegistrationFilter:
    """Read a filter from request args; unknown or malformed values are ignored, never an error."""
    statuses = [value for value in args.getlist("status") if value in Status._value2member_map_]
    sort = args.get("sort", "created")
    per_page = _int(args.get("per_page"))
    return RegistrationFilter(
        q=" ".join(args.get("q", "")[:MAX_QUERY].split()),
        status=[Status(value) for value in dict.fromkeys(statuses)],
        category=_int(args.get("category")),
        entity=_int(args.get("entity")),
        organisation=args.get("organisation", "")[:MAX_QUERY].strip(),
        session=_int(args.get("session")),
        checked_in=_yes_no(args.get("checked_in")),
        photo=_yes_no(args.get("photo")),
        badge_printed=_yes_no(args.get("badge_printed")),
        sort=sort if sort in SORTS else "created",
        descending=args.get("descending") == "yes",
        page=max(_int(args.get("page")) or 1, 1),
        per_page=per_page if per_page in PAGE_SIZES else 50,
    )


def _like(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with LIKE's wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _word_matches(event: Event, word: str) -> sa.ColumnElement[bool]:
    """A search word matches a name or email (accents and case ignored), reference or entity."""
    # person_key folds case, accents and spaces; searching it makes "jose" find "José".
    folded = person_key(word, "", "").rstrip("|")
    pattern = _like(word)
    entities = db.select(Entity.id).where(
        Entity.event_id == event.id,
        sa.or_(Entity.name.ilike(pattern, escape="\\"), Entity.iso_code == word.upper()),
    )
    return sa.or_(
        Registration.person_key.like(_like(folded), escape="\\"),
        Registration.reference.ilike(pattern, escape="\\"),
        Registration.other_organisation.ilike(pattern, escape="\\"),
        Registration.entity_id.in_(entities),
    )


def _is_set(column: sa.ColumnElement, wanted: bool) -> sa.ColumnElement[bool]:
    """``column`` IS NOT NULL when ``wanted``, IS NULL otherwise."""
    return column.is_not(None) if wanted else column.is_(None)


def conditions(event: Event, flt: RegistrationFilter) -> list[sa.ColumnElement[bool]]:
    """WHERE clauses selecting the registrations of ``event`` that ``flt`` matches."""
    where = [Registration.event_id == event.id]
    where += [_word_matches(event, word) for word in flt.q.split()]
    if flt.status:
        where.append(Registration.status.in_(flt.status))
    if flt.category is not None:
        where.append(Registration.category_id == flt.category)
    if flt.entity is not None:
        where.append(Registration.entity_id == flt.entity)
    if flt.organisation:
        where.append(Registration.other_organisation == flt.organisation)
    if flt.session is not None:
        where.append(
            Registration.id.in_(
                db.select(registration_session.c.registration_id).where(
                    registration_session.c.session_id == flt.session
                )
            )
        )
    for column, wanted in (
        (Registration.checked_in_at, flt.checked_in),
        (Registration.photo, flt.photo),
        (Registration.badge_printed_at, flt.badge_printed),
    ):
        if wanted is not None:
            where.append(_is_set(column, wanted))
    return where


def name_order(language: str | None = None) -> tuple[sa.ColumnElement, sa.ColumnElement]:
    """ORDER BY family name, given name in ``language``'s collation (the reader's by default)."""
    language, dialect = language or current_language(), db.session.get_bind().dialect.name
    return tuple(sql_collated(column, language, dialect) for column in SORTS["name"])


def _sort_columns(event: Event, flt: RegistrationFilter) -> tuple:
    """The ORDER BY expressions of the filter's sort; names follow the reader's collation.

    Entities sort by their name in the reader's language (their rank, computed with the
    event's few entities), then the organisations typed by delegates.
    """
    if flt.sort == "name":
        return name_order()
    if flt.sort == "entity":
        language, dialect = current_language(), db.session.get_bind().dialect.name
        names = collated(event.entities, language, key=lambda entity: entity.name_in(language))
        ranks = {entity.id: rank for rank, entity in enumerate(names)}
        rank = sa.case(ranks, value=Registration.entity_id) if ranks else sa.null()
        # NULL for registrations of a listed entity: SQLite then never calls the collation
        # for them (it would be called for every tie among thousands of rows).
        typed = sa.case((Registration.entity_id.is_(None), Registration.other_organisation))
        return rank, sql_collated(typed, language, dialect)
    return SORTS[flt.sort]


def _ordered(query: sa.Select, event: Event, flt: RegistrationFilter) -> sa.Select:
    """``query`` with the joins and ORDER BY of the filter's sort (ties broken by id)."""
    if flt.sort == "category":
        query = query.join(Category, Category.id == Registration.category_id)
    order = [
        (column.desc() if flt.descending else column.asc()).nulls_last()
        for column in _sort_columns(event, flt)
    ]
    return query.order_by(*order, Registration.id.desc() if flt.descending else Registration.id)


def select_registrations(event: Event, flt: RegistrationFilter) -> sa.Select:
    """SELECT the matching registrations in the filter's order, category and entity loaded.

    No LIMIT: callers page it (``page_of``) or stream it.
    """
    return _ordered(
        db.select(Registration)
        .where(*conditions(event, flt))
        .options(joinedload(Registration.category), joinedload(Registration.entity)),
        event,
        flt,
    )


def count_matching(event: Event, flt: RegistrationFilter) -> int:
    """How many registrations the filter matches (all pages)."""
    return db.session.execute(
        db.select(sa.func.count(Registration.id)).where(*conditions(event, flt))
    ).scalar_one()


def matching_ids(event: Event, flt: RegistrationFilter) -> list[int]:
    """The ids of every matching registration, in the filter's order."""
    query = _ordered(db.select(Registration.id).where(*conditions(event, flt)), event, flt)
    return list(db.session.execute(query).scalars())


def other_organisations(event: Event) -> list[str]:
    """The free-text organisations that registrations of ``event`` typed, sorted."""
    return list(
        db.session.execute(
            db.select(Registration.other_organisation)
            .where(Registration.event_id == event.id, Registration.other_organisation != "")
            .distinct()
            .order_by(Registration.other_organisation)
        ).scalars()
    )


@dataclass
class Page:
    """One page of the list."""

    items: list[Registration]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Number of pages (at least one)."""
        return max((self.total + self.per_page - 1) // self.per_page, 1)


def page_of(event: Event, flt: RegistrationFilter) -> Page:
    """The filter's page of registrations and the total count: two queries, whatever the size."""
    total = count_matching(event, flt)
    pages = max((total + flt.per_page - 1) // flt.per_page, 1)
    page = min(flt.page, pages)
    # Sort and cut narrow rows (ids) first, then load only the page's rows: sorting thousands of
    # whole registrations is what makes a naive LIMIT/OFFSET slow.
    ids = (
        _ordered(db.select(Registration.id).where(*conditions(event, flt)), event, flt)
        .limit(flt.per_page)
        .offset((page - 1) * flt.per_page)
    )
    items = (
        db.session.execute(
            _ordered(
                db.select(Registration)
                .where(Registration.id.in_(ids.scalar_subquery()))
                .options(joinedload(Registration.category), joinedload(Registration.entity)),
                event,
                flt,
            )
        )
        .scalars()
        .all()
    )
    return Page(items=items, total=total, page=page, per_page=flt.per_page)
