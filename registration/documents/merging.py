"""Merging cached badge pages into one PDF, as they are or four to an A4 sheet."""

import io
import itertools
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pikepdf

from registration.documents.fitting import POINTS_PER_MM

_A4 = (210 * POINTS_PER_MM, 297 * POINTS_PER_MM)
#: White border that office printers cannot print into; badges are scaled to leave it free.
PRINTER_MARGIN = 8 * POINTS_PER_MM
#: Length of a crop mark, drawn in the margin only (never over a badge).
_MARK = 6 * POINTS_PER_MM
#: Gap between a crop mark and the badge it marks.
_MARK_GAP = 1.5 * POINTS_PER_MM


def _grid(page_width: float, page_height: float) -> tuple[float, float, float]:
    """Scale of each badge and the sheet position (left, bottom) of the 2 × 2 grid."""
    width, height = _A4
    scale = min(
        1.0,
        (width - 2 * PRINTER_MARGIN) / (2 * page_width),
        (height - 2 * PRINTER_MARGIN) / (2 * page_height),
    )
    left = (width - 2 * page_width * scale) / 2
    bottom = (height - 2 * page_height * scale) / 2
    return scale, left, bottom


def _crop_marks(xs: list[float], ys: list[float]) -> bytes:
    """Black cut marks in the margin, in line with every badge edge, visible on the printout."""
    low_y, high_y, low_x, high_x = ys[0], ys[-1], xs[0], xs[-1]
    segments = []
    for x in xs:
        segments.append((x, low_y - _MARK_GAP - _MARK, x, low_y - _MARK_GAP))
        segments.append((x, high_y + _MARK_GAP, x, high_y + _MARK_GAP + _MARK))
    for y in ys:
        segments.append((low_x - _MARK_GAP - _MARK, y, low_x - _MARK_GAP, y))
        segments.append((high_x + _MARK_GAP, y, high_x + _MARK_GAP + _MARK, y))
    lines = "".join(f"{x1:.2f} {y1:.2f} m {x2:.2f} {y2:.2f} l " for x1, y1, x2, y2 in segments)
    return f"q 0 G 0.5 w {lines}S Q".encode()


def _add_sheets(output: pikepdf.Pdf, pages: list, crop_marks: bool) -> None:
    """Four badges per A4 sheet inside the printer margin, left to right and top to bottom."""
    for start in range(0, len(pages), 4):
        sheet = output.add_blank_page(page_size=_A4)
        box = pages[start].mediabox
        page_width, page_height = float(box[2] - box[0]), float(box[3] - box[1])
        scale, left, bottom = _grid(page_width, page_height)
        cell_width, cell_height = page_width * scale, page_height * scale
        for index, page in enumerate(pages[start : start + 4]):
            column, row = index % 2, index // 2
            x = left + column * cell_width
            y = bottom + (1 - row) * cell_height
            sheet.add_overlay(page, pikepdf.Rectangle(x, y, x + cell_width, y + cell_height))
        if crop_marks:
            xs = [left + step * cell_width for step in range(3)]
            ys = [bottom + step * cell_height for step in range(3)]
            sheet.contents_add(pikepdf.Stream(output, _crop_marks(xs, ys)))


#: Pages merged in memory at a time. A bigger batch is merged part by part into temporary
#: files, which the final merge reads back lazily: with photos, a thousand pages held at once
#: in memory took more than 400 MiB.
PART_PAGES = 100


def merge(pages: Iterable[bytes], target, *, sheets: bool = False, crop_marks: bool = False):
    """Write one-page PDFs (cached badge pages) into ``target`` (a path or a binary file)."""
    with tempfile.TemporaryDirectory(prefix="badge-merge-") as folder:
        parts = []
        pages = iter(pages)
        while chunk := list(itertools.islice(pages, PART_PAGES)):
            parts.append(Path(folder) / f"part-{len(parts)}.pdf")
            _merge_in_memory(chunk, parts[-1])
        sources = [pikepdf.open(part) for part in parts]
        try:
            with pikepdf.new() as output:
                firsts = [page for source in sources for page in source.pages]
                if sheets:
                    _add_sheets(output, firsts, crop_marks)
                else:
                    output.pages.extend(firsts)
                output.save(target)
        finally:
            for source in sources:
                source.close()


def _merge_in_memory(pages: list[bytes], target: Path) -> None:
    """Write a few one-page PDFs into one file."""
    sources = [pikepdf.open(io.BytesIO(page)) for page in pages]
    try:
        with pikepdf.new() as output:
            output.pages.extend(source.pages[0] for source in sources)
            output.save(target)
    finally:
        for source in sources:
            source.close()
