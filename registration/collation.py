"""Sorting names as each language does (the Unicode Collation Algorithm, through pyuca).

pyuca is pure Python (no ICU library to build on every machine) and implements the UCA with
the default table (DUCET): accents and case are secondary and tertiary differences, so in French
"Égypte", "Équateur" and "Îles Cook" sort among the E and I, not after "Zimbabwe". The one
tailoring our languages need beyond DUCET is Spanish "ñ", a letter of its own after "n".
Lists sort in Python after the query; paginated SQL sorts use ``sql_collated``: PostgreSQL's
ICU collation of the language ("fr-x-icu") or, on SQLite, the same pyuca keys registered as
the collation "uca_fr" on every connection. Both databases then give the same order.
"""

from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from typing import TypeVar

import sqlalchemy as sa
from pyuca import Collator

T = TypeVar("T")
#: Sorts after every letter: "n" followed by it is the Spanish letter "ñ" (after "nz…").
_AFTER_ALL_LETTERS = "\U0010ffff"


@cache
def _collator() -> Collator:
    """The DUCET collator (loading its table takes a tenth of a second: once per process)."""
    return Collator()


#: Languages with a collation registered in SQLite (and ICU collations in PostgreSQL).
LANGUAGES = ("en", "fr", "es")


@lru_cache(maxsize=100_000)  # SQLite compares each string many times while sorting
def sort_key(text: str, language: str = "en") -> tuple:
    """The collation key of ``text`` in ``language`` (en, fr, es)."""
    if language == "es":
        text = text.replace("ñ", "n" + _AFTER_ALL_LETTERS).replace("Ñ", "N" + _AFTER_ALL_LETTERS)
    return _collator().sort_key(text)


def register_sqlite_collations(connection) -> None:
    """Give a new SQLite connection the collations uca_en, uca_fr and uca_es."""
    for language in LANGUAGES:

        def compare(left: str, right: str, language: str = language) -> int:
            left_key, right_key = sort_key(left, language), sort_key(right, language)
            return (left_key > right_key) - (left_key < right_key)

        connection.create_collation(f"uca_{language}", compare)


def sql_collated(expression: sa.ColumnElement, language: str, dialect: str) -> sa.ColumnElement:
    """``expression`` compared in ``language``'s order on ``dialect`` (sqlite or postgresql)."""
    language = language if language in LANGUAGES else "en"
    if dialect == "sqlite":
        return expression.collate(f"uca_{language}")
    if dialect == "postgresql":
        return expression.collate(f"{language}-x-icu")
    return expression


def collated(items: Iterable[T], language: str, key: Callable[[T], str] = str) -> list[T]:
    """``items`` sorted by ``key(item)`` in the order of ``language``."""
    return sorted(items, key=lambda item: sort_key(key(item), language))
