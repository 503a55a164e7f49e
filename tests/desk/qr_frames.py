"""Camera frames showing a badge QR code: images for the frame endpoint, a .y4m fake camera."""

import io
from pathlib import Path

import segno
from PIL import Image


def qr_picture(text: str, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """A grey scene with a badge QR code (as segno renders it) held in the middle."""
    code = io.BytesIO()
    segno.make(text, error="m").save(code, kind="png", scale=7, border=4)
    code.seek(0)
    badge = Image.open(code).convert("RGB")
    scene = Image.new("RGB", size, "#8a8f96")
    scene.paste(badge, ((size[0] - badge.width) // 2, (size[1] - badge.height) // 2))
    return scene


def frame_bytes(image: Image.Image, fmt: str = "JPEG") -> bytes:
    """An image encoded as a browser's canvas would send it."""
    output = io.BytesIO()
    image.save(output, fmt, **({"quality": 80} if fmt == "JPEG" else {}))
    return output.getvalue()


def write_y4m(path: Path, image: Image.Image, frames: int = 10) -> Path:
    """A YUV4MPEG2 4:2:0 video of ``image`` for Chromium's --use-file-for-fake-video-capture."""
    width, height = image.size
    luma, blue, red = image.convert("YCbCr").split()
    half = (width // 2, height // 2)
    frame = b"FRAME\n" + luma.tobytes() + blue.resize(half).tobytes() + red.resize(half).tobytes()
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(frame)
    return path
