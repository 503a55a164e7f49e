"""Delegation pages for staff: registrations, letters and focal points of each entity."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registration.auth.decorators import READ_ROLES, role_required
from registration.auth.models import Role
from registration.delegations import letters, services
from registration.delegations.forms import ConfirmForm, FocalPointForm, LetterForm
from registration.delegations.models import FocalPoint, NominationLetter
from registration.events.lookup import load_event
from registration.events.models import Entity, Event
from registration.extensions import db
from registration.outcomes import saved_or_shown

bp = Blueprint("delegations", __name__, url_prefix="/manage/e/<slug>/delegations")

#: Roles that change delegations (viewers only read).
WRITE_ROLES = (Role.ADMIN, Role.REGISTRAR)


def _entity(event: Event, entity_id: int) -> Entity:
    """An entity of ``event``, 404 for anything else (pages never cross events)."""
    entity = db.session.get(Entity, entity_id)
    if entity is None or entity.event_id != event.id:
        abort(404)
    return entity


def _render(event: Event, entity: Entity, *, letter_form=None, focal_form=None, status=200):
    """The delegation page, with the forms as submitted when one was refused."""
    return render_template(
        "delegations/delegation.html",
        event=event,
        delegation=services.get_delegation(entity),
        can_write=current_user.role in WRITE_ROLES,
        letter_form=letter_form or LetterForm(formdata=None),
        focal_form=focal_form or FocalPointForm(formdata=None),
    ), status


@bp.get("/")
@role_required(*READ_ROLES)
def index(slug: str):
    """Every entity of the event with its counts, letters and focal points (staff who read)."""
    event = load_event(slug)
    return render_template(
        "delegations/index.html",
        event=event,
        rows=services.list_delegations(event),
        others=services.list_other_organisations(event),
    )


@bp.get("/<int:entity_id>")
@role_required(*READ_ROLES)
def delegation(slug: str, entity_id: int):
    """One delegation: registrations, head, counts, letters, focal points (staff who read)."""
    event = load_event(slug)
    return _render(event, _entity(event, entity_id))


@bp.post("/<int:entity_id>/letters")
@role_required(*WRITE_ROLES)
def upload_letter(slug: str, entity_id: int):
    """Add a nomination letter to a delegation (admins, registrars)."""
    event = load_event(slug)
    entity = _entity(event, entity_id)
    form = LetterForm()
    if form.validate_on_submit():
        upload = form.letter.data
        saved, _letter = saved_or_shown(
            form,
            lambda: letters.add_letter(
                upload.read(), upload.filename, event=event, entity=entity, by=current_user
            ),
        )
        if saved:
            flash(_("The letter is added to the delegation."), "success")
            return redirect(url_for(".delegation", slug=slug, entity_id=entity_id))
    return _render(event, entity, letter_form=form, status=400)


@bp.get("/letters/<int:letter_id>")
@role_required(*READ_ROLES)
def letter(slug: str, letter_id: int):
    """Download a nomination letter (admins, registrars, viewers; never the check-in desk)."""
    event = load_event(slug)
    item = db.session.get(NominationLetter, letter_id)
    if item is None or item.event_id != event.id:
        abort(404)
    return letters.send_letter(item)


@bp.post("/<int:entity_id>/focal-points")
@role_required(*WRITE_ROLES)
def invite(slug: str, entity_id: int):
    """Invite a focal point of the entity by email (admins, registrars)."""
    event = load_event(slug)
    entity = _entity(event, entity_id)
    form = FocalPointForm()
    if form.validate_on_submit():
        data = services.FocalPointData(form.name.data, form.email.data, form.language.data)
        saved, _invited = saved_or_shown(
            form, lambda: services.invite_focal_point(entity, data, by=current_user)
        )
        if saved:
            flash(_("The invitation is sent to %(email)s.", email=data.email), "success")
            return redirect(url_for(".delegation", slug=slug, entity_id=entity_id))
    return _render(event, entity, focal_form=form, status=400)


def _focal_point(event: Event, focal_point_id: int) -> FocalPoint:
    """A focal point of an entity of ``event``, 404 otherwise."""
    focal_point = db.session.get(FocalPoint, focal_point_id)
    if focal_point is None or focal_point.entity.event_id != event.id:
        abort(404)
    return focal_point


@bp.post("/focal-points/<int:focal_point_id>/resend")
@role_required(*WRITE_ROLES)
def resend(slug: str, focal_point_id: int):
    """Send a focal point a new link; the old one stops working (admins, registrars)."""
    event = load_event(slug)
    focal_point = _focal_point(event, focal_point_id)
    if ConfirmForm().validate_on_submit():
        services.resend_invitation(focal_point, by=current_user)
        db.session.commit()
        flash(_("A new link is sent to %(email)s.", email=focal_point.email), "success")
    return redirect(url_for(".delegation", slug=slug, entity_id=focal_point.entity_id))


@bp.post("/focal-points/<int:focal_point_id>/revoke")
@role_required(*WRITE_ROLES)
def revoke(slug: str, focal_point_id: int):
    """Make a focal point's link stop working (admins, registrars)."""
    event = load_event(slug)
    focal_point = _focal_point(event, focal_point_id)
    if ConfirmForm().validate_on_submit():
        services.revoke_focal_point(focal_point, by=current_user)
        db.session.commit()
        flash(_("The link of %(email)s no longer works.", email=focal_point.email), "success")
    return redirect(url_for(".delegation", slug=slug, entity_id=focal_point.entity_id))
