"""One file storage for photos, nomination letters, cached badge pages and job results.

Every file the application keeps goes through here under a key such as ``photos/<name>.jpg``;
no other code builds a path. One setting, STORAGE_URL, chooses the backend: a local folder
(``file:///srv/registration/files``; the instance folder when unset, as ``make run`` uses) or
S3-compatible object storage (``s3://bucket/prefix`` with the S3_* settings), so that any web
host or worker reads what another wrote.

A backend that cannot be reached raises StorageUnavailable, a DomainError that views turn into a
clear message; a missing file is FileNotFoundError.
"""

import re
from collections.abc import Iterator, Mapping
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from flask import Flask, Response, abort, current_app, send_file
from flask_babel import gettext as _

from registration.errors import DomainError

#: The areas of the store, each a key prefix; `flask storage migrate` copies these.
PHOTOS = "photos"
LETTERS = "documents"
BADGE_PAGES = "badge-cache"
JOB_RESULTS = "job-results"
AREAS = (PHOTOS, LETTERS, BADGE_PAGES, JOB_RESULTS)

#: Keys are relative paths of plain names: no "..", no hidden files, nothing absolute.
_KEY = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$")


class StorageUnavailable(DomainError):
    """The file store could not be reached or refused the operation: storage_unavailable."""

    code = "storage_unavailable"
    status = 503

    def __init__(self, detail: str = ""):
        super().__init__(
            _(
                "The file store cannot be reached just now, so nothing was saved or shown. "
                "Please try again in a moment."
            )
        )
        #: What the backend said, for the log (never shown to people).
        self.detail = detail


def check_key(key: str) -> str:
    """``key`` if it is a well-formed storage key; ValueError otherwise (a programming error)."""
    if not _KEY.match(key):
        raise ValueError(f"not a storage key: {key[:200]!r}")
    return key


def key(area: str, *parts: str) -> str:
    """The key of a file in one of the AREAS."""
    return check_key("/".join((area, *parts)))


class Storage:
    """What every backend offers. Keys are checked with check_key."""

    #: Where the files are, for messages (file:///… or s3://bucket/prefix).
    url: str

    def save(self, key: str, data: bytes | BinaryIO) -> None:
        """Store ``data`` (bytes or a binary stream) under ``key``; readers never see half."""
        raise NotImplementedError

    def open(self, key: str) -> BinaryIO:
        """A binary stream of the file (FileNotFoundError when there is none)."""
        raise NotImplementedError

    def read(self, key: str) -> bytes:
        """The file's bytes (FileNotFoundError when there is none)."""
        with self.open(key) as stream:
            return stream.read()

    def exists(self, key: str) -> bool:
        """Whether a file is stored under ``key``."""
        raise NotImplementedError

    def size(self, key: str) -> int:
        """The file's size in bytes (FileNotFoundError when there is none)."""
        raise NotImplementedError

    def modified(self, key: str) -> float:
        """When the file was last written, in seconds since the epoch (FileNotFoundError)."""
        raise NotImplementedError

    def delete(self, key: str) -> None:
        """Remove the file; nothing happens when there is none."""
        raise NotImplementedError

    def list(self, prefix: str = "") -> Iterator[str]:
        """The keys that start with ``prefix`` (a folder such as ``photos/``), in order."""
        raise NotImplementedError


def open_storage(url: str, settings: Mapping) -> Storage:
    """The backend that ``url`` names (file:// or s3://), configured from ``settings``."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        from registration.storage.local import LocalStorage

        return LocalStorage(unquote(parts.path))
    if parts.scheme == "s3" and parts.netloc:
        from registration.storage.s3 import S3Storage

        return S3Storage(
            parts.netloc,
            parts.path.strip("/"),
            endpoint_url=settings.get("S3_ENDPOINT_URL"),
            region=settings.get("S3_REGION"),
            access_key_id=settings.get("S3_ACCESS_KEY_ID"),
            secret_access_key=settings.get("S3_SECRET_ACCESS_KEY"),
            addressing_style=settings.get("S3_ADDRESSING_STYLE", "auto"),
            timeout=settings.get("STORAGE_TIMEOUT", 10),
        )
    raise ValueError(f"STORAGE_URL must be file:///folder or s3://bucket/prefix, not {url!r}")


def get_storage() -> Storage:
    """The current application's storage (made once per STORAGE_URL and reused)."""
    url = current_app.config["STORAGE_URL"]
    made_for, storage = current_app.extensions.get("storage", (None, None))
    if storage is None or made_for != url:
        storage = open_storage(url, current_app.config)
        current_app.extensions["storage"] = (url, storage)
    return storage


def send(key: str, mimetype: str, *, cache: str = "private, no-store", **options) -> Response:
    """A response streaming the stored file (404 when it is gone) with ``cache`` as its
    Cache-Control; ``options`` are send_file's (download_name, as_attachment)."""
    try:
        stream = get_storage().open(key)
    except FileNotFoundError:
        abort(404)
    response = send_file(stream, mimetype=mimetype, **options)
    response.headers["Cache-Control"] = cache
    return response


def init_app(app: Flask) -> None:
    """Register `flask storage`."""
    from registration.storage.cli import storage_group

    app.cli.add_command(storage_group)
