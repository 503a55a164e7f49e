"""Portrait photos: checked, re-encoded with Pillow and stored outside the static folder."""

import io
import re
import secrets
import warnings
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from registration.errors import DomainError

#: Stored names are random (128 bits) so that they can travel in a hidden form field.
_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.jpg$")


class PhotoError(DomainError):
    """A photo was refused: photo_too_large, photo_not_image, photo_too_many_pixels."""


def photo_dir() -> Path:
    """Where portraits are stored (never under static/)."""
    return Path(current_app.config["PHOTO_DIR"])


def _decode(data: bytes) -> Image.Image:
    """Decode an uploaded JPEG or PNG, bounded in bytes and pixels, upright and on white.

    The image is decoded (not trusted by its name), its pixel count bounded before decoding
    (decompression bombs), EXIF orientation applied. Raises PhotoError.
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
    return image.convert("RGB")


def _jpeg(image: Image.Image) -> bytes:
    """``image`` as a new JPEG file (no exif= argument: every metadata block is dropped)."""
    output = io.BytesIO()
    image.save(output, "JPEG", quality=85, optimize=True)
    return output.getvalue()


def process_photo(data: bytes) -> bytes:
    """Validate an uploaded JPEG or PNG and return a badge-ready JPEG portrait.

    Decoded and cleaned by ``_decode``, then cropped to the badge's 3:4 portrait and resized.
    Raises PhotoError.
    """
    image = ImageOps.fit(
        _decode(data),
        tuple(current_app.config["PHOTO_SIZE"]),
        Image.Resampling.LANCZOS,
        centering=(0.5, 0.35),
    )
    return _jpeg(image)


#: Largest logo kept (width, height): sharp at 300 dpi on a certificate's 60 × 30 mm box.
LOGO_SIZE = (720, 360)


def process_logo(data: bytes) -> bytes:
    """Validate an uploaded JPEG or PNG logo and return it re-encoded, shrunk to LOGO_SIZE.

    Its proportions are kept and transparency becomes white. Raises PhotoError.
    """
    image = _decode(data)
    image.thumbnail(LOGO_SIZE, Image.Resampling.LANCZOS)
    return _jpeg(image)


def store_photo(jpeg: bytes) -> str:
    """Write a processed portrait under a random name and return that name."""
    name = f"{secrets.token_hex(16)}.jpg"
    (photo_dir() / name).write_bytes(jpeg)
    return name


def is_stored_photo(name: str | None) -> bool:
    """Whether ``name`` is a well-formed name of a portrait that exists."""
    return bool(name and _STORED_NAME.match(name) and (photo_dir() / name).is_file())


def photo_path(name: str) -> Path:
    """The file of a stored portrait (the name is checked, never a path from outside)."""
    if not _STORED_NAME.match(name):
        raise ValueError("not a stored photo name")
    return photo_dir() / name
