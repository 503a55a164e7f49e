"""Merging cached badge pages into one PDF, as they are or four to an A4 sheet."""

import io
from collections.abc import Iterable

import pikepdf

from registration.documents.fitting import POINTS_PER_MM

_A4 = (210 * POINTS_PER_MM, 297 * POINTS_PER_MM)


def _crop_marks(width: float, height: float) -> bytes:
    """Thin cut marks at the sheet's edges on the lines between badges, and a centre cross."""
    mark = 5 * POINTS_PER_MM
    middle_x, middle_y = width / 2, height / 2
    segments = [
        (middle_x, 0, middle_x, mark),
        (middle_x, height - mark, middle_x, height),
        (0, middle_y, mark, middle_y),
        (width - mark, middle_y, width, middle_y),
        (middle_x - mark / 2, middle_y, middle_x + mark / 2, middle_y),
        (middle_x, middle_y - mark / 2, middle_x, middle_y + mark / 2),
    ]
    lines = "".join(f"{x1:.2f} {y1:.2f} m {x2:.2f} {y2:.2f} l " for x1, y1, x2, y2 in segments)
    return f"q 0 G 0.3 w {lines}S Q".encode()


def _add_sheets(output: pikepdf.Pdf, pages: list, crop_marks: bool) -> None:
    """Four A6 pages per A4 sheet, left to right and top to bottom."""
    width, height = _A4
    for start in range(0, len(pages), 4):
        sheet = output.add_blank_page(page_size=_A4)
        for index, page in enumerate(pages[start : start + 4]):
            column, row = index % 2, index // 2
            box = page.mediabox
            page_width, page_height = float(box[2] - box[0]), float(box[3] - box[1])
            left = column * width / 2 + (width / 2 - page_width) / 2
            bottom = (1 - row) * height / 2 + (height / 2 - page_height) / 2
            sheet.add_overlay(
                page, pikepdf.Rectangle(left, bottom, left + page_width, bottom + page_height)
            )
        if crop_marks:
            sheet.contents_add(pikepdf.Stream(output, _crop_marks(width, height)))


def merge(pages: Iterable[bytes], target, *, sheets: bool = False, crop_marks: bool = False):
    """Write one-page PDFs (cached badge pages) into ``target`` (a path or a binary file)."""
    sources = [pikepdf.open(io.BytesIO(page)) for page in pages]
    try:
        with pikepdf.new() as output:
            firsts = [source.pages[0] for source in sources]
            if sheets:
                _add_sheets(output, firsts, crop_marks)
            else:
                output.pages.extend(firsts)
            output.save(target)
    finally:
        for source in sources:
            source.close()
