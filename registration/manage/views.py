"""The secretariat's back office: dashboard, registrations list, bulk actions, waiting list."""

from urllib.parse import parse_qsl, urlencode

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from registration.auth.decorators import READ_ROLES, role_required
from registration.auth.models import Role
from registration.delegates import filters, workflow
from registration.delegates.models import Registration, Status
from registration.errors import DomainError
from registration.events.lookup import load_event
from registration.events.models import Category, Event
from registration.extensions import db
from registration.manage import columns
from registration.manage.forms import ActionForm, BulkActionForm

bp = Blueprint("manage", __name__, url_prefix="/manage")

#: Roles that change registrations (admins always may).
WRITE_ROLES = (Role.REGISTRAR,)
#: How many names the bulk confirmation page lists.
CONFIRM_SAMPLE = 20
#: Most registrations one bulk action changes: each is audited and emailed (about 3 ms each),
#: and the request must end well within a web server's timeout.
BULK_LIMIT = 2000


def can_write() -> bool:
    """Whether the signed-in staff member may change registrations (templates hide buttons)."""
    return current_user.role in (Role.ADMIN, *WRITE_ROLES)


@bp.app_context_processor
def _helpers() -> dict:
    """Template helpers of the back office."""
    return {
        "manage_can_write": can_write,
    }


def _status_counts(event: Event) -> dict[Status, int]:
    """{status: count} of the event's registrations, in one query."""
    rows = db.session.execute(
        db.select(Registration.status, db.func.count(Registration.id))
        .where(Registration.event_id == event.id)
        .group_by(Registration.status)
    ).all()
    return dict(rows)


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


@bp.get("/e/<slug>/registrations")
@role_required(*READ_ROLES)
def registrations(slug: str):
    """Search, filter, sort and page the event's registrations (staff who read)."""
    event = load_event(slug)
    flt = filters.parse_filter(request.args)
    page = filters.page_of(event, flt)
    counts = _status_counts(event)
    return render_template(
        "manage/registrations.html",
        event=event,
        flt=flt,
        page=page,
        counts=counts,
        held=counts.get(Status.PENDING, 0) + counts.get(Status.APPROVED, 0),
        waiting=counts.get(Status.WAITLISTED, 0),
        statuses=list(Status),
        session_taken=workflow.session_places_taken(
            [session for session in event.sessions if session.capacity is not None]
        ),
        bulk_form=BulkActionForm(filter_args=urlencode(flt.to_args(), doseq=True)),
        promote_form=ActionForm(),
        sorts=filters.SORTS,
        page_sizes=filters.PAGE_SIZES,
        columns=columns.list_columns(current_user),
        optional_columns=columns.OPTIONAL_COLUMNS,
        columns_form=ActionForm(),
        other_organisations=filters.other_organisations(event),
    )


@bp.post("/e/<slug>/registrations/columns")
@role_required(*READ_ROLES)
def list_columns(slug: str):
    """Remember which optional columns of the list the signed-in staff member sees (staff)."""
    event = load_event(slug)
    form = ActionForm()
    if form.validate_on_submit():
        columns.save_list_columns(current_user, request.form.getlist("column"))
        db.session.commit()
        flash(_("Your choice of columns is saved."), "success")
    flt = filters.parse_filter(MultiDict(parse_qsl(request.form.get("filter_args", ""))))
    return redirect(url_for("manage.registrations", slug=event.slug, **flt.to_args()))


def _bulk_targets(event: Event, form: BulkActionForm, flt: filters.RegistrationFilter) -> list:
    """The ids a bulk action applies to: the ticked ones of this event, or all matching."""
    if form.scope.data == "all":
        return filters.matching_ids(event, flt)
    ticked = set(form.ids.data or [])
    if not ticked:
        return []
    return list(
        db.session.execute(
            db.select(Registration.id)
            .where(Registration.event_id == event.id, Registration.id.in_(ticked))
            .order_by(Registration.created_at, Registration.id)
        ).scalars()
    )


@bp.post("/e/<slug>/registrations/bulk")
@role_required(*WRITE_ROLES)
def bulk(slug: str):
    """Approve, reject, reset or withdraw many registrations after a confirmation (registrars)."""
    event = load_event(slug)
    form = BulkActionForm()
    flt = filters.parse_filter(MultiDict(parse_qsl(form.filter_args.data or "")))
    back = url_for("manage.registrations", slug=slug, **flt.to_args())
    if not form.validate():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "warning")
        return redirect(back)
    ids = _bulk_targets(event, form, flt)
    if not ids:
        flash(
            _("Tick at least one registration, or choose “every registration matching”."), "warning"
        )
        return redirect(back)
    if len(ids) > BULK_LIMIT:
        flash(
            _(
                "%(num)d registrations match: at most %(limit)d can be changed at once. "
                "Narrow the filter, e.g. by category or State.",
                num=len(ids),
                limit=BULK_LIMIT,
            ),
            "warning",
        )
        return redirect(back)
    if form.confirmed.data != "yes":
        sample = (
            db.session.execute(
                db.select(Registration).where(Registration.id.in_(ids[:CONFIRM_SAMPLE]))
            )
            .scalars()
            .all()
        )
        return render_template(
            "manage/bulk_confirm.html", event=event, form=form, count=len(ids), sample=sample
        )
    targets = db.session.execute(
        db.select(Registration)
        .where(Registration.id.in_(ids))
        .options(selectinload(Registration.sessions), selectinload(Registration.entity))
        .order_by(Registration.created_at, Registration.id)
    ).scalars()
    try:
        result = workflow.apply_bulk(
            form.action.data, targets, by=current_user, reason=form.reason.data or ""
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "warning")
        return redirect(back)
    db.session.commit()
    if result.done:
        flash(
            ngettext(
                "%(num)d registration changed.", "%(num)d registrations changed.", len(result.done)
            ),
            "success",
        )
    for reference, message in result.refused:
        flash(f"{reference}: {message}", "warning")
    if result.promoted:
        flash(
            _("Promoted from the waiting list: %(refs)s", refs=", ".join(result.promoted)), "info"
        )
    return redirect(back)


@bp.post("/e/<slug>/waiting-list/promote")
@role_required(*WRITE_ROLES)
def promote(slug: str):
    """Give free places to the waiting list now, e.g. after the capacity was raised (registrars)."""
    event = load_event(slug)
    if ActionForm().validate_on_submit():
        promoted = workflow.promote_next_waitlisted(event)
        db.session.commit()
        if promoted:
            flash(
                _("Promoted: %(refs)s", refs=", ".join(item.reference for item in promoted)),
                "success",
            )
        else:
            flash(_("No place is free for the waiting list."), "info")
    return redirect(url_for("manage.registrations", slug=slug, status="waitlisted"))
