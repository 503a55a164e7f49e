"""The role guard used by every staff view."""

import functools
from collections.abc import Callable

from flask import abort
from flask_login import current_user

from registration.auth.models import Role
from registration.extensions import login_manager

#: Roles allowed to read back-office lists and reports.
READ_ROLES = (Role.ADMIN, Role.REGISTRAR, Role.VIEWER)
#: Roles allowed at the check-in desk.
DESK_ROLES = (Role.ADMIN, Role.REGISTRAR, Role.CHECKIN)
#: Roles that see and export special-category data (dietary and accessibility needs): those
#: who organise catering and access. Viewers and the desk do not.
SPECIAL_CATEGORY_ROLES = (Role.ADMIN, Role.REGISTRAR)


def sees_special_category() -> bool:
    """Whether the signed-in staff member may see special-category data (pages, exports)."""
    return current_user.is_authenticated and current_user.role in SPECIAL_CATEGORY_ROLES


def role_required(*roles: Role) -> Callable:
    """Allow signed-in staff whose role is in ``roles`` (admins always); 403 for others.

    Anonymous visitors are sent to the sign-in page.
    """
    allowed = {Role.ADMIN, *roles}

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(allowed)
        return wrapped

    return decorator
