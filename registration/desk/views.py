"""Desk pages: the check-in desk, live dashboard, attendance lists, photos, device tokens."""

import io

from flask import (
    Blueprint,
    Response,
    abort,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from registration.auth.decorators import DESK_ROLES, READ_ROLES, role_required
from registration.auth.models import Role
from registration.delegates import photos
from registration.delegates.models import Registration
from registration.desk import devices, photo_links, reports, services
from registration.desk.forms import DeviceForm, RevokeForm
from registration.desk.models import VENUE, DeviceToken
from registration.events.lookup import load_event
from registration.events.models import Event
from registration.extensions import db
from registration.outcomes import done_or_refused, saved_or_shown

bp = Blueprint("desk", __name__)

#: The app's policy, plus printing a badge PDF from a blob: URL in a hidden frame.
DESK_CSP = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
    "style-src 'self'; script-src 'self'; frame-src 'self' blob:; frame-ancestors 'none'"
)


def _checkpoint(event: Event, code: str) -> services.Checkpoint:
    """The checkpoint named in a URL, 404 if the event has none with that code."""
    try:
        return services.checkpoint_for(event, code)
    except services.CheckInError:
        abort(404)


def event_registration(event: Event, registration_id: int) -> Registration:
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
    page = render_template(
        "desk/desk.html", event=event, checkpoint=request.args.get("checkpoint", VENUE)
    )
    # The badge to print is shown in a hidden frame from a blob: URL.
    return page, {"Content-Security-Policy": DESK_CSP}


@bp.get("/desk/photos/<int:registration_id>/<signature>.jpg")
def photo(registration_id: int, signature: str):
    """A person's portrait for desks and scanning devices (a secret link, no sign-in).

    ``?size=small`` is the roster's thumbnail. The link changes with the photo, so browsers
    and the desk's offline cache may keep it.
    """
    registration = db.session.get(Registration, registration_id)
    size = photo_links.SIZES.get(request.args.get("size", "large"))
    if registration is None or size is None:
        abort(404)
    if not photo_links.signature_matches(registration, signature):
        abort(404)
    if not photos.is_stored_photo(registration.photo):
        abort(404)
    response = send_file(
        io.BytesIO(photo_links.thumbnail(photos.read_photo(registration.photo), size)),
        mimetype="image/jpeg",
    )
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    return response


@bp.get("/desk/sw.js")
def service_worker():
    """The desk's service worker: serves the desk offline, wipes its roster at sign-out."""
    script = render_template("desk/sw.js", sign_out_url=url_for("auth.sign_out"))
    return Response(
        script,
        mimetype="text/javascript",
        # Scope "/" lets it see the sign-out form, posted from any page.
        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"},
    )


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
    created, device_and_token = saved_or_shown(
        form, lambda: devices.create_device(event, form.name.data, by=current_user)
    )
    if not created:
        return _devices_page(form, status=400)
    device, token = device_and_token
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
