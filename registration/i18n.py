"""Locale and timezone selection, and helpers that show data in the reader's language."""

from datetime import date, datetime, time, tzinfo
from functools import cache, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, dates, numbers
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import force_locale, get_locale, get_timezone, refresh
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from registration.collation import collated
from registration.countries import STATELESS, all_countries, find_country

#: Babel locale used to format dates and numbers for each interface language. English pages
#: follow British usage (30/11/2026, 24-hour clock), as the UN in Geneva writes; never 11/30/26.
FORMAT_LOCALES = {"en": "en_GB", "fr": "fr_FR", "es": "es_ES"}


def select_locale() -> str:
    """?lang= (remembered in the session), then the browser's preference, then English."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # commands and the worker: the default language
        return languages[0]
    requested = request.args.get("lang")
    if requested in languages:
        session["lang"] = requested
    if session.get("lang") in languages:
        return session["lang"]
    return request.accept_languages.best_match(languages) or languages[0]


def select_timezone() -> str:
    """Pages about an event show its local time; other pages the meetings' common zone, or UTC."""
    if not has_request_context():
        return "UTC"
    zone = getattr(g, "event_timezone", None)
    if zone is None:
        zone = g.event_timezone = _common_timezone()
    return zone


def _common_timezone() -> str:
    """The timezone of every event when they share one (the mail log, the staff pages)."""
    from registration.events.models import Event  # events imports this module
    from registration.extensions import db

    try:
        zones = db.session.execute(db.select(Event.timezone).distinct().limit(2)).scalars().all()
    except SQLAlchemyError:  # an error page while the database is unwell still renders
        return "UTC"
    return zones[0] if len(zones) == 1 else "UTC"


def current_language() -> str:
    """The two-letter language of the current request."""
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])[:2]


def localised(
    values: dict[str, str] | None, language: str | None = None, fallback: str = "en"
) -> str:
    """The text for ``language`` from a {lang: text} dict, else ``fallback``'s, else any."""
    if not values:
        return ""
    language = language or current_language()
    return values.get(language) or values.get(fallback) or next(iter(values.values()), "")


def country_name(iso_code: str | None, language: str | None = None) -> str:
    """The UN short name of a State or territory in ``language`` (the reader's by default)."""
    if not iso_code:
        return ""
    if iso_code.upper() == STATELESS:
        return _("Other / stateless")
    country = find_country(iso_code)
    return country.name(language or current_language()) if country else iso_code


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    """(ISO code, UN name) of every State, in ``language``'s order, then "Other / stateless"."""
    language = language or current_language()
    states = [(c.iso2, c.name(language)) for c in all_countries() if c.is_state]
    with force_locale(language):
        stateless = _("Other / stateless")
    return [*collated(states, language, key=lambda c: c[1]), (STATELESS, stateless)]


def _format_locale() -> Locale:
    """The Babel locale for dates and numbers on this page."""
    language = current_language()
    return _babel_locale(FORMAT_LOCALES.get(language, language))


@cache
def _babel_locale(code: str) -> Locale:
    """A parsed Babel locale (parsed once: formatting a date otherwise parses it each time)."""
    return Locale.parse(code)


def format_datetime(moment: datetime | None, format: str = "medium", zone: str | None = None):
    """A moment in the page's locale and the event's timezone (or ``zone``)."""
    if moment is None:
        return ""
    tzinfo = ZoneInfo(zone) if zone else get_timezone()
    return dates.format_datetime(moment, format, tzinfo=tzinfo, locale=_format_locale())


def format_minute(moment: datetime | None) -> str:
    """A moment to the minute ("short": date, hours and minutes) in the page's locale and the
    event's timezone.

    Remembered per minute, timezone and language: the scans of a busy door within one minute
    all show the same text, which Babel took about 4 % of a scan's processor time to format.
    """
    if moment is None:
        return ""
    minute = moment.replace(second=0, microsecond=0)
    return _short_datetime(minute, get_timezone(), _format_locale())


@lru_cache(maxsize=256)
def _short_datetime(minute: datetime, zone: tzinfo, locale: Locale) -> str:
    """Babel's short date and time of ``minute`` (whose format shows no seconds)."""
    return dates.format_datetime(minute, "short", tzinfo=zone, locale=locale)


def format_date(day: date | datetime | None, format: str = "medium") -> str:
    """A date in the page's locale (a moment is first put in the event's timezone)."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = day.astimezone(get_timezone()).date()
    return dates.format_date(day, format, locale=_format_locale())


def format_time(moment: datetime | time | None, format: str = "short") -> str:
    """A time of day in the page's locale and the event's timezone."""
    if moment is None:
        return ""
    tzinfo = get_timezone() if isinstance(moment, datetime) else None
    return dates.format_time(moment, format, tzinfo=tzinfo, locale=_format_locale())


def format_number(value: int | float) -> str:
    """A number with the page's digit grouping (1,234 · 1 234 · 1234)."""
    return numbers.format_decimal(value, locale=_format_locale())


def collate(items, attribute: str | None = None) -> list:
    """Template filter: ``items`` in the reader's alphabetical order, by their name in the
    reader's language (``name_in()``), ``attribute`` or their text."""

    def text(item) -> str:
        if attribute:
            return str(getattr(item, attribute))
        return item.name_in() if hasattr(item, "name_in") else str(item)

    return collated(items, current_language(), key=text)


def colon(label: str) -> str:
    """``label`` followed by a colon as the page's language writes it ("Nom :" in French,
    with a no-break space so that the colon never starts a line)."""
    return f"{label}\u00a0:" if current_language() == "fr" else f"{label}:"


def local_time(moment: datetime | None, timezone: str) -> datetime | None:
    """A UTC moment expressed in the event's timezone."""
    return moment.astimezone(ZoneInfo(timezone)) if moment else None


def init_app(app: Flask) -> None:
    """Expose the helpers to templates; choose the locale afresh for every request."""
    # A request can run inside an outer application context (the test suite does this), where
    # Flask-Babel would otherwise reuse the locale cached by an earlier request.
    app.before_request(refresh)
    app.jinja_env.globals.update(
        localised=localised, country_name=country_name, current_language=current_language
    )
    # Flask-Babel's filters format with the bare language ("en" = US dates): ours replace them.
    app.jinja_env.filters.update(
        datetimeformat=format_datetime,
        dateformat=format_date,
        timeformat=format_time,
        numberformat=format_number,
        colon=colon,
        collate=collate,
    )


def require_catalogues(app: Flask) -> None:
    """Refuse to start without the compiled catalogue of every meeting language.

    Flask-Babel silently falls back to English when a ``.mo`` file is missing, which would print
    English badges and lists for a French meeting; a deployment must fail at start-up instead.
    English is the language of the source strings and needs no catalogue.
    """
    folder = Path(app.root_path) / "translations"
    missing = [
        language
        for language in app.config["LANGUAGES"]
        if language != "en" and not (folder / language / "LC_MESSAGES" / "messages.mo").is_file()
    ]
    if missing:
        raise RuntimeError(
            f"Compiled message catalogues missing for {', '.join(missing)} in {folder}: "
            "run `make translations` (pybabel compile -d registration/translations) "
            "or install from a built wheel."
        )
