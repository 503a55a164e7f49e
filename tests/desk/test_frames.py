"""Reading badge QR codes from camera frames with zxing-cpp."""

import io

from PIL import Image

from registration.desk.frames import decode_badge
from tests.desk.qr_frames import frame_bytes, qr_picture

TOKEN = "vJ3k2Qx7mZ1bYc9LwP0aTn5sR8dE4fGh"


def test_reads_the_token_from_jpeg_and_png_frames():
    picture = qr_picture(TOKEN)
    assert decode_badge(frame_bytes(picture, "JPEG")) == TOKEN
    assert decode_badge(frame_bytes(picture, "PNG")) == TOKEN


def test_frames_without_a_code_or_not_images_give_none():
    assert decode_badge(frame_bytes(Image.new("RGB", (640, 480), "white"))) is None
    assert decode_badge(b"") is None
    assert decode_badge(b"\xff\xd8\xff garbage") is None
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    assert decode_badge(gif.getvalue()) is None


def test_oversized_frames_are_not_decoded():
    assert decode_badge(frame_bytes(qr_picture(TOKEN, size=(4000, 3000)), "PNG")) is None
