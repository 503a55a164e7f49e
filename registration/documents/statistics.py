"""Counts of an event's registrations by category, entity, gender, status and language.

Charts are drawn on the server as SVG bars (no chart library, nothing from a CDN); the same
numbers are offered as CSV.
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from registration.collation import sort_key
from registration.delegates.models import ACTIVE_STATUSES, Registration, Status, status_label
from registration.documents.badges import safe_colour
from registration.documents.exports import neutralise, to_csv
from registration.events.models import Event
from registration.extensions import db
from registration.i18n import current_language

#: Which registrations the charts count.
SCOPES = {
    "active": (_l("Active registrations (pending, approved, waiting list)"), ACTIVE_STATUSES),
    "approved": (_l("Approved registrations"), (Status.APPROVED,)),
    "all": (_l("All registrations"), tuple(Status)),
}
_PALETTE = ("#0033A0", "#009EDB", "#7030A0", "#00B050", "#ED7D31", "#C00000", "#FFC000")
_LANGUAGES = {"en": "English", "fr": "Français", "es": "Español"}


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: label, count, share of the largest bar (0–1) and colour."""

    label: str
    count: int
    share: float
    colour: str


@dataclass(frozen=True)
class Chart:
    """A titled bar chart, largest first unless the dimension has its own order."""

    key: str
    title: str
    total: int
    bars: list[Bar]


def _chart(key: str, title: str, counts: list[tuple[str, int, str | None]]) -> Chart:
    """Bars from (label, count, colour or None) in the given order."""
    largest = max((count for _label, count, _colour in counts), default=0) or 1
    bars = [
        Bar(label, count, count / largest, safe_colour(colour or _PALETTE[i % len(_PALETTE)]))
        for i, (label, count, colour) in enumerate(counts)
    ]
    return Chart(key, title, sum(count for _label, count, _colour in counts), bars)


def _counts(event: Event, column, statuses) -> dict:
    """{value of ``column``: count} over the event's registrations in ``statuses``."""
    return dict(
        db.session.execute(
            db.select(column, db.func.count(Registration.id))
            .where(Registration.event_id == event.id, Registration.status.in_(statuses))
            .group_by(column)
        ).all()
    )


def statistics(event: Event, scope: str = "active") -> list[Chart]:
    """The charts of ``event`` for the registrations of ``scope`` (status counts all)."""
    statuses = SCOPES.get(scope, SCOPES["active"])[1]
    by_category = _counts(event, Registration.category_id, statuses)
    by_entity = _counts(
        event, db.func.coalesce(Registration.entity_id, -1), statuses
    )  # -1: organisations typed by the delegate
    entities = {entity.id: entity.name_in() for entity in event.entities}
    by_status = _counts(event, Registration.status, tuple(Status))
    genders = {"female": _("Female"), "male": _("Male"), "other": _("Other"), "": _("Not stated")}
    by_gender = _counts(event, Registration.gender, statuses)
    by_language = _counts(event, Registration.language, statuses)
    entity_counts = sorted(
        (
            (entities.get(entity_id, _("Other organisations")), count, None)
            for entity_id, count in by_entity.items()
        ),
        key=lambda item: (-item[1], sort_key(item[0], current_language())),
    )
    return [
        _chart(
            "category",
            _("By category"),
            [
                (c.name_in(), by_category.get(c.id, 0), c.badge_colour)
                for c in event.categories
                if by_category.get(c.id)
            ],
        ),
        _chart("entity", _("By State or organisation"), entity_counts),
        _chart(
            "gender",
            _("By gender"),
            [
                (label, by_gender[code], None)
                for code, label in genders.items()
                if code in by_gender
            ],
        ),
        _chart(
            "status",
            _("By status (all registrations)"),
            [(status_label(s), by_status[s], None) for s in Status if s in by_status],
        ),
        _chart(
            "language",
            _("By language of correspondence"),
            [
                (_LANGUAGES.get(code, code), count, None)
                for code, count in sorted(by_language.items())
            ],
        ),
    ]


def statistics_csv(charts: list[Chart]) -> bytes:
    """The charts' numbers as CSV: dimension, value, count."""
    rows = [[_("Dimension"), _("Value"), _("Count")]]
    rows += [
        [chart.title, neutralise(bar.label), bar.count] for chart in charts for bar in chart.bars
    ]
    return to_csv(rows)
