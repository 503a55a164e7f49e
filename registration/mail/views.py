"""The local mailbox and mail log at /manage/mail."""

from flask import Blueprint, render_template

from registration.auth.decorators import READ_ROLES, role_required
from registration.extensions import db
from registration.mail.models import OutboxEmail

bp = Blueprint("mail", __name__, url_prefix="/manage/mail")


@bp.get("/")
@role_required(*READ_ROLES)
def mailbox():
    """Queued and sent messages, newest first (staff who read)."""
    messages = (
        db.session.execute(
            db.select(OutboxEmail)
            .order_by(OutboxEmail.created_at.desc(), OutboxEmail.id.desc())
            .limit(200)
        )
        .scalars()
        .all()
    )
    return render_template("mail/mailbox.html", messages=messages)


@bp.get("/<int:message_id>")
@role_required(*READ_ROLES)
def message(message_id: int):
    """One message as the recipient sees it (staff who read)."""
    return render_template("mail/message.html", message=db.get_or_404(OutboxEmail, message_id))
