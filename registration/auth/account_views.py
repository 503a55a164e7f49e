"""A staff member's own account (password, two-factor), and passwords set through a link."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from registration import throttling
from registration.auth import services, tokens, two_factor
from registration.auth.forms import (
    ChangePasswordForm,
    ForgotForm,
    NewPasswordForm,
    PasswordConfirmForm,
)
from registration.auth.views import bp
from registration.errors import DomainError
from registration.extensions import db
from registration.outcomes import saved_or_shown


def _render_account(password_form=None, confirm_form=None, status: int = 200):
    """The account page with its forms, as submitted when one was refused."""
    return render_template(
        "auth/account.html",
        password_form=password_form or ChangePasswordForm(formdata=None),
        confirm_form=confirm_form or PasswordConfirmForm(formdata=None),
        two_factor_required=two_factor.required_for(current_user),
    ), status


@bp.get("/account")
@login_required
def account():
    """One's own account: password and two-factor authentication (any signed-in staff)."""
    return _render_account()


@bp.post("/account/password")
@login_required
def change_password():
    """Change one's own password; the current one is required (any signed-in staff)."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        changed, _none = saved_or_shown(
            form,
            lambda: services.change_password(
                current_user,
                form.current_password.data,
                form.password.data,
                keep_session=current_user.session_secret,
            ),
            keep_refusal=True,  # the security log line of a wrong current password stays
        )
        if changed:
            flash(_("Your password is changed. Your other sessions are signed out."), "success")
            return redirect(url_for("auth.account"))
    return _render_account(password_form=form, status=400)


def _with_password(action):
    """Run ``action`` after the current password is confirmed; the account page otherwise."""
    form = PasswordConfirmForm()
    if form.validate_on_submit() and not services.verify_password(
        current_user, form.current_password.data
    ):
        form.current_password.errors.append(_("The current password is wrong."))
    if form.errors:
        return _render_account(confirm_form=form, status=400)
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "warning")
        return redirect(url_for("auth.account"))
    db.session.commit()
    return result


@bp.post("/account/two-factor/off")
@login_required
def disable_two_factor():
    """Turn two-factor authentication off (roles that do not require it; password needed)."""

    def action():
        two_factor.disable(current_user, by=current_user)
        flash(_("Two-factor authentication is off."), "info")
        return redirect(url_for("auth.account"))

    return _with_password(action)


@bp.post("/account/recovery-codes")
@login_required
def recovery_codes():
    """Replace the recovery codes and show the new ones once (password needed)."""

    def action():
        codes = two_factor.regenerate_recovery_codes(current_user)
        return render_template(
            "auth/recovery_codes.html", codes=codes, target=url_for("auth.account")
        )

    return _with_password(action)


@bp.route("/forgot", methods=["GET", "POST"])
@throttling.public_post
@throttling.per_recipient
def forgot():
    """Email a reset link to an account's address (anyone; the same answer for all)."""
    form = ForgotForm()
    if form.validate_on_submit():
        tokens.request_reset(form.email.data)
        db.session.commit()
        flash(
            _(
                "If this address belongs to a staff account, we have sent it a link to choose "
                "a new password. The link works once, for a few hours."
            ),
            "info",
        )
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/forgot.html", form=form), 400 if form.errors else 200


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@throttling.public_post
def set_password(token: str):
    """Choose a password through an emailed link (reset or invitation; the link's holder)."""
    if tokens.find(token) is None:
        return render_template("auth/invalid_link.html"), 404
    form = NewPasswordForm()
    if (
        form.validate_on_submit()
        and saved_or_shown(form, lambda: tokens.redeem(token, form.password.data))[0]
    ):
        flash(_("Your password is set. Please sign in."), "success")
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/new_password.html", form=form, forced=False), (
        400 if form.errors else 200
    )
