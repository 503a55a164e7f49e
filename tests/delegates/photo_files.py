"""Image files made on the fly for photo tests."""

import io

from PIL import Image


def image_bytes(fmt: str = "JPEG", size=(900, 1200), colour="#3366aa", **save_options) -> bytes:
    """An image file in ``fmt``."""
    output = io.BytesIO()
    Image.new("RGB", size, colour).save(output, fmt, **save_options)
    return output.getvalue()


def jpeg_with_exif() -> bytes:
    """A JPEG carrying camera and GPS metadata, rotated by its EXIF orientation."""
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x8825] = {1: "N", 2: (46.0, 12.0, 0.0)}  # GPS
    return image_bytes(size=(1200, 900), exif=exif)


def png_bomb() -> bytes:
    """A tiny PNG that claims 12,000 × 12,000 pixels."""
    output = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(output, "PNG", optimize=True)
    return output.getvalue()
