"""The local mailbox and mail log at /manage/mail."""

import base64
import io

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from registration.auth.decorators import READ_ROLES, role_required
from registration.auth.models import Role
from registration.events.models import Event
from registration.extensions import db
from registration.links import hide_secret_links
from registration.mail import services
from registration.mail.forms import MailFilterForm, ResendForm
from registration.mail.models import MailStatus, OutboxEmail

bp = Blueprint("mail", __name__, url_prefix="/manage/mail")

MAX_PAGE = 100_000
PER_PAGE = 50


@bp.get("/")
@role_required(*READ_ROLES)
def mailbox():
    """Queued, sent and failed messages, newest first, filtered and paginated (staff who read)."""
    events = db.session.scalars(db.select(Event).order_by(Event.start_date.desc())).all()
    form = MailFilterForm(formdata=request.args).with_choices(events)
    # Invalid filters are shown with their errors and not applied (never a 500).
    filters = form.data if form.validate() else {}
    query = services.log_query(
        recipient=(filters.get("recipient") or "").strip(),
        status=MailStatus(filters["status"]) if filters.get("status") else None,
        event_id=int(filters["event"]) if filters.get("event") else None,
    )
    # Bounded: a page number past any real log must not overflow the database's OFFSET.
    number = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    page = db.paginate(query, page=number, per_page=PER_PAGE, error_out=False)
    link_args = {name: value for name, value in request.args.items() if name != "page"}
    # Each message's times in its meeting's timezone (the page's default: see i18n).
    zones = {event.id: event.timezone for event in events}
    return render_template(
        "mail/mailbox.html", form=form, page=page, link_args=link_args, zones=zones
    )


@bp.get("/<int:message_id>")
@role_required(*READ_ROLES)
def message(message_id: int):
    """One message as the recipient sees it, with its delivery attempts (staff who read).

    Viewers read it without the secrets of the links it carries: with one, anyone could change
    or withdraw the registration.
    """
    email = db.get_or_404(OutboxEmail, message_id)
    if email.event_id is not None:  # times in the meeting's timezone
        g.event_timezone = db.session.get(Event, email.event_id).timezone
    can_act = current_user.role in resend.allowed_roles
    body_text, body_html = email.body_text, email.body_html
    if not can_act:
        body_text, body_html = hide_secret_links(body_text), hide_secret_links(body_html)
    return render_template(
        "mail/message.html",
        message=email,
        body_text=body_text,
        body_html=body_html,
        form=ResendForm(),
        can_resend=can_act,
    )


@bp.get("/<int:message_id>/attachments/<int:index>")
@role_required(*READ_ROLES)
def attachment(message_id: int, index: int):
    """Download one attachment of a message (staff who read)."""
    email = db.get_or_404(OutboxEmail, message_id)
    if index >= len(email.attachments):
        abort(404)
    item = email.attachments[index]
    return send_file(
        io.BytesIO(base64.b64decode(item["data"])),
        mimetype=item["content_type"],
        as_attachment=True,
        download_name=item["filename"],
    )


@bp.post("/<int:message_id>/resend")
@role_required(Role.REGISTRAR)
def resend(message_id: int):
    """Queue a message again: a failed one is retried, a sent one copied (registrars)."""
    email = db.get_or_404(OutboxEmail, message_id)
    if not ResendForm().validate_on_submit():
        abort(400)
    queued = services.resend(email, by=current_user)  # a refusal: see pages._domain_error
    db.session.commit()
    flash(_("The message is queued and will be sent shortly."), "success")
    return redirect(url_for("mail.message", message_id=queued.id))
