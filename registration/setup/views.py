"""Event setup pages for admins: the event, categories, entities (and CSV import), sessions."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registration.auth.decorators import role_required
from registration.auth.models import Role
from registration.collation import sort_key
from registration.errors import DomainError
from registration.events.lookup import load_event
from registration.events.models import AgendaSession, Category, Entity, Event
from registration.extensions import db
from registration.i18n import current_language
from registration.outcomes import saved_or_shown
from registration.setup import entity_import, services
from registration.setup.forms import (
    CategoryForm,
    ConfirmImportForm,
    EntityForm,
    EventForm,
    ImportForm,
    SessionForm,
    fill_translations,
    show_languages,
    translations,
)

#: The {language: text} fields of each form.
_EVENT_TEXTS = ("title", "series", "organiser", "venue")
_SESSION_TEXTS = ("title", "description")

bp = Blueprint("setup", __name__, url_prefix="/manage/e/<slug>/setup")


def _owned(model, event: Event, item_id: int):
    """A category, entity or session of ``event``; 404 otherwise (pages never cross events)."""
    item = db.session.get(model, item_id)
    if item is None or item.event_id != event.id:
        abort(404)
    return item


def _save(form, call, message: str, target: str, **values):
    """Run one service with the form's data; commit and redirect, or keep the form with errors.

    Returns the redirect, or None when the form must be shown again.
    """
    if not form.validate_on_submit():
        return None
    saved, _result = saved_or_shown(form, call)
    if not saved:
        return None
    flash(message, "success")
    return redirect(url_for(target, **values))


# The event ------------------------------------------------------------------------------------


@bp.route("/", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def event(slug: str):
    """Edit the event: titles, dates, venue, registration window, capacity, moderation (admins)."""
    item = load_event(slug)
    form = EventForm()
    if request.method == "GET":
        form.process(obj=item)
        for prefix in _EVENT_TEXTS:
            fill_translations(form, prefix, getattr(item, prefix))
        form.badge_language.data = item.badge_language or ""
        form.registration_opens.data = services.to_local(item.registration_opens, item.timezone)
        form.registration_closes.data = services.to_local(item.registration_closes, item.timezone)

    def call():
        services.update_event(
            item,
            services.EventData(
                title=translations(form, "title"),
                start_date=form.start_date.data,
                end_date=form.end_date.data,
                timezone=form.timezone.data,
                series=translations(form, "series"),
                organiser=translations(form, "organiser"),
                venue=translations(form, "venue"),
                badge_language=form.badge_language.data or "",
                registration_opens=form.registration_opens.data,
                registration_closes=form.registration_closes.data,
                capacity=form.capacity.data,
                moderation=form.moderation.data,
                review_fields=form.review_fields.data or [],
                secretariat_email=form.secretariat_email.data or "",
                practical_info=form.practical_info.data or "",
                # Empty keeps the current period (a form from before the setting existed).
                retention_days=(
                    item.retention_days
                    if form.retention_days.data is None
                    else form.retention_days.data
                ),
            ),
            by=current_user,
        )

    done = _save(form, call, _("The meeting is saved."), ".event", slug=slug)
    show_languages(form, item, *_EVENT_TEXTS)
    return done or _page("setup/event.html", item, form=form)


def _page(template: str, event: Event, **context):
    """A setup page; 400 after a refused submission, so that tests and tools see the refusal."""
    status = 400 if request.method == "POST" else 200
    return render_template(template, event=event, **context), status


# Categories -----------------------------------------------------------------------------------


def _category_data(form: CategoryForm, code: str) -> services.CategoryData:
    """The form's values as plain data."""
    return services.CategoryData(
        code=code,
        name=translations(form, "name"),
        badge_colour=form.badge_colour.data or "",
        position=form.position.data or 0,
    )


