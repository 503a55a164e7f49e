"""The secretariat's back office."""

from flask import Blueprint, render_template

from registration.auth.decorators import READ_ROLES, role_required
from registration.delegates.models import Registration, Status
from registration.events.models import Category, Event
from registration.extensions import db

bp = Blueprint("manage", __name__, url_prefix="/manage")


@bp.get("/")
@role_required(*READ_ROLES)
def dashboard():
    """Counts of registrations by status and category for each event (staff who read)."""
    rows = db.session.execute(
        db.select(
            Registration.event_id,
            Registration.category_id,
            Registration.status,
            db.func.count(Registration.id),
        ).group_by(Registration.event_id, Registration.category_id, Registration.status)
    ).all()
    counts: dict = {}
    for event_id, category_id, status, number in rows:
        per_event = counts.setdefault(event_id, {"status": {}, "category": {}, "total": 0})
        per_event["status"][status] = per_event["status"].get(status, 0) + number
        per_event["category"].setdefault(category_id, {})[status] = number
        per_event["total"] += number
    events = db.session.execute(db.select(Event).order_by(Event.start_date.desc())).scalars().all()
    categories = db.session.execute(db.select(Category).order_by(Category.position)).scalars().all()
    return render_template(
        "manage/dashboard.html",
        events=events,
        counts=counts,
        categories=categories,
        statuses=list(Status),
    )
