"""Locale and timezone selection, and helpers that show data in the reader's language."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pycountry
from babel import Locale
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import get_locale, refresh


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
    """Pages about an event show its local time; others UTC."""
    return (has_request_context() and getattr(g, "event_timezone", None)) or "UTC"


def current_language() -> str:
    """The two-letter language of the current request."""
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])[:2]


def localised(values: dict[str, str] | None, language: str | None = None) -> str:
    """Pick the text for ``language`` from a {lang: text} dict, falling back to English."""
    if not values:
        return ""
    language = language or current_language()
    return values.get(language) or values.get("en") or next(iter(values.values()))


def country_name(iso_code: str | None, language: str | None = None) -> str:
    """The name of a country in the reader's language (Babel's CLDR data)."""
    if not iso_code:
        return ""
    language = language or current_language()
    name = Locale.parse(language).territories.get(iso_code.upper())
    if name:
        return name
    country = pycountry.countries.get(alpha_2=iso_code.upper())
    return country.name if country else iso_code


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    """(ISO code, name) for every country, sorted by name in the reader's language."""
    language = language or current_language()
    names = Locale.parse(language).territories
    choices = [
        (country.alpha_2, names.get(country.alpha_2, country.name))
        for country in pycountry.countries
    ]
    return sorted(choices, key=lambda choice: choice[1])


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
