"""Photos are decoded, re-encoded without metadata and cropped to a badge portrait."""

import io

import pytest
from PIL import Image

from registration.delegates.photos import PhotoError, is_stored_photo, process_photo, store_photo
from tests.delegates.photo_files import image_bytes, jpeg_with_exif, png_bomb


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
