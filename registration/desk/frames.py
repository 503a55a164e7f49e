"""Reading badge QR codes from camera frames (Chromium on Linux has no BarcodeDetector)."""

import io
import warnings

import zxingcpp
from PIL import Image, UnidentifiedImageError

#: Frames are sent downscaled by the desk; anything larger is refused before decoding.
MAX_FRAME_PIXELS = 1920 * 1080


def decode_badge(data: bytes) -> str | None:
    """The text of the first QR code in a JPEG or PNG frame, or None (also for non-images)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ("JPEG", "PNG"):
                return None
            width, height = image.size
            if width * height > MAX_FRAME_PIXELS:
                return None
            image = image.convert("L")
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombWarning,
    ):
        return None
    for result in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
        if result.valid and result.text:
            return result.text
    return None
