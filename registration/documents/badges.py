"""Badges: plain data per registration, and a cache of rendered pages.

Each badge page is rendered once per content: its file name is a hash of what it shows, the
layout and the template, so a changed registration, category colour or template simply misses
the cache. Batches (see merging.py) merge cached pages, which pikepdf copies in about a
millisecond each, after the missing ones are rendered in chunks, in parallel processes when
there are many.
"""

import hashlib
import io
import json
import multiprocessing
import os
import re
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

import pikepdf
import segno
import weasyprint
from babel.dates import format_interval
from flask import current_app, render_template
from flask_babel import force_locale
from markupsafe import Markup

from registration import storage
from registration.delegates.models import BADGE, HONORIFICS
from registration.documents import pdf
from registration.documents.fitting import Box, fit
from registration.events.models import Event
from registration.security import unseal_token

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
            "token": unseal_token(BADGE, row.badge_token_sealed, row.badge_token_hash),
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


def page_file(layout: str, key: str) -> str:
    """The storage key of a cached page."""
    return storage.key(storage.BADGE_PAGES, layout, key[:2], f"{key}.pdf")


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


def render_pages(html: str, files: Sequence[str], sources: pdf.Sources) -> int:
    """Render a chunk of badges and store each page under its cache key (runs in any process;
    the storage writes whole files only, so a reader never sees half of one)."""
    document = pdf.render_pdf(html, [STYLESHEET], sources)
    with pikepdf.open(io.BytesIO(document)) as rendered:
        if len(rendered.pages) != len(files):
            raise BadgeRenderError(f"{len(rendered.pages)} pages for {len(files)} badges")
        for page, file in zip(rendered.pages, files, strict=True):
            single = pikepdf.new()
            single.pages.append(page)
            # WeasyPrint shares one resource dictionary between pages: keep only this page's
            # photo and fonts, or every cached page would carry the whole chunk's images.
            single.remove_unreferenced_resources()
            output = io.BytesIO()
            single.save(output)
            sources.files.save(file, output.getvalue())
    return len(files)


def _processes(workers: int) -> ProcessPoolExecutor:
    """Processes for one cold batch, forked from a clean server process that preloaded
    WeasyPrint (never from this possibly threaded process); they end with the batch, so an
    idle web server keeps no renderer's memory."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["registration.documents.badges"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def _render_missing(
    missing: list[tuple[dict, str]], layout: str, progress: Progress, done: int, total: int
) -> None:
    """Render pages not yet cached, in chunks; in parallel processes when there are several.

    Each chunk is handed to a process as soon as its HTML is ready, so that the QR codes and
    templates of the next chunks are made while earlier ones are laid out.
    """
    sources = pdf.Sources.from_app()
    chunks = [missing[i : i + CHUNK] for i in range(0, len(missing), CHUNK)]

    def work(chunk: list[tuple[dict, str]]) -> tuple[str, list[str]]:
        return badge_html([content for content, _ in chunk], layout), [p for _, p in chunk]

    workers = current_app.config["BADGE_RENDER_PROCESSES"] or os.cpu_count() or 1
    already = done
    if workers > 1 and len(chunks) > 2:
        try:
            with _processes(workers) as pool:
                pending: deque = deque()
                for chunk in chunks:
                    pending.append(pool.submit(render_pages, *work(chunk), sources))
                    while pending and pending[0].done():
                        done += pending.popleft().result()
                        progress(done, total)
                while pending:
                    done += pending.popleft().result()
                    progress(done, total)
            return
        except BrokenProcessPool:
            done = already  # a renderer died (out of memory?): finish the rest in this process
    for chunk in chunks:
        if not all(sources.files.exists(file) for _, file in chunk):
            render_pages(*work(chunk), sources)
        done += len(chunk)
        progress(done, total)


def cached_pages(
    contents: Sequence[dict], layout: str, progress: Progress | None = None
) -> list[str]:
    """The storage keys of the pages of ``contents`` in order, rendering those missing."""
    progress = progress or (lambda done, total: None)
    files, template = storage.get_storage(), fingerprint()
    keys = [page_file(layout, page_key(content, layout, template)) for content in contents]
    missing, seen = [], set()
    for content, key in zip(contents, keys, strict=True):
        if key not in seen and not files.exists(key):
            missing.append((content, key))
        seen.add(key)
    done = len(contents) - len(missing)
    progress(done, len(contents))
    if missing:
        _render_missing(missing, layout, progress, done, len(contents))
    return keys
