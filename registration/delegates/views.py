"""Public registration, the manage-my-registration link and "Lost your link?"."""

from time import monotonic, sleep

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from registration import throttling
from registration.database import utcnow
from registration.delegates import photos, services
from registration.delegates.forms import LostLinkForm, RegistrationForm, WithdrawForm
from registration.delegates.lookup import registration_for_link
from registration.delegates.models import Status
from registration.delegates.submit import submit_registration
from registration.events.lookup import load_event
from registration.extensions import csrf, db
from registration.i18n import current_language
from registration.outcomes import done_or_refused

bp = Blueprint("delegates", __name__)


@bp.route("/e/<slug>/register", methods=["GET", "POST"])
@throttling.public_post
@throttling.per_recipient
@csrf.exempt
def register(slug: str):
    """The public registration form (anyone, while registration is open)."""
    event = load_event(slug)
    now = utcnow()
    if not event.registration_open_at(now):
        return render_template("delegates/closed.html", event=event, now=now), 403
    form = RegistrationForm().for_event(event, current_language())
    if request.method == "GET":
        form.language.data = current_language()
    if form.is_submitted():
        saved, registration = submit_registration(form, lambda data: services.register(event, data))
        if saved:
            if services.other_heads(registration):
                flash(
                    _(
                        "Your delegation already has a head of delegation registered: the "
                        "secretariat will check with you."
                    ),
                    "warning",
                )
            return redirect(url_for("delegates.manage", token=registration.manage_token, welcome=1))
        return render_template("delegates/register.html", event=event, form=form), 400
    return render_template("delegates/register.html", event=event, form=form)


@bp.get("/r/<token>")
def manage(token: str):
    """The registration behind a secret link: status, details, actions (its holder)."""
    registration = registration_for_link(token)
    return render_template(
        "delegates/manage.html",
        registration=registration,
        event=registration.event,
        welcome=request.args.get("welcome") == "1",
        editable=services.can_delegate_edit(registration),
        withdraw_form=WithdrawForm(),
    )


@bp.get("/r/<token>/photo")
def photo(token: str):
    """The registration's portrait (its holder)."""
    registration = registration_for_link(token)
    if not registration.photo:
        abort(404)
    return photos.send_photo(registration.photo)


@bp.route("/r/<token>/edit", methods=["GET", "POST"])
@throttling.public_post
@throttling.per_recipient
@csrf.exempt
def edit(token: str):
    """Edit one's own registration while it can be changed (its holder)."""
    registration = registration_for_link(token)
    event = registration.event
    if not services.can_delegate_edit(registration):
        flash(_("This registration can no longer be changed."), "warning")
        return redirect(url_for("delegates.manage", token=token))
    form = RegistrationForm().for_event(event, current_language())
    if request.method == "GET":
        form.fill_from(registration)
        return _edit_page(registration, form)
    saved, changes = submit_registration(
        form,
        lambda data: services.update_registration(registration, data),
        photo=registration.photo,
    )
    if saved:
        if changes:
            flash(_("Your changes are saved. We have sent you a confirmation by email."), "success")
        else:
            flash(_("Nothing was changed."), "info")
        return redirect(url_for("delegates.manage", token=token))
    return _edit_page(registration, form), 400


def _edit_page(registration, form: RegistrationForm) -> str:
    """The edit form, warning an approved delegate of the changes that undo the approval."""
    approved = registration.status == Status.APPROVED
    return render_template(
        "delegates/edit.html",
        event=registration.event,
        form=form,
        registration=registration,
        review_labels=services.review_field_labels(registration.event) if approved else [],
    )


@bp.route("/r/<token>/withdraw", methods=["GET", "POST"])
@throttling.public_post
def withdraw(token: str):
    """Withdraw one's own registration after a confirmation (its holder)."""
    registration = registration_for_link(token)
    form = WithdrawForm()
    if form.validate_on_submit():
        return done_or_refused(
            lambda: services.withdraw(registration),
            back=url_for("delegates.manage", token=token),
            success=_("Your registration is withdrawn. We have sent you a confirmation by email."),
        )
    return render_template(
        "delegates/withdraw.html", registration=registration, event=registration.event, form=form
    )


@bp.route("/e/<slug>/lost-link", methods=["GET", "POST"])
@throttling.lost_link
@throttling.per_recipient
def lost_link(slug: str):
    """Send the manage link again to a registered address (anyone; same answer for all)."""
    event = load_event(slug)
    form = LostLinkForm()
    if form.validate_on_submit():
        started = monotonic()
        services.resend_links(event, form.email.data)
        db.session.commit()
        # A known address costs a new token and an email; an unknown one costs nothing. Both
        # answer after the same fixed time, so the delay does not tell who is registered.
        _wait_until(started + current_app.config["LOST_LINK_ANSWER_SECONDS"])
        flash(
            _(
                "If this address is registered for the meeting, we have sent it the link. "
                "Please check your inbox."
            ),
            "info",
        )
        return redirect(url_for("delegates.lost_link", slug=slug))
    return render_template("delegates/lost_link.html", event=event, form=form)


def _wait_until(moment: float) -> None:
    """Sleep until the monotonic clock reaches ``moment`` (at once if it has)."""
    remaining = moment - monotonic()
    if remaining > 0:
        sleep(remaining)
