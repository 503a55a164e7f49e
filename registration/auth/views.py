"""Staff sign-in (password, then the steps it may owe) and sign-out."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from registration import throttling
from registration.auth import flow, services, two_factor
from registration.auth.forms import CodeForm, NewPasswordForm, SignInForm
from registration.auth.security_log import log_security_event
from registration.errors import DomainError
from registration.extensions import db, limiter
from registration.outcomes import saved_or_shown

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _account_and_address() -> str:
    """Throttling key of one account from one address."""
    return f"{request.remote_addr}:{request.form.get('email', '').strip().lower()}"


def _pending_user():
    """The account whose sign-in is under way; back to the password when there is none."""
    user = flow.pending_user()
    if user is None:
        abort(redirect(url_for("auth.sign_in")))
    return user


@bp.route("/sign-in", methods=["GET", "POST"])
@throttling.sign_in_per_address
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOGIN"],
    methods=["POST"],
    key_func=_account_and_address,
    deduct_when=lambda response: response.status_code != 302,
)
def sign_in():
    """Check a staff member's password (anyone may try; failures are throttled and logged)."""
    if current_user.is_authenticated:
        return redirect(flow.safe_next(request.args.get("next")))
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except services.SignInError as error:
            db.session.commit()  # the failure count, which slows the next guesses
            form.password.errors.append(error.message)
            status = 429 if error.code == "throttled" else 400
        else:
            db.session.commit()
            return flow.begin(user, request.args.get("next"))
    elif form.errors:
        status = 400
    return render_template("auth/sign_in.html", form=form), status


@bp.route("/two-factor", methods=["GET", "POST"])
@throttling.sign_in_per_address
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOGIN"],
    methods=["POST"],
    key_func=lambda: f"{request.remote_addr}:2fa:{flow.pending_user_id()}",
    deduct_when=lambda response: response.status_code != 302,
)
def two_factor_code():
    """Ask for the code of the authenticator app (or a recovery code) after the password."""
    user = _pending_user()
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            two_factor.verify(user, form.code.data)
        except DomainError as error:
            db.session.commit()  # the failure count, which slows the next guesses
            form.code.errors = [*form.code.errors, error.message]
            status = 429 if error.code == "throttled" else 400
        else:
            db.session.commit()
            flow.mark_verified()
            return flow.advance()
    elif form.errors:
        status = 400
    form.code.data = ""
    return render_template("auth/two_factor.html", form=form), status


@bp.route("/new-password", methods=["GET", "POST"])
def new_password():
    """Replace a password that an admin chose, before the first page opens."""
    user = _pending_user()
    if flow.next_step(user) != "auth.new_password":
        return flow.advance()
    form = NewPasswordForm()
    if (
        form.validate_on_submit()
        and saved_or_shown(form, lambda: services.set_password(user, form.password.data))[0]
    ):
        return flow.advance()
    return render_template("auth/new_password.html", form=form, forced=True), (
        400 if form.errors else 200
    )


@bp.route("/two-factor/enrol", methods=["GET", "POST"])
def enrol():
    """Turn two-factor authentication on: during sign-in (required roles) or from the account
    page (anyone signed in)."""
    if current_user.is_authenticated:
        user = current_user
        if user.two_factor_enabled:
            return redirect(url_for("auth.account"))
    else:
        user = _pending_user()
        if flow.next_step(user) != "auth.enrol":  # no step can be skipped by its address
            return flow.advance()
    form = CodeForm()
    if form.validate_on_submit():
        # keep_refusal: the secret shown stays, so the QR code already scanned stays valid.
        confirmed, codes = saved_or_shown(
            form, lambda: two_factor.confirm(user, form.code.data), keep_refusal=True
        )
        if confirmed:
            target = url_for("auth.account")
            if not current_user.is_authenticated:
                flow.mark_verified()
                target = flow.finish(user)
            return render_template("auth/recovery_codes.html", codes=codes, target=target)
    secret = two_factor.pending_secret(user)
    db.session.commit()
    form.code.data = ""
    return render_template(
        "auth/enrol.html",
        form=form,
        secret=secret,
        qr=two_factor.qr_data_uri(user, secret),
        required=two_factor.required_for(user),
    ), 400 if form.errors else 200


@bp.post("/sign-out")
@login_required
def sign_out():
    """End the staff member's session on the server, then in the browser."""
    services.end_session(current_user.session_secret)
    log_security_event("sign_out", "success", account=current_user.email)
    db.session.commit()
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.sign_in"))
