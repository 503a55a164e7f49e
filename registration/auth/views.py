"""Staff sign-in and sign-out."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from registration.auth import services
from registration.auth.forms import SignInForm
from registration.auth.models import Role
from registration.extensions import db, limiter

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _safe_next(target: str | None) -> str:
    """Only a path inside this app: no scheme, no host, no protocol-relative //host.

    Without one, check-in staff land on the desk and everyone else on the back office.
    """
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("desk.index" if current_user.role == Role.CHECKIN else "manage.dashboard")


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOGIN"],
    methods=["POST"],
    key_func=lambda: f"{request.remote_addr}:{request.form.get('email', '').strip().lower()}",
)
def sign_in():
    """Sign a staff member in (anyone may try; failures are throttled and logged)."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = SignInForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("Wrong email or password."))
        else:
            user.session_secret = services.start_session(
                user, request.headers.get("User-Agent", "")
            )
            db.session.commit()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/sign_in.html", form=form), 200 if not form.errors else 400


@bp.post("/sign-out")
@login_required
def sign_out():
    """End the staff member's session on the server, then in the browser."""
    services.end_session(current_user.session_secret)
    db.session.commit()
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.sign_in"))
