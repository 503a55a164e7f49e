"""Error pages and security headers common to every blueprint."""

from urllib.parse import urlsplit

from flask import (
    Flask,
    Request,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
)
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property

from registration.errors import DomainError
from registration.extensions import db


def _without_nul(values: MultiDict) -> ImmutableMultiDict:
    """The same fields with NUL characters removed."""
    return ImmutableMultiDict(
        (key.replace("\x00", ""), value.replace("\x00", ""))
        for key, value in values.items(multi=True)
    )


class AppRequest(Request):
    """Form fields and query strings never carry NUL characters.

    No one types them, PostgreSQL can neither store nor compare them, and dropping them keeps
    everything else a person typed.
    """

    def _load_form_data(self) -> None:
        super()._load_form_data()
        self.__dict__["form"] = _without_nul(self.__dict__["form"])

    @cached_property
    def args(self) -> ImmutableMultiDict:
        return _without_nul(Request.args.fget(self))


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with no signer built for a request without the cookie.

    Devices never send one: each scan would otherwise build a serializer for nothing to check.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def _refuse_nul_in_path() -> None:
    """A NUL in the path is no one's typing: 404, never a database error.

    JSON bodies are checked where they are parsed (desk.payloads), after each endpoint has set
    its own size limit.
    """
    if "\x00" in request.path:
        abort(404)


class DatabaseIntegerConverter(IntegerConverter):
    """<int:…> limited to what an INTEGER column holds: a larger id is a 404, never a 500."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _forget_cached_user() -> None:
    """Each request resolves its own signed-in user.

    Flask-Login caches the user in ``g``; a request that runs inside an outer application
    context (the test suite's, or a command's) must not inherit a user loaded before it.
    """
    g.pop("_login_user", None)


def _wants_json() -> bool:
    """API clients get JSON errors; people get pages."""
    return request.path.startswith("/api/")


def _error_page(error: HTTPException):
    """Render an HTTP error as a page (or JSON under /api) in the reader's language."""
    messages = {
        400: _("The request could not be understood."),
        403: _("You are not allowed to see this page."),
        404: _("This page does not exist."),
        405: _("This action is not allowed here."),
        413: _("The upload is too large."),
        429: _("Too many attempts. Please wait a few minutes and try again."),
        500: _("Something went wrong on our side. Please try again."),
    }
    code = error.code or 500
    if code >= 500:
        # The failed transaction must not break the error page itself (it shows current_user).
        db.session.rollback()
    message = messages.get(code, error.description)
    if isinstance(error, CSRFError):
        message = _("The form expired. Please go back, reload the page and try again.")
    if _wants_json():
        return jsonify(status="error", reason=f"http_{code}", message=message), code
    return render_template("errors/error.html", code=code, message=message), code


def _came_from() -> str | None:
    """The page of this site that sent the request, if the browser said so."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host or not referrer.path.startswith("/"):
        return None
    return referrer.path + (f"?{referrer.query}" if referrer.query else "")


def _domain_error(error: DomainError):
    """The one place where a refusal no view turned into a form message becomes an answer.

    The request's work is rolled back. API clients get ``{"status": "error", "reason": code,
    "message"}``; a person who pressed a button goes back to the page they were on with the
    message shown, otherwise the message is the page, with the error's HTTP status.
    """
    db.session.rollback()
    if _wants_json():
        return jsonify(status="error", reason=error.code, message=error.message), error.status
    back = _came_from()
    if request.method == "POST" and back is not None:
        flash(error.message, "warning")
        return redirect(back, 303)
    return render_template("errors/error.html", code=error.status, message=error.message), (
        error.status
    )


def _untrusted_host(error: SecurityError):
    """A Host header outside TRUSTED_HOSTS: a plain answer, since no URL can be built for it."""
    return _("The request could not be understood."), 400, {"Content-Type": "text/plain"}


def _security_headers(response):
    """Deny framing and sniffing; scripts and styles only from this app; HTTPS only once seen
    over HTTPS; nothing but our static files kept in any cache."""
    if request.endpoint != "static" and "no-store" not in (
        response.headers.get("Cache-Control") or ""
    ):
        # Pages show personal data or sit behind secret links, downloads are personal data:
        # neither a shared computer's browser cache nor a proxy may keep them.
        response.headers["Cache-Control"] = "no-store"
    if request.is_secure and (seconds := current_app.config["HSTS_SECONDS"]):
        response.headers.setdefault("Strict-Transport-Security", f"max-age={seconds}")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
        "style-src 'self'; script-src 'self'; frame-ancestors 'none'",
    )
    return response


def init_app(app: Flask) -> None:
    """Install the error handlers and response headers, and the `do` tag the form macros use."""
    app.jinja_env.add_extension("jinja2.ext.do")
    app.before_request(_refuse_nul_in_path)
    app.before_request(_forget_cached_user)
    app.register_error_handler(HTTPException, _error_page)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(SecurityError, _untrusted_host)
    app.after_request(_security_headers)
