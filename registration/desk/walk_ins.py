"""Walk-in pages: register a person at the desk, or admit the registration they already have."""

import base64
import binascii

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registration.auth.decorators import DESK_ROLES, role_required
from registration.delegates import photos
from registration.delegates.models import status_label
from registration.desk import people, services
from registration.desk.forms import AdmitForm, WalkInForm
from registration.desk.views import DESK_CSP, bp, event_registration
from registration.errors import DomainError
from registration.events.lookup import load_event
from registration.events.models import Event
from registration.extensions import db
from registration.i18n import current_language
from registration.outcomes import saved_or_shown

#: The webcam picture travels as a data URL in a hidden field.
_DATA_URL_PREFIX = "data:image/jpeg;base64,"


def _captured_photo(form: WalkInForm) -> str | None:
    """Store the webcam picture of the form, re-encoded like an upload. Raises PhotoError."""
    value = form.captured_photo.data or ""
    if not value:
        return None
    try:
        if not value.startswith(_DATA_URL_PREFIX):
            raise ValueError("not a JPEG data URL")
        data = base64.b64decode(value[len(_DATA_URL_PREFIX) :], validate=True)
    except (binascii.Error, ValueError) as error:
        raise photos.PhotoError(
            _("The photo must be a JPEG or PNG image."), "photo_not_image", field="captured_photo"
        ) from error
    try:
        return photos.store_photo(photos.process_photo(data))
    except photos.PhotoError as error:
        error.field = "captured_photo"
        raise


def _page(event: Event, form: WalkInForm, matches=(), status: int = 200):
    """The walk-in form, with the registrations it may duplicate when there are any."""
    email_match = any(
        match.email.casefold() == (form.email.data or "").casefold() for match in matches
    )
    return render_template(
        "desk/walk_in.html",
        event=event,
        form=form,
        matches=matches,
        admit_form=AdmitForm(),
        may_register_new=not email_match,
        status_label=status_label,
    ), status


@bp.route("/desk/e/<slug>/walk-in", methods=["GET", "POST"])
@role_required(*DESK_ROLES)
def walk_in(slug: str):
    """Register, approve and check in a person who arrives unregistered (desk staff).

    A person whose email or name matches a registration of the meeting is offered that
    registration instead; only a name match may still be registered as a new person.
    """
    event = load_event(slug)
    form = WalkInForm().for_event(event, current_language())
    if not form.validate_on_submit():
        return _page(event, form, status=400 if form.is_submitted() else 200)
    matches = people.walk_in_matches(
        event, form.email.data, form.given_name.data, form.family_name.data
    )
    email_match = any(m.email.casefold() == form.email.data.casefold() for m in matches)
    if matches and (email_match or not request.form.get("new_person")):
        return _page(event, form, matches, status=409)
    saved, logged = saved_or_shown(
        form,
        lambda: services.walk_in(event, form.to_data(_captured_photo(form)), by=current_user),
    )
    if not saved:
        return _page(event, form, status=400)
    return redirect(url_for("desk.walked_in", slug=slug, registration_id=logged.registration_id))


@bp.post("/desk/e/<slug>/walk-in/admit/<int:registration_id>")
@role_required(*DESK_ROLES)
def admit_walk_in(slug: str, registration_id: int):
    """Check in the registration a walk-in already has, approving it if pending (desk staff)."""
    event = load_event(slug)
    registration = event_registration(event, registration_id)
    if not AdmitForm().validate_on_submit():
        abort(400)
    try:
        services.admit_walk_in(registration, by=current_user)
    except DomainError as error:
        db.session.rollback()
        return render_template(
            "desk/walked_in.html", event=event, registration=registration, refusal=error.message
        ), 409
    db.session.commit()
    return redirect(url_for("desk.walked_in", slug=slug, registration_id=registration_id))


@bp.get("/desk/e/<slug>/walk-in/<int:registration_id>")
@role_required(*DESK_ROLES)
def walked_in(slug: str, registration_id: int):
    """A walk-in's confirmation with the button that prints the badge (desk staff)."""
    event = load_event(slug)
    registration = event_registration(event, registration_id)
    page = render_template("desk/walked_in.html", event=event, registration=registration)
    return page, {"Content-Security-Policy": DESK_CSP}
