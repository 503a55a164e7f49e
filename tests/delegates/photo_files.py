"""Image files made on the fly for photo tests."""

import io

from PIL import Image, ImageCms, PngImagePlugin


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


#: Strings hidden in every metadata block of the samples below; none may reach a stored photo.
SECRETS = (b"SpyCam", b"secret comment", b"xmp-secret", b"png-text-secret")


def _srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def jpeg_with_every_metadata_block() -> bytes:
    """A JPEG with EXIF (APP1), XMP (APP1), an ICC profile (APP2) and a comment (COM)."""
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"
    return image_bytes(
        exif=exif,
        comment=b"secret comment",
        icc_profile=_srgb_profile(),
        xmp=b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>xmp-secret</x:xmpmeta>",
    )


def png_with_every_metadata_block() -> bytes:
    """A PNG with tEXt and iTXt chunks (a comment, XMP), eXIf and an ICC profile (iCCP)."""
    info = PngImagePlugin.PngInfo()
    info.add_text("comment", "png-text-secret")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>xmp-secret</x:xmpmeta>")
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"
    return image_bytes("PNG", pnginfo=info, exif=exif, icc_profile=_srgb_profile())


def jpeg_markers(data: bytes) -> list[int]:
    """The JPEG segment markers up to the start of the scan (0xDA)."""
    markers, at = [], 2
    assert data[:2] == b"\xff\xd8"
    while True:
        marker = data[at + 1]
        markers.append(marker)
        if marker == 0xDA:
            return markers
        at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
