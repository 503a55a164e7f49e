"""The delegate's own data and erasure request (through their link), and the secretariat's
page of erasure requests and retention."""

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registration.auth.decorators import role_required
from registration.auth.models import Role
from registration.delegates.lookup import registration_for_link
from registration.errors import DomainError
from registration.events.lookup import load_event
from registration.events.models import Event
from registration.extensions import db
from registration.outcomes import done_or_refused
from registration.privacy import export, services
from registration.privacy.forms import (
    ConfirmErasureForm,
    DeclineErasureForm,
    ErasureRequestForm,
)
from registration.privacy.models import Erasure

bp = Blueprint("privacy", __name__)

#: Staff who answer erasure requests (those who may change registrations).
ANSWER_ROLES = (Role.ADMIN, Role.REGISTRAR)


@bp.get("/r/<token>/my-data.json")
def my_data(token: str):
    """Everything stored about the link's holder, as a JSON file (its holder)."""
    registration = registration_for_link(token)
    body = json.dumps(export.personal_data(registration), ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="my-data-{registration.reference}.json"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/r/<token>/erase", methods=["GET", "POST"])
def erase(token: str):
    """Ask for the erasure of one's data, after a confirmation (its holder).

    An undecided registration is erased at once and its link stops working; the others wait
    for the secretariat's answer, shown on the manage page.
    """
    registration = registration_for_link(token)
    event = registration.event
    at_once = services.erases_at_once(registration)
    form = ErasureRequestForm()
    if form.validate_on_submit():
        try:
            services.request_erasure(registration)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "warning")
            return redirect(url_for("delegates.manage", token=token))
        db.session.commit()
        if at_once:
            return render_template("privacy/erased.html", event=event)
        flash(
            _("Your request is recorded. The secretariat will answer within one month."),
            "success",
        )
        return redirect(url_for("delegates.manage", token=token))
    return render_template(
        "privacy/erase.html",
        registration=registration,
        event=event,
        token=token,
        form=form,
        at_once=at_once,
        existing=services.erasure_of(registration),
    ), 400 if form.is_submitted() else 200


@bp.get("/manage/e/<slug>/privacy")
@role_required(*ANSWER_ROLES)
def requests(slug: str):
    """Erasure requests waiting for an answer, recent answers and the retention date
    (registrars)."""
    return _requests_page(load_event(slug))


def _requests_page(event: Event, refused: DeclineErasureForm | None = None, refused_id=None):
    """The page of requests; a refused answer is shown again on its row with what was typed."""
    return render_template(
        "privacy/requests.html",
        event=event,
        open_requests=services.open_requests(event),
        answered=services.recent_erasures(event),
        retention_ends=services.retention_ends(event),
        confirm_form=ConfirmErasureForm(),
        decline_form=DeclineErasureForm(formdata=None),
        refused=refused,
        refused_id=refused_id,
    ), 400 if refused else 200


def _load(erasure_id: int) -> tuple[Erasure, str]:
    """The request of a URL (404 if unknown) and its event's slug."""
    erasure = db.get_or_404(Erasure, erasure_id)
    return erasure, erasure.registration.event.slug


@bp.post("/manage/erasures/<int:erasure_id>/confirm")
@role_required(*ANSWER_ROLES)
def confirm(erasure_id: int):
    """Erase the data of a request (registrars)."""
    erasure, slug = _load(erasure_id)
    back = url_for("privacy.requests", slug=slug)
    if not ConfirmErasureForm().validate_on_submit():
        return redirect(back)
    return done_or_refused(
        lambda: services.confirm_erasure(erasure, by=current_user),
        back=back,
        success=_("The data is erased."),
    )


@bp.post("/manage/erasures/<int:erasure_id>/decline")
@role_required(*ANSWER_ROLES)
def decline(erasure_id: int):
    """Keep the data, with a reason the delegate reads (registrars)."""
    erasure, slug = _load(erasure_id)
    form = DeclineErasureForm()
    if not form.validate_on_submit():
        return _requests_page(erasure.registration.event, refused=form, refused_id=erasure.id)
    return done_or_refused(
        lambda: services.decline_erasure(erasure, form.note.data, by=current_user),
        back=url_for("privacy.requests", slug=slug),
        success=_("The request is declined; the delegate sees your reason."),
    )
