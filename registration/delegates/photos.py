"""Portrait photos: checked, re-encoded with Pillow and kept in the file storage."""

import contextlib
import io
import re
import secrets
import threading
import warnings
from collections.abc import Iterator

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

from registration import storage
from registration.errors import DomainError

#: Stored names are random (128 bits) so that they can travel in a hidden form field.
_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.jpg$")


class PhotoError(DomainError):
    """A photo was refused: photo_too_large, photo_not_image, photo_too_many_pixels."""


#: Serialises the strict decodes of this process: Pillow reads LOAD_TRUNCATED_IMAGES as a
#: module global, which WeasyPrint sets to True for the whole process when it is imported.
_STRICT_DECODING = threading.Lock()


@contextlib.contextmanager
def _strict_decoding() -> Iterator[None]:
    """Decode with Pillow's truncation checks on, whatever another library set process-wide."""
    with _STRICT_DECODING:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _not_image() -> PhotoError:
    return PhotoError(_("The photo must be a JPEG or PNG image."), "photo_not_image", field="photo")


def _too_many_pixels() -> PhotoError:
    return PhotoError(_("The photo has too many pixels."), "photo_too_many_pixels", field="photo")


def _decode(data: bytes) -> Image.Image:
    """Decode an uploaded JPEG or PNG, bounded in bytes and pixels, upright, in sRGB, on white.

    The image is decoded in full (not trusted by its name; a truncated or damaged file is
    refused), its pixel count bounded before decoding (decompression bombs), EXIF orientation and
    the colour profile applied. Raises PhotoError.
    """
    config = current_app.config
    if len(data) > config["PHOTO_MAX_BYTES"]:
        raise PhotoError(
            _("The photo is larger than %(size)s MB.", size=config["PHOTO_MAX_BYTES"] // 2**20),
            "photo_too_large",
            field="photo",
        )
    try:
        with warnings.catch_warnings(), _strict_decoding():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ("JPEG", "PNG"):
                raise _not_image()
            width, height = image.size
            if width * height > config["PHOTO_MAX_PIXELS"]:
                raise _too_many_pixels()
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise _not_image() from error
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        raise _too_many_pixels() from error
    image = _in_srgb(ImageOps.exif_transpose(image))
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        image = background
    return image.convert("RGB")


def _in_srgb(image: Image.Image) -> Image.Image:
    """The image converted to sRGB when it carries a colour profile (so that dropping the
    profile keeps its colours); a profile that cannot be read is ignored."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA", "L", "CMYK"):
        return image
    try:
        return ImageCms.profileToProfile(
            image,
            ImageCms.ImageCmsProfile(io.BytesIO(profile)),
            ImageCms.createProfile("sRGB"),
            outputMode="RGBA" if image.mode == "RGBA" else "RGB",
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image


def _jpeg(image: Image.Image) -> bytes:
    """``image`` as a new JPEG file that carries nothing but its pixels.

    Pillow copies .info (comments, XMP, text chunks) from image to image and writes some of it
    back when saving: a new image from the pixels alone carries no metadata at all.
    """
    bare = Image.frombytes("RGB", image.size, image.tobytes())
    output = io.BytesIO()
    bare.save(output, "JPEG", quality=85, optimize=True)
    return output.getvalue()


def process_photo(data: bytes) -> bytes:
    """Validate an uploaded JPEG or PNG and return a badge-ready JPEG portrait.

    Decoded and cleaned by ``_decode``, then cropped to the badge's 3:4 portrait and resized;
    no EXIF, XMP, ICC profile, comment or text chunk is carried over. Raises PhotoError.
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
    """Store a processed portrait under a random name and return that name.

    Raises StorageUnavailable when the file store cannot be reached.
    """
    name = f"{secrets.token_hex(16)}.jpg"
    storage.get_storage().save(photo_key(name), jpeg)
    return name


def is_photo_name(name: str | None) -> bool:
    """Whether ``name`` is a well-formed name of a stored portrait."""
    return bool(name and _STORED_NAME.match(name))


def is_stored_photo(name: str | None) -> bool:
    """Whether ``name`` is a well-formed name of a portrait that exists."""
    return is_photo_name(name) and storage.get_storage().exists(photo_key(name))


def delete_photo(name: str) -> None:
    """Delete a stored portrait (one already gone is fine)."""
    storage.get_storage().delete(photo_key(name))


def photo_key(name: str) -> str:
    """The storage key of a stored portrait (the name is checked, never a path from outside)."""
    if not is_photo_name(name):
        raise ValueError("not a stored photo name")
    return storage.key(storage.PHOTOS, name)


def send_photo(name: str, *, cache: str = "private, no-store"):
    """A response with the portrait called ``name`` (404 when it is gone)."""
    return storage.send(photo_key(name), "image/jpeg", cache=cache)


def read_photo(name: str) -> bytes:
    """The bytes of a stored portrait (FileNotFoundError when it is gone)."""
    return storage.get_storage().read(photo_key(name))
