"""Rendering badge pages into the cache, in layers.

WeasyPrint lays out only what differs from one person to the next (reference, names,
organisation). What badges of a category share (the coloured bands with the meeting's title
and dates, the category, the photo and QR squares) is laid out once per process and laid
under each page as a form; the photo (already a JPEG) and the QR code (rectangles) are drawn
in with pikepdf. The page looks as the self-contained document (badge_html part "all")
would, for about half of WeasyPrint's work. A chunk of pages is one WeasyPrint document.
"""

import io
from collections.abc import Callable, Sequence

import pikepdf

from registration import storage
from registration.documents import pdf, stamps
from registration.documents.badges import (
    LAYOUTS,
    STYLESHEET,
    badge_html,
    fingerprint,
    page_file,
    page_key,
    static_key,
)

#: Badges laid out in one WeasyPrint document.
CHUNK = 25
#: Static parts kept per process (a meeting has a handful of categories per layout).
_STATIC_MAX = 64
_static: dict[str, pikepdf.Pdf] = {}

Progress = Callable[[int, int], None]


class BadgeRenderError(RuntimeError):
    """WeasyPrint did not give one page per badge (a template fault, never user data)."""


def _single(page: pikepdf.Page) -> pikepdf.Pdf:
    """A document of ``page`` alone, without the resources of the pages it was rendered with
    (WeasyPrint shares one resource dictionary between the pages of a document)."""
    single = pikepdf.new()
    single.pages.append(page)
    single.remove_unreferenced_resources()
    return single


def _render(contents: Sequence[dict], layout: str, part: str, sources: pdf.Sources):
    """One WeasyPrint document of ``contents``' ``part``, opened with pikepdf."""
    document = pdf.render_pdf(badge_html(contents, layout, part=part), [STYLESHEET], sources)
    rendered = pikepdf.open(io.BytesIO(document))
    if len(rendered.pages) != len(contents):
        raise BadgeRenderError(f"{len(rendered.pages)} pages for {len(contents)} badges")
    return rendered


def static_file(layout: str, key: str) -> str:
    """The storage key of a static part (shared by every worker process, kept across runs)."""
    return storage.key(storage.BADGE_PAGES, layout, "static", f"{key}.pdf")


def _static_parts(contents: Sequence[dict], layout: str, sources: pdf.Sources) -> list:
    """The static part of each badge: from this process's memory, else from the cache folder,
    else laid out now (once for all badges of the chunk that share it)."""
    template = fingerprint()
    keys = [static_key(content, layout, template) for content in contents]
    if len(_static) + len(keys) > _STATIC_MAX:
        _static.clear()
    missing = {}
    for key, content in zip(keys, contents, strict=True):
        if key in _static or key in missing:
            continue
        try:
            stored = sources.files.read(static_file(layout, key))
        except FileNotFoundError:
            missing[key] = content
        else:
            _static[key] = pikepdf.open(io.BytesIO(stored))
    if missing:
        with _render(list(missing.values()), layout, "static", sources) as rendered:
            for key, page in zip(missing, rendered.pages, strict=True):
                _static[key] = _single(page)
                output = io.BytesIO()
                _static[key].save(output)
                sources.files.save(static_file(layout, key), output.getvalue())
    return [_static[key].pages[0] for key in keys]


def render_pages(chunk: Sequence[tuple[dict, str]], layout: str, sources: pdf.Sources) -> None:
    """Render a chunk of badges and store each page under its cache key (the storage writes
    whole files only, so a reader never sees half of one)."""
    spec = LAYOUTS[layout]
    contents = [content for content, _key in chunk]
    statics = _static_parts(contents, layout, sources)
    with _render(contents, layout, "text", sources) as rendered:
        for page, static, (content, key) in zip(rendered.pages, statics, chunk, strict=True):
            single = _single(page)
            target = single.pages[0]
            target.add_underlay(static)
            if content["photo"]:
                photo = pdf.read_photo(sources, content["photo"])
                stamps.photo(single, target, photo, spec.photo_mm)
            stamps.qr(single, target, content["token"], spec.qr_mm)
            output = io.BytesIO()
            single.save(output)
            sources.files.save(key, output.getvalue())


def plan(contents: Sequence[dict], layout: str) -> tuple[list[str], list[tuple[dict, str]]]:
    """The storage keys of the pages of ``contents`` in order, and the pages among them not
    rendered yet (each once, however many badges show the same page)."""
    files, template = storage.get_storage(), fingerprint()
    keys = [page_file(layout, page_key(content, layout, template)) for content in contents]
    missing, seen = [], set()
    for content, key in zip(contents, keys, strict=True):
        if key not in seen and not files.exists(key):
            missing.append((content, key))
        seen.add(key)
    return keys, missing


def render_missing(
    missing: Sequence[tuple[dict, str]],
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
        todo = [(content, key) for content, key in chunk if not sources.files.exists(key)]
        if todo:
            render_pages(todo, layout, sources)
        done += len(chunk)
        progress(done, total)


def cached_pages(
    contents: Sequence[dict], layout: str, progress: Progress | None = None
) -> list[str]:
    """The storage keys of the pages of ``contents`` in order, rendering those missing here."""
    keys, missing = plan(contents, layout)
    done = len(contents) - len(missing)
    if progress is not None:
        progress(done, len(contents))
    render_missing(missing, layout, progress, done, len(contents))
    return keys


def read_pages(keys: Sequence[str]) -> list[bytes]:
    """The cached pages of ``keys``, read from the file storage, for merging."""
    files = storage.get_storage()
    return [files.read(key) for key in keys]
