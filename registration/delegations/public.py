"""Pages behind secret links: a focal point's delegation, and a delegate's letter upload."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from registration import throttling
from registration.database import utcnow
from registration.delegates.lookup import registration_for_link
from registration.delegates.models import Registration, Status
from registration.delegates.services import can_delegate_edit, review_field_labels
from registration.delegates.submit import submit_registration
from registration.delegations import letters, services
from registration.delegations.forms import ConfirmForm, DelegateForm, LetterForm
from registration.delegations.models import FocalPoint
from registration.i18n import current_language
from registration.outcomes import done_or_refused, saved_or_shown

bp = Blueprint("delegations_public", __name__)


def _focal_point(token: str) -> FocalPoint:
    """The active focal point behind a link, 404 for anything else (revoked links too)."""
    focal_point = services.find_focal_point(token)
    if focal_point is None:
        abort(404)
    g.event_timezone = focal_point.entity.event.timezone
    return focal_point


def _delegate(focal_point: FocalPoint, registration_id: int) -> Registration:
    """A registration of the focal point's entity, 404 otherwise."""
    registration = services.delegate_of(focal_point, registration_id)
    if registration is None:
        abort(404)
    return registration


def _render_home(focal_point: FocalPoint, letter_form: LetterForm | None = None, status=200):
    """The focal point's delegation, with the letter form as submitted when it was refused."""
    event = focal_point.entity.event
    return render_template(
        "delegations/focal_point.html",
        focal_point=focal_point,
        event=event,
        delegation=services.get_delegation(focal_point.entity),
        open_now=event.registration_open_at(utcnow()),
        editable=can_delegate_edit,
        letter_form=letter_form or LetterForm(formdata=None),
    ), status


@bp.get("/fp/<token>")
def focal_point(token: str):
    """The delegation seen by its focal point: delegates, statuses, quota (link holder)."""
    return _render_home(_focal_point(token))


@bp.route("/fp/<token>/register", methods=["GET", "POST"])
@throttling.public_post
@throttling.per_recipient
def register(token: str):
    """Register a delegate of the focal point's entity (link holder; entity locked)."""
    focal_point = _focal_point(token)
    entity = focal_point.entity
    form = DelegateForm().for_entity(entity, current_language())
    if request.method == "GET":
        form.language.data = focal_point.language
    if form.is_submitted():
        saved, registration = submit_registration(
            form, lambda data: services.register_delegate(focal_point, data)
        )
        if saved:
            flash(
                _(
                    "%(name)s is registered (%(reference)s). We have emailed them their "
                    "personal link.",
                    name=registration.full_name,
                    reference=registration.reference,
                ),
                "success",
            )
            return redirect(url_for(".focal_point", token=token))
        return _render_form(focal_point, form, None, 400)
    return _render_form(focal_point, form, None)


def _render_form(focal_point: FocalPoint, form: DelegateForm, registration, status=200):
    """The delegate form (new or edit) on the focal point's pages."""
    return render_template(
        "delegations/delegate_form.html",
        focal_point=focal_point,
        event=focal_point.entity.event,
        form=form,
        registration=registration,
        review_labels=review_field_labels(registration.event)
        if registration is not None and registration.status == Status.APPROVED
        else [],
    ), status


@bp.route("/fp/<token>/delegates/<int:registration_id>/edit", methods=["GET", "POST"])
@throttling.public_post
@throttling.per_recipient
def edit(token: str, registration_id: int):
    """Change a delegate of the focal point's entity while it can be changed (link holder)."""
    focal_point = _focal_point(token)
    registration = _delegate(focal_point, registration_id)
    if not can_delegate_edit(registration):
        flash(_("This registration can no longer be changed."), "warning")
        return redirect(url_for(".focal_point", token=token))
    form = DelegateForm().for_entity(focal_point.entity, current_language())
    if request.method == "GET":
        form.fill_from(registration)
        return _render_form(focal_point, form, registration)
    saved, changes = submit_registration(
        form,
        lambda data: services.update_delegate(focal_point, registration, data),
        photo=registration.photo,
    )
    if saved:
        if changes:
            flash(_("The changes are saved and the delegate is informed by email."), "success")
        else:
            flash(_("Nothing was changed."), "info")
        return redirect(url_for(".focal_point", token=token))
    return _render_form(focal_point, form, registration, 400)


@bp.route("/fp/<token>/delegates/<int:registration_id>/withdraw", methods=["GET", "POST"])
@throttling.public_post
def withdraw(token: str, registration_id: int):
    """Withdraw a delegate of the focal point's entity after a confirmation (link holder)."""
    focal_point = _focal_point(token)
    registration = _delegate(focal_point, registration_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        return done_or_refused(
            lambda: services.withdraw_delegate(focal_point, registration),
            back=url_for(".focal_point", token=token),
            success=_("%(name)s is withdrawn and informed by email.", name=registration.full_name),
        )
    return render_template(
        "delegations/delegate_withdraw.html",
        focal_point=focal_point,
        event=focal_point.entity.event,
        registration=registration,
        form=form,
    )


@bp.post("/fp/<token>/letters")
@throttling.public_post
def focal_point_letter(token: str):
    """Send the delegation's note verbale or nomination letter (link holder)."""
    focal_point = _focal_point(token)
    entity = focal_point.entity
    form = LetterForm()
    if form.validate_on_submit():
        upload = form.letter.data
        saved, _letter = saved_or_shown(
            form,
            lambda: letters.add_letter(
                upload.read(),
                upload.filename,
                event=entity.event,
                entity=entity,
                by=focal_point,
                actor_type=services.FOCAL_POINT,
            ),
        )
        if saved:
            flash(_("Thank you, the secretariat has received the letter."), "success")
            return redirect(url_for(".focal_point", token=token))
    return _render_home(focal_point, form, 400)


@bp.route("/r/<token>/letter", methods=["GET", "POST"])
@throttling.public_post
def delegate_letter(token: str):
    """Send a nomination letter with one's own registration (holder of the manage link)."""
    registration = registration_for_link(token)
    form = LetterForm()
    if form.validate_on_submit():
        upload = form.letter.data
        saved, _letter = saved_or_shown(
            form,
            lambda: letters.add_letter(
                upload.read(),
                upload.filename,
                event=registration.event,
                registration=registration,
                actor_type="delegate",
            ),
        )
        if saved:
            flash(_("Thank you, the secretariat has received the letter."), "success")
            return redirect(url_for(".delegate_letter", token=token))
    return render_template(
        "delegations/delegate_letter.html",
        registration=registration,
        event=registration.event,
        form=form,
        sent=letters.letters_of_registration(registration),
    ), 400 if form.errors else 200
