"""Badges, list of participants, exports, statistics and certificates (staff and delegates)."""

import io
from datetime import date

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from registration.auth.decorators import READ_ROLES, role_required, sees_special_category
from registration.auth.models import Role
from registration.auth.security_log import log_security_event
from registration.delegates.filters import count_matching, parse_filter
from registration.delegates.lookup import registration_for_link
from registration.delegates.models import Registration
from registration.documents import certificates, exports, services, statistics
from registration.documents.forms import BadgeBatchForm, ExportForm, ParticipantsForm
from registration.documents.tasks import PRINT_ROLES
from registration.errors import DomainError
from registration.events.lookup import load_event
from registration.events.models import Event
from registration.extensions import db
from registration.jobs import services as jobs

bp = Blueprint("documents", __name__)

#: Roles that may reprint one badge.
BADGE_ROLES = (Role.ADMIN, Role.REGISTRAR, Role.CHECKIN)
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Flask adds "; charset=utf-8" to text types itself: naming it here would print it twice.
CSV = "text/csv"


def _send(data: bytes, mimetype: str, name: str, *, inline: bool = False) -> Response:
    """A generated file that shared caches keep no copy of."""
    response = send_file(
        io.BytesIO(data), mimetype=mimetype, as_attachment=not inline, download_name=name
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _refused(message: str, back: str, status: int = 409) -> tuple[str, int]:
    """A page explaining why a document cannot be made, with a way back."""
    return render_template("documents/refused.html", message=message, back=back), status


def _registration_page(registration: Registration) -> str:
    """The back office's page of a registration."""
    return url_for("manage.registration", registration_id=registration.id)


@bp.get("/manage/registrations/<int:registration_id>/badge.pdf")
@role_required(*BADGE_ROLES)
def badge(registration_id: int):
    """One approved registration's badge, e.g. a reprint at the desk (admin, registrar, checkin).

    The badge counts as printed from then on, so that "new badges only" leaves it out.
    """
    registration = db.get_or_404(Registration, registration_id)
    try:
        data = services.render_badge(registration, request.args.get("layout", "a6"))
    except DomainError as error:
        return _refused(error.message, _registration_page(registration))
    services.mark_badges_printed([registration.id], by=current_user)
    db.session.commit()
    return _send(data, PDF, f"badge-{registration.reference}.pdf", inline=True)


@bp.get("/r/<token>/badge.pdf")
def own_badge(token: str):
    """One's own badge from the secret manage link, e.g. on a phone at the desk (its holder).

    Never marks the badge printed: the secretariat still prints it for the venue.
    """
    registration = registration_for_link(token)
    try:
        data = services.render_badge(registration, "a6")
    except DomainError as error:
        return _refused(error.message, url_for("delegates.manage", token=token), 403)
    return _send(data, PDF, f"badge-{registration.reference}.pdf", inline=True)


@bp.get("/manage/e/<slug>/documents")
@role_required(*READ_ROLES)
def index(slug: str):
    """Badges, list of participants, exports and statistics of an event (staff who read).

    The back office's filter in the query string narrows badges and exports.
    """
    event = load_event(slug)
    selection = parse_filter(request.args)
    return render_template(
        "documents/index.html",
        event=event,
        filter_args=selection.to_args(page=1, sort="created", descending=False),
        filtered=selection.is_filtered,
        matching=count_matching(event, selection),
        can_print=current_user.role in PRINT_ROLES,
        badge_form=BadgeBatchForm(),
        participants_form=ParticipantsForm(),
        export_form=ExportForm(),
        export_columns=exports.column_choices(special_category=sees_special_category()),
    )


def _start(kind: str, event: Event, params: dict, *, size: int = 0, download_name: str):
    """Queue a document job and show its progress; a refusal (too many jobs, too large) goes
    back to the documents page with its reason, the filter kept."""
    try:
        job = jobs.enqueue(
            kind,
            event=event,
            payload=params,
            by=current_user,
            size=size,
            download_name=download_name,
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "warning")
        return redirect(
            url_for("documents.index", slug=event.slug, **request.args.to_dict(flat=False))
        )
    db.session.commit()
    return redirect(url_for("jobs.job", token=job.token))


@bp.post("/manage/e/<slug>/badges")
@role_required(*PRINT_ROLES)
def print_badges(slug: str):
    """Start a batch of badges for the filter in the query string (admin, registrar)."""
    event = load_event(slug)
    form = BadgeBatchForm()
    if not form.validate():
        flash(_("Choose a layout and which badges to print."), "warning")
        return redirect(url_for("documents.index", slug=slug, **request.args.to_dict(flat=False)))
    selection = parse_filter(request.args)
    params = {
        "filter": selection.to_args(),
        "output": form.output.data,
        "crop_marks": form.crop_marks.data,
        "only_new": form.which.data == "new",
    }
    return _start(
        "badges",
        event,
        params,
        size=count_matching(event, selection),
        download_name=f"badges-{event.slug}-{date.today().isoformat()}.pdf",
    )


@bp.post("/manage/e/<slug>/participants")
@role_required(*READ_ROLES)
def participants(slug: str):
    """Start the list of participants in a language (staff who read)."""
    event = load_event(slug)
    form = ParticipantsForm()
    if not form.validate():
        flash(_("Choose a language."), "warning")
        return redirect(url_for("documents.index", slug=slug))
    language = form.language.data
    return _start(
        "participants",
        event,
        {"language": language, "official": form.official.data},
        download_name=f"participants-{event.slug}-{language}.pdf",
    )


@bp.post("/manage/e/<slug>/export")
@role_required(*READ_ROLES)
def export(slug: str):
    """Start an export of the filter's registrations as CSV or XLSX with chosen columns, in
    the chosen order (staff who read)."""
    event = load_event(slug)
    form = ExportForm()
    if not form.validate():
        flash(_("Choose a format and at least one column."), "warning")
        return redirect(url_for("documents.index", slug=slug, **request.args.to_dict(flat=False)))
    try:
        columns = exports.check_columns(form.columns.data, special_category=sees_special_category())
    except DomainError as error:
        flash(error.message, "warning")
        return redirect(url_for("documents.index", slug=slug, **request.args.to_dict(flat=False)))
    fmt = form.format.data
    selection = parse_filter(request.args)
    params = {"filter": selection.to_args(), "columns": columns, "format": fmt}
    return _start(
        "export",
        event,
        params,
        size=count_matching(event, selection),
        download_name=f"registrations-{event.slug}.{fmt}",
    )


@bp.get("/manage/e/<slug>/attendance.xlsx")
@role_required(*READ_ROLES)
def attendance(slug: str):
    """The attendance matrix: registrants × sessions with entry times (staff who read)."""
    event = load_event(slug)
    log_security_event("export", "success", account=current_user.email, file="attendance")
    return _send(exports.export_attendance(event), XLSX, f"attendance-{event.slug}.xlsx")


@bp.get("/manage/e/<slug>/statistics")
@role_required(*READ_ROLES)
def statistics_page(slug: str):
    """Charts of registrations by category, entity, gender, status, language (staff who read)."""
    event = load_event(slug)
    scope = request.args.get("scope", "active")
    scope = scope if scope in statistics.SCOPES else "active"
    return render_template(
        "documents/statistics.html",
        event=event,
        charts=statistics.statistics(event, scope),
        scope=scope,
        scopes=statistics.SCOPES,
    )


@bp.get("/manage/e/<slug>/statistics.csv")
@role_required(*READ_ROLES)
def statistics_csv(slug: str):
    """The statistics as CSV (staff who read)."""
    event = load_event(slug)
    scope = request.args.get("scope", "active")
    charts = statistics.statistics(event, scope if scope in statistics.SCOPES else "active")
    return _send(statistics.statistics_csv(charts), CSV, f"statistics-{event.slug}.csv")


@bp.get("/manage/registrations/<int:registration_id>/certificate.pdf")
@role_required(*READ_ROLES)
def staff_certificate(registration_id: int):
    """A delegate's certificate of attendance (staff who read)."""
    registration = db.get_or_404(Registration, registration_id)
    try:
        data = certificates.render_certificate(registration)
    except DomainError as error:
        return _refused(error.message, _registration_page(registration))
    return _send(data, PDF, f"certificate-{registration.reference}.pdf", inline=True)


@bp.get("/r/<token>/certificate.pdf")
def certificate(token: str):
    """One's own certificate of attendance, from the manage link (its holder)."""
    registration = registration_for_link(token)
    try:
        data = certificates.render_certificate(registration)
    except DomainError as error:
        return _refused(error.message, url_for("delegates.manage", token=token), 403)
    return _send(data, PDF, f"certificate-{registration.reference}.pdf", inline=True)
