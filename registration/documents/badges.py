"""Badges: plain data per registration, and a cache of rendered pages.

Each badge page is rendered once per content: its file name is a hash of what it shows, the
layout and the template, so a changed registration, category colour or template simply misses
the cache. Batches (see merging.py) merge cached pages, which pikepdf copies in about a
millisecond each, after the missing ones are rendered in chunks (by several workers at once
for a large batch: see documents/tasks.py).
"""

import hashlib
import io
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import segno
import weasyprint
from babel.dates import format_interval
from flask import current_app, render_template
from flask_babel import force_locale
from markupsafe import Markup

from registration.delegates.models import HONORIFICS
from registration.documents import pdf
from registration.documents.fitting import Box, fit
from registration.events.models import Event

#: Badges laid out in one WeasyPrint document when rendering a cold batch.
CHUNK = 10
#: Stylesheet of every badge layout.
STYLESHEET = "badge.css"
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_FALLBACK_COLOUR = "#404040"

Progress = Callable[[int, int], None]


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


LAYOUTS = {
    "a6": Layout(
        "a6",
        105,
        148,
        title=Box(93, 12, 12, 8, max_lines=3, bold=True),
        given=Box(93, 9, 20, 14),
        family=Box(93, 18, 30, 20, max_lines=2, bold=True),
        organisation=Box(93, 19, 16, 11, max_lines=3),
        category=Box(93, 14, 18, 11, max_lines=2, bold=True),
    ),
    "card": Layout(
        "card",
        54,
        85.6,
        title=Box(50, 7, 8, 5, max_lines=2, bold=True),
        given=Box(50, 5.5, 11, 7),
        family=Box(50, 10, 15, 10, max_lines=2, bold=True),
        organisation=Box(50, 10.5, 9, 6, max_lines=3),
        category=Box(50, 8, 10, 6, max_lines=2, bold=True),
    ),
}
#: Printable outputs: the badge layout they use and whether four go on an A4 sheet.
OUTPUTS = {"a6": ("a6", False), "card": ("card", False), "a4-4up": ("a6", True)}


class BadgeRenderError(RuntimeError):
    """WeasyPrint did not give one page per badge (a template fault, never user data)."""


def safe_colour(value: str | None) -> str:
    """A #RRGGBB colour, or the neutral grey: nothing else reaches a style attribute."""
    return value if value and _COLOUR.match(value) else _FALLBACK_COLOUR


