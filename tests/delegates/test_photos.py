"""Photos are decoded, re-encoded without metadata and cropped to a badge portrait."""

import io

import pytest
from PIL import Image, ImageFile

from registration.delegates.photos import (
    PhotoError,
    is_stored_photo,
    process_photo,
    read_photo,
    store_photo,
)
from tests.delegates.photo_files import (
    SECRETS,
    image_bytes,
    jpeg_markers,
    jpeg_with_every_metadata_block,
    jpeg_with_exif,
    png_bomb,
    png_with_every_metadata_block,
)


def _open(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_jpeg_and_png_become_a_600x800_jpeg(app, fmt):
    result = _open(process_photo(image_bytes(fmt)))
    assert result.format == "JPEG"
    assert result.size == (600, 800)


def test_metadata_is_stripped_and_orientation_applied(app):
    original = jpeg_with_exif()
    assert b"SpyCam" in original
    processed = process_photo(original)
    assert b"SpyCam" not in processed
    assert not _open(processed).getexif()


def test_transparent_png_gets_a_white_background(app):
    output = io.BytesIO()
    Image.new("RGBA", (300, 400), (0, 0, 0, 0)).save(output, "PNG")
    result = _open(process_photo(output.getvalue())).convert("RGB")
    assert result.getpixel((10, 10)) == (255, 255, 255)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"%PDF-1.7 not an image", "photo_not_image"),
        (b"GIF89a" + bytes(100), "photo_not_image"),
        (image_bytes("GIF"), "photo_not_image"),
        (image_bytes("JPEG")[:200], "photo_not_image"),
        (png_bomb(), "photo_too_many_pixels"),
    ],
)
def test_refused_files(app, data, code):
    with pytest.raises(PhotoError) as error:
        process_photo(data)
    assert error.value.code == code
    assert error.value.field == "photo"


def test_too_large(app):
    with pytest.raises(PhotoError) as error:
        process_photo(b"\xff\xd8" + bytes(5 * 1024 * 1024))
    assert error.value.code == "photo_too_large"


def test_stored_names_are_random_and_checked(app):
    name = store_photo(process_photo(image_bytes()))
    assert is_stored_photo(name)
    assert not is_stored_photo("../../etc/passwd")
    assert not is_stored_photo("0" * 32 + ".jpg")


@pytest.mark.parametrize(
    "original", [jpeg_with_every_metadata_block(), png_with_every_metadata_block()]
)
def test_every_metadata_block_is_dropped_from_the_stored_file(app, original):
    assert b"SpyCam" in original and b"xmp-secret" in original  # the sample carries them
    name = store_photo(process_photo(original))
    stored = read_photo(name)
    for secret in SECRETS:
        assert secret not in stored
    # Before the scan: only SOI's followers JFIF (APP0), tables and the frame; no APP1–APP15
    # (EXIF, XMP, ICC, Adobe…) and no comment (COM, 0xFE).
    assert set(jpeg_markers(stored)) <= {0xE0, 0xDB, 0xC0, 0xC2, 0xC4, 0xDD, 0xDA}
    assert set(_open(stored).info) <= {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi"}


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_a_truncated_image_is_refused_even_after_weasyprint_was_imported(app, fmt):
    import weasyprint  # noqa: F401 (sets ImageFile.LOAD_TRUNCATED_IMAGES for the process)

    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    output = io.BytesIO()
    Image.effect_noise((900, 1200), 60).convert("RGB").save(output, fmt)
    whole = output.getvalue()
    assert _open(process_photo(whole)).size == (600, 800)
    with pytest.raises(PhotoError) as error:
        process_photo(whole[: len(whole) // 2])
    assert error.value.code == "photo_not_image"
    # WeasyPrint's own setting is left as it was for the rest of the process.
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
