"""The one place that runs WeasyPrint, and the URL fetcher that keeps it to our own files.

Templates name resources with the internal scheme only: ``regdoc:static/<path>`` for our
static assets and ``regdoc:photo/<name>`` for stored portraits. Every other URL (``file:``,
``http:``, ``https:``, ``data:``…) is refused, and nothing is fetched from an address a document
names (photos come from the file storage by key), so a name typed by a delegate cannot make the
server read a file or call a URL.
"""

import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from registration import storage
from registration.paths import shipped

SCHEME = "regdoc"
#: Template folder of the documents and their CSS.
TEMPLATE_DIR = shipped("templates") / "documents"
#: Static files that documents may use, by suffix.
_STATIC_TYPES = {".css", ".svg", ".png", ".jpg", ".jpeg", ".woff", ".woff2", ".ttf", ".otf"}
#: Fonts are looked up once per process and reused by every document.
_FONTS = FontConfiguration()
_stylesheets: dict[tuple[str, float], CSS] = {}


class RefusedURL(ValueError):
    """A document asked for a resource outside what the fetcher serves."""


@dataclass(frozen=True)
class Sources:
    """What the fetcher may read: our static folder and the stored photos (both picklable, so
    child processes need no app)."""

    static_dir: Path
    files: storage.Storage

    @classmethod
    def from_app(cls) -> "Sources":
        """The current application's static folder and file storage."""
        return cls(Path(current_app.static_folder), storage.get_storage())


def _inside(root: Path, relative: str) -> Path:
    """``root / relative`` if it is a file within ``root`` (no ``..``, no symlink way out)."""
    base = root.resolve()
    path = (base / relative).resolve()
    if base not in path.parents or not path.is_file():
        raise RefusedURL(f"not a served file: {relative!r}")
    return path


def read_photo(sources: Sources, name: str) -> bytes:
    """A stored portrait (a JPEG named by the photo store), read through the file storage;
    RefusedURL for any other name or a photo that is not there, StorageUnavailable when the
    store cannot be reached."""
    if "/" in name or not name.endswith(".jpg"):
        raise RefusedURL(f"not a photo name: {name[:200]!r}")
    try:
        return sources.files.read(storage.key(storage.PHOTOS, name))
    except (ValueError, FileNotFoundError) as error:
        raise RefusedURL(f"not a stored photo: {name[:200]!r}") from error


class DocumentFetcher(URLFetcher):
    """Serves ``regdoc:`` URLs from our folders and refuses everything else, never redirecting."""

    def __init__(self, sources: Sources):
        super().__init__(allowed_protocols={SCHEME}, allow_redirects=False)
        self.sources = sources
        #: Set when the file store failed: WeasyPrint would quietly leave the photo out.
        self.unavailable: storage.StorageUnavailable | None = None

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        """The resource behind ``url``; RefusedURL for anything not ours."""
        scheme, _, rest = url.partition(":")
        if scheme.lower() != SCHEME or "?" in rest or "#" in rest or "%" in rest:
            raise RefusedURL(f"refused URL: {url[:200]!r}")
        kind, _, name = rest.partition("/")
        if kind == "static" and Path(name).suffix.lower() in _STATIC_TYPES:
            data = _inside(self.sources.static_dir, name).read_bytes()
        elif kind == "photo":
            data = self._photo(name)
        else:
            raise RefusedURL(f"refused URL: {url[:200]!r}")
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, data, {"Content-Type": content_type})

    def _photo(self, name: str) -> bytes:
        """A stored portrait's bytes, remembering a store that cannot be reached."""
        try:
            return read_photo(self.sources, name)
        except storage.StorageUnavailable as error:
            self.unavailable = error
            raise


def stylesheet(name: str) -> CSS:
    """A parsed stylesheet of templates/documents/, reused until the file changes."""
    path = TEMPLATE_DIR / name
    key = (name, path.stat().st_mtime)
    if key not in _stylesheets:
        _stylesheets[key] = CSS(string=path.read_text(encoding="utf-8"), font_config=_FONTS)
    return _stylesheets[key]


def render_pdf(html: str, stylesheets: Iterable[str], sources: Sources | None = None) -> bytes:
    """Lay out ``html`` (already escaped by Jinja) with our stylesheets and return the PDF.

    ``sources`` defaults to the current application's; child processes pass them. Raises
    StorageUnavailable when a photo could not be read, rather than a document without it.
    """
    fetcher = DocumentFetcher(sources or Sources.from_app())
    document = HTML(string=html, url_fetcher=fetcher, base_url=None)
    data = document.write_pdf(
        stylesheets=[stylesheet(name) for name in stylesheets], font_config=_FONTS
    )
    if fetcher.unavailable is not None:
        raise fetcher.unavailable
    return data
