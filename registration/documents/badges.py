"""Badges: plain data per registration, their layouts, their HTML and the keys of their pages.

Each badge page is rendered once per content (badge_pages.py): its file name is a hash of what
it shows, the layout and the template, so a changed registration, category colour or template
simply misses the cache. Batches (see merging.py) merge cached pages, which pikepdf copies in
about a millisecond each, after the missing ones are rendered in chunks (by several workers at
once for a large batch: see documents/tasks.py).
"""

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import segno
import weasyprint
from babel.dates import format_interval
from flask import render_template
from flask_babel import force_locale
from markupsafe import Markup

from registration import storage
from registration.delegates.models import BADGE, grammatical_gender, honorific_label
from registration.documents import pdf
from registration.documents.fitting import Box, fit
from registration.events.models import Event
from registration.security import unseal_token

#: Stylesheet of every badge layout.
STYLESHEET = "badge.css"
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_FALLBACK_COLOUR = "#404040"


@dataclass(frozen=True)
class Layout:
    """A badge size and the boxes its texts are fitted into."""

    code: str
    width_mm: float
    height_mm: float
    title: Box
    given: Box
    family: Box
    organisation: Box
    category: Box
    #: The photo's box: from the left edge, from the top, width, height (mm; as in badge.css).
    photo_mm: tuple[float, float, float, float] = (8, 25, 30, 40)
    #: The QR code's square: from the right edge, from the top, side (mm; as in badge.css).
    qr_mm: tuple[float, float, float] = (8, 25, 34)


LAYOUTS = {
    "a6": Layout(
        "a6",
        105,
        148,
        title=Box(93, 12, 12, 8, max_lines=3, bold=True),
        given=Box(93, 12, 20, 14, max_lines=2),
        family=Box(93, 16, 30, 20, max_lines=2, bold=True),
        organisation=Box(93, 19, 16, 11, max_lines=3),
        category=Box(93, 14, 18, 11, max_lines=2, bold=True),
    ),
    "card": Layout(
        "card",
        54,
        85.6,
        title=Box(50, 7, 8, 5, max_lines=2, bold=True),
        given=Box(50, 6.5, 11, 7, max_lines=2),
        family=Box(50, 9.5, 15, 10, max_lines=2, bold=True),
        organisation=Box(50, 10.5, 9, 6, max_lines=3),
        category=Box(50, 8, 10, 6, max_lines=2, bold=True),
        photo_mm=(3, 13, 19, 25.3),
        qr_mm=(3, 13, 22),
    ),
}
#: Printable outputs: the badge layout they use and whether four go on an A4 sheet.
OUTPUTS = {"a6": ("a6", False), "card": ("card", False), "a4-4up": ("a6", True)}


def safe_colour(value: str | None) -> str:
    """A #RRGGBB colour, or the neutral grey: nothing else reaches a style attribute."""
    return value if value and _COLOUR.match(value) else _FALLBACK_COLOUR


def text_colour(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (#RRGGBB)."""
    red, green, blue = (int(background[i : i + 2], 16) / 255 for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return "#000000" if luminance > 0.55 else "#ffffff"


def badge_language(event: Event) -> str:
    """The language of the badges' texts: the meeting's setting, else its first language."""
    return event.badge_language or event.first_language


class BadgeData:
    """Builds the plain content of badges for one event (lookups made once per batch)."""

    def __init__(self, event: Event):
        self.language = badge_language(event)
        self.title = event.title_in(self.language)
        self.dates = format_interval(
            event.start_date, event.end_date, "yMMMMd", locale=self.language
        )
        self.categories = {
            category.id: (category.name_in(self.language), safe_colour(category.badge_colour))
            for category in event.categories
        }
        self.entities = {entity.id: entity.name_in(self.language) for entity in event.entities}

    @cache  # noqa: B019 (one BadgeData per batch: the cache dies with it)
    def _honorific(self, honorific: str, gender: str) -> str:
        """The honorific in the badge language, feminine where the language has a form."""
        with force_locale(self.language):
            return honorific_label(honorific, grammatical_gender(honorific, gender))

    def content(self, row) -> dict:
        """What one badge shows, from a registration (or a row with the same attributes)."""
        category, colour = self.categories[row.category_id]
        return {
            "reference": row.reference,
            "token": unseal_token(BADGE, row.badge_token_sealed, row.badge_token_hash),
            "honorific": self._honorific(row.honorific, row.gender),
            "given_name": row.given_name,
            "family_name": row.family_name.upper(),
            "organisation": self.entities.get(row.entity_id) or row.other_organisation,
            "category": category,
            "colour": colour,
            "title": self.title,
            "dates": self.dates,
            "photo": row.photo,
            "language": self.language,
        }


def fingerprint() -> str:
    """What else a page depends on: the template, its stylesheet and WeasyPrint's version."""
    digest = hashlib.sha256(weasyprint.__version__.encode())
    for name in ("badge.html", STYLESHEET):
        digest.update((pdf.TEMPLATE_DIR / name).read_bytes())
    return digest.hexdigest()[:16]


def page_key(content: dict, layout: str, template: str) -> str:
    """The cache key of one badge page."""
    text = json.dumps([layout, template, content], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def page_file(layout: str, key: str) -> str:
    """The storage key of a cached page."""
    return storage.key(storage.BADGE_PAGES, layout, key[:2], f"{key}.pdf")


def _qr_svg(token: str) -> Markup:
    """A vector QR code holding only the badge token (segno's SVG has no user text)."""
    return Markup(segno.make(token, error="m").svg_inline(border=4, omitsize=True))


def _view(content: dict, layout: Layout, inline_qr: bool) -> dict:
    """The content with its texts fitted to the layout's boxes (and its QR code as SVG)."""
    given = " ".join(part for part in (content["honorific"], content["given_name"]) if part)
    return {
        **content,
        "ink": text_colour(content["colour"]),
        "qr": _qr_svg(content["token"]) if inline_qr else "",
        "fit": {
            "title": fit(content["title"], layout.title),
            "given": fit(given, layout.given),
            "family": fit(content["family_name"], layout.family),
            "organisation": fit(content["organisation"], layout.organisation),
            "category": fit(content["category"], layout.category),
        },
    }


def badge_html(contents: Sequence[dict], layout: str, *, part: str = "all") -> str:
    """The HTML of ``contents`` as one page each (needs the application for the template).

    ``part`` "all" is a self-contained document (QR codes as SVG, photos as images); cached
    pages are drawn in layers instead (see badge_pages): the "static" part badges share, the
    "text" part of each person, then the photo and QR code stamped in.
    """
    spec = LAYOUTS[layout]
    return render_template(
        "documents/badge.html",
        layout=spec,
        part=part,
        language=contents[0]["language"] if contents else "en",
        badges=[_view(content, spec, part == "all") for content in contents],
    )


#: What the "static" part of a badge shows: the same for every badge of a category.
STATIC_FIELDS = ("title", "dates", "category", "colour", "language")


def static_key(content: dict, layout: str, template: str) -> str:
    """The key of a badge's static part."""
    return page_key({name: content[name] for name in STATIC_FIELDS}, layout, template)