@bp.route("/categories", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def categories(slug: str):
    """List the categories in order and add one (admins)."""
    item = load_event(slug)
    form = CategoryForm()
    if request.method == "GET":
        form.position.data = max((c.position for c in item.categories), default=-1) + 1
    done = _save(
        form,
        lambda: services.save_category(item, _category_data(form, form.code.data), by=current_user),
        _("The category is added."),
        ".categories",
        slug=slug,
    )
    show_languages(form, item, "name")
    return done or _page("setup/categories.html", item, form=form)


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def category(slug: str, category_id: int):
    """Change a category's names, colour and position (admins)."""
    item = load_event(slug)
    target = _owned(Category, item, category_id)
    form = CategoryForm()
    del form.code
    if request.method == "GET":
        form.process(obj=target)
        fill_translations(form, "name", target.name)
    done = _save(
        form,
        lambda: services.save_category(
            item, _category_data(form, target.code), category=target, by=current_user
        ),
        _("The category is saved."),
        ".categories",
        slug=slug,
    )
    show_languages(form, item, "name")
    return done or _page("setup/category.html", item, form=form, category=target)


# Entities -------------------------------------------------------------------------------------


def _entity_data(form: EntityForm) -> services.EntityData:
    """The form's values as plain data."""
    return services.EntityData(
        category_id=int(form.category.data),
        name=form.name.data or "",
        iso_code=form.iso_code.data or "",
        quota=form.quota.data,
        names=translations(form, "names"),
    )


@bp.route("/entities", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def entities(slug: str):
    """List the States and organisations with their quotas, and add one (admins)."""
    item = load_event(slug)
    form = EntityForm().for_event(item)
    done = _save(
        form,
        lambda: services.save_entity(item, _entity_data(form), by=current_user),
        _("The State or organisation is added."),
        ".entities",
        slug=slug,
    )
    positions = {c.id: c.position for c in item.categories}
    language = current_language()
    listed = sorted(
        item.entities, key=lambda e: (positions[e.category_id], sort_key(e.name_in(), language))
    )
    show_languages(form, item, "names")
    return done or _page("setup/entities.html", item, form=form, entities=listed)


@bp.route("/entities/<int:entity_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def entity(slug: str, entity_id: int):
    """Change an entity: name or ISO code, category, quota (admins)."""
    item = load_event(slug)
    target = _owned(Entity, item, entity_id)
    form = EntityForm().for_event(item)
    if request.method == "GET":
        form.process(obj=target)
        form.category.data = str(target.category_id)
        fill_translations(form, "names", target.names)
    done = _save(
        form,
        lambda: services.save_entity(item, _entity_data(form), entity=target, by=current_user),
        _("The State or organisation is saved."),
        ".entities",
        slug=slug,
    )
    show_languages(form, item, "names")
    for code in form.languages:  # what is printed while the override stays empty
        form[f"names_{code}"].render_kw["placeholder"] = target.name_in(code)
    return done or _page("setup/entity.html", item, form=form, entity=target)


@bp.route("/entities/import", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def import_entities(slug: str):
    """Upload a CSV of States or organisations and preview what it would add (admins)."""
    item = load_event(slug)
    form = ImportForm().for_event(item)
    if form.validate_on_submit():
        target = _owned(Category, item, int(form.category.data))
        previewed, result = saved_or_shown(
            form,
            lambda: entity_import.preview(
                item, target, entity_import.decode(form.file.data.read())
            ),
        )
        if previewed:
            confirm = ConfirmImportForm(formdata=None, category=target.id, text=result.text)
            return render_template(
                "setup/import_preview.html", event=item, result=result, form=confirm
            )
    return _page("setup/import.html", item, form=form)


@bp.post("/entities/import/confirm")
@role_required(Role.ADMIN)
def confirm_import(slug: str):
    """Import the previewed file's new entities (admins); the text is checked again."""
    item = load_event(slug)
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    target = _owned(Category, item, form.category.data)
    try:
        result = entity_import.import_entities(item, target, form.text.data, by=current_user)
    except DomainError as error:
        # Refused after the preview (the list changed meanwhile): back to the upload page.
        db.session.rollback()
        flash(error.message, "warning")
        return redirect(url_for(".import_entities", slug=slug))
    db.session.commit()
    flash(
        _(
            "%(added)d added, %(existing)d already in the list, %(rejected)d rejected.",
            added=len(result.new),
            existing=len(result.existing),
            rejected=len(result.rejected),
        ),
        "success",
    )
    return redirect(url_for(".entities", slug=slug))


# Agenda sessions ------------------------------------------------------------------------------


def _session_data(form: SessionForm, code: str) -> services.SessionData:
    """The form's values as plain data."""
    return services.SessionData(
        code=code,
        title=translations(form, "title"),
        description=translations(form, "description"),
        kind=form.kind.data or "",
        starts_at=form.starts_at.data,
        ends_at=form.ends_at.data,
        room=form.room.data or "",
        moderator=form.moderator.data or "",
        speakers=(form.speakers.data or "").splitlines(),
        capacity=form.capacity.data,
    )


@bp.route("/sessions", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def sessions(slug: str):
    """List the agenda and add a session (admins)."""
    item = load_event(slug)
    form = SessionForm()
    done = _save(
        form,
        lambda: services.save_session(item, _session_data(form, form.code.data), by=current_user),
        _("The session is added."),
        ".sessions",
        slug=slug,
    )
    show_languages(form, item, *_SESSION_TEXTS)
    return done or _page("setup/sessions.html", item, form=form)


@bp.route("/sessions/<int:session_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def agenda_session(slug: str, session_id: int):
    """Change a session: title, times, room, speakers, capacity (admins)."""
    item = load_event(slug)
    target = _owned(AgendaSession, item, session_id)
    form = SessionForm()
    del form.code
    if request.method == "GET":
        form.process(obj=target)
        form.starts_at.data = services.to_local(target.starts_at, item.timezone)
        form.ends_at.data = services.to_local(target.ends_at, item.timezone)
        form.speakers.data = "\n".join(target.speakers or [])
        for prefix in _SESSION_TEXTS:
            fill_translations(form, prefix, getattr(target, prefix))
    done = _save(
        form,
        lambda: services.save_session(
            item, _session_data(form, target.code), session=target, by=current_user
        ),
        _("The session is saved."),
        ".sessions",
        slug=slug,
    )
    show_languages(form, item, *_SESSION_TEXTS)
    return done or _page("setup/session.html", item, form=form, session=target)
