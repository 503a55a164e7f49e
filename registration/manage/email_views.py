"""Bulk email to the filtered registrations (see bulk_email.py), and the editable status emails."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registration.auth.decorators import role_required
from registration.delegates import filters, placeholders
from registration.delegates import status_emails as emails
from registration.delegates.email_templates import EmailTemplate
from registration.delegates.models import Registration
from registration.errors import DomainError, attach_error
from registration.events.lookup import load_event
from registration.extensions import db
from registration.manage import bulk_email, services
from registration.manage.forms import EmailTemplateForm, email_form
from registration.manage.views import WRITE_ROLES, bp
from registration.outcomes import saved_or_shown


def _reference_preview(event, form, texts: dict, languages: list[str]):
    """The preview for the registration named in the form, if one is named; None otherwise.
    An unknown reference is a form error."""
    reference = (form.preview_reference.data or "").strip().upper()
    if not reference:
        return None
    target = db.session.execute(
        db.select(Registration).where(
            Registration.event_id == event.id, Registration.reference == reference
        )
    ).scalar_one_or_none()
    if target is None:
        form.preview_reference.errors = [_("No registration has this reference.")]
        return None
    language = bulk_email.choose_language(target.language, texts, languages)
    subject, text = bulk_email.preview_message(target, *texts[language], language)
    return bulk_email.Preview(
        language, bulk_email.language_name(language), 1, target, subject, text
    )


@bp.route("/e/<slug>/email", methods=["GET", "POST"])
@role_required(*WRITE_ROLES)
def compose(slug: str):
    """Write to the registrations of the list's filter (active ones unless the filter names
    statuses) in each meeting language: preview per language, confirm the count, then the
    messages are written by a job whose progress the sender follows (registrars).

    The filter travels in the query string, so the page's own URL keeps it.
    """
    event = load_event(slug)
    flt = bulk_email.recipient_filter(filters.parse_filter(request.args))
    languages = bulk_email.meeting_languages(event)
    form = email_form(languages, {code: bulk_email.language_name(code) for code in languages})
    count = filters.count_matching(event, flt)
    previews, extra = None, None
    if form.validate_on_submit():
        texts = form.texts(languages)
        try:
            if form.send.data and form.confirm.data:
                job = bulk_email.queue_bulk_email(
                    event, flt, texts, by=current_user, expected=_int(form.expected.data)
                )
                db.session.commit()
                flash(_("The messages are being written; follow their progress here."), "success")
                return redirect(url_for("jobs.job", token=job.token))
            if form.send.data:
                form.confirm.errors = [_("Read the previews, then tick the box to send.")]
            previews = bulk_email.previews(event, flt, texts)
            extra = _reference_preview(event, form, texts, languages)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
            previews = None
    form.expected.data = str(count)
    return render_template(
        "manage/email.html",
        event=event,
        flt=flt,
        form=form,
        count=count,
        defaulted=not request.args.getlist("status"),
        languages=languages,
        first_language=bulk_email.language_name(languages[0]),
        previews=previews,
        extra=extra,
        placeholders=placeholders.PLACEHOLDERS,
    ), 400 if form.errors else 200


def _int(value: str | None) -> int:
    """The confirmed count from the form (-1 when missing or malformed: never matches)."""
    return int(value) if value and value.isdigit() and len(value) < 10 else -1


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
