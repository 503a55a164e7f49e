"""Sorting names as each language does (the Unicode Collation Algorithm, through pyuca).

pyuca is pure Python (no ICU library to build on every machine) and implements the UCA with
the default table (DUCET): accents and case are secondary and tertiary differences, so in French
"Égypte", "Équateur" and "Îles Cook" sort among the E and I, not after "Zimbabwe". The one
tailoring our languages need beyond DUCET is Spanish "ñ", a letter of its own after "n".
Sorting happens in Python, after the query, so SQLite and PostgreSQL give the same order.
"""

from collections.abc import Callable, Iterable
from functools import cache
from typing import TypeVar

from pyuca import Collator

T = TypeVar("T")
#: Sorts after every letter: "n" followed by it is the Spanish letter "ñ" (after "nz…").
_AFTER_ALL_LETTERS = "\U0010ffff"


@cache
def _collator() -> Collator:
    """The DUCET collator (loading its table takes a tenth of a second: once per process)."""
    return Collator()


def sort_key(text: str, language: str = "en") -> tuple:
    """The collation key of ``text`` in ``language`` (en, fr, es)."""
    if language == "es":
        text = text.replace("ñ", "n" + _AFTER_ALL_LETTERS).replace("Ñ", "N" + _AFTER_ALL_LETTERS)
    return _collator().sort_key(text)


def collated(items: Iterable[T], language: str, key: Callable[[T], str] = str) -> list[T]:
    """``items`` sorted by ``key(item)`` in the order of ``language``."""
    return sorted(items, key=lambda item: sort_key(key(item), language))
