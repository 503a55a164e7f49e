"""Shrinking text to fit a box: names are made smaller or wrapped, never cut.

Widths are measured with the same DejaVu fonts that WeasyPrint uses (through Pillow), so the
size chosen here is the size that fits on the page.
"""

import functools
import itertools
import math
import unicodedata
from dataclasses import dataclass

from PIL import ImageFont

POINTS_PER_MM = 72 / 25.4
#: CSS line-height of fitted text (badge.css uses the same).
LINE_HEIGHT = 1.15
#: Room left for differences between Pillow's and Pango's measurements.
_SAFETY = 0.94
_FONT_FILES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}
#: A name is wrapped onto another line rather than printed smaller than this (when its box
#: allows more lines and its largest size is at least this).
WRAP_BEFORE_PT = 9
#: Average glyph width in em when the font file cannot be found.
_FALLBACK_EM = 0.62


@dataclass(frozen=True)
class Box:
    """Room for a piece of text: width and height in mm, font size bounds in points."""

    width_mm: float
    height_mm: float
    max_pt: float
    min_pt: float
    max_lines: int = 1
    bold: bool = False


@dataclass(frozen=True)
class Fitted:
    """Text broken into lines, and the font size (pt) at which every line fits."""

    lines: tuple[str, ...]
    size: float


@functools.cache
def _font(bold: bool) -> ImageFont.FreeTypeFont | None:
    try:
        return ImageFont.truetype(_FONT_FILES[bold], 100)
    except OSError:
        return None


def text_width(text: str, bold: bool = False) -> float:
    """Width of ``text`` in points at a font size of 1 pt.

    Chinese, Japanese and Korean characters, which DejaVu lacks and WeasyPrint takes from
    Noto Sans CJK, are a full em wide each.
    """
    wide = sum(unicodedata.east_asian_width(char) in "WF" for char in text)
    if wide:
        text = "".join(char for char in text if unicodedata.east_asian_width(char) not in "WF")
    font = _font(bold)
    if font is None:
        return len(text) * _FALLBACK_EM + wide
    return font.getlength(text) / 100 + wide


def _splits(words: list[str], count: int):
    """Every way of cutting ``words`` into ``count`` non-empty lines, in order."""
    for cuts in itertools.combinations(range(1, len(words)), count - 1):
        bounds = (0, *cuts, len(words))
        yield tuple(" ".join(words[a:b]) for a, b in itertools.pairwise(bounds))


def _best_split(words: list[str], count: int, bold: bool) -> tuple[tuple[str, ...], float]:
    """The cut into ``count`` lines whose widest line is narrowest, and that width."""
    return min(
        ((lines, max(text_width(line, bold) for line in lines)) for lines in _splits(words, count)),
        key=lambda item: item[1],
    )


def fit(text: str, box: Box) -> Fitted:
    """Lines and font size for ``text`` in ``box``.

    The fewest lines that allow at least ``box.min_pt`` (and at least WRAP_BEFORE_PT in boxes
    that may be that large) win; if none do, the split that allows the largest size, however
    small: the text is never cut.
    """
    words = text.split()
    if not words:
        return Fitted((), box.max_pt)
    width_pt, height_pt = box.width_mm * POINTS_PER_MM, box.height_mm * POINTS_PER_MM
    best = None
    enough = max(box.min_pt, WRAP_BEFORE_PT) if box.max_pt >= WRAP_BEFORE_PT else box.min_pt
    for count in range(1, min(box.max_lines, len(words)) + 1):
        lines, widest = _best_split(words, count, box.bold)
        size = min(
            box.max_pt,
            width_pt * _SAFETY / max(widest, 0.01),
            height_pt / (count * LINE_HEIGHT),
        )
        candidate = Fitted(lines, math.floor(size * 10) / 10)  # rounded down: still fits
        if candidate.size >= enough:
            return candidate
        if best is None or candidate.size > best.size:
            best = candidate
    return best
