"""One registration in the back office: detail, photo, staff edit and decisions."""

from flask import (
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from registration.auth.decorators import READ_ROLES, role_required
from registration.delegates import photos, services, workflow
from registration.delegates.models import Registration
from registration.delegates.submit import submit_registration
from registration.errors import DomainError
from registration.extensions import db
from registration.i18n import current_language
from registration.mail.models import OutboxEmail
from registration.manage.display import audit_trail
from registration.manage.forms import (
    ActionForm,
    RejectForm,
    StaffRegistrationForm,
    StaffWithdrawForm,
)
from registration.manage.views import WRITE_ROLES, bp


def _load(registration_id: int) -> Registration:
    """The registration of a URL, 404 if unknown; its event's timezone becomes the page's."""
    registration = db.get_or_404(Registration, registration_id)
    g.event_timezone = registration.event.timezone
    return registration


def _back(registration: Registration):
    """Redirect to the registration's page."""
    return redirect(url_for("manage.registration", registration_id=registration.id))


@bp.get("/registrations/<int:registration_id>")
@role_required(*READ_ROLES)
def registration(registration_id: int):
    """Everything about one registration: data, photo, sessions, trail, emails (staff who read)."""
    item = _load(registration_id)
    emails = db.session.execute(
        db.select(OutboxEmail)
        .where(OutboxEmail.registration_id == item.id)
        .order_by(OutboxEmail.created_at.desc(), OutboxEmail.id.desc())
    ).scalars()
    return render_template(
        "manage/registration.html",
        registration=item,
        event=item.event,
        trail=audit_trail(item),
        emails=list(emails),
        other_heads=services.other_heads(item),
        action_form=ActionForm(),
    )


@bp.get("/registrations/<int:registration_id>/photo")
@role_required(*READ_ROLES)
def photo(registration_id: int):
    """The registration's portrait (staff who read)."""
    item = _load(registration_id)
    if not item.photo:
        abort(404)
    return photos.send_photo(item.photo)


@bp.route("/registrations/<int:registration_id>/edit", methods=["GET", "POST"])
@role_required(*WRITE_ROLES)
def edit(registration_id: int):
    """Change any field with the public form's validation, at any time (registrars)."""
    item = _load(registration_id)
    form = StaffRegistrationForm().for_event(item.event, current_language())
    if request.method == "GET":
        form.fill_from(item)
        return render_template("manage/edit.html", registration=item, form=form)
    saved, changes = submit_registration(
        form,
        lambda data: services.update_registration(item, data, by=current_user),
        photo=item.photo,
    )
    if saved:
        flash(_("Changes saved.") if changes else _("Nothing was changed."), "success")
        return _back(item)
    return render_template("manage/edit.html", registration=item, form=form), 400


def _decide(item: Registration, decision, success: str):
    """Apply one workflow decision, commit, and say what happened."""
    try:
        promoted = decision()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "warning")
        return False
    db.session.commit()
    flash(success, "success")
    if isinstance(promoted, list) and promoted:
        flash(
            _(
                "Promoted from the waiting list: %(refs)s",
                refs=", ".join(other.reference for other in promoted),
            ),
            "info",
        )
    return True


@bp.post("/registrations/<int:registration_id>/approve")
@role_required(*WRITE_ROLES)
def approve(registration_id: int):
    """Approve a pending or waitlisted registration (registrars)."""
    item = _load(registration_id)
    if ActionForm().validate_on_submit():
        _decide(item, lambda: workflow.approve(item, by=current_user), _("Registration approved."))
    return _back(item)


@bp.post("/registrations/<int:registration_id>/reset")
@role_required(*WRITE_ROLES)
def reset(registration_id: int):
    """Send a decided registration back to pending (registrars)."""
    item = _load(registration_id)
    if ActionForm().validate_on_submit():
        _decide(
            item,
            lambda: workflow.reset_to_pending(item, by=current_user),
            _("Registration reset."),
        )
    return _back(item)


@bp.route("/registrations/<int:registration_id>/reject", methods=["GET", "POST"])
@role_required(*WRITE_ROLES)
def reject(registration_id: int):
    """Confirm, then reject with a reason the delegate reads (registrars)."""
    item = _load(registration_id)
    form = RejectForm()
    if form.validate_on_submit() and _decide(
        item,
        lambda: workflow.reject(item, form.reason.data, by=current_user),
        _("Registration rejected."),
    ):
        return _back(item)
    status = 400 if form.is_submitted() else 200
    return render_template(
        "manage/decision.html", registration=item, form=form, decision="reject"
    ), status


@bp.route("/registrations/<int:registration_id>/withdraw", methods=["GET", "POST"])
@role_required(*WRITE_ROLES)
def withdraw(registration_id: int):
    """Confirm, then withdraw on the delegate's behalf (registrars)."""
    item = _load(registration_id)
    form = StaffWithdrawForm()
    if form.validate_on_submit() and _decide(
        item,
        lambda: workflow.withdraw(item, by=current_user, reason=form.reason.data or ""),
        _("Registration withdrawn."),
    ):
        return _back(item)
    status = 400 if form.is_submitted() else 200
    return render_template(
        "manage/decision.html", registration=item, form=form, decision="withdraw"
    ), status
