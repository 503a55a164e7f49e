"""The registrations list's columns: five always shown, the others chosen per staff account."""

from flask_babel import lazy_gettext as _l

from registration.auth.models import StaffUser
from registration.extensions import db
from registration.manage.models import StaffPreference

#: Always shown, so that a laptop at 1,280 px sees who, for whom and where they stand.
FIXED_COLUMNS = ("reference", "name", "entity", "category", "status")
#: Columns a staff member may add: {key: label}, in display order.
OPTIONAL_COLUMNS = {
    "email": _l("Email"),
    "function": _l("Function or title"),
    "created": _l("Registered"),
    "checked_in": _l("Checked in"),
    "badge": _l("Badge printed"),
}
#: What a staff member sees before choosing.
DEFAULT_COLUMNS = ["created", "checked_in"]


def list_columns(user: StaffUser) -> list[str]:
    """The optional columns ``user`` chose (the default until they choose)."""
    preference = db.session.get(StaffPreference, user.id)
    if preference is None:
        return list(DEFAULT_COLUMNS)
    return [key for key in OPTIONAL_COLUMNS if key in preference.list_columns]


def save_list_columns(user: StaffUser, columns: list[str]) -> list[str]:
    """Remember the optional columns ``user`` wants (unknown keys are ignored); flushes."""
    chosen = [key for key in OPTIONAL_COLUMNS if key in columns]
    preference = db.session.get(StaffPreference, user.id)
    if preference is None:
        preference = StaffPreference(user_id=user.id)
        db.session.add(preference)
    preference.list_columns = chosen
    db.session.flush()
    return chosen
