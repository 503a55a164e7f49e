"""Photos and QR codes drawn straight into a PDF page with pikepdf.

WeasyPrint spends about a sixth of a badge's time on an inline SVG QR code and decodes and
re-embeds every photo; as PDF operators a QR code costs a fraction of a millisecond, and a
stored portrait (a JPEG we re-encoded ourselves) is embedded as it is.
"""

import io

import pikepdf
import segno
from PIL import Image

from registration.documents.fitting import POINTS_PER_MM

#: Light modules around the code, as the SVG version has (the QR standard asks for four).
QUIET_ZONE = 4
_COLOUR_SPACES = {"RGB": pikepdf.Name.DeviceRGB, "L": pikepdf.Name.DeviceGray}


def qr_operators(token: str, left: float, bottom: float, side: float) -> bytes:
    """PDF operators drawing the QR code of ``token`` (error correction M) on a white square
    at (``left``, ``bottom``) of ``side`` points, quiet zone included."""
    matrix = segno.make(token, error="m").matrix
    unit = side / (len(matrix) + 2 * QUIET_ZONE)
    top = bottom + side
    rectangles = []
    for row_index, row in enumerate(matrix):
        y = top - (row_index + QUIET_ZONE + 1) * unit
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            x = left + (start + QUIET_ZONE) * unit
            # A hair taller than a module, so that no seam shows between rows on screen.
            rectangles.append(f"{x:.3f} {y:.3f} {(column - start) * unit:.3f} {unit + 0.02:.3f} re")
    white = f"1 g {left:.3f} {bottom:.3f} {side:.3f} {side:.3f} re f"
    return f"q {white} 0 g {' '.join(rectangles)} f Q".encode()


def _draw(pdf: pikepdf.Pdf, page: pikepdf.Page, operators: bytes) -> None:
    """Add ``operators`` above the page's drawing, whatever state that drawing leaves."""
    page.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
    page.contents_add(pikepdf.Stream(pdf, b"\nQ\n" + operators))


def _size(page: pikepdf.Page) -> tuple[float, float]:
    box = page.mediabox
    return float(box[2] - box[0]), float(box[3] - box[1])


def qr(pdf: pikepdf.Pdf, page: pikepdf.Page, token: str, box_mm: tuple[float, float, float]):
    """Draw the QR code of ``token`` in ``box_mm`` (from the right edge, from the top, side)."""
    right, top, side = (value * POINTS_PER_MM for value in box_mm)
    width, height = _size(page)
    _draw(pdf, page, qr_operators(token, width - right - side, height - top - side, side))


def photo(
    pdf: pikepdf.Pdf, page: pikepdf.Page, jpeg: bytes, box_mm: tuple[float, float, float, float]
):
    """Draw a JPEG portrait stretched over ``box_mm`` (from the left, from the top, width,
    height), as an <img> filling the box would be."""
    with Image.open(io.BytesIO(jpeg)) as image:
        if image.format != "JPEG" or image.mode not in _COLOUR_SPACES:
            converted = io.BytesIO()
            image.convert("RGB").save(converted, "JPEG", quality=90)
            return photo(pdf, page, converted.getvalue(), box_mm)
        (pixels_wide, pixels_high), mode = image.size, image.mode
    xobject = pikepdf.Stream(pdf, jpeg)
    xobject.Type, xobject.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    xobject.Width, xobject.Height, xobject.BitsPerComponent = pixels_wide, pixels_high, 8
    xobject.ColorSpace, xobject.Filter = _COLOUR_SPACES[mode], pikepdf.Name.DCTDecode
    name = page.add_resource(xobject, pikepdf.Name.XObject, prefix="Photo")
    left, top, width, height = (value * POINTS_PER_MM for value in box_mm)
    bottom = _size(page)[1] - top - height
    _draw(
        pdf, page, f"q {width:.3f} 0 0 {height:.3f} {left:.3f} {bottom:.3f} cm {name} Do Q".encode()
    )
    return None
