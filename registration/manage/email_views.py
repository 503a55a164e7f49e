"""Bulk email to the filtered registrations, and the editable status emails."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import selectinload

from registration.auth.decorators import role_required
from registration.delegates import filters, placeholders
from registration.delegates import status_emails as emails
from registration.delegates.email_templates import EmailTemplate
from registration.delegates.models import Registration
from registration.errors import DomainError
from registration.events.lookup import load_event
from registration.extensions import db
from registration.manage import services
from registration.manage.forms import EmailForm, EmailTemplateForm
from registration.manage.views import WRITE_ROLES, bp
from registration.outcomes import saved_or_shown


def _preview_target(event, flt, reference: str) -> Registration | None:
    """The registration a preview is written for: the one named, else the first match."""
    if reference:
        return db.session.execute(
            db.select(Registration).where(
                Registration.event_id == event.id,
                Registration.reference == reference.strip().upper(),
            )
        ).scalar_one_or_none()
    return db.session.execute(filters.select_registrations(event, flt).limit(1)).scalar()


@bp.route("/e/<slug>/email", methods=["GET", "POST"])
@role_required(*WRITE_ROLES)
def compose(slug: str):
    """Write to every registration of the list's filter: preview for one, then send (registrars).

    The filter travels in the query string, so the page's own URL keeps it.
    """
    event = load_event(slug)
    flt = filters.parse_filter(request.args)
    form = EmailForm()
    preview = None
    if form.validate_on_submit():
        if form.send.data:
            recipients = db.session.execute(
                filters.select_registrations(event, flt).options(
                    selectinload(Registration.sessions)
                )
            ).scalars()
            try:
                count = services.send_bulk_email(recipients, form.subject.data, form.body.data)
            except DomainError as error:
                db.session.rollback()
                flash(error.message, "warning")
            else:
                db.session.commit()
                flash(
                    ngettext("%(num)d message queued.", "%(num)d messages queued.", count),
                    "success",
                )
                return redirect(url_for("manage.registrations", slug=slug, **flt.to_args()))
        else:
            target = _preview_target(event, flt, form.preview_reference.data or "")
            if target is None:
                form.preview_reference.errors = [_("No registration has this reference.")]
            else:
                preview = (
                    target,
                    *services.preview_email(target, form.subject.data, form.body.data),
                )
    return render_template(
        "manage/email.html",
        event=event,
        flt=flt,
        form=form,
        count=filters.count_matching(event, flt),
        preview=preview,
        placeholders=placeholders.PLACEHOLDERS,
    ), 400 if form.errors else 200


def _check_template_args(kind: str, language: str) -> None:
    """404 for an email or a language the event does not have."""
    if kind not in emails.STATUS_KINDS or language not in current_app.config["LANGUAGES"]:
        abort(404)


@bp.get("/e/<slug>/email-templates")
@role_required(*WRITE_ROLES)
def email_templates(slug: str):
    """The status emails and which ones this event overrides, per language (registrars)."""
    event = load_event(slug)
    overridden = {
        (kind, language)
        for kind, language in db.session.execute(
            db.select(EmailTemplate.kind, EmailTemplate.language).where(
                EmailTemplate.event_id == event.id
            )
        )
    }
    return render_template(
        "manage/email_templates.html",
        event=event,
        kinds=emails.STATUS_KINDS,
        labels=emails.KIND_LABELS,
        languages=current_app.config["LANGUAGES"],
        overridden=overridden,
    )


@bp.route("/e/<slug>/email-templates/<kind>/<language>", methods=["GET", "POST"])
@role_required(*WRITE_ROLES)
def email_template(slug: str, kind: str, language: str):
    """Write this event's subject and message for one status email in one language (registrars).

    Empty fields restore the standard text.
    """
    event = load_event(slug)
    _check_template_args(kind, language)
    override = emails.find_override(event.id, kind, language)
    form = EmailTemplateForm(obj=override)
    if form.validate_on_submit():
        done, saved = saved_or_shown(
            form,
            lambda: services.save_email_template(
                event,
                kind,
                language,
                form.subject.data or "",
                form.body.data or "",
                by=current_user,
            ),
        )
        if done:
            flash(_("Saved.") if saved else _("The standard text is used again."), "success")
            return redirect(url_for("manage.email_templates", slug=slug))
    return render_template(
        "manage/email_template.html",
        event=event,
        kind=kind,
        label=emails.KIND_LABELS[kind],
        language=language,
        form=form,
        placeholders=placeholders.PLACEHOLDERS,
    ), 400 if form.errors else 200
