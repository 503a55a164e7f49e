"""Desk pages: the check-in desk, walk-ins, live dashboard, attendance lists, device tokens."""

from flask import (
    Blueprint,
    Response,
    abort,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from registration.auth.decorators import DESK_ROLES, READ_ROLES, role_required
from registration.auth.models import Role
from registration.delegates import photos
from registration.delegates.models import Registration
from registration.desk import devices, reports, services
from registration.desk.forms import DeviceForm, RevokeForm, WalkInForm
from registration.desk.models import VENUE, DeviceToken
from registration.errors import DomainError
from registration.events.lookup import load_event
from registration.events.models import Event
from registration.extensions import db
from registration.i18n import current_language
from registration.outcomes import done_or_refused, saved_or_shown

bp = Blueprint("desk", __name__)


def _checkpoint(event: Event, code: str) -> services.Checkpoint:
    """The checkpoint named in a URL, 404 if the event has none with that code."""
    try:
        return services.checkpoint_for(event, code)
    except services.CheckInError:
        abort(404)


def _registration(event: Event, registration_id: int) -> Registration:
    """A registration of ``event``, 404 otherwise."""
    registration = db.get_or_404(Registration, registration_id)
    if registration.event_id != event.id:
        abort(404)
    return registration


@bp.get("/desk")
@role_required(*DESK_ROLES)
def index():
    """Choose the meeting to check people in for (desk staff); straight to it if only one."""
    events = db.session.execute(db.select(Event).order_by(Event.start_date.desc())).scalars().all()
    if len(events) == 1:
        return redirect(url_for("desk.page", slug=events[0].slug))
    return render_template("desk/index.html", events=events)


@bp.get("/desk/e/<slug>")
@role_required(*DESK_ROLES)
def page(slug: str):
    """The check-in desk: scanner input, camera, search, results (desk staff)."""
    event = load_event(slug)
    return render_template(
        "desk/desk.html", event=event, checkpoint=request.args.get("checkpoint", VENUE)
    )


@bp.route("/desk/e/<slug>/walk-in", methods=["GET", "POST"])
@role_required(*DESK_ROLES)
def walk_in(slug: str):
    """Register, approve and check in a person who arrives unregistered (desk staff)."""
    event = load_event(slug)
    form = WalkInForm().for_event(event, current_language())
    if form.validate_on_submit():
        saved, logged = saved_or_shown(
            form, lambda: services.walk_in(event, form.to_data(None), by=current_user)
        )
        if saved:
            return redirect(
                url_for("desk.walked_in", slug=slug, registration_id=logged.registration_id)
            )
    status = 400 if form.is_submitted() else 200
    return render_template("desk/walk_in.html", event=event, form=form), status


@bp.get("/desk/e/<slug>/walk-in/<int:registration_id>")
@role_required(*DESK_ROLES)
def walked_in(slug: str, registration_id: int):
    """A walk-in's confirmation with the link to print the badge (desk staff)."""
    event = load_event(slug)
    registration = _registration(event, registration_id)
    return render_template("desk/walked_in.html", event=event, registration=registration)


@bp.get("/desk/e/<slug>/registrations/<int:registration_id>/photo")
@role_required(*DESK_ROLES)
def photo(slug: str, registration_id: int):
    """A person's portrait for the desk's result panel (desk staff)."""
    registration = _registration(load_event(slug), registration_id)
    if not registration.photo:
        abort(404)
    return photos.send_photo(registration.photo, cache="private, max-age=300")


@bp.get("/desk/e/<slug>/dashboard")
@role_required(*DESK_ROLES, *READ_ROLES)
def dashboard(slug: str):
    """Checked in / approved overall, per category and per session, live (staff)."""
    event = load_event(slug)
    return render_template("desk/dashboard.html", event=event, counts=reports.live_counts(event))


@bp.get("/desk/e/<slug>/attendance/<checkpoint>")
@role_required(*DESK_ROLES, *READ_ROLES)
def attendance(slug: str, checkpoint: str):
    """Who entered at the venue or attended a session, and when (staff)."""
    event = load_event(slug)
    point = _checkpoint(event, checkpoint)
    return render_template(
        "desk/attendance.html",
        event=event,
        checkpoint=point,
        entries=reports.attendance_list(point),
    )


@bp.get("/desk/e/<slug>/attendance/<checkpoint>/export.csv")
@role_required(*READ_ROLES)
def attendance_csv(slug: str, checkpoint: str):
    """The attendance list as CSV (staff who read reports)."""
    event = load_event(slug)
    point = _checkpoint(event, checkpoint)
    text = reports.attendance_csv(point, reports.attendance_list(point))
    filename = f"attendance-{event.slug}-{point.code}.csv"
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _devices_page(form: DeviceForm, created: tuple | None = None, status: int = 200):
    """The device list with the creation form (and a new device with its token, shown once)."""
    return render_template(
        "desk/devices.html",
        form=form,
        devices=devices.list_devices(),
        created=created,
    ), status


def _device_form() -> DeviceForm:
    """The creation form with the meetings to choose from."""
    form = DeviceForm()
    events = db.session.execute(db.select(Event).order_by(Event.start_date.desc())).scalars()
    form.event.choices = [(event.id, event.title_in()) for event in events]
    return form


@bp.route("/manage/desk/devices", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def device_list():
    """List device tokens and create one; the new token is shown once (admins)."""
    form = _device_form()
    if not form.validate_on_submit():
        return _devices_page(form, status=400 if form.is_submitted() else 200)
    event = db.get_or_404(Event, form.event.data)
    try:
        device, token = devices.create_device(event, form.name.data, by=current_user)
    except DomainError as error:
        db.session.rollback()
        form.name.errors.append(error.message)
        return _devices_page(form, status=400)
    db.session.commit()
    # Answered directly, never through a redirect and the session cookie: the token is secret.
    page, status = _devices_page(_device_form(), created=(device, token))
    return page, status, {"Cache-Control": "no-store"}


@bp.post("/manage/desk/devices/<int:device_id>/revoke")
@role_required(Role.ADMIN)
def revoke_device(device_id: int):
    """Revoke a device token: its scans are refused from now on (admins)."""
    device = db.get_or_404(DeviceToken, device_id)
    back = url_for("desk.device_list")
    if not RevokeForm().validate_on_submit():
        return redirect(back)
    return done_or_refused(
        lambda: devices.revoke_device(device),
        back=back,
        success=_("The device “%(name)s” is revoked.", name=device.name),
    )