def text_colour(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (#RRGGBB)."""
    red, green, blue = (int(background[i : i + 2], 16) / 255 for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return "#000000" if luminance > 0.55 else "#ffffff"


def badge_language(event: Event) -> str:
    """Badges are printed in the first language of the meeting."""
    return (event.languages or ["en"])[0]


class BadgeData:
    """Builds the plain content of badges for one event (lookups made once per batch)."""

    def __init__(self, event: Event):
        self.language = badge_language(event)
        with force_locale(self.language):
            self.honorifics = {code: str(label) for code, label in HONORIFICS.items()}
        self.title = event.title_in(self.language)
        self.dates = format_interval(
            event.start_date, event.end_date, "yMMMMd", locale=self.language
        )
        self.categories = {
            category.id: (category.name_in(self.language), safe_colour(category.badge_colour))
            for category in event.categories
        }
        self.entities = {entity.id: entity.name_in(self.language) for entity in event.entities}

    def content(self, row) -> dict:
        """What one badge shows, from a registration (or a row with the same attributes)."""
        category, colour = self.categories[row.category_id]
        return {
            "reference": row.reference,
            "token": row.badge_token,
            "honorific": self.honorifics.get(row.honorific, row.honorific),
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


def cache_dir() -> Path:
    """Where rendered badge pages are kept (BADGE_CACHE_DIR, else instance/badge-cache)."""
    configured = current_app.config.get("BADGE_CACHE_DIR")
    return Path(configured or Path(current_app.instance_path) / "badge-cache")


def page_path(root: Path, layout: str, key: str) -> Path:
    """The file of a cached page."""
    return root / layout / key[:2] / f"{key}.pdf"


def _qr_svg(token: str) -> Markup:
    """A vector QR code holding only the badge token (segno's SVG has no user text)."""
    return Markup(segno.make(token, error="m").svg_inline(border=4, omitsize=True))


def _view(content: dict, layout: Layout) -> dict:
    """The content with its texts fitted to the layout's boxes and its QR code."""
    given = " ".join(part for part in (content["honorific"], content["given_name"]) if part)
    return {
        **content,
        "ink": text_colour(content["colour"]),
        "qr": _qr_svg(content["token"]),
        "fit": {
            "title": fit(content["title"], layout.title),
            "given": fit(given, layout.given),
            "family": fit(content["family_name"], layout.family),
            "organisation": fit(content["organisation"], layout.organisation),
            "category": fit(content["category"], layout.category),
        },
    }


def badge_html(contents: Sequence[dict], layout: str) -> str:
    """The HTML of ``contents`` as one page each (needs the application for the template)."""
    spec = LAYOUTS[layout]
    return render_template(
        "documents/badge.html",
        layout=spec,
        language=contents[0]["language"] if contents else "en",
        badges=[_view(content, spec) for content in contents],
    )


def _write_atomic(path: Path, data: bytes) -> None:
    """Write a cache file so that a reader never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def render_pages(html: str, paths: Sequence[Path], sources: pdf.Sources) -> int:
    """Render a chunk of badges and store each page in its cache file (runs in any process)."""
    document = pdf.render_pdf(html, [STYLESHEET], sources)
    with pikepdf.open(io.BytesIO(document)) as rendered:
        if len(rendered.pages) != len(paths):
            raise BadgeRenderError(f"{len(rendered.pages)} pages for {len(paths)} badges")
        for page, path in zip(rendered.pages, paths, strict=True):
            single = pikepdf.new()
            single.pages.append(page)
            # WeasyPrint shares one resource dictionary between pages: keep only this page's
            # photo and fonts, or every cached page would carry the whole chunk's images.
            single.remove_unreferenced_resources()
            output = io.BytesIO()
            single.save(output)
            _write_atomic(path, output.getvalue())
    return len(paths)


def plan(contents: Sequence[dict], layout: str) -> tuple[list[Path], list[tuple[dict, Path]]]:
    """The cache files of ``contents`` in order, and the pages among them not rendered yet
    (each once, however many badges show the same page)."""
    root, template = cache_dir(), fingerprint()
    paths = [page_path(root, layout, page_key(content, layout, template)) for content in contents]
    missing, seen = [], set()
    for content, path in zip(contents, paths, strict=True):
        if path not in seen and not path.exists():
            missing.append((content, path))
        seen.add(path)
    return paths, missing


def render_missing(
    missing: Sequence[tuple[dict, Path]],
    layout: str,
    progress: Progress | None = None,
    done: int = 0,
    total: int | None = None,
) -> None:
    """Render pages not yet cached, CHUNK to a WeasyPrint document, reporting progress.

    Pages that appeared meanwhile (another worker, an earlier attempt) are not rendered again.
    Parallel work is the job queue's: a large batch is split into parts that workers render.
    """
    progress = progress or (lambda done, total: None)
    total = len(missing) if total is None else total
    sources = pdf.Sources.from_app()
    for start in range(0, len(missing), CHUNK):
        chunk = list(missing[start : start + CHUNK])
        todo = [(content, path) for content, path in chunk if not path.exists()]
        if todo:
            html = badge_html([content for content, _ in todo], layout)
            render_pages(html, [path for _, path in todo], sources)
        done += len(chunk)
        progress(done, total)


def cached_pages(contents: Sequence[dict], layout: str, progress: Progress | None = None):
    """The cache files of ``contents`` in order, rendering those that are missing here."""
    paths, missing = plan(contents, layout)
    done = len(contents) - len(missing)
    if progress is not None:
        progress(done, len(contents))
    render_missing(missing, layout, progress, done, len(contents))
    return paths
