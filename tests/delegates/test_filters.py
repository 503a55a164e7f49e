"""The list's filter: parsed from any query string, turned into SQL, sorted and paged."""

from datetime import date, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from registration.database import utcnow
from registration.delegates import filters
from registration.delegates.models import Status
from registration.events.models import Event


def _refs(event, **args) -> list[str]:
    flt = filters.parse_filter(MultiDict(args))
    return [item.reference for item in filters.page_of(event, flt).items]


def _entity(event, iso):
    return next(entity for entity in event.entities if entity.iso_code == iso)


@pytest.mark.parametrize(
    "args",
    [
        {"page": "-3", "per_page": "7", "category": "x", "sort": "password", "status": "nope"},
        {"page": "99999999999999999999", "entity": "1e3", "session": "", "checked_in": "maybe"},
        {"q": "x" * 5000, "descending": "1", "photo": "YES"},
    ],
)
def test_malformed_arguments_fall_back_to_defaults(args):
    flt = filters.parse_filter(MultiDict(args))
    assert flt.page >= 1
    assert flt.per_page in filters.PAGE_SIZES
    assert flt.sort in filters.SORTS
    assert flt.category is None and flt.entity is None and flt.session is None
    assert flt.status == []
    assert flt.checked_in is None and flt.photo is None
    assert len(flt.q) <= filters.MAX_QUERY


def test_to_args_round_trips():
    args = MultiDict(
        [
            ("q", "jansen"),
            ("status", "pending"),
            ("status", "approved"),
            ("category", "3"),
            ("checked_in", "no"),
            ("sort", "name"),
            ("descending", "yes"),
            ("page", "2"),
        ]
    )
    flt = filters.parse_filter(args)
    again = filters.parse_filter(MultiDict(list(_pairs(flt.to_args()))))
    assert again == flt
    assert filters.parse_filter(MultiDict()).to_args() == {}


def _pairs(args):
    for key, value in args.items():
        for item in value if isinstance(value, list) else [value]:
            yield key, str(item)


def test_search_names_ignoring_accents_and_case_emails_references_and_entities(
    db, event, make_registration
):
    jose = make_registration(given_name="José", family_name="Núñez", email="jn@example.org")
    colombia = make_registration(entity_id=_entity(event, "CO").id, family_name="Rojas")
    ngo = next(c for c in event.categories if c.code == "ngo")
    other = make_registration(
        category_id=ngo.id, entity_id=None, other_organisation="Red Cross 100% volunteers"
    )

    assert _refs(event, q="jose nunez") == [jose.reference]
    assert _refs(event, q="JN@EXAMPLE") == [jose.reference]
    assert _refs(event, q=jose.reference.lower()) == [jose.reference]
    assert _refs(event, q="colomb") == [colombia.reference]
    assert _refs(event, q="co") != []  # ISO code or substring
    assert _refs(event, q="100%") == [other.reference]
    assert _refs(event, q="%") == [other.reference]  # wildcards are literal
    assert _refs(event, q="_") == []


def test_each_filter(db, event, make_registration):
    now = utcnow()
    pending = make_registration("pending", session_ids=[event.sessions[2].id])
    approved = make_registration("approved", session_ids=[event.sessions[4].id])
    approved.checked_in_at = now
    approved.badge_printed_at = now
    approved.photo = "0" * 32 + ".jpg"
    iom = next(c for c in event.categories if c.code == "iom")
    staff = make_registration(
        "waitlisted", category_id=iom.id, entity_id=None, other_organisation="IOM"
    )
    db.session.commit()

    assert _refs(event, status="approved") == [approved.reference]
    assert set(_refs(event, status=["pending", "waitlisted"])) == {
        pending.reference,
        staff.reference,
    }
    assert _refs(event, category=str(iom.id)) == [staff.reference]
    assert set(_refs(event, entity=str(_entity(event, "NL").id))) == {
        pending.reference,
        approved.reference,
    }
    assert _refs(event, session=str(event.sessions[2].id)) == [pending.reference]
    for name in ("checked_in", "photo", "badge_printed"):
        assert _refs(event, **{name: "yes"}) == [approved.reference]
        assert approved.reference not in _refs(event, **{name: "no"})
        assert len(_refs(event, **{name: "no"})) == 2


def test_only_the_events_registrations(db, event, make_registration):
    make_registration()
    other = Event(
        slug="other-meeting",
        title={"en": "Other"},
        start_date=date(2030, 1, 1),
        end_date=date(2030, 1, 2),
    )
    db.session.add(other)
    db.session.commit()
    assert _refs(other) == []
    assert len(_refs(event)) == 1


@pytest.mark.parametrize("sort", sorted(filters.SORTS))
@pytest.mark.parametrize("descending", ["", "yes"])
def test_every_sort_works(db, event, make_registration, sort, descending):
    for _ in range(3):
        make_registration()
    assert len(_refs(event, sort=sort, descending=descending)) == 3


def test_sort_by_name_and_by_time(db, event, make_registration):
    later = make_registration(family_name="Adams")
    earlier = make_registration(family_name="Zimmer")
    earlier.created_at = utcnow() - timedelta(days=1)
    db.session.commit()
    assert _refs(event, sort="name") == [later.reference, earlier.reference]
    assert _refs(event, sort="name", descending="yes") == [earlier.reference, later.reference]
    assert _refs(event, sort="created") == [earlier.reference, later.reference]


def test_pages(db, event, make_registration):
    made = [make_registration().reference for _ in range(30)]
    flt = filters.parse_filter(MultiDict({"per_page": "25", "page": "2"}))
    page = filters.page_of(event, flt)
    assert (page.total, page.pages, page.page) == (30, 2, 2)
    assert [item.reference for item in page.items] == made[25:]
    beyond = filters.page_of(
        event, filters.parse_filter(MultiDict({"page": "9", "per_page": "25"}))
    )
    assert beyond.page == 2  # a page beyond the end shows the last one


def test_matching_ids_and_count(db, event, make_registration):
    pending = [make_registration("pending") for _ in range(3)]
    make_registration("approved")
    flt = filters.parse_filter(MultiDict({"status": "pending"}))
    assert filters.matching_ids(event, flt) == [item.id for item in pending]
    assert filters.count_matching(event, flt) == 3
    assert Status.PENDING in flt.status
