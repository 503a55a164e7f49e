"""The global audit trail: changes to meetings' setup, staff accounts and delegations."""

from flask import render_template, request
from flask_babel import lazy_gettext as _l

from registration.audit.models import AuditEvent
from registration.auth.decorators import role_required
from registration.auth.models import Role
from registration.events.models import Event
from registration.extensions import db
from registration.manage.display import ACTOR_LABELS
from registration.manage.views import bp

#: Entries shown per page.
PER_PAGE = 100
#: What each action outside a registration means, in the reader's language.
ACTIONS = {
    "event_updated": _l("Meeting settings changed"),
    "certificate_updated": _l("Certificate changed"),
    "category_saved": _l("Category saved"),
    "entity_saved": _l("State or organisation saved"),
    "entities_imported": _l("States or organisations imported"),
    "session_saved": _l("Agenda session saved"),
    "staff_created": _l("Staff account created"),
    "staff_role_changed": _l("Staff role changed"),
    "staff_deactivated": _l("Staff account deactivated"),
    "staff_reactivated": _l("Staff account reactivated"),
    "focal_point_invited": _l("Focal point invited"),
    "focal_point_link_sent": _l("Focal point link sent again"),
    "focal_point_revoked": _l("Focal point link revoked"),
    "email_resent": _l("Email sent again"),
}


def _shown(value) -> str:
    """A stored value for reading: lists joined, nothing as a dash."""
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {item}" for key, item in value.items())
    return str(value)


@bp.get("/audit")
@role_required(Role.ADMIN)
def audit():
    """Who changed a meeting's setup, staff accounts or delegations, newest first (admins)."""
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    entries = db.session.execute(
        db.select(AuditEvent, Event)
        .outerjoin(Event, Event.id == AuditEvent.event_id)
        .where(AuditEvent.registration_id.is_(None))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(PER_PAGE + 1)
        .offset((page - 1) * PER_PAGE)
    ).all()
    rows = [
        {
            "entry": entry,
            "event": event,
            "action": str(ACTIONS.get(entry.action, entry.action.replace("_", " "))),
            "actor": entry.actor_label or str(ACTOR_LABELS.get(entry.actor_type, "")),
            "changes": [
                (name, _shown(old), _shown(new)) for name, (old, new) in entry.changes.items()
            ],
        }
        for entry, event in entries[:PER_PAGE]
    ]
    return render_template("manage/audit.html", rows=rows, page=page, more=len(entries) > PER_PAGE)
