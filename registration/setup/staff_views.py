"""Staff accounts for admins: list, create or invite, change role, deactivate, reactivate,
resend the invitation, reset a lost second factor."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registration.auth.decorators import role_required
from registration.auth.models import Role, StaffUser
from registration.extensions import db
from registration.outcomes import done_or_refused, saved_or_shown
from registration.setup import staff
from registration.setup.staff_forms import ROLE_LABELS, ConfirmForm, RoleForm, StaffForm

bp = Blueprint("staff", __name__, url_prefix="/manage/staff")


def _render(form: StaffForm | None = None, status: int = 200):
    """The accounts page, with the new-account form as submitted when it was refused."""
    return render_template(
        "setup/staff.html",
        accounts=staff.list_accounts(),
        form=form or StaffForm(formdata=None),
        role_form=RoleForm(formdata=None),
        role_labels=ROLE_LABELS,
    ), status


@bp.get("/")
@role_required(Role.ADMIN)
def accounts():
    """Every staff account with its role and state (admins)."""
    return _render()


@bp.post("/")
@role_required(Role.ADMIN)
def create():
    """Create a staff account, with an initial password or an emailed invitation (admins)."""
    form = StaffForm()
    if form.validate_on_submit():
        saved, user = saved_or_shown(
            form,
            lambda: staff.create_account(
                form.email.data,
                Role(form.role.data),
                form.password.data,
                name=form.name.data or "",
                by=current_user,
            ),
        )
        if saved:
            if form.password.data:
                message = _(
                    "The account of %(email)s is created. Give them the password privately: "
                    "they will choose their own at first sign-in.",
                    email=user.email,
                )
            else:
                message = _(
                    "The account of %(email)s is created and an invitation is on its way.",
                    email=user.email,
                )
            flash(message, "success")
            return redirect(url_for(".accounts"))
    form.password.data = ""  # never sent back to the browser
    return _render(form, 400)


def _change(user_id: int, form, action, message: str):
    """Apply one account change after its form validated; flash the outcome."""
    user = db.get_or_404(StaffUser, user_id)
    if not form.validate_on_submit():
        flash(_("Choose a role from the list."), "warning")
        return redirect(url_for(".accounts"))
    return done_or_refused(
        lambda: action(user), back=url_for(".accounts"), success=message % {"email": user.email}
    )


@bp.post("/<int:user_id>/role")
@role_required(Role.ADMIN)
def change_role(user_id: int):
    """Give an account another role (admins; not their own)."""
    form = RoleForm()
    return _change(
        user_id,
        form,
        lambda user: staff.change_role(user, Role(form.role.data), by=current_user),
        _("The role of %(email)s is changed."),
    )


@bp.post("/<int:user_id>/deactivate")
@role_required(Role.ADMIN)
def deactivate(user_id: int):
    """Close an account and end its sessions (admins; not their own, nor the last admin)."""
    return _change(
        user_id,
        ConfirmForm(),
        lambda user: staff.deactivate(user, by=current_user),
        _("The account of %(email)s is closed and its sessions are ended."),
    )


@bp.post("/<int:user_id>/reactivate")
@role_required(Role.ADMIN)
def reactivate(user_id: int):
    """Open a closed account again (admins)."""
    return _change(
        user_id,
        ConfirmForm(),
        lambda user: staff.reactivate(user, by=current_user),
        _("The account of %(email)s is open again."),
    )


@bp.post("/<int:user_id>/invitation")
@role_required(Role.ADMIN)
def resend_invitation(user_id: int):
    """Email a new link to choose a password (admins); earlier links stop working."""
    return _change(
        user_id,
        ConfirmForm(),
        lambda user: staff.resend_invitation(user, by=current_user),
        _("A new invitation is on its way to %(email)s."),
    )


@bp.post("/<int:user_id>/two-factor/reset")
@role_required(Role.ADMIN)
def reset_two_factor(user_id: int):
    """Turn off someone's second factor after they lost their phone (admins; not their own)."""
    return _change(
        user_id,
        ConfirmForm(),
        lambda user: staff.reset_two_factor(user, by=current_user),
        _("Two-factor authentication of %(email)s is reset; they set it up again if required."),
    )
