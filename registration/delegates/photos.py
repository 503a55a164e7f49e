"""Portrait photos: checked, re-encoded with Pillow and kept in the file storage."""

import io
import re
import secrets
import warnings

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from registration import storage
from registration.errors import DomainError

#: Stored names are random (128 bits) so that they can travel in a hidden form field.
_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.jpg$")


class PhotoError(DomainError):
    """A photo was refused: photo_too_large, photo_not_image, photo_too_many_pixels."""


def process_photo(data: bytes) -> bytes:
    """Validate an uploaded JPEG or PNG and return a badge-ready JPEG portrait.

    The image is decoded (not trusted by its name), its pixel count bounded before decoding
    (decompression bombs), EXIF orientation applied then every metadata block dropped, and it is
    cropped to the badge's 3:4 portrait and resized. Raises PhotoError.
    """
    config = current_app.config
    if len(data) > config["PHOTO_MAX_BYTES"]:
        raise PhotoError(
            _("The photo is larger than %(size)s MB.", size=config["PHOTO_MAX_BYTES"] // 2**20),
            "photo_too_large",
            field="photo",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ("JPEG", "PNG"):
                raise PhotoError(
                    _("The photo must be a JPEG or PNG image."), "photo_not_image", field="photo"
                )
            width, height = image.size
            if width * height > config["PHOTO_MAX_PIXELS"]:
                raise PhotoError(
                    _("The photo has too many pixels."), "photo_too_many_pixels", field="photo"
                )
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise PhotoError(
            _("The photo must be a JPEG or PNG image."), "photo_not_image", field="photo"
        ) from error
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        raise PhotoError(
            _("The photo has too many pixels."), "photo_too_many_pixels", field="photo"
        ) from error
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        image = background
    image = ImageOps.fit(
        image.convert("RGB"),
        tuple(config["PHOTO_SIZE"]),
        Image.Resampling.LANCZOS,
        centering=(0.5, 0.35),
    )
    output = io.BytesIO()
    image.save(output, "JPEG", quality=85, optimize=True)  # no exif= argument: metadata dropped
    return output.getvalue()


def store_photo(jpeg: bytes) -> str:
    """Store a processed portrait under a random name and return that name.

    Raises StorageUnavailable when the file store cannot be reached.
    """
    name = f"{secrets.token_hex(16)}.jpg"
    storage.get_storage().save(photo_key(name), jpeg)
    return name


def is_stored_photo(name: str | None) -> bool:
    """Whether ``name`` is a well-formed name of a portrait that exists."""
    return bool(name and _STORED_NAME.match(name) and storage.get_storage().exists(photo_key(name)))


def photo_key(name: str) -> str:
    """The storage key of a stored portrait (the name is checked, never a path from outside)."""
    if not _STORED_NAME.match(name):
        raise ValueError("not a stored photo name")
    return storage.key(storage.PHOTOS, name)


def send_photo(name: str, *, cache: str = "private, no-store"):
    """A response with the portrait called ``name`` (404 when it is gone)."""
    return storage.send(photo_key(name), "image/jpeg", cache=cache)
